"""grading_daily_schedule: 06:00 New York, ingests the previous game day's box scores, then grades it."""

from datetime import timedelta

import dagster as dg

from nba_assets.defs.feeds import NbaStatsFeedResource
from nba_assets.defs.jobs import grading_job
from nba_assets.defs.settings import NbaInputsResource
from nba_assets.game_day import TIMEZONE


@dg.schedule(
    cron_schedule="0 6 * * *",
    execution_timezone=TIMEZONE,
    job=grading_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def grading_daily_schedule(
    context: dg.ScheduleEvaluationContext,
    nba_inputs: NbaInputsResource,
    nba_stats_feed: NbaStatsFeedResource,
):
    """Yesterday's box_scores, graded_results and results_export; skips with the reason otherwise.

    With the stats feed configured the run ingests the box scores itself (and fails naming the
    feed if a day with games returns none); with files only, a day they hold no rows for is skipped.
    """
    game_date = context.scheduled_execution_time.date() - timedelta(days=1)
    consolidated = context.instance.get_materialized_partitions(dg.AssetKey("consolidated_predictions"))
    if game_date.isoformat() not in consolidated:
        return dg.SkipReason(f"{game_date} has no consolidated predictions: nothing to grade")
    if not nba_stats_feed.configured:
        history = nba_inputs.history()
        if not (history["game_date"] == game_date).any():
            return dg.SkipReason(f"no box scores for {game_date} yet: grade after they are loaded")
    return dg.RunRequest(run_key=f"grade:{game_date}", partition_key=game_date.isoformat())
