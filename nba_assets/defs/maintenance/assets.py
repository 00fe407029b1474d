"""batch_retention: deletes closed batches past their retention, and the staging they left behind.

Firestore can do the deleting itself with a TTL policy on ``expire_at`` (docs/operations.md); this
asset does the same for SQLite and for a Firestore database without that policy, and it is the only
thing that drops the staging of a batch that never merged (a superseded or failed slate).
"""

import dagster as dg

from nba_assets.defs.storage import BatchStoreResource, WarehouseResource


@dg.asset(group_name="maintenance", kinds={"python"})
def batch_retention(
    context: dg.AssetExecutionContext, batch_store: BatchStoreResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Expired batch documents deleted with their completions and staging; open batches never."""
    store = batch_store.get()
    expired = store.expired_batches()
    wh = warehouse.get() if expired else None
    rows, staging = [], 0
    for batch in expired:
        # staging first: if the run dies here the batch is still listed, so a re-run finishes it
        dropped = wh.drop_staging(batch.batch_id, force=True) if wh is not None else 0
        deleted = store.delete_expired(batch.batch_id)
        staging += dropped
        rows.append(
            {
                "batch_id": batch.batch_id,
                "game_date": batch.game_date.isoformat(),
                "state": batch.status.value,
                "expire_at": batch.expire_at.isoformat() if batch.expire_at else "",
                "staging_dropped": dropped,
                "deleted": deleted,
            }
        )
        context.log.info(
            f"batch {batch.batch_id} ({batch.status.value}, {batch.game_date}): "
            f"{'deleted' if deleted else 'kept (changed since listed)'}, {dropped} staging objects dropped"
        )
    return dg.MaterializeResult(
        metadata={
            "deleted_batches": sum(r["deleted"] for r in rows),
            "staging_dropped": staging,
            "retention_days": batch_store.retention_days,
            "batches": dg.MetadataValue.md(_table(rows)) if rows else "none expired",
        }
    )


def _table(rows: list[dict]) -> str:
    heads = list(rows[0])
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(str(r[h]) for h in heads) + " |" for r in rows]
    return "\n".join(lines)
