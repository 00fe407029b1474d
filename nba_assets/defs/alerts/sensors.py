"""Alert sensors: failed runs, failed ERROR checks (missed deadlines among them), the stall policy.

Each is exactly-once by Dagster's own bookkeeping: the run-status sensors' cursors for runs, and
for the stall policy a cursor of the runs already alerted. Nothing here reads logs (L12).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import dagster as dg

from nba_assets.defs.alerts.messages import Alert, AlertKind, clip, error_text
from nba_assets.defs.alerts.resources import AlertsResource
from nba_assets.defs.batches import BATCH_TAG, FORCED_PARTIAL_TAG, STALL_RETRY_TAG
from nba_assets.defs.freshness.checks import check_name
from nba_assets.defs.jobs import CONSOLIDATION_JOB, GRADING_JOB, LINES_REFRESH_JOB, SLATE_JOB
from nba_assets.defs.slate.assets import ROSTERS_CHECK
from nba_assets.defs.status.runs import PARTITION_TAGS
from nba_assets.defs.storage import BatchStoreResource

# a failed line refresh too: it kept the stored lines, and someone should know why (issue 22)
ALERT_JOBS = {SLATE_JOB, CONSOLIDATION_JOB, GRADING_JOB, LINES_REFRESH_JOB}
ALERT_ASSETS = {
    dg.AssetKey(k)
    for k in ("slate", "consolidated_predictions", "front_end_exports", "graded_results", "results_export")
}
DEADLINE_CHECKS = {check_name(a) for a in ("consolidated_predictions", "front_end_exports")}
# WARN checks that still alert: a live feed's answer was patched up to keep the morning going
FEED_WARNING_CHECKS = {ROSTERS_CHECK}
_SEEN = 500  # run keys remembered by the stall sensor's cursor


def date_of(run: dg.DagsterRun) -> str:
    return next((run.tags[t] for t in PARTITION_TAGS if run.tags.get(t)), "")


def watched(run: dg.DagsterRun) -> bool:
    """Slate, line refresh, consolidation, export and grading runs, by a job or from the asset graph."""
    return run.job_name in ALERT_JOBS or bool(set(run.asset_selection or ()) & ALERT_ASSETS)


def failed_checks(
    instance: dg.DagsterInstance, run_id: str, severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR
) -> list[dg.AssetCheckEvaluation]:
    events = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    evaluations = [e.dagster_event.event_specific_data for e in events]
    return [e for e in evaluations if not e.passed and e.severity == severity]


def _name(evaluation: dg.AssetCheckEvaluation) -> str:
    return evaluation.check_name


@dg.run_failure_sensor(default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=30)
def run_failure_alert_sensor(context: dg.RunFailureSensorContext, alerts: AlertsResource):
    """One alert per failed slate, consolidation, export or grading run, naming its failed checks."""
    run = context.dagster_run
    if not watched(run):
        # None, never a SkipReason: a tick that alerts on one run and skips another would return both,
        # which Dagster refuses (the tick fails, its cursor stays, and the next tick alerts again)
        context.log.info(f"run {run.run_id} of {run.job_name} is not alerted on")
        return None
    steps = [
        f"{e.step_key}: {error_text(e.event_specific_data.error, 300)}"
        for e in context.get_step_failure_events()
    ]
    checks = [_name(c) for c in failed_checks(context.instance, run.run_id)]
    day = date_of(run)
    text = [f"job {run.job_name}" + (f", date {day}" if day else "") + f", run {run.run_id}"]
    text += [f"step error: {s}" for s in steps[:3]] or [clip(context.failure_event.message or "", 300)]
    if checks:
        text.append(f"failed checks: {', '.join(checks)}")
    alerts.send(
        Alert(
            AlertKind.RUN_FAILURE,
            f"{run.job_name} failed" + (f" for {day}" if day else ""),
            "\n".join(text),
            game_date=day,
            run_id=run.run_id,
            job=run.job_name,
            batch_id=run.tags.get(BATCH_TAG, ""),
            details={"failed_checks": checks, "step_errors": steps},
        )
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
)
def check_failure_alert_sensor(context: dg.RunStatusSensorContext, alerts: AlertsResource):
    """A run that succeeded with failed ERROR checks (a missed deadline among them): one alert;
    a failed feed WARN check (FEED_WARNING_CHECKS) sends its own warning alert.

    A failed blocking check fails its run, so it is told by run_failure_alert_sensor instead.
    """
    run = context.dagster_run
    failed = failed_checks(context.instance, run.run_id)
    warned = [
        c
        for c in failed_checks(context.instance, run.run_id, dg.AssetCheckSeverity.WARN)
        if c.check_name in FEED_WARNING_CHECKS
    ]
    if warned:
        _feed_warning(alerts, run, warned)
    if not failed:  # None, never a SkipReason (see run_failure_alert_sensor)
        context.log.info(f"run {run.run_id}: no failed ERROR checks")
        return None
    names = [_name(c) for c in failed]
    missed = all(n in DEADLINE_CHECKS for n in names)
    day = date_of(run)
    notes = [f"{_name(c)}: {c.description or 'failed'}" for c in failed]
    alerts.send(
        Alert(
            AlertKind.MISSED_DEADLINE if missed else AlertKind.CHECK_FAILURE,
            (f"Missed the morning deadline for {day}" if missed else f"Checks failed: {', '.join(names)}"),
            "\n".join(notes),
            game_date=day,
            run_id=run.run_id,
            job=run.job_name,
            batch_id=run.tags.get(BATCH_TAG, ""),
            details={"failed_checks": names},
        )
    )


def _feed_warning(alerts: AlertsResource, run: dg.DagsterRun, warned: list) -> None:
    """One warning alert naming what a feed check patched up (a stored roster, a trade-day row)."""
    day = date_of(run)
    lines = [
        line
        for c in warned
        for key in ("roster_fallbacks", "roster_conflicts")
        for line in (c.metadata.get(key).value if c.metadata.get(key) else [])
    ]
    alerts.send(
        Alert(
            AlertKind.FEED_WARNING,
            f"Feed answer patched up for {day}: {', '.join(_name(c) for c in warned)}",
            "\n".join(lines) or "; ".join(c.description or "" for c in warned),
            game_date=day,
            run_id=run.run_id,
            job=run.job_name,
            batch_id=run.tags.get(BATCH_TAG, ""),
            details={"checks": [_name(c) for c in warned], "lines": lines},
        )
    )


def _stall_runs(instance: dg.DagsterInstance, since: datetime) -> list[dg.RunRecord]:
    records = []
    for tags in ({STALL_RETRY_TAG: "1"}, {FORCED_PARTIAL_TAG: "true"}):
        records += instance.get_run_records(dg.RunsFilter(tags=tags, created_after=since))
    return sorted(records, key=lambda r: r.create_timestamp)


@dg.sensor(minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def stall_policy_alert_sensor(
    context: dg.SensorEvaluationContext, alerts: AlertsResource, batch_store: BatchStoreResource
) -> dg.SensorResult | dg.SkipReason:
    """The stall policy firing: its re-run of a batch's unfinished players, then a forced partial.

    Reads the runs the completion sensor launched (by their tags), so that sensor is untouched.
    One alert per batch and step, however many shard runs the re-run took.
    """
    cursor = json.loads(context.cursor) if context.cursor else {}
    seen: list[str] = cursor.get("seen", [])
    # first tick: the last day's runs; afterwards a minute of overlap, deduplicated by `seen`
    since = (
        datetime.fromisoformat(cursor["since"])
        if "since" in cursor
        else datetime.now(UTC) - timedelta(days=1)
    )
    records = _stall_runs(context.instance, since - timedelta(minutes=1))
    groups: dict[str, list[dg.DagsterRun]] = defaultdict(list)
    for record in records:
        run = record.dagster_run
        kind = "partial" if run.tags.get(FORCED_PARTIAL_TAG) == "true" else "rerun"
        groups[f"{run.tags.get(BATCH_TAG) or run.run_id}:{kind}"].append(run)
    new = [key for key in groups if key not in seen]
    store = batch_store.get() if new else None
    for key in new:
        alerts.send(_stall_alert(key, groups[key], store))
    latest = max([since, *(r.create_timestamp for r in records)])
    seen = (seen + new)[-_SEEN:]
    return dg.SensorResult(
        cursor=json.dumps({"since": latest.isoformat(), "seen": seen}),
        skip_reason=None if new else "the stall policy has not fired since the last tick",
    )


def _stall_alert(key: str, runs: list[dg.DagsterRun], store) -> Alert:
    batch_id, kind = key.rsplit(":", 1)
    run = runs[0]
    day = date_of(run)
    try:
        status = store.status(batch_id)
        progress = (
            f"{status.done}/{status.expected} done, {status.failed} failed, {len(status.missing)} missing"
        )
        missing = list(status.missing)
    except Exception as exc:  # the alert still goes out when the store cannot answer
        progress, missing = f"batch status unavailable: {type(exc).__name__}", []
    if kind == "rerun":
        players = sorted(
            p
            for r in runs
            for p in (r.run_config or {})
            .get("ops", {})
            .get("staging_predictions", {})
            .get("config", {})
            .get("players", [])
        )
        return Alert(
            AlertKind.STALL_RERUN,
            f"Stalled batch re-run for {day}",
            f"batch {batch_id} went quiet ({progress}); re-running {len(players)} unfinished players "
            f"in {len(runs)} shard run(s): {', '.join(players[:10])}" + (" ..." if len(players) > 10 else ""),
            game_date=day,
            run_id=run.run_id,
            job=run.job_name,
            batch_id=batch_id,
            details={"players": players, "runs": [r.run_id for r in runs]},
        )
    return Alert(
        AlertKind.FORCED_PARTIAL,
        f"Forced partial consolidation for {day}",
        f"batch {batch_id} is consolidated without every player ({progress})"
        + (f"; missing: {', '.join(missing[:10])}" if missing else ""),
        game_date=day,
        run_id=run.run_id,
        job=run.job_name,
        batch_id=batch_id,
        details={"missing": missing, "runs": [r.run_id for r in runs]},
    )
