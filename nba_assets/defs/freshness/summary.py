"""morning_summary_job: one game day's morning summary, sent by a run (a tick decides, runs act).

``morning_deadline_sensor`` requests it once per game day with run key ``morning_summary:{date}``:
Dagster launches one run per run key, however often a tick is retried or repeated, so the summary
is delivered once. A Slack or webhook outage fails the step, which retries with backoff; the run
page shows what was sent (the alert's title and route) or why not.
"""

from datetime import date

import dagster as dg

from nba_assets import deadlines
from nba_assets.defs.alerts.resources import AlertsResource
from nba_assets.defs.alerts.summary import summary_alert
from nba_assets.defs.operations import OperationsSettings
from nba_assets.defs.status.report import day_report
from nba_assets.defs.status.runs import DATE_TAG
from nba_assets.defs.storage import BatchStoreResource, ExportSinkResource
from nba_assets.environment import profile

MORNING_SUMMARY_JOB = "morning_summary_job"


class SummaryConfig(dg.Config):
    game_date: str  # the game day whose deadline has passed (YYYY-MM-DD)


@dg.op(
    retry_policy=dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL),
    tags={"kind": "alert"},
)
def morning_summary(
    context: dg.OpExecutionContext,
    config: SummaryConfig,
    operations: OperationsSettings,
    alerts: AlertsResource,
    batch_store: BatchStoreResource,
    export_sink: ExportSinkResource,
) -> dg.Output[None]:
    """The day as ``nba-assets status`` reports it (same report, same freshness rule), to Slack or
    the webhook."""
    report = day_report(
        context.instance,
        batch_store.get(),
        export_sink.get(),
        date.fromisoformat(config.game_date),
        game_day=True,
        now=deadlines.now(),
        deadline=operations.freshness_deadline,
        profile=profile(),
    )
    alert = summary_alert(report)
    route = alerts.send(alert)  # AlertDeliveryError: the retry policy tries again, then the run fails
    context.log.info(f"morning summary for {config.game_date} sent via {route}: {alert.title}")
    return dg.Output(
        None, metadata={"title": alert.title, "route": route, "freshness": report["freshness"]["verdict"]}
    )


@dg.job(name=MORNING_SUMMARY_JOB, description="Send one game day's morning summary (run config: game_date).")
def morning_summary_job() -> None:
    morning_summary()


def summary_request(game_date: str) -> dg.RunRequest:
    """The one run that sends ``game_date``'s summary: its run key makes it once."""
    return dg.RunRequest(
        run_key=f"morning_summary:{game_date}",
        job_name=MORNING_SUMMARY_JOB,
        run_config={"ops": {"morning_summary": {"config": {"game_date": game_date}}}},
        tags={DATE_TAG: game_date},
    )
