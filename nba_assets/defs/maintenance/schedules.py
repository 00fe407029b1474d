"""maintenance_daily_schedule: the nightly retention sweep of the batch store and staging."""

import dagster as dg

from nba_assets.game_day import TIMEZONE

maintenance_job = dg.define_asset_job(
    "maintenance_job",
    selection=dg.AssetSelection.assets("batch_retention"),
    description="Delete expired batches (closed, past retention) with their completions and staging.",
)


@dg.schedule(
    cron_schedule="30 4 * * *",  # a quiet hour: after grading's inputs land, before the 07:00 slate
    execution_timezone=TIMEZONE,
    job=maintenance_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def maintenance_daily_schedule(context: dg.ScheduleEvaluationContext):
    """One retention sweep a night; run key per night, so a daemon restart never repeats it."""
    return dg.RunRequest(run_key=f"retention:{context.scheduled_execution_time.date()}")
