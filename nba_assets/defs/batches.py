"""Which batch a date belongs to: the batch id the latest ``slate`` materialization recorded.

A ranged slate run (a backfill's range in one run) opens one batch per date and records them all
under ``batches`` ({date: {batch_id, shards, ...}}): Dagster gives every partition of a ranged run
the same metadata, so each reader picks its date's entry (:func:`for_date`).

A backfill whose selection also holds ``staging_predictions`` stages and consolidates its own
batches in ranged runs (docs/operations.md §7): its slate records ``batch_owner`` = the backfill
id, and the sensors leave such a batch alone while that backfill is in progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import dagster as dg

from nba_assets.batch_state.base import Batch, BatchStore
from nba_assets.defs.settings import PipelineSettings

SLATE = dg.AssetKey("slate")
STAGING = dg.AssetKey("staging_predictions")
FORCED_PARTIAL_TAG = "nba_assets/forced_partial"
BATCH_TAG = "nba_assets/batch_id"
STALL_RETRY_TAG = "nba_assets/stall_retry"  # the completion sensor's one re-run of a stalled batch
BACKFILL_TAG = "dagster/backfill"  # Dagster's own tag on every run a backfill launches
# a backfill's shard count (its tags reach every run it launches): its slates open batches of that
# many shards, the ones its staging partitions cover, whatever the code location's setting
SHARDS_TAG = "nba_assets/shard_count"
RANGED = "batches"
OWNER = "batch_owner"
# a backfill in any other status (requested, canceling, failing) is still in progress
BACKFILL_ENDED = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}


def for_date(metadata: dict[str, object], key: str) -> dict[str, object]:
    """One date's slate metadata: a ranged run's entry for the date over its shared fields."""
    per_date = metadata.get(RANGED)
    if not isinstance(per_date, dict):
        return metadata
    shared = {k: v for k, v in metadata.items() if k != RANGED}
    return {**shared, **(per_date.get(key) or {})}


def slate_metadata(instance: dg.DagsterInstance, game_date: date | str) -> dict[str, object] | None:
    """The metadata of the newest slate materialization of the date, or None if never run."""
    key = _key(game_date)
    return slates_metadata(instance, [key]).get(key)


def slates_metadata(
    instance: dg.DagsterInstance, game_dates: list[date | str], page: int = 100
) -> dict[str, dict[str, object]]:
    """Each date's newest slate metadata ({date: metadata}; a date never run is absent).

    One event-log query for all the dates (newest first, the first record of a date is its
    newest), more only when re-runs fill a page: the completion sensor asks for every open batch
    each tick, and one query per batch cost ~9 ms each on SQLite.
    """
    wanted = {_key(d) for d in game_dates}
    found: dict[str, dict[str, object]] = {}
    seen: set[str] = set()
    records_filter = dg.AssetRecordsFilter(asset_key=SLATE, asset_partitions=sorted(wanted))
    cursor = None
    while wanted - seen:
        result = instance.fetch_materializations(records_filter, limit=page, cursor=cursor)
        for record in result.records:
            key = record.partition_key
            if key in seen or key not in wanted:
                continue
            seen.add(key)
            materialization = record.asset_materialization
            if materialization is not None:
                found[key] = for_date({k: v.value for k, v in materialization.metadata.items()}, key)
        if not result.has_more:
            break
        cursor = result.cursor
    return found


def _key(game_date: date | str) -> str:
    return game_date if isinstance(game_date, str) else game_date.isoformat()


def current_batch_id(instance: dg.DagsterInstance, game_date: date | str) -> str:
    metadata = slate_metadata(instance, game_date)
    if not metadata or not metadata.get("batch_id"):
        raise dg.Failure(
            f"no slate materialization with a batch_id for {game_date}: materialize `slate` first"
        )
    return str(metadata["batch_id"])


def owning_backfill(instance: dg.DagsterInstance, tags: dict[str, str]) -> str | None:
    """The backfill that stages a slate run's batches itself: the run's backfill, when its
    selection holds ``staging_predictions`` (else the sensors fan the batches out, as on a live day)."""
    backfill_id = tags.get(BACKFILL_TAG)
    record = instance.get_backfill(backfill_id) if backfill_id else None
    if record is None or not record.asset_selection or STAGING not in record.asset_selection:
        return None
    return backfill_id


def shard_count(tags: dict[str, str], default: int) -> int:
    """The run's shard count: the backfill's tag when it has one, else the setting (the tag checked
    by the settings field's own limit)."""
    return PipelineSettings(shard_count=int(tags[SHARDS_TAG])).shard_count if SHARDS_TAG in tags else default


def owner_active(instance: dg.DagsterInstance, metadata: dict[str, object] | None) -> str | None:
    """The backfill id that owns the date's batch while it is still in progress, else None."""
    owner = str((metadata or {}).get(OWNER) or "")
    record = instance.get_backfill(owner) if owner else None
    return owner if record is not None and str(record.status.value) not in BACKFILL_ENDED else None


def record_stall_retry(store: BatchStore, batch: Batch, tags: Mapping[str, str]) -> bool:
    """Called by a staging run: one tagged as the stall policy's re-run records it in the batch
    (stall_retries, and the stall clock restarts), once for the batch, whichever shard starts first.
    Returns whether it recorded."""
    if STALL_RETRY_TAG not in tags or batch.stall_retries > 0:
        return False
    store.note_stall_retry(batch.batch_id)
    return True
