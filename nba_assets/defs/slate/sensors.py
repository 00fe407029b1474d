"""slate_fanout_sensor: one staging run per shard that has players, once per batch."""

import json

import dagster as dg

from nba_assets.defs.batches import BATCH_TAG, OWNER, SLATE, for_date
from nba_assets.defs.jobs import STAGING_JOB, staging_job
from nba_assets.defs.partitions import day_shard_key
from nba_assets.defs.storage import BatchStoreResource

PAGE = 200  # slate events read per tick; a season backfill drains over a few ticks


def shard_run_key(batch_id: str, shard: str) -> str:
    """The one run key of a batch's shard run: a re-tick or a second evaluation requests nothing new."""
    return f"{batch_id}:{shard}"


def fanout_requests(partition: str, metadata: dict[str, object]) -> list[dg.RunRequest]:
    """The staging runs of one slate materialization, one per shard that has players."""
    batch_id = str(metadata["batch_id"])
    shards = metadata.get("shards") or {}
    return [
        dg.RunRequest(
            run_key=shard_run_key(batch_id, shard),
            partition_key=day_shard_key(partition, shard),
            job_name=STAGING_JOB,
            tags={BATCH_TAG: batch_id},
        )
        for shard in sorted(shards)
    ]


def fanout_cursor(storage_id: int) -> str:
    """The fan-out sensor's cursor: it next reads the slate events after this storage id."""
    return json.dumps({"storage_id": storage_id})


def cursor_at_newest_slate(instance: dg.DagsterInstance) -> str | None:
    """A cursor past every slate event so far: an evaluation from it fans out only later slates."""
    newest = instance.fetch_materializations(SLATE, limit=1).records
    return fanout_cursor(newest[0].storage_id) if newest else None


@dg.sensor(job=staging_job, minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING)
def slate_fanout_sensor(
    context: dg.SensorEvaluationContext, batch_store: BatchStoreResource
) -> dg.SensorResult | dg.SkipReason:
    """Fans every new slate materialization of an open batch out to its (date, shard) staging runs.

    Unlike an asset sensor, which sees only the newest event since its cursor, this reads every
    slate event after the cursor, so a backfill of many dates fans out every one of them. A slate
    event whose batch is no longer open (re-running a consolidated day, or a daemon started after
    `nba-assets run-day` finished the day) fans out nothing: the batch store, not run-key tags,
    says what is left to do. Nor does a batch a backfill stages itself (``batch_owner``, from a
    ranged slate run, docs/operations.md §7): its ranged staging run is already on the way.
    """
    after = json.loads(context.cursor)["storage_id"] if context.cursor else None
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=SLATE, after_storage_id=after), limit=PAGE, ascending=True
    ).records
    if not records:
        return dg.SkipReason("no new slate materializations")
    open_ids = {batch.batch_id for batch in batch_store.get().open_batches()}
    requests = []
    for record in records:
        materialization = record.asset_materialization
        if materialization is None or record.partition_key is None:
            continue
        metadata = for_date({k: v.value for k, v in materialization.metadata.items()}, record.partition_key)
        if metadata.get(OWNER):
            context.log.info(f"slate {record.partition_key}: staged by backfill {metadata[OWNER]}")
            continue
        if metadata.get("batch_id") not in open_ids:
            context.log.info(f"slate {record.partition_key} batch {metadata.get('batch_id')}: not open")
            continue
        shard_requests = fanout_requests(record.partition_key, metadata)
        context.log.info(
            f"slate {record.partition_key} batch {metadata.get('batch_id')}: {len(shard_requests)} shard runs"
        )
        requests += shard_requests
    return dg.SensorResult(run_requests=requests, cursor=fanout_cursor(records[-1].storage_id))
