"""The consolidation steps in their only safe order: merge, verify, record, then drop staging (L8)."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from nba_assets.batch_state.base import BatchState, BatchStatus, BatchStore
from nba_assets.defs.consolidation.checks import (
    BATCH_COMPLETE,
    MERGED_EQUALS_STAGED,
    NO_DUPLICATE_KEYS,
    SANE_VALUES,
)
from nba_assets.rows import RECOMMENDATIONS
from nba_assets.warehouse.base import Warehouse


@dataclass(frozen=True)
class Consolidation:
    metadata: dict[str, object]
    checks: list[dg.AssetCheckResult]


def _check(name: str, passed: bool, description: str, severity=dg.AssetCheckSeverity.ERROR, **metadata):
    return dg.AssetCheckResult(
        check_name=name, passed=bool(passed), severity=severity, description=description, metadata=metadata
    )


def _sanity(warehouse: Warehouse, game_date: date, batch_id: str) -> tuple[bool, str]:
    rows = warehouse.predictions_for(game_date)
    rows = rows.filter(pc.equal(rows["batch_id"], batch_id))
    if rows.num_rows == 0:
        return True, "no rows"
    points, confidence = rows["predicted_points"], rows["confidence"]
    problems = {
        "predicted_points outside 0-80": pc.sum(pc.or_(pc.less(points, 0), pc.greater(points, 80))).as_py()
        or 0,
        "confidence outside 0-100": pc.sum(
            pc.or_(pc.less(confidence, 0), pc.greater(confidence, 100))
        ).as_py()
        or 0,
        "unknown recommendation": pc.sum(
            pc.invert(pc.is_in(rows["recommendation"], pa.array(RECOMMENDATIONS)))
        ).as_py()
        or 0,
    }
    bad = {k: v for k, v in problems.items() if v}
    return not bad, ", ".join(f"{v} rows {k}" for k, v in bad.items()) or f"{rows.num_rows} rows in range"


def consolidate(
    log: logging.Logger,
    warehouse: Warehouse,
    store: BatchStore,
    status: BatchStatus,
    game_date: date,
    *,
    players_only: bool = False,  # a line-refresh batch: deactivate only its players' old lines
) -> Consolidation:
    batch_id, partial = status.batch_id, not status.is_complete
    completeness = _check(
        BATCH_COMPLETE,
        not partial,
        f"{status.done}/{status.expected} players done, {status.failed} failed, {len(status.missing)} missing",
        severity=dg.AssetCheckSeverity.WARN,
        missing=", ".join(status.missing[:50]) or "none",
    )
    warehouse.ensure_schema()
    if status.expected == 0:  # L7: an empty slate is complete at creation; record the no-op
        store.mark_consolidated(batch_id, {"players": 0, "inserted": 0, "note": "empty slate"}, partial=False)
        ok = "empty slate: nothing to merge"
        checks = [
            _check(n, True, ok)
            for n in (
                NO_DUPLICATE_KEYS,
                MERGED_EQUALS_STAGED,
                SANE_VALUES,
            )
        ]
        return Consolidation(
            {"players": 0, "inserted": 0, "updated": 0, "deactivated": 0}, [*checks, completeness]
        )
    staged = warehouse.staged_rows(batch_id)
    if staged == 0 and status.succeeded > 0:
        raise dg.Failure(
            f"batch {batch_id}: {status.succeeded} players succeeded but staging holds no rows; not merging",
            allow_retries=False,
        )
    # ZeroRowMergeError keeps staging (L8)
    merge = warehouse.merge_staging(batch_id, game_date, players_only=players_only)
    verification = warehouse.verify(batch_id, game_date)
    checks = [
        _check(
            NO_DUPLICATE_KEYS,
            verification.duplicate_keys == 0,
            "no key appears twice in the table for the date",
            duplicate_keys=verification.duplicate_keys,
        ),
        _check(
            MERGED_EQUALS_STAGED,
            verification.staged_keys == verification.merged_keys,
            "every staged key is in the table with this batch's values",
            staged_keys=verification.staged_keys,
            merged_keys=verification.merged_keys,
        ),
    ]
    if not verification.ok:
        raise dg.Failure(
            f"verification failed for {batch_id}: {verification}; staging kept for inspection and re-run",
            metadata={"staged_keys": verification.staged_keys, "merged_keys": verification.merged_keys},
            allow_retries=False,  # the same staging fails the same way: an operator looks first (L12)
        )
    sane, sanity_note = _sanity(warehouse, game_date, batch_id)
    checks += [
        _check(SANE_VALUES, sane, sanity_note, severity=dg.AssetCheckSeverity.WARN),
        completeness,
    ]
    result = {**asdict(merge), "game_date": game_date.isoformat(), "verified_keys": verification.merged_keys}
    # Recorded before staging is dropped: a crash in between leaves only orphan staging, never a
    # consolidated-looking batch without its rows, and never a second MERGE over dropped staging.
    store.mark_consolidated(batch_id, result, partial=partial)
    dropped = warehouse.drop_staging(batch_id)
    log.info(f"{batch_id}: merged {merge.source_rows} rows, dropped {dropped} staging objects")
    metadata = {
        k: merge.__dict__[k]
        for k in ("source_rows", "inserted", "updated", "deactivated", "players", "systems", "dml_statements")
    }
    return Consolidation({**metadata, "staging_dropped": dropped, "partial": partial}, checks)


def finish_recorded(
    log: logging.Logger, warehouse: Warehouse, store: BatchStore, status: BatchStatus, game_date: date
) -> Consolidation:
    """A batch an earlier run merged and recorded, then died or failed after (a re-run, a run retry).

    No second MERGE: what is left of staging is dropped once verified (L8) and the recorded result
    reported again, so the exports downstream of this run are written.
    """
    batch_id, partial = status.batch_id, status.state == BatchState.PARTIAL
    verification = warehouse.verify(batch_id, game_date)
    if not verification.ok:
        raise dg.Failure(
            f"batch {batch_id} is {status.state} but verification fails: {verification}; staging kept",
            allow_retries=False,
        )
    dropped = warehouse.drop_staging(batch_id)
    sane, sanity_note = _sanity(warehouse, game_date, batch_id)
    note = f"already {status.state} by an earlier run: no MERGE"
    checks = [
        _check(
            NO_DUPLICATE_KEYS,
            True,
            note,
            duplicate_keys=verification.duplicate_keys,
        ),
        _check(
            MERGED_EQUALS_STAGED,
            True,
            note,
            staged_keys=verification.staged_keys,
            merged_keys=verification.merged_keys,
        ),
        _check(SANE_VALUES, sane, sanity_note, severity=dg.AssetCheckSeverity.WARN),
        _check(BATCH_COMPLETE, not partial, note, severity=dg.AssetCheckSeverity.WARN),
    ]
    log.info(f"{batch_id}: {note}; dropped {dropped} leftover staging objects")
    recorded = dg.MetadataValue.json(store.get_batch(batch_id).consolidation)
    return Consolidation(
        {
            "already_consolidated": True,
            "recorded_result": recorded,
            "dml_statements": 0,
            "staging_dropped": dropped,
            "partial": partial,
        },
        checks,
    )
