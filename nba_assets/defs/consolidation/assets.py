"""consolidated_predictions (daily): one MERGE of the batch's staging, verified before clean-up."""

import time
from datetime import date, timedelta

import dagster as dg

from nba_assets.defs.batches import FORCED_PARTIAL_TAG, current_batch_id, slate_metadata
from nba_assets.defs.consolidation.checks import (
    BATCH_COMPLETE,
    MERGED_EQUALS_STAGED,
    NO_DUPLICATE_KEYS,
    SANE_VALUES,
)
from nba_assets.defs.consolidation.merge import Consolidation, consolidate, finish_recorded
from nba_assets.defs.partitions import by_date, game_days, ranged_runs
from nba_assets.defs.retries import retry_only_outages
from nba_assets.defs.settings import PipelineSettings
from nba_assets.defs.storage import BatchStoreResource, WarehouseResource

CHECKS = [
    dg.AssetCheckSpec(NO_DUPLICATE_KEYS, asset="consolidated_predictions", blocking=True),
    dg.AssetCheckSpec(MERGED_EQUALS_STAGED, asset="consolidated_predictions", blocking=True),
    dg.AssetCheckSpec(BATCH_COMPLETE, asset="consolidated_predictions"),
    dg.AssetCheckSpec(SANE_VALUES, asset="consolidated_predictions"),
]

# a run Dagster records as over without finishing: it can no longer need the lease it holds
DEAD_RUNS = [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]


def _release_ended_holders(instance: dg.DagsterInstance, store, game_date: date) -> bool:
    """Drop a lease held by a run Dagster records as ended: a worker killed mid-merge (marked failed
    by run monitoring, or terminated by an operator) must not make its run retry wait out the lease."""
    filters = dg.RunsFilter(statuses=DEAD_RUNS, tags={"dagster/partition": game_date.isoformat()})
    ended = instance.get_runs(filters, limit=20)
    for run in ended:  # a no-op unless that run holds the lease
        store.release_consolidation(game_date, run.run_id)
    return bool(ended)


def consolidate_date(
    context: dg.AssetExecutionContext, settings, store, wh, game_date: date
) -> Consolidation:
    """One date's batch: MERGE once under the date's lease, verify, drop staging, record (L8, L9)."""
    batch_id = current_batch_id(context.instance, game_date)
    status = store.status(batch_id)
    forced = context.run.tags.get(FORCED_PARTIAL_TAG) == "true"
    # a line-refresh batch holds only the players whose line moved (defs/slate/assets.py)
    refresh = (slate_metadata(context.instance, game_date) or {}).get("batch_kind") == "refresh"
    if status.is_merged:
        # merged and recorded by a run that died or failed after it: finish that run's clean-up
        with retry_only_outages():
            outcome = finish_recorded(context.log, wh, store, status, game_date)
        return Consolidation({**outcome.metadata, "batch_id": batch_id}, outcome.checks)
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
            outcome = consolidate(context.log, wh, store, status, game_date, players_only=refresh)
    finally:
        store.release_consolidation(game_date, context.run_id)
    metadata = {
        **outcome.metadata,
        "batch_id": batch_id,
        "forced_partial": forced,
        "batch_kind": "refresh" if refresh else "slate",
        "seconds": round(time.perf_counter() - started, 2),
    }
    return Consolidation(metadata, outcome.checks)


def combined_checks(by_date: dict[str, list[dg.AssetCheckResult]]) -> list[dg.AssetCheckResult]:
    """A range's one result per check: passed when every date passed; the dates that did not named."""
    if not by_date:
        return []
    combined = []
    for name in [c.check_name for c in next(iter(by_date.values()))]:
        results = {d: next(c for c in checks if c.check_name == name) for d, checks in by_date.items()}
        failed = sorted(d for d, c in results.items() if not c.passed)
        first = next(iter(results.values()))
        combined.append(
            dg.AssetCheckResult(
                check_name=name,
                passed=not failed,
                severity=first.severity,
                description=f"{first.description} (each of {len(results)} dates)",
                metadata={"dates": len(results), "failed_dates": ", ".join(failed) or "none"},
            )
        )
    return combined


@dg.asset(
    partitions_def=game_days,
    group_name="consolidation",
    kinds={"sql"},
    deps=[dg.AssetDep("staging_predictions", partition_mapping=by_date)],
    pool="consolidation",
    check_specs=CHECKS,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    backfill_policy=ranged_runs,
)
def consolidated_predictions(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    batch_store: BatchStoreResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """The day's predictions table rows: MERGE, verify, drop staging, mark the batch consolidated.

    A range (a backfill) is one run: each date's batch in date order, one MERGE each, under that
    date's lease; a date that fails stops the run, the dates before it stay consolidated.
    """
    store, wh = batch_store.get(), warehouse.get()
    if len(context.partition_keys) == 1:
        outcome = consolidate_date(context, settings, store, wh, date.fromisoformat(context.partition_key))
        return dg.MaterializeResult(metadata=outcome.metadata, check_results=outcome.checks)
    outcomes = {
        key: consolidate_date(context, settings, store, wh, date.fromisoformat(key))
        for key in context.partition_keys
    }
    totals = {
        k: sum(int(o.metadata.get(k) or 0) for o in outcomes.values())
        for k in ("source_rows", "inserted", "updated", "deactivated", "dml_statements")
    }
    return dg.MaterializeResult(
        metadata={"dates": len(outcomes), **totals},
        check_results=combined_checks({k: o.checks for k, o in outcomes.items()}),
    )
