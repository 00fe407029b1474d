"""consolidated_predictions (daily): one MERGE of the batch's staging, verified before clean-up."""

import time
from datetime import date, timedelta

import dagster as dg

from nba_assets.batch_state.base import BatchState
from nba_assets.defs.batches import FORCED_PARTIAL_TAG, current_batch_id, slate_metadata
from nba_assets.defs.consolidation.checks import (
    BATCH_COMPLETE,
    MERGED_EQUALS_STAGED,
    NO_DUPLICATE_KEYS,
    SANE_VALUES,
)
from nba_assets.defs.consolidation.merge import consolidate, finish_recorded
from nba_assets.defs.partitions import by_date, game_days
from nba_assets.defs.retries import retry_only_outages
from nba_assets.defs.settings import PipelineSettings
from nba_assets.defs.storage import BatchStoreResource, WarehouseResource

CHECKS = [
    dg.AssetCheckSpec(NO_DUPLICATE_KEYS, asset="consolidated_predictions", blocking=True),
    dg.AssetCheckSpec(MERGED_EQUALS_STAGED, asset="consolidated_predictions", blocking=True),
    dg.AssetCheckSpec(BATCH_COMPLETE, asset="consolidated_predictions"),
    dg.AssetCheckSpec(SANE_VALUES, asset="consolidated_predictions"),
]

ENDED = [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]


def _release_ended_holders(instance: dg.DagsterInstance, store, game_date: date) -> bool:
    """Drop a lease held by a run Dagster records as ended: a worker killed mid-merge (marked failed
    by run monitoring, or terminated by an operator) must not make its run retry wait out the lease."""
    filters = dg.RunsFilter(statuses=ENDED, tags={"dagster/partition": game_date.isoformat()})
    ended = instance.get_runs(filters, limit=20)
    for run in ended:  # a no-op unless that run holds the lease
        store.release_consolidation(game_date, run.run_id)
    return bool(ended)


@dg.asset(
    partitions_def=game_days,
    group_name="consolidation",
    kinds={"sql"},
    deps=[dg.AssetDep("staging_predictions", partition_mapping=by_date)],
    pool="consolidation",
    check_specs=CHECKS,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
)
def consolidated_predictions(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    batch_store: BatchStoreResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """The day's predictions table rows: MERGE, verify, drop staging, mark the batch consolidated."""
    game_date = date.fromisoformat(context.partition_key)
    store = batch_store.get()
    batch_id = current_batch_id(context.instance, game_date)
    status = store.status(batch_id)
    forced = context.run.tags.get(FORCED_PARTIAL_TAG) == "true"
    # a line-refresh batch holds only the players whose line moved (defs/slate/assets.py)
    refresh = (slate_metadata(context.instance, game_date) or {}).get("batch_kind") == "refresh"
    if status.state in (BatchState.CONSOLIDATED, BatchState.PARTIAL):
        # merged and recorded by a run that died or failed after it: finish that run's clean-up
        with retry_only_outages():
            outcome = finish_recorded(context.log, warehouse.get(), store, status, game_date)
        return dg.MaterializeResult(
            metadata={**outcome.metadata, "batch_id": batch_id}, check_results=outcome.checks
        )
    if not status.is_complete and not forced:
        raise dg.Failure(
            f"batch {batch_id} incomplete: {status.done}/{status.expected} done, {status.failed} failed, "
            f"{len(status.missing)} missing (e.g. {', '.join(status.missing[:5])}); "
            f"tag the run {FORCED_PARTIAL_TAG}=true to consolidate what there is",
            allow_retries=False,
        )
    length = timedelta(minutes=settings.consolidation_lease_minutes)
    lease = store.claim_consolidation(game_date, batch_id, context.run_id, length)
    if lease is None and _release_ended_holders(context.instance, store, game_date):
        lease = store.claim_consolidation(game_date, batch_id, context.run_id, length)
    if lease is None:
        raise dg.Failure(
            f"another run holds the consolidation lease of {game_date}; not merging twice (L9)",
            allow_retries=False,
        )
    started = time.perf_counter()
    try:
        with retry_only_outages():
            outcome = consolidate(
                context.log, warehouse.get(), store, status, game_date, players_only=refresh
            )
    finally:
        store.release_consolidation(game_date, context.run_id)
    return dg.MaterializeResult(
        metadata={
            **outcome.metadata,
            "batch_id": batch_id,
            "forced_partial": forced,
            "batch_kind": "refresh" if refresh else "slate",
            "seconds": round(time.perf_counter() - started, 2),
        },
        check_results=outcome.checks,
    )
