"""daily_slate_schedule: 07:00 New York, today's slate; skips with a reason on days without games."""

import dagster as dg

from nba_assets.defs.jobs import slate_job
from nba_assets.defs.partitions import TIMEZONE
from nba_assets.defs.settings import NbaInputsResource


@dg.schedule(
    cron_schedule="0 7 * * *",
    execution_timezone=TIMEZONE,
    job=slate_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def daily_slate_schedule(context: dg.ScheduleEvaluationContext, nba_inputs: NbaInputsResource):
    """Materializes box_scores, prop_lines and slate for the game day starting at this tick."""
    game_date = context.scheduled_execution_time.date()
    players = len(nba_inputs.day(game_date).slate)
    if players == 0:
        return dg.SkipReason(f"no games on {game_date}: no slate to open")
    return dg.RunRequest(run_key=f"slate:{game_date}", partition_key=game_date.isoformat())
