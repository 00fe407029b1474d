"""morning_deadline_sensor: at each game day's deadline, its freshness checks and the morning summary.

Walks dates forward from its cursor: a date is due once its deadline (default 09:00 New York) has
passed. A due game day gets one ``freshness_job`` run (run key ``freshness:{date}``) and one
``morning_summary_job`` run (run key ``morning_summary:{date}``); a day without games is passed
over. A daemon that was down catches up. The tick only decides: it reads and requests runs, and
the runs check and send. A tick that is retried or times out requests the same run keys again,
and Dagster launches each run key once, so nothing is judged or sent twice.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import dagster as dg

from nba_assets import deadlines
from nba_assets.deadlines import NEW_YORK, deadline_of
from nba_assets.defs.freshness.checks import freshness_job, freshness_run_config
from nba_assets.defs.freshness.summary import morning_summary_job, summary_request
from nba_assets.defs.operations import OperationsSettings
from nba_assets.defs.settings import NbaInputsResource
from nba_assets.defs.status.runs import DATE_TAG

DAYS_PER_TICK = 7  # deciding a game day costs ~1 s (the inputs): a catch-up goes a week per tick


def due_dates(start: date, now: datetime, deadline: str, limit: int = DAYS_PER_TICK) -> list[date]:
    """Dates from ``start`` whose deadline has passed at ``now``, oldest first."""
    out, day = [], start
    while len(out) < limit and deadline_of(day, deadline) <= now:
        out.append(day)
        day += timedelta(days=1)
    return out


@dg.sensor(
    jobs=[freshness_job, morning_summary_job],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def morning_deadline_sensor(
    context: dg.SensorEvaluationContext,
    operations: OperationsSettings,
    nba_inputs: NbaInputsResource,
) -> dg.SensorResult | dg.SkipReason:
    """Freshness checks and the morning summary of every game day whose deadline has just passed."""
    now = deadlines.now().astimezone(NEW_YORK)
    if context.cursor:
        start = date.fromisoformat(json.loads(context.cursor)["next"])
    else:
        start = date.fromisoformat(operations.freshness_start) if operations.freshness_start else now.date()
    due = due_dates(start, now, operations.freshness_deadline)
    if not due:
        return dg.SkipReason(f"next deadline {deadline_of(start, operations.freshness_deadline).isoformat()}")
    requests = []
    for day in due:
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
        requests.append(summary_request(key))
    cursor = json.dumps({"next": (due[-1] + timedelta(days=1)).isoformat()})
    return dg.SensorResult(run_requests=requests, cursor=cursor)
