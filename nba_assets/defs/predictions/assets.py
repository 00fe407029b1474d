"""staging_predictions (date x shard): every system for each player, staged, then its completion."""

import time
from datetime import date

import dagster as dg
import pandas as pd

from nba_assets.batch_state.base import BatchState, CompletionStatus
from nba_assets.defs.batches import current_batch_id
from nba_assets.defs.partitions import day_shards
from nba_assets.defs.predictions.checks import ALL_PLAYERS_REPORTED
from nba_assets.defs.predictions.outcomes import outcome_table, run_shard
from nba_assets.defs.retries import retry_only_outages
from nba_assets.defs.settings import NbaInputsResource, PipelineSettings
from nba_assets.defs.storage import BatchStoreResource, WarehouseResource
from nba_assets.naming import shard_key


class StagingConfig(dg.Config):
    """Re-run only these players (player_lookup values) of the shard; empty means all of them."""

    players: list[str] = []


@dg.asset(
    partitions_def=day_shards,
    group_name="predictions",
    kinds={"python"},
    deps=["slate", "points_model"],
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
    keys = context.partition_key.keys_by_dimension
    game_date, shard = date.fromisoformat(keys["date"]), keys["shard"]
    store = batch_store.get()
    with retry_only_outages():
        batch = store.get_batch(current_batch_id(context.instance, game_date))
    if batch.status in (BatchState.CONSOLIDATED, BatchState.PARTIAL, BatchState.SUPERSEDED):
        # a late run (a run retry, a queued stall re-run): its staging would never be merged
        raise dg.Failure(
            f"batch {batch.batch_id} is already {batch.status}: late staging run rejected, "
            "nothing staged or recorded",
            allow_retries=False,
        )
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
    systems_need_history = any(getattr(s, "needs_history", False) for s in systems)
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
        )
    failed = [o for o in outcomes if o.status == CompletionStatus.FAILED]
    counts = pd.Series([str(o.status) for o in outcomes]).value_counts().to_dict() if outcomes else {}
    return dg.MaterializeResult(
        metadata={
            "batch_id": batch.batch_id,
            "players": len(outcomes),
            "succeeded": counts.get("succeeded", 0),
            "skipped": counts.get("skipped", 0),
            "failed": counts.get("failed", 0),
            "predictions": sum(o.predictions for o in outcomes),
            "seconds": round(time.perf_counter() - started, 2),
            "outcomes": outcome_table(outcomes),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=ALL_PLAYERS_REPORTED,
                passed=not failed,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"failed_players": ", ".join(o.player_lookup for o in failed) or "none"},
                description="every player of the shard reported succeeded or skipped; failed ones are "
                "re-run by the completion sensor's stall policy",
            )
        ],
    )
