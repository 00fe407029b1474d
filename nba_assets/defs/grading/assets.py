"""graded_results (daily, after games): actual points joined to the day's active predictions."""

from datetime import date

import dagster as dg
import pyarrow as pa

from nba_assets.defs.partitions import game_days
from nba_assets.defs.settings import NbaInputsResource
from nba_assets.defs.storage import WarehouseResource
from nba_assets.warehouse.schema import RESULTS_SCHEMA


@dg.asset(
    partitions_def=game_days, group_name="grading", kinds={"python"},
    deps=["consolidated_predictions", "box_scores"],
)  # fmt: skip
def graded_results(
    context: dg.AssetExecutionContext, nba_inputs: NbaInputsResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Hit/miss per line and absolute error per prediction; hit rate and MAE per system."""
    from nba_assets.predictions.grading import grade, summarize

    game_date = date.fromisoformat(context.partition_key)
    history = nba_inputs.history()
    actuals = history[history["game_date"] == game_date]
    if actuals.empty:
        raise dg.Failure(f"no box scores for {game_date} yet: grade after the games are in")
    wh = warehouse.get()
    predictions = wh.predictions_for(game_date).to_pandas()
    if predictions.empty:
        raise dg.Failure(f"no consolidated predictions for {game_date}: consolidate before grading")
    results = grade(predictions, actuals)
    written = wh.write_results(game_date, pa.Table.from_pandas(results, schema=RESULTS_SCHEMA, preserve_index=False))
    summary = summarize(results)
    context.log.info(f"graded {written} predictions of {game_date}")
    return dg.MaterializeResult(
        metadata={
            "graded_rows": written,
            "players": int(results["player_lookup"].nunique()),
            "by_system": dg.MetadataValue.md(f"```\n{summary.to_string(index=False)}\n```"),
        }
    )
