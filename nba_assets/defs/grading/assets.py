"""graded_results (daily, after games): actual points joined to the day's active predictions.

One run grades a whole range (``BackfillPolicy.single_run``): a season backfill of this asset reads
the box scores once instead of once per day.
"""

from datetime import date

import dagster as dg
import pyarrow as pa

from nba_assets.defs.partitions import game_days
from nba_assets.defs.settings import NbaInputsResource
from nba_assets.defs.storage import WarehouseResource
from nba_assets.rows import RESULTS_SCHEMA


@dg.asset(
    partitions_def=game_days,
    group_name="grading",
    kinds={"python"},
    deps=["consolidated_predictions", "box_scores"],
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def graded_results(
    context: dg.AssetExecutionContext, nba_inputs: NbaInputsResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Hit/miss per line and absolute error per prediction; hit rate and MAE per system."""
    import pandas as pd

    from nba_assets.predictions.grading import grade, summarize

    wh = warehouse.get()
    history = nba_inputs.history(wh)  # the box_scores asset stored the day's actual points there
    ranged = len(context.partition_keys) > 1
    # a range may hold calendar days without games; only a range needs to tell them apart
    consolidated = (
        set(context.instance.get_materialized_partitions(dg.AssetKey("consolidated_predictions")))
        if ranged
        else set()
    )
    graded, problems = [], []
    for key in context.partition_keys:
        game_date = date.fromisoformat(key)
        actuals = history[history["game_date"] == game_date]
        if actuals.empty:
            if ranged and key not in consolidated:  # a day of the range without games or predictions
                continue
            problems.append(f"no box scores for {game_date} yet: grade after the games are in")
            continue
        predictions = wh.predictions_for(game_date).to_pandas()
        if predictions.empty:
            problems.append(f"no consolidated predictions for {game_date}: consolidate before grading")
            continue
        results = grade(predictions, actuals)
        written = wh.write_results(
            game_date, pa.Table.from_pandas(results, schema=RESULTS_SCHEMA, preserve_index=False)
        )
        context.log.info(f"graded {written} predictions of {game_date}")
        graded.append(results)
    if problems:
        # the days already graded stay written; the run fails so their partitions are re-run together
        raise dg.Failure("; ".join(problems), metadata={"days_graded": len(graded)})
    results = pd.concat(graded, ignore_index=True) if graded else pd.DataFrame(columns=RESULTS_SCHEMA.names)
    summary = summarize(results) if graded else pd.DataFrame()
    return dg.MaterializeResult(
        metadata={
            "days_graded": len(graded),
            "graded_rows": len(results),
            "players": int(results["player_lookup"].nunique()) if graded else 0,
            "by_system": dg.MetadataValue.md(f"```\n{summary.to_string(index=False)}\n```"),
        }
    )
