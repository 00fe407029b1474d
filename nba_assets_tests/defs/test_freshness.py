"""The morning deadline: due dates, the sensor's freshness runs and summary, the checks' verdicts."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from werkzeug import Response

from nba_assets.defs.freshness.rules import NEW_YORK, Verdict, deadline_of, verdict
from nba_assets.defs.freshness.sensors import due_dates
from nba_assets.inputs.bundled import DEMO_DATE

GAME_DAY = date.fromisoformat(DEMO_DATE)  # 2024-11-04, the bundled slate file's only date
pytestmark = pytest.mark.timeout(300)


def test_a_date_is_due_exactly_at_its_new_york_deadline():
    day = date(2025, 2, 12)
    assert deadline_of(day).isoformat() == "2025-02-12T09:00:00-05:00"
    assert deadline_of(date(2025, 7, 1), "08:30").isoformat() == "2025-07-01T08:30:00-04:00"  # EDT
    assert due_dates(day, datetime(2025, 2, 12, 8, 59, tzinfo=NEW_YORK), "09:00") == []
    assert due_dates(day, datetime(2025, 2, 12, 9, 0, tzinfo=NEW_YORK), "09:00") == [day]
    assert len(due_dates(day, datetime(2025, 3, 30, 12, tzinfo=NEW_YORK), "09:00")) == 7  # a week a tick
    with pytest.raises(ValueError, match="NBA_ASSETS_FRESHNESS_DEADLINE"):
        deadline_of(day, "9am")


def test_verdicts():
    due = deadline_of(date(2025, 2, 12))
    before, after = datetime(2025, 2, 12, 8, tzinfo=NEW_YORK), datetime(2025, 2, 12, 10, tzinfo=NEW_YORK)
    assert verdict(True, before, after, due).verdict is Verdict.FRESH
    assert verdict(True, after, after, due).verdict is Verdict.LATE
    assert verdict(True, None, before, due).verdict is Verdict.PENDING
    assert verdict(True, None, after, due).verdict is Verdict.MISSING
    assert verdict(False, None, after, due).verdict is Verdict.NO_GAMES
    assert not verdict(True, None, after, due).ok and verdict(False, None, after, due).ok


@pytest.fixture()
def watched_defs(local_home, monkeypatch, httpserver):
    """Definitions whose only game day is the demo date, watched from that date, alerting a webhook."""
    import nba_assets

    slate = Path(nba_assets.__file__).parent / "data" / f"slate_{DEMO_DATE}.csv"
    monkeypatch.setenv("NBA_ASSETS_SLATES", str(slate))
    monkeypatch.setenv("NBA_ASSETS_FRESHNESS_START", GAME_DAY.isoformat())
    monkeypatch.setenv("NBA_ASSETS_ALERT_WEBHOOK_URL", httpserver.url_for("/hook"))
    from nba_assets.definitions import defs

    return defs()


def webhook_posts(httpserver) -> list[dict]:
    """The alert webhook's bodies, as the server receives them."""
    posted: list[dict] = []

    def handler(request):
        posted.append(json.loads(request.get_data()))
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    return posted


def test_a_game_day_with_no_run_trips_the_check_at_its_deadline(
    watched_defs, instance, httpserver, monkeypatch
):
    from nba_assets.defs.freshness import sensors

    monkeypatch.setattr(sensors, "TICK_BUDGET_SECONDS", 600.0)  # a whole week in one tick, however loaded
    posted = webhook_posts(httpserver)
    sensor = watched_defs.resolve_sensor_def("morning_deadline_sensor")
    with dg.build_sensor_context(
        instance=instance, definitions=watched_defs, resources=watched_defs.resources
    ) as context:
        result = sensor.evaluate_tick(context)
    (request,) = result.run_requests  # the other 6 dates of the tick have no games
    assert request.run_key == f"freshness:{GAME_DAY}" and request.job_name == "freshness_job"
    assert json.loads(result.cursor) == {"next": str(GAME_DAY + timedelta(days=7))}
    (summary,) = posted
    print("morning summary webhook body:", json.dumps(summary, indent=2))  # noqa: T201 (payload shown with -s)
    assert summary["kind"] == "morning_summary" and summary["game_date"] == str(GAME_DAY)
    assert summary["details"]["batch_state"] is None and summary["details"]["freshness"] == "missing"
    run = watched_defs.resolve_job_def("freshness_job").execute_in_process(
        instance=instance, run_config=request.run_config, tags=request.tags
    )
    evaluations = {e.check_name: e for e in run.get_asset_check_evaluations()}
    missed = evaluations["consolidated_predictions_morning_deadline"]
    assert not missed.passed and missed.severity == dg.AssetCheckSeverity.ERROR
    assert missed.metadata["verdict"].value == "missing"
    assert not evaluations["front_end_exports_morning_deadline"].passed
    # the next tick starts after the week it walked: nothing is requested twice
    with dg.build_sensor_context(
        instance=instance, definitions=watched_defs, resources=watched_defs.resources, cursor=result.cursor
    ) as context:
        again = sensor.evaluate_tick(context)
    assert not again.run_requests and len(posted) == 1


def test_a_spent_tick_budget_leaves_the_rest_to_the_next_tick_and_nothing_twice(
    watched_defs, instance, httpserver, monkeypatch
):
    """A slow catch-up stops inside the sensor timeout: the cursor points at the first date not
    judged, so no summary is sent twice and no date is skipped."""
    from nba_assets.defs.freshness import sensors

    monkeypatch.setattr(sensors, "TICK_BUDGET_SECONDS", 0.0)  # every tick judges exactly one date
    posted = webhook_posts(httpserver)
    sensor = watched_defs.resolve_sensor_def("morning_deadline_sensor")
    cursor, requested = None, []
    for expected_next in [str(GAME_DAY + timedelta(days=k)) for k in (1, 2, 3)]:
        with dg.build_sensor_context(
            instance=instance, definitions=watched_defs, resources=watched_defs.resources, cursor=cursor
        ) as context:
            result = sensor.evaluate_tick(context)
        cursor = result.cursor
        assert json.loads(cursor) == {"next": expected_next}
        requested += [r.run_key for r in result.run_requests]
    assert requested == [f"freshness:{GAME_DAY}"] and len(posted) == 1
