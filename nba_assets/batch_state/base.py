"""The BatchStore protocol: where each player's completion lives (DESIGN §3, §4, L1-L9).

Both implementations (SQLite locally, Firestore on GCP) pass ``nba_assets_tests/contract/
test_batch_store_contract.py``. Nothing here keeps state in process memory.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, runtime_checkable


class CompletionStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    SKIPPED = "skipped"
    FAILED = "failed"


class BatchState(enum.StrEnum):
    OPEN = "open"
    CONSOLIDATING = "consolidating"
    CONSOLIDATED = "consolidated"
    PARTIAL = "partial"  # consolidated without every player (stall policy, L5)
    SUPERSEDED = "superseded"  # a newer slate of the same date replaced it


# merged into the predictions table (in full, or without every player under the stall policy)
MERGED = frozenset({BatchState.CONSOLIDATED, BatchState.PARTIAL})
# nothing more happens to the batch: merged, or replaced by a newer slate of its date
CLOSED = MERGED | {BatchState.SUPERSEDED}
DEFAULT_RETENTION = timedelta(days=7)


class BatchStoreError(Exception):
    """A bad request to the store: unknown batch, player not in the batch, conflicting re-open."""


class RetryableStoreError(BatchStoreError):
    """The backend was unreachable or timed out; the same call may be retried safely."""


@dataclass(frozen=True)
class Batch:
    batch_id: str
    game_date: date
    expected_players: dict[str, int]  # player_lookup -> shard
    status: BatchState
    created_at: datetime
    updated_at: datetime
    correlation_id: str = ""
    dataset_prefix: str = ""
    stall_retries: int = 0
    consolidation: dict[str, Any] = field(default_factory=dict)
    expire_at: datetime | None = None  # set when the batch closes: the retention deadline

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    @property
    def expected_count(self) -> int:
        return len(self.expected_players)


@dataclass(frozen=True)
class Completion:
    player_lookup: str
    status: CompletionStatus
    predictions: int
    reason: str
    run_id: str
    reported_at: datetime


@dataclass(frozen=True)
class BatchStatus:
    batch_id: str
    game_date: date
    state: BatchState
    expected: int
    succeeded: int
    skipped: int
    failed: int
    missing: tuple[str, ...]  # expected players with no completion yet
    last_activity: datetime
    stall_retries: int = 0

    @property
    def done(self) -> int:
        """Players finished for good: skipped counts as done (L6)."""
        return self.succeeded + self.skipped

    @property
    def reported(self) -> int:
        return self.succeeded + self.skipped + self.failed

    @property
    def is_complete(self) -> bool:
        """Every expected player reported succeeded or skipped; 0 expected is complete (L7)."""
        return self.done == self.expected

    @property
    def is_merged(self) -> bool:
        return self.state in MERGED

    @property
    def all_reported(self) -> bool:
        return self.reported == self.expected


@dataclass(frozen=True)
class Lease:
    game_date: date
    batch_id: str
    run_id: str
    lease_until: datetime


@runtime_checkable
class BatchStore(Protocol):
    def open_batch(
        self,
        batch_id: str,
        game_date: date,
        expected_players: dict[str, int],
        *,
        correlation_id: str = "",
        dataset_prefix: str = "",
    ) -> Batch:
        """Create the batch, or return it unchanged when re-opened with the same players.

        Re-opening with a different player set raises :class:`BatchStoreError` naming the
        difference. Other open batches of the same date become ``superseded``.
        """
        ...

    def get_batch(self, batch_id: str) -> Batch:
        """The batch document; :class:`BatchStoreError` when unknown."""
        ...

    def record_completion(
        self,
        batch_id: str,
        player_lookup: str,
        status: CompletionStatus,
        *,
        predictions: int = 0,
        reason: str = "",
        run_id: str = "",
    ) -> Completion:
        """One idempotent write of ``completions/{safe_key(player)}``; never touches the batch doc."""
        ...

    def completions(self, batch_id: str) -> list[Completion]: ...

    def status(self, batch_id: str) -> BatchStatus:
        """Counts come from the completion documents (aggregation queries), not a stored counter."""
        ...

    def open_batches(self) -> list[Batch]:
        """Batches not yet consolidated, partial or superseded (what the sensor reads each tick)."""
        ...

    def batches_on(self, game_date: date) -> list[Batch]:
        """Every batch of one date, whatever its state, oldest first (what ``nba-assets status`` shows)."""
        ...

    def note_stall_retry(self, batch_id: str) -> int:
        """Record that the stall policy re-requested missing players; returns the new retry count."""
        ...

    def claim_consolidation(
        self, game_date: date, batch_id: str, run_id: str, lease: timedelta
    ) -> Lease | None:
        """Take ``consolidation_locks/{date}`` if absent, expired, or already held by ``run_id``.

        Returns None when another live run holds it (L9).
        """
        ...

    def release_consolidation(self, game_date: date, run_id: str) -> None:
        """Drop the lease if ``run_id`` holds it; otherwise do nothing."""
        ...

    def mark_consolidated(self, batch_id: str, result: dict[str, Any], *, partial: bool = False) -> Batch:
        """Persist the consolidation result and set the state to consolidated or partial."""
        ...

    def delete_batch(self, batch_id: str) -> None:
        """Remove a batch and its completions (tests and operators only)."""
        ...

    def expired_batches(self, now: datetime | None = None) -> list[Batch]:
        """Closed batches (consolidated, partial, superseded) whose ``expire_at`` has passed.

        ``expire_at`` is the closing time plus the store's retention (default 7 days); an open or
        consolidating batch has none, so it never expires.
        """
        ...

    def delete_expired(self, batch_id: str, now: datetime | None = None) -> bool:
        """Delete the batch and its completions if it is still closed and expired, else do nothing.

        The state is re-checked in the same write that deletes, so a batch re-opened meanwhile stays.
        """
        ...


def statuses(store: BatchStore, batch_ids: Sequence[str], workers: int = 8) -> list[BatchStatus]:
    """Many batches' status with their round trips overlapped: the sensor's tick on Firestore is one
    query latency per few batches instead of per batch. Order follows ``batch_ids``."""
    if len(batch_ids) <= 1:
        return [store.status(batch_id) for batch_id in batch_ids]
    with ThreadPoolExecutor(max_workers=min(workers, len(batch_ids))) as pool:
        return list(pool.map(store.status, batch_ids))
