"""staging_predictions (date x shard): every system for each player, staged, then its completion."""

import time
from datetime import date

import dagster as dg
import pandas as pd

from nba_assets.batch_state.base import CompletionStatus
from nba_assets.defs.batches import current_batch_id, record_stall_retry
from nba_assets.defs.partitions import day_shards, ranged_runs
from nba_assets.defs.predictions.checks import ALL_PLAYERS_REPORTED
from nba_assets.defs.predictions.outcomes import market_blend_metadata, outcome_table, run_shard
from nba_assets.defs.predictions.ranged import dates_and_shards, stage_range
from nba_assets.defs.retries import retry_only_outages
from nba_assets.defs.settings import NbaInputsResource, PipelineSettings
from nba_assets.defs.storage import BatchStoreResource, WarehouseResource
from nba_assets.inputs.day import past_real_lines
from nba_assets.naming import shard_key
from nba_assets.predictions.base import any_needs_history


class StagingConfig(dg.Config):
    """Re-run only these players (player_lookup values) of the shard; empty means all of them."""

    players: list[str] = []


@dg.asset(
    partitions_def=day_shards,
    group_name="predictions",
    kinds={"python"},
    deps=["slate", "points_model"],
    backfill_policy=ranged_runs,  # a backfill: one run per shard and range of dates (ranged.py)
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
    check_specs=[dg.AssetCheckSpec(ALL_PLAYERS_REPORTED, asset="staging_predictions")],
)
def staging_predictions(
    context: dg.AssetExecutionContext,
    config: StagingConfig,
    nba_inputs: NbaInputsResource,
    settings: PipelineSettings,
    batch_store: BatchStoreResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Each player's predictions written to staging, then its completion recorded (DESIGN §3)."""
    if len(context.partition_keys) > 1:
        return _staged_range(context, config, nba_inputs, settings, batch_store, warehouse)
    keys = context.partition_key.keys_by_dimension
    game_date, shard = date.fromisoformat(keys["date"]), keys["shard"]
    store = batch_store.get()
    with retry_only_outages():
        batch = store.get_batch(current_batch_id(context.instance, game_date))
    if batch.is_closed:
        # a late run (a run retry, a queued stall re-run): its staging would never be merged
        raise dg.Failure(
            f"batch {batch.batch_id} is already {batch.status}: late staging run rejected, "
            "nothing staged or recorded",
            allow_retries=False,
        )
    with retry_only_outages():
        if record_stall_retry(store, batch, context.run.tags):
            context.log.info(f"batch {batch.batch_id}: the stall policy's re-run, recorded")
    players = sorted(p for p, s in batch.expected_players.items() if shard_key(s) == shard)
    if config.players:
        unknown = sorted(set(config.players) - set(players))
        if unknown:
            # a wrong run config: retrying it with backoff cannot help
            raise dg.Failure(
                f"players {unknown} are not in batch {batch.batch_id} shard {shard}", allow_retries=False
            )
        players = sorted(config.players)
    started = time.perf_counter()
    systems = settings.build_systems(game_date)  # built once: the points model is loaded from disk
    systems_need_history = any_needs_history(systems)
    wh = warehouse.get()
    with retry_only_outages():
        # the slate, lines and box scores the upstream assets stored in the warehouse
        outcomes = run_shard(
            context.log,
            nba_inputs.day(game_date, wh),
            players,
            systems,
            store,
            wh,
            batch.batch_id,
            context.run_id,
            history=nba_inputs.learned_history(game_date, wh) if systems_need_history else None,
            picker=settings.picker(game_date),
            past_lines=past_real_lines(nba_inputs.sources(), wh, game_date) if systems_need_history else None,
        )
    metadata = {
        "batch_id": batch.batch_id,
        **_counts(outcomes, started),
        **market_blend_metadata(systems, game_date),
        "outcomes": outcome_table(outcomes),
    }
    return _result(metadata, outcomes)


def _counts(outcomes, started: float) -> dict[str, object]:
    counts = pd.Series([str(o.status) for o in outcomes]).value_counts().to_dict() if outcomes else {}
    return {
        "players": len(outcomes),
        "succeeded": counts.get("succeeded", 0),
        "skipped": counts.get("skipped", 0),
        "failed": counts.get("failed", 0),
        "predictions": sum(o.predictions for o in outcomes),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _staged_range(context, config, nba_inputs, settings, batch_store, warehouse) -> dg.MaterializeResult:
    """A backfill's range: every date's batch staged in this one run (``ranged.py``). Dagster gives
    every partition of the run the same metadata, so it holds totals, not one row per player (the
    batch store holds each player's completion)."""
    if config.players:
        raise dg.Failure(
            "re-running chosen players is one (date, shard) run, not a range", allow_retries=False
        )
    started = time.perf_counter()
    outcomes, closed, blends = stage_range(
        context.log,
        context.instance,
        context.run_id,
        context.partition_keys,
        nba_inputs,
        settings,
        batch_store.get(),
        warehouse.get(),
    )
    metadata = {
        **_counts(outcomes, started),
        "market_blend_weights": dg.MetadataValue.json(blends),
        "dates": len(dates_and_shards(context.partition_keys)),
        "dates_already_closed": ", ".join(closed) or "none",
    }
    return _result(metadata, outcomes)


def _result(metadata: dict[str, object], outcomes) -> dg.MaterializeResult:
    failed = [o for o in outcomes if o.status == CompletionStatus.FAILED]
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(
                check_name=ALL_PLAYERS_REPORTED,
                passed=not failed,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"failed_players": ", ".join(o.player_lookup for o in failed[:100]) or "none"},
                description="every player of the shard reported succeeded or skipped; failed ones are "
                "re-run by the completion sensor's stall policy",
            )
        ],
    )
