"""morning_deadline_sensor: at each game day's deadline, its freshness checks and the morning summary.

Walks dates forward from its cursor: a date is due once its deadline (default 09:00 New York) has
passed. A due game day gets one ``freshness_job`` run (run key ``freshness:{date}``) and one
morning summary alert; a day without games is passed over. A daemon that was down catches up.
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta

import dagster as dg

from nba_assets.defs.alerts.resources import AlertsResource
from nba_assets.defs.alerts.summary import summary_alert
from nba_assets.defs.freshness.checks import freshness_job, freshness_run_config
from nba_assets.defs.freshness.rules import NEW_YORK, deadline_of
from nba_assets.defs.operations import OperationsSettings
from nba_assets.defs.settings import NbaInputsResource
from nba_assets.defs.storage import BatchStoreResource, ExportSinkResource
from nba_assets.environment import profile
from nba_assets.status.report import DATE_TAG, day_report

DAYS_PER_TICK = 7  # deciding a game day costs ~1 s (the inputs): a catch-up goes a week per tick
# A tick stops taking dates after this long, well inside Dagster's 60 s sensor timeout: a tick that
# timed out after sending a date's summary would send it again on the next tick (its cursor is lost).
TICK_BUDGET_SECONDS = 20.0


def due_dates(start: date, now: datetime, deadline: str, limit: int = DAYS_PER_TICK) -> list[date]:
    """Dates from ``start`` whose deadline has passed at ``now``, oldest first."""
    out, day = [], start
    while len(out) < limit and deadline_of(day, deadline) <= now:
        out.append(day)
        day += timedelta(days=1)
    return out


@dg.sensor(
    jobs=[freshness_job],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def morning_deadline_sensor(
    context: dg.SensorEvaluationContext,
    operations: OperationsSettings,
    nba_inputs: NbaInputsResource,
    alerts: AlertsResource,
    batch_store: BatchStoreResource,
    export_sink: ExportSinkResource,
) -> dg.SensorResult | dg.SkipReason:
    """Freshness checks (and the morning summary) of every game day whose deadline has just passed."""
    now = datetime.now(NEW_YORK)
    if context.cursor:
        start = date.fromisoformat(json.loads(context.cursor)["next"])
    else:
        start = date.fromisoformat(operations.freshness_start) if operations.freshness_start else now.date()
    due = due_dates(start, now, operations.freshness_deadline)
    if not due:
        return dg.SkipReason(f"next deadline {deadline_of(start, operations.freshness_deadline).isoformat()}")
    requests, started, done = [], time.monotonic(), []
    for day in due:
        if done and time.monotonic() - started > TICK_BUDGET_SECONDS:
            context.log.info(f"tick budget spent after {done[-1]}; {day} and later go to the next tick")
            break
        done.append(day)
        if len(nba_inputs.day(day).slate) == 0:
            context.log.info(f"{day}: no games, nothing due")
            continue
        key = day.isoformat()
        requests.append(
            dg.RunRequest(
                run_key=f"freshness:{key}",
                job_name=freshness_job.name,
                run_config=freshness_run_config(key),
                tags={DATE_TAG: key},
            )
        )
        report = day_report(
            context.instance,
            batch_store.get(),
            export_sink.get(),
            day,
            game_day=True,
            now=now,
            deadline=operations.freshness_deadline,
            profile=profile(),
        )
        alerts.send(summary_alert(report))
    cursor = json.dumps({"next": (done[-1] + timedelta(days=1)).isoformat()})
    return dg.SensorResult(run_requests=requests, cursor=cursor)
