"""The work of one shard: run the systems, stage each player's rows, then record its completion."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa

from nba_assets.batch_state.base import BatchStore, CompletionStatus
from nba_assets.defs.retries import OUTAGES
from nba_assets.inputs.day import DayInputs
from nba_assets.predictions.picks import Picker
from nba_assets.predictions.runner import expand_lines, outcomes, run_systems, stamp
from nba_assets.rows import STAGING_SCHEMA
from nba_assets.warehouse.base import Warehouse

# Staging writes in flight at once. Each is I/O bound (a local file's fsync, or a BigQuery load
# job) and independent of the others; a player's completion is still recorded only after its own
# write returned, in the shard's order. 450 local writes: ~1.3 s one by one (bench/RESULTS.md).
STAGING_WRITERS = 8


@dataclass(frozen=True)
class ShardOutcome:
    player_lookup: str
    status: CompletionStatus
    predictions: int
    reason: str


def staging_table(rows: pd.DataFrame, batch_id: str, staged_at: datetime) -> pa.Table:
    return pa.Table.from_pandas(stamp(rows, batch_id, staged_at), schema=STAGING_SCHEMA, preserve_index=False)


def staging_tables(rows: pd.DataFrame, batch_id: str, staged_at: datetime) -> dict[str, pa.Table]:
    """Each player's staging rows, converted to Arrow in one pass and sliced (zero-copy) per player.

    Converting 450 small frames one by one cost more than running the systems. If the shard's rows
    do not convert as a whole, the result is empty and each player converts on its own, so a bad
    row still fails only its player.
    """
    if rows.empty:
        return {}
    ordered = rows.sort_values("player_lookup", kind="stable")
    try:
        table = staging_table(ordered, batch_id, staged_at)
    except (pa.ArrowException, ValueError, TypeError):
        return {}
    names, starts = np.unique(ordered["player_lookup"].to_numpy(dtype=str), return_index=True)
    ends = [*starts[1:], len(ordered)]
    return {
        name: table.slice(start, end - start) for name, start, end in zip(names, starts, ends, strict=True)
    }


def run_shard(
    log: logging.Logger,
    day: DayInputs,
    players: list[str],
    systems: list,
    store: BatchStore,
    warehouse: Warehouse,
    batch_id: str,
    run_id: str,
    history: pd.DataFrame | None = None,
    picker: Picker | None = None,
    past_lines: pd.DataFrame | None = None,
) -> list[ShardOutcome]:
    """Every player in ``players`` reports exactly once: succeeded, skipped (reason) or failed (L6).

    ``past_lines``: the real lines of earlier dates (``inputs.day.past_real_lines``): market_blend
    learns its weight from them and the graded outcomes in ``history``; rows are made for the
    date's own lines only.

    Players the availability source lists out are skipped with reason ``out: <status>``; their
    staging is emptied, so a re-run after they were ruled out leaves none of their rows behind.
    """
    results: list[ShardOutcome] = []
    for player in sorted(p for p in players if p in day.out):
        warehouse.write_staging(batch_id, player, staging_table(pd.DataFrame(columns=STAGING_SCHEMA.names),
                                                                batch_id, datetime.now(UTC)))  # fmt: skip
        reason = f"out: {day.out[player]}"
        store.record_completion(batch_id, player, CompletionStatus.SKIPPED, reason=reason, run_id=run_id)
        results.append(ShardOutcome(player, CompletionStatus.SKIPPED, 0, reason))
    players = [p for p in players if p not in day.out]
    features = day.features[day.features["player_lookup"].isin(players)]
    known_lines = day.lines if past_lines is None or past_lines.empty else pd.concat([past_lines, day.lines])
    outputs = run_systems(features, systems, history, lines=known_lines)
    rows = expand_lines(features, outputs, day.lines, {s.system_id: s.version for s in systems}, picker)
    by_player = dict(tuple(rows.groupby("player_lookup", sort=False))) if not rows.empty else {}
    staged_at = datetime.now(UTC)
    converted = staging_tables(rows, batch_id, staged_at)
    empty = rows.head(0)

    def stage(player: str) -> None:
        table = converted.get(player)
        if table is None:  # the shard's rows did not convert as a whole: this player's alone
            table = staging_table(by_player.get(player, empty), batch_id, staged_at)
        warehouse.write_staging(batch_id, player, table)

    def report(plan, staged: Future) -> ShardOutcome:
        status, reason = CompletionStatus(plan.status), plan.reason
        try:
            staged.result()  # staging first, completion second: a completion has its rows behind it
        except OUTAGES:  # a backend outage fails the run (Dagster retries it); anything else, the player
            raise
        except Exception as exc:  # a bad row fails this player only, with the error kept
            status, reason = CompletionStatus.FAILED, f"staging write failed: {type(exc).__name__}: {exc}"
            log.error(f"{plan.player_lookup}: {reason}")
        count = len(by_player.get(plan.player_lookup, empty)) if status == CompletionStatus.SUCCEEDED else 0
        store.record_completion(
            batch_id, plan.player_lookup, status, predictions=count, reason=reason, run_id=run_id
        )
        return ShardOutcome(plan.player_lookup, status, count, reason)

    planned = outcomes(features, outputs, rows)
    with ThreadPoolExecutor(STAGING_WRITERS, thread_name_prefix="staging") as pool:
        staged = [pool.submit(stage, plan.player_lookup) for plan in planned]
        try:
            results += [report(plan, done) for plan, done in zip(planned, staged, strict=True)]
        except BaseException:
            pool.shutdown(cancel_futures=True)  # an outage: the players not yet staged stay missing
            raise
    for player in sorted(set(players) - set(features["player_lookup"])):
        reason = "player is in the batch but not in the day's inputs"
        store.record_completion(batch_id, player, CompletionStatus.FAILED, reason=reason, run_id=run_id)
        results.append(ShardOutcome(player, CompletionStatus.FAILED, 0, reason))
    return results


def outcome_table(results: list[ShardOutcome]) -> dg.MetadataValue:
    """One table of per-player outcomes in the materialization, not one event per player."""
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn("player_lookup", "string"),
            dg.TableColumn("status", "string"),
            dg.TableColumn("predictions", "int"),
            dg.TableColumn("reason", "string"),
        ]
    )
    records = [
        dg.TableRecord(
            {
                "player_lookup": r.player_lookup,
                "status": str(r.status),
                "predictions": r.predictions,
                "reason": r.reason[:200],
            }
        )
        for r in results
    ]
    return dg.MetadataValue.table(records=records, schema=schema)


def market_blend_metadata(systems: list, game_date) -> dict[str, object]:
    """market_blend's weight of the model and the (line, outcome) pairs it was learned from, for the
    date (the prior with 0 pairs until enough real lines were stored)."""
    blend = next((s for s in systems if getattr(s, "system_id", "") == "market_blend"), None)
    if blend is None or game_date not in getattr(blend, "weights", {}):
        return {}
    weight, pairs = blend.weights[game_date]
    return {"market_blend_weight": round(float(weight), 4), "market_blend_pairs": int(pairs)}
