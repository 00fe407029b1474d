"""batch_completion_sensor: reads open batches from the batch store each tick (DESIGN §3)."""

import json
from datetime import UTC, datetime, timedelta

import dagster as dg

from nba_assets.batch_state.base import statuses
from nba_assets.defs.batches import BATCH_TAG, FORCED_PARTIAL_TAG
from nba_assets.defs.consolidation.policy import decide
from nba_assets.defs.jobs import consolidation_job, staging_job
from nba_assets.defs.partitions import day_shard_key
from nba_assets.defs.settings import PipelineSettings
from nba_assets.defs.storage import BatchStoreResource
from nba_assets.naming import shard_key


def _requests(decision, store) -> list[dg.RunRequest]:
    tags = {BATCH_TAG: decision.batch_id}
    if decision.action == "consolidate":
        # run_key = batch id: Dagster never launches a second consolidation of the batch (L9)
        return [
            dg.RunRequest(
                run_key=decision.batch_id,
                partition_key=decision.game_date,
                job_name="consolidation_job",
                tags=tags,
            )
        ]
    if decision.action == "force_partial":
        return [
            dg.RunRequest(
                run_key=f"{decision.batch_id}:partial",
                partition_key=decision.game_date,
                job_name="consolidation_job",
                tags={**tags, FORCED_PARTIAL_TAG: "true"},
            )
        ]
    if decision.action == "retry_missing":
        store.note_stall_retry(decision.batch_id)
        return [
            dg.RunRequest(
                run_key=f"{decision.batch_id}:retry1:{shard_key(shard)}",
                partition_key=day_shard_key(decision.game_date, shard_key(shard)),
                job_name="staging_job",
                run_config={"ops": {"staging_predictions": {"config": {"players": players}}}},
                tags={**tags, "nba_assets/stall_retry": "1"},
            )
            for shard, players in sorted(decision.retry_players.items())
        ]
    return []


@dg.sensor(
    jobs=[consolidation_job, staging_job],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def batch_completion_sensor(
    context: dg.SensorEvaluationContext, batch_store: BatchStoreResource, settings: PipelineSettings
) -> dg.SensorResult | dg.SkipReason:
    """Complete batch -> its one consolidation; stalled batch -> the stall policy (L5)."""
    store = batch_store.get()
    now = datetime.now(UTC)
    idle = timedelta(minutes=settings.stall_idle_minutes)
    deadline = timedelta(minutes=settings.stall_deadline_minutes)
    seen = json.loads(context.cursor) if context.cursor else {}
    requests, report = [], {}
    for status in statuses(store, [batch.batch_id for batch in store.open_batches()]):
        decision = decide(status, store, now, idle, deadline)
        report[decision.batch_id] = f"{decision.game_date} {decision.action}: {decision.note}"
        context.log.info(report[decision.batch_id])
        requests += _requests(decision, store)
        seen[decision.batch_id] = decision.action
    if not report:
        return dg.SkipReason("no open batches")
    # the cursor remembers the last action per open batch only, so it stays small
    cursor = json.dumps({b: a for b, a in seen.items() if b in report}, sort_keys=True)
    return dg.SensorResult(run_requests=requests, cursor=cursor)
