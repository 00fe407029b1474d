"""Which batch a date belongs to: the batch id the latest ``slate`` materialization recorded."""

from __future__ import annotations

from datetime import date

import dagster as dg

SLATE = dg.AssetKey("slate")
FORCED_PARTIAL_TAG = "nba_assets/forced_partial"
BATCH_TAG = "nba_assets/batch_id"


def slate_metadata(instance: dg.DagsterInstance, game_date: date | str) -> dict[str, object] | None:
    """The metadata of the newest slate materialization of the date, or None if never run."""
    key = game_date if isinstance(game_date, str) else game_date.isoformat()
    result = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=SLATE, asset_partitions=[key]), limit=1
    )
    if not result.records:
        return None
    materialization = result.records[0].asset_materialization
    return {k: v.value for k, v in materialization.metadata.items()} if materialization else None


def current_batch_id(instance: dg.DagsterInstance, game_date: date | str) -> str:
    metadata = slate_metadata(instance, game_date)
    if not metadata or not metadata.get("batch_id"):
        raise dg.Failure(
            f"no slate materialization with a batch_id for {game_date}: materialize `slate` first"
        )
    return str(metadata["batch_id"])
