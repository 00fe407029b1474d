"""What the completion sensor does with each open batch: pure decisions, testable without Dagster."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from nba_assets.batch_state.base import BatchStatus, BatchStore, CompletionStatus


class Action(enum.StrEnum):
    CONSOLIDATE = "consolidate"  # complete: its one consolidation
    RETRY_MISSING = "retry_missing"  # stalled: re-run the unfinished players once (L5)
    FORCE_PARTIAL = "force_partial"  # still stalled after the re-run: merge what there is
    WAIT = "wait"


@dataclass(frozen=True)
class Decision:
    batch_id: str
    game_date: str
    action: Action
    note: str
    retry_players: dict[int, list[str]] = field(default_factory=dict)  # shard -> players to re-run


def decide(
    status: BatchStatus,
    store: BatchStore,
    now: datetime,
    idle: timedelta,
    deadline: timedelta,
    retry_requested_at: datetime | None = None,
) -> Decision:
    """complete -> consolidate; stalled -> re-run unfinished players once; then, past the deadline,
    a forced partial consolidation (L5, L6, L7).

    The re-run counts from when it was requested (``retry_requested_at``: the first stall re-run
    run Dagster holds for the batch, whatever its status) or from when a re-run recorded itself
    (``stall_retries``), whichever is known: a re-run that never starts (a queue that never frees
    it, a launch that fails) still ends in the forced partial, never in a batch stalled forever."""
    date, progress = (
        status.game_date.isoformat(),
        f"{status.done}/{status.expected} done, {status.failed} failed",
    )
    if status.is_complete:
        return Decision(status.batch_id, date, Action.CONSOLIDATE, f"complete: {progress}")
    quiet_for = now - status.last_activity
    retried = status.stall_retries > 0 or retry_requested_at is not None
    if not retried and quiet_for >= idle:
        batch = store.get_batch(status.batch_id)
        failed = {
            c.player_lookup for c in store.completions(status.batch_id) if c.status == CompletionStatus.FAILED
        }
        by_shard: dict[int, list[str]] = defaultdict(list)
        for player in sorted(set(status.missing) | failed):
            by_shard[batch.expected_players[player]].append(player)
        return Decision(
            status.batch_id,
            date,
            Action.RETRY_MISSING,
            f"stalled {quiet_for} with {progress}: re-running {sum(map(len, by_shard.values()))} players",
            dict(by_shard),
        )
    if retried:
        quiet_for = now - max(status.last_activity, retry_requested_at or status.last_activity)
    if retried and quiet_for >= deadline:
        return Decision(
            status.batch_id, date, Action.FORCE_PARTIAL, f"still {progress} {quiet_for} after the re-run"
        )
    return Decision(status.batch_id, date, Action.WAIT, f"{progress}, quiet for {quiet_for}")
