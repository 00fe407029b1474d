"""daily_slate_schedule (07:00 New York: ingest and build today's slate) and the line refresh schedule."""

import os

import dagster as dg

from nba_assets.defs.feeds import NbaStatsFeedResource, OddsFeedResource
from nba_assets.defs.jobs import LINES_REFRESH_JOB, slate_job
from nba_assets.defs.settings import NbaInputsResource
from nba_assets.game_day import TIMEZONE


@dg.schedule(
    cron_schedule="0 7 * * *",
    execution_timezone=TIMEZONE,
    job=slate_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def daily_slate_schedule(
    context: dg.ScheduleEvaluationContext,
    nba_inputs: NbaInputsResource,
    nba_stats_feed: NbaStatsFeedResource,
):
    """Ingests box_scores and prop_lines, then builds today's slate.

    With the stats feed configured the run itself asks the feed (a day without games opens an empty
    batch, complete at creation; a feed that fails fails the run naming it); with files only, a day
    the files hold no players for is skipped with the reason.
    """
    game_date = context.scheduled_execution_time.date()
    if not nba_stats_feed.configured and len(nba_inputs.day(game_date).slate) == 0:
        return dg.SkipReason(f"no games on {game_date} in the configured files: no slate to open")
    return dg.RunRequest(run_key=f"slate:{game_date}", partition_key=game_date.isoformat())


# every 2 hours from 10:00 to 18:00 New York by default
DEFAULT_LINE_REFRESH_CRON = "0 10-18/2 * * *"
LINE_REFRESH_CRON_VARIABLE = "NBA_ASSETS_LINE_REFRESH_CRON"

REFRESH_RUN_CONFIG = {"ops": {"slate": {"config": {"refresh": True}}}}
# beside its schedule rather than in jobs.py: the refresh is this module's concern alone
lines_refresh_job = dg.define_asset_job(
    LINES_REFRESH_JOB,
    selection=dg.AssetSelection.assets("prop_lines", "slate"),
    config=REFRESH_RUN_CONFIG,
    description="Re-ingest the day's lines; players whose line moved get a batch of just them.",
)


def lines_refresh(context: dg.ScheduleEvaluationContext, odds_feed: OddsFeedResource):
    """Re-ingests today's lines; ``slate`` in refresh mode opens a batch of the players whose line
    moved, which the fan-out and completion sensors carry to one consolidation (and the exports)."""
    game_date = context.scheduled_execution_time.date()
    if not odds_feed.configured:
        return dg.SkipReason("no odds feed configured (ODDS_API_KEY): lines do not move")
    slates = context.instance.get_materialized_partitions(dg.AssetKey("slate"))
    if game_date.isoformat() not in slates:
        return dg.SkipReason(f"{game_date} has no slate yet: the 07:00 run ingests the first lines")
    stamp = context.scheduled_execution_time.strftime("%H%M")
    return dg.RunRequest(
        run_key=f"lines:{game_date}:{stamp}",
        partition_key=game_date.isoformat(),
        run_config=REFRESH_RUN_CONFIG,
    )


def lines_refresh_schedule(cron: str = DEFAULT_LINE_REFRESH_CRON) -> dg.ScheduleDefinition:
    """The line refresh on ``cron`` (New York; Dagster refuses an invalid one, naming it). A schedule's
    cron is fixed when the definitions load: it cannot be a resource's EnvVar."""
    return dg.schedule(
        name="lines_refresh_schedule",
        cron_schedule=cron,
        execution_timezone=TIMEZONE,
        job=lines_refresh_job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )(lines_refresh)


@dg.definitions
def line_refresh_definitions() -> dg.Definitions:
    """This module's definitions; the cron is read when they load, not at import (``environment.py``'s
    rule). A module with a ``@dg.definitions`` function contributes only what that function returns."""
    cron = os.environ.get(LINE_REFRESH_CRON_VARIABLE) or DEFAULT_LINE_REFRESH_CRON
    return dg.Definitions(
        jobs=[lines_refresh_job], schedules=[daily_slate_schedule, lines_refresh_schedule(cron)]
    )
