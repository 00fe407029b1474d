"""box_scores, prop_lines and slate: the day's validated inputs, and the batch they open."""

from datetime import date

import dagster as dg

from nba_assets.defs.partitions import game_days, one_date_per_run
from nba_assets.defs.settings import NbaInputsResource, PipelineSettings
from nba_assets.defs.storage import BatchStoreResource, WarehouseResource
from nba_assets.inputs.lines import suspicious_constant_lines
from nba_assets.naming import batch_id_for, shard_key, shard_of


def _day(context: dg.AssetExecutionContext) -> date:
    return date.fromisoformat(context.partition_key)


@dg.asset(partitions_def=game_days, group_name="slate", kinds={"python"}, backfill_policy=one_date_per_run)
def box_scores(context: dg.AssetExecutionContext, nba_inputs: NbaInputsResource) -> dg.MaterializeResult:
    """Validated box scores: the history features use, and the day's actual points once played."""
    history = nba_inputs.history()
    day = history[history["game_date"] == _day(context)]
    before = history[history["game_date"] < _day(context)]
    return dg.MaterializeResult(
        metadata={
            "rows_on_date": len(day),
            "games_on_date": day["game_id"].nunique(),
            "history_rows_before_date": len(before),
            "last_history_date": str(before["game_date"].max()) if len(before) else "none",
        }
    )


@dg.asset(partitions_def=game_days, group_name="slate", kinds={"python"}, backfill_policy=one_date_per_run)
def prop_lines(context: dg.AssetExecutionContext, nba_inputs: NbaInputsResource) -> dg.MaterializeResult:
    """The day's validated points lines (reference stand-ins when no line files are configured)."""
    day = nba_inputs.day(_day(context))
    suspicious = suspicious_constant_lines(day.lines) if day.lines_source == "files" else []
    for finding in suspicious:
        context.log.warning(f"suspicious constant line: {finding}")
    return dg.MaterializeResult(
        metadata={
            "lines": len(day.lines),
            "players_with_lines": day.lines["player_lookup"].nunique(),
            "source": day.lines_source,
            "suspicious": ", ".join(suspicious) or "none",
        }
    )


@dg.asset(
    partitions_def=game_days,
    group_name="slate",
    kinds={"python"},
    deps=[box_scores, prop_lines],
    backfill_policy=one_date_per_run,
)
def slate(
    context: dg.AssetExecutionContext,
    nba_inputs: NbaInputsResource,
    settings: PipelineSettings,
    batch_store: BatchStoreResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Who plays today: opens the day's batch with every player and its shard."""
    game_date = _day(context)
    day = nba_inputs.day(game_date)
    players = {p: shard_of(p, settings.shard_count) for p in day.slate["player_lookup"]}
    batch_id = batch_id_for(game_date, [f"{p}:{s}" for p, s in players.items()])
    warehouse.get().ensure_schema()  # the dataset and table exist before any shard stages rows
    batch = batch_store.get().open_batch(batch_id, game_date, players, correlation_id=context.run_id)
    shard_counts = {shard_key(s): list(players.values()).count(s) for s in sorted(set(players.values()))}
    context.log.info(
        f"batch {batch_id}: {len(players)} players in {len(shard_counts)} shards, state {batch.status}"
    )
    return dg.MaterializeResult(
        metadata={
            "batch_id": batch_id,
            "players": len(players),
            "games": day.slate["game_id"].nunique(),
            "shards": dg.MetadataValue.json(shard_counts),
            "shard_count": settings.shard_count,
            "lines_source": day.lines_source,
            "batch_state": str(batch.status),
        }
    )
