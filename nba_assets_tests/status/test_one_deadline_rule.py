"""One rule decides lateness (``nba_assets.deadlines``): the deadline check, ``nba-assets status``,
the morning summary and the missed-deadline alert agree on the same day at the same clock.

A replayed day (produced long after its date) is not a missed morning; a live day (today, acted
for today) that misses its deadline is, first ``missing`` and, once written, ``late``. The clock
is ``deadlines.now``, set by the test for all of them; the deadline is 00:00 so that today's
writes are after it whatever the hour the test runs at.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from werkzeug import Response

import nba_assets
from nba_assets import deadlines
from nba_assets.cli import main
from nba_assets.defs.alerts.resources import AlertsResource
from nba_assets.defs.alerts.sensors import check_failure_alert_sensor
from nba_assets.defs.freshness.checks import freshness_run_config
from nba_assets.defs.freshness.summary import summary_request
from nba_assets.inputs.bundled import DEMO_DATE
from nba_assets.instance.day_run import prepare_home

REPLAYED = DEMO_DATE  # 2025-02-12: a past game day of the bundled slate file
DEADLINE_CHECKS = ("consolidated_predictions_morning_deadline", "front_end_exports_morning_deadline")
pytestmark = pytest.mark.timeout(300)


@pytest.fixture()
def clock(monkeypatch):
    """The one clock every verdict reads, held still (a test moves it by setting ``clock.at``)."""

    class Clock:
        at = datetime.now(deadlines.NEW_YORK)

    monkeypatch.setattr(deadlines, "now", lambda: Clock.at)
    return Clock


@pytest.fixture()
def world(tmp_path, local_home, monkeypatch, httpserver, clock):
    """Game days: the bundled 2025-02-12 slate, and the same games today (a live day)."""
    today = clock.at.date()
    bundled = (Path(nba_assets.__file__).parent / "data" / f"slate_{DEMO_DATE}.csv").read_text()
    live = tmp_path / "slate_today.csv"
    live.write_text(bundled.replace(DEMO_DATE, today.isoformat()))
    bundled_path = Path(nba_assets.__file__).parent / "data" / f"slate_{DEMO_DATE}.csv"
    monkeypatch.setenv("NBA_ASSETS_SLATES", f"{bundled_path},{live}")
    monkeypatch.setenv("NBA_ASSETS_FRESHNESS_DEADLINE", "00:00")
    monkeypatch.setenv("NBA_ASSETS_ALERT_WEBHOOK_URL", httpserver.url_for("/hook"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    posted: list[dict] = []

    def handler(request):
        posted.append(json.loads(request.get_data()))
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    from nba_assets.definitions import defs

    instance = prepare_home(tmp_path / "dagster_home")
    yield defs(), instance, posted, today.isoformat()
    instance.dispose()


def written(instance: dg.DagsterInstance, day: str) -> None:
    """The day produced now: its slate, consolidation and exports materialized."""
    for asset in ("slate", "consolidated_predictions", "front_end_exports"):
        instance.report_runless_asset_event(dg.AssetMaterialization(asset, partition=day))


def judged(defs, instance, posted, capsys, day: str) -> dict[str, object]:
    """The day through the deadline checks, the status command, the summary and the check alert."""
    job = defs.resolve_job_def("freshness_job")
    run = job.execute_in_process(instance=instance, run_config=freshness_run_config(day))
    checks = {e.check_name: e for e in run.get_asset_check_evaluations()}
    capsys.readouterr()
    code = main(["status", day, "--json"])
    report = json.loads(capsys.readouterr().out)
    posted.clear()
    request = summary_request(day)
    summary_job = defs.resolve_job_def(request.job_name)
    assert summary_job.execute_in_process(instance=instance, run_config=request.run_config).success
    (summary,) = posted
    posted.clear()
    success = next(e for e in run.all_events if e.event_type == dg.DagsterEventType.RUN_SUCCESS)
    with dg.build_run_status_sensor_context(
        sensor_name="check_failure_alert_sensor",
        dagster_event=success,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run.run_id),
        resources={"alerts": AlertsResource(webhook_url=os.environ["NBA_ASSETS_ALERT_WEBHOOK_URL"])},
    ) as context:
        check_failure_alert_sensor(context)
    return {
        "checks": {name: checks[name].metadata["verdict"].value for name in DEADLINE_CHECKS},
        "checks_passed": all(checks[name].passed for name in DEADLINE_CHECKS),
        "status": report["freshness"]["verdict"],
        "status_assets": [
            report["freshness"][a]["verdict"] for a in ("consolidated_predictions", "front_end_exports")
        ],
        "status_exit": code,
        "summary": summary["details"]["freshness"],
        "alert": [body["kind"] for body in posted],
    }


def test_a_replayed_day_is_not_late_anywhere(world, capsys):
    defs, instance, posted, _ = world
    written(instance, REPLAYED)  # produced today, long after 2025-02-12
    verdicts = judged(defs, instance, posted, capsys, REPLAYED)
    assert verdicts == {
        "checks": dict.fromkeys(DEADLINE_CHECKS, "replayed"),
        "checks_passed": True,
        "status": "replayed",
        "status_assets": ["replayed", "replayed"],
        "status_exit": 0,
        "summary": "replayed",
        "alert": [],
    }, verdicts


def test_a_live_day_that_missed_its_deadline_is_missing_then_late_everywhere(world, capsys, clock):
    defs, instance, posted, today = world
    before = clock.at
    clock.at = deadlines.deadline_of(date.fromisoformat(today), "00:00") - timedelta(minutes=1)
    pending = judged(defs, instance, posted, capsys, today)
    assert (pending["status"], pending["summary"], pending["checks_passed"], pending["alert"]) == (
        "pending",
        "pending",
        True,
        [],
    ), pending
    clock.at = before  # past today's 00:00 deadline, nothing written: the morning is missed
    missing = judged(defs, instance, posted, capsys, today)
    assert missing == {
        "checks": dict.fromkeys(DEADLINE_CHECKS, "missing"),
        "checks_passed": False,
        "status": "missing",
        "status_assets": ["missing", "missing"],
        "status_exit": 1,
        "summary": "missing",
        "alert": ["missed_deadline"],
    }, missing
    written(instance, today)  # produced today, after its deadline: late, not a replay
    late = judged(defs, instance, posted, capsys, today)
    assert late == {
        "checks": dict.fromkeys(DEADLINE_CHECKS, "late"),
        "checks_passed": False,
        "status": "late",
        "status_assets": ["late", "late"],
        "status_exit": 1,
        "summary": "late",
        "alert": ["missed_deadline"],
    }, late
