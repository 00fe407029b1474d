"""slate_fanout_sensor: one staging run per shard that has players, once per batch."""

import json

import dagster as dg

from nba_assets.defs.batches import BATCH_TAG, SLATE
from nba_assets.defs.jobs import staging_job
from nba_assets.defs.partitions import day_shard_key

PAGE = 200  # slate events read per tick; a season backfill drains over a few ticks


def fanout_requests(partition: str, metadata: dict[str, object]) -> list[dg.RunRequest]:
    """Deterministic run keys: a re-tick or a second evaluation requests nothing new."""
    batch_id = str(metadata["batch_id"])
    shards = metadata.get("shards") or {}
    return [
        dg.RunRequest(
            run_key=f"{batch_id}:{shard}",
            partition_key=day_shard_key(partition, shard),
            tags={BATCH_TAG: batch_id},
        )
        for shard in sorted(shards)
    ]


@dg.sensor(job=staging_job, minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING)
def slate_fanout_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Fans every new slate materialization out to its (date, shard) staging runs.

    Unlike an asset sensor, which sees only the newest event since its cursor, this reads every
    slate event after the cursor, so a backfill of many dates fans out every one of them.
    """
    after = json.loads(context.cursor)["storage_id"] if context.cursor else None
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=SLATE, after_storage_id=after), limit=PAGE, ascending=True
    ).records
    if not records:
        return dg.SkipReason("no new slate materializations")
    requests = []
    for record in records:
        materialization = record.asset_materialization
        if materialization is None or record.partition_key is None:
            continue
        metadata = {k: v.value for k, v in materialization.metadata.items()}
        shard_requests = fanout_requests(record.partition_key, metadata)
        context.log.info(
            f"slate {record.partition_key} batch {metadata.get('batch_id')}: {len(shard_requests)} shard runs"
        )
        requests += shard_requests
    return dg.SensorResult(run_requests=requests, cursor=json.dumps({"storage_id": records[-1].storage_id}))
