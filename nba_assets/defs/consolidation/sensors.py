"""batch_completion_sensor: reads open batches from the batch store each tick (DESIGN §3)."""

from datetime import UTC, datetime, timedelta

import dagster as dg

from nba_assets.batch_state.base import statuses
from nba_assets.defs.batches import (
    BATCH_TAG,
    FORCED_PARTIAL_TAG,
    STALL_RETRY_TAG,
    owner_active,
    slates_metadata,
)
from nba_assets.defs.consolidation.policy import Action, Decision, decide
from nba_assets.defs.jobs import CONSOLIDATION_JOB, STAGING_JOB, consolidation_job, staging_job
from nba_assets.defs.partitions import day_shard_key
from nba_assets.defs.settings import PipelineSettings
from nba_assets.defs.storage import BatchStoreResource
from nba_assets.naming import shard_key


def consolidation_request(batch_id: str, game_date: str, *, partial: bool = False) -> dg.RunRequest:
    """The batch's one consolidation; run_key = batch id, so Dagster never launches a second (L9).

    A forced partial (stall policy, or `run-day --force-partial`) has its own key: it follows a
    consolidation request that never came, and is itself launched once.
    """
    tags = {BATCH_TAG: batch_id}
    if partial:
        tags[FORCED_PARTIAL_TAG] = "true"
    return dg.RunRequest(
        run_key=f"{batch_id}:partial" if partial else batch_id,
        partition_key=game_date,
        job_name=CONSOLIDATION_JOB,
        tags=tags,
    )


def retry_requests(decision: Decision) -> list[dg.RunRequest]:
    """The stall policy's one re-run of a batch's unfinished players, one staging run per shard."""
    return [
        dg.RunRequest(
            run_key=f"{decision.batch_id}:retry1:{shard_key(shard)}",
            partition_key=day_shard_key(decision.game_date, shard_key(shard)),
            job_name=STAGING_JOB,
            run_config={"ops": {"staging_predictions": {"config": {"players": players}}}},
            tags={BATCH_TAG: decision.batch_id, STALL_RETRY_TAG: "1"},
        )
        for shard, players in sorted(decision.retry_players.items())
    ]


def retry_requested_at(instance: dg.DagsterInstance, batch_id: str) -> datetime | None:
    """When the batch's stall re-run was first requested: the oldest run with its tags, in any
    status (queued, never started, failed included). Dagster's run storage is the record, so the
    tick writes nothing and a re-run that never starts still moves the policy on."""
    records = instance.get_run_records(
        dg.RunsFilter(tags={BATCH_TAG: batch_id, STALL_RETRY_TAG: "1"}), limit=1, ascending=True
    )
    return records[0].create_timestamp.astimezone(UTC) if records else None


def _requests(decision: Decision) -> list[dg.RunRequest]:
    """What the tick asks for; it writes nothing: a stall re-run records itself when it runs
    (``batches.record_stall_retry``), and until then its run keys make a repeated request a no-op."""
    if decision.action == Action.CONSOLIDATE:
        return [consolidation_request(decision.batch_id, decision.game_date)]
    if decision.action == Action.FORCE_PARTIAL:
        return [consolidation_request(decision.batch_id, decision.game_date, partial=True)]
    if decision.action == Action.RETRY_MISSING:
        return retry_requests(decision)
    return []


@dg.sensor(
    jobs=[consolidation_job, staging_job],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def batch_completion_sensor(
    context: dg.SensorEvaluationContext, batch_store: BatchStoreResource, settings: PipelineSettings
) -> dg.SensorResult | dg.SkipReason:
    """Complete batch -> its one consolidation; stalled batch -> the stall policy (L5).

    No cursor: the batch store is the state (open batches, their completions, the stall-retry
    count), and the run keys make a repeated request a no-op across daemon restarts. A batch that
    a backfill in progress stages and consolidates itself (ranged runs, docs/operations.md §7) is
    left to it; once that backfill has ended, a batch it left open gets the policy like any other.
    """
    store = batch_store.get()
    now = datetime.now(UTC)
    idle = timedelta(minutes=settings.stall_idle_minutes)
    deadline = timedelta(minutes=settings.stall_deadline_minutes)
    requests, seen = [], 0
    open_batches = statuses(store, [batch.batch_id for batch in store.open_batches()])
    slates = slates_metadata(context.instance, [status.game_date for status in open_batches])
    for status in open_batches:
        seen += 1
        slate = slates.get(status.game_date.isoformat(), {})
        owner = owner_active(context.instance, slate) if slate.get("batch_id") == status.batch_id else None
        if owner:
            context.log.info(f"{status.game_date} {status.batch_id}: left to backfill {owner}")
            continue
        requested = None if status.is_complete else retry_requested_at(context.instance, status.batch_id)
        decision = decide(status, store, now, idle, deadline, requested)
        context.log.info(f"{decision.game_date} {decision.batch_id} {decision.action}: {decision.note}")
        requests += _requests(decision)
    if not seen:
        return dg.SkipReason("no open batches")
    return dg.SensorResult(run_requests=requests)
