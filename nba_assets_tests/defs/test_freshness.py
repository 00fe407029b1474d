"""The morning deadline: due dates, the sensor's freshness runs and summary, the checks' verdicts."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from werkzeug import Response

from nba_assets.deadlines import NEW_YORK, Verdict, deadline_of, judge
from nba_assets.defs.freshness.sensors import due_dates
from nba_assets.inputs.bundled import DEMO_DATE

GAME_DAY = date.fromisoformat(DEMO_DATE)  # the bundled slate file's only date
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
    at_7, at_8, at_10 = (datetime(2025, 2, 12, h, tzinfo=NEW_YORK) for h in (7, 8, 10))
    next_day, a_year_on = (
        datetime(2025, 2, 13, 0, 30, tzinfo=NEW_YORK),
        datetime(2026, 12, 5, tzinfo=NEW_YORK),
    )

    def judged(game_day=True, began=at_7, written=None, at=at_10):
        return judge(game_day, began_at=began, written_at=written, at=at, deadline=due).verdict

    assert judged(written=at_8) is Verdict.FRESH
    assert judged(written=at_10) is Verdict.LATE
    assert judged(began=None, written=at_10) is Verdict.LATE  # written that day: it was live
    assert judged(at=at_8) is Verdict.PENDING
    assert judged() is Verdict.MISSING and judged(began=None) is Verdict.MISSING
    assert judged(game_day=False) is Verdict.NO_GAMES
    # produced after its date by a replay or backfill: no morning missed
    assert judged(began=a_year_on, written=a_year_on, at=a_year_on) is Verdict.REPLAYED
    assert judged(began=None, written=next_day, at=a_year_on) is Verdict.REPLAYED
    # a live day (the slate ran at 07:00) finished after midnight: late, not a replay
    assert judged(began=at_7, written=next_day, at=a_year_on) is Verdict.LATE
    # the pipeline acting for a past day without producing it (a catch-up freshness run): still missing
    assert judged(began=a_year_on, written=None, at=a_year_on) is Verdict.MISSING
    assert not judge(True, began_at=at_7, written_at=None, at=at_10, deadline=due).ok
    assert judge(True, began_at=a_year_on, written_at=a_year_on, at=a_year_on, deadline=due).ok


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


def tick(defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None = None):
    sensor = defs.resolve_sensor_def("morning_deadline_sensor")
    with dg.build_sensor_context(
        instance=instance, definitions=defs, resources=defs.resources, cursor=cursor
    ) as context:
        return sensor.evaluate_tick(context)


def launch(defs: dg.Definitions, instance: dg.DagsterInstance, request: dg.RunRequest):
    """The run the daemon would launch for the request, in this process."""
    return defs.resolve_job_def(request.job_name).execute_in_process(
        instance=instance, run_config=request.run_config, tags=request.tags
    )


def test_a_game_day_with_no_run_trips_the_check_at_its_deadline(watched_defs, instance, httpserver):
    posted = webhook_posts(httpserver)
    result = tick(watched_defs, instance)
    # the other 6 dates of the tick have no games; the tick itself sends nothing (a tick decides)
    checks, summary = result.run_requests
    assert (checks.run_key, checks.job_name) == (f"freshness:{GAME_DAY}", "freshness_job")
    assert (summary.run_key, summary.job_name) == (f"morning_summary:{GAME_DAY}", "morning_summary_job")
    assert json.loads(result.cursor) == {"next": str(GAME_DAY + timedelta(days=7))} and posted == []
    run = launch(watched_defs, instance, checks)
    evaluations = {e.check_name: e for e in run.get_asset_check_evaluations()}
    missed = evaluations["consolidated_predictions_morning_deadline"]
    assert not missed.passed and missed.severity == dg.AssetCheckSeverity.ERROR
    assert missed.metadata["verdict"].value == "missing"
    assert not evaluations["front_end_exports_morning_deadline"].passed
    assert launch(watched_defs, instance, summary).success
    (body,) = posted
    print("morning summary webhook body:", json.dumps(body, indent=2))  # noqa: T201 (payload shown with -s)
    assert body["kind"] == "morning_summary" and body["game_date"] == str(GAME_DAY)
    assert body["details"]["batch_state"] is None and body["details"]["freshness"] == "missing"
    # the next tick starts after the week it walked: nothing is requested twice
    again = tick(watched_defs, instance, result.cursor)
    assert not again.run_requests and len(posted) == 1


def test_a_repeated_tick_requests_the_same_run_keys_and_sends_nothing(watched_defs, instance, httpserver):
    """A tick retried after a timeout or a daemon restart (its cursor not saved) asks for the same
    run keys, which Dagster launches once: the summary cannot go out twice, however slow the tick."""
    posted = webhook_posts(httpserver)
    first, repeated = tick(watched_defs, instance), tick(watched_defs, instance)
    keys = [r.run_key for r in first.run_requests]
    assert keys == [f"freshness:{GAME_DAY}", f"morning_summary:{GAME_DAY}"]
    assert [r.run_key for r in repeated.run_requests] == keys and posted == []
