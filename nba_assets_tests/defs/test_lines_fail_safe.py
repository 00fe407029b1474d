"""A lines answer that would shrink what is stored fails loudly and keeps the stored lines and the
published files (issue 22, item 1); stand-in lines never appear where a lines feed is configured.

Run through ``run_day`` and ``refresh_lines`` against the local feed servers (captured answers with
the test's players, ``live_stub``); the Odds API's empty ``[]`` events answer is the real one.
"""

from __future__ import annotations

import json

import dagster as dg
import duckdb

from nba_assets import game_day
from nba_assets.defs.alerts.sensors import run_failure_alert_sensor
from nba_assets.instance.day_run import run_day
from nba_assets.instance.line_refresh import refresh_lines
from nba_assets_tests.defs import live_stub
from nba_assets_tests.defs.test_alerts import Posted, webhook

EVENTS = "/v4/sports/basketball_nba/events"


def _rows(home, sql: str, *params):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _published(home) -> dict[str, bytes]:
    tonight = home / "exports" / "v1" / "tonight"
    return {str(p.relative_to(tonight)): p.read_bytes() for p in sorted(tonight.rglob("*.json"))}


def _stored(home, day: str) -> list[tuple]:
    return _rows(
        home,
        "select player_lookup, bookmaker, line from prop_lines where game_date = ? order by 1, 2, 3",
        day,
    )


def _active(home, day: str) -> list[tuple]:
    return _rows(
        home,
        "select player_lookup, system_id, line_key, prediction_id from player_prop_predictions "
        "where game_date = ? and is_active order by 1, 2, 3",
        day,
    )


def _step_error(instance, run_id: str) -> str:
    events = instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    return " ".join(str(e.dagster_event.event_specific_data.error.message) for e in events)


def _alert(instance, run_id: str, httpserver) -> dict:
    posted = Posted(httpserver, "/hook")
    (failure,) = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    with dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert_sensor",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run_id),
        resources={"alerts": webhook(httpserver)},
    ) as context:
        run_failure_alert_sensor(context.for_run_failure())
    (body,) = posted.bodies
    return body


def test_an_empty_or_shrinking_refresh_keeps_the_stored_lines_and_files(
    httpserver, monkeypatch, local_home, instance
):
    tomorrow = game_day.tomorrow()
    day = tomorrow.isoformat()
    live_stub.feed_env(monkeypatch, httpserver)
    live_stub.serve_slate(httpserver, tomorrow)
    lines = live_stub.base_lines()
    live_stub.serve_lines(httpserver, tomorrow, lines)
    from nba_assets.definitions import defs

    definitions = defs()
    assert run_day(definitions, instance, day).consolidated
    stored, published, active = _stored(local_home, day), _published(local_home), _active(local_home, day)
    assert stored and published and not any(b.startswith("reference") for _, b, _ in stored)

    # 1. the Odds API answers [] for /events (off-hours, a sport key change, a quota edge)
    httpserver.clear()
    live_stub.serve_slate(httpserver, tomorrow)
    httpserver.expect_request(EVENTS).respond_with_json([])
    refreshed = refresh_lines(definitions, instance, day)
    assert not refreshed.ok and [r.job for r in refreshed.runs] == ["lines_refresh_job"]
    error = _step_error(instance, refreshed.runs[0].run_id)
    assert f"the odds api feed returned no events for {day}, which has 1 game(s) (the stored slate)" in error
    assert (_stored(local_home, day), _published(local_home), _active(local_home, day)) == (
        stored,
        published,
        active,
    )  # nothing deactivated, nothing rewritten
    body = _alert(instance, refreshed.runs[0].run_id, httpserver)
    assert (body["kind"], body["game_date"], body["job"]) == ("run_failure", day, "lines_refresh_job")
    assert "returned no events" in body["text"]

    # 2. a shrinking answer: lines for 2 of the stored players (the floor is 50 %)
    httpserver.clear()
    live_stub.serve_slate(httpserver, tomorrow)
    live_stub.serve_lines(httpserver, tomorrow, dict(sorted(lines.items())[:2]))
    refreshed = refresh_lines(definitions, instance, day)
    assert not refreshed.ok
    players = len({p for p, b, _ in stored if b != "consensus"})
    assert (
        f"returned lines for 2 player(s) on {day}; the last good capture stored {players}: below the floor of 50%"
        in _step_error(instance, refreshed.runs[0].run_id)
    )
    assert (_stored(local_home, day), _published(local_home), _active(local_home, day)) == (
        stored,
        published,
        active,
    )

    # 3. a normal refresh still goes through
    httpserver.clear()
    live_stub.serve_slate(httpserver, tomorrow)
    live_stub.serve_lines(httpserver, tomorrow, lines)
    assert refresh_lines(definitions, instance, day).ok


def test_an_empty_events_answer_on_a_fresh_game_day_fails_and_never_stands_in(
    httpserver, monkeypatch, local_home, instance
):
    tomorrow = game_day.tomorrow()
    day = tomorrow.isoformat()
    live_stub.feed_env(monkeypatch, httpserver)
    live_stub.serve_slate(httpserver, tomorrow)
    httpserver.expect_request(EVENTS).respond_with_json([])
    from nba_assets.definitions import defs

    result = run_day(defs(), instance, day)
    assert not result.consolidated
    error = _step_error(instance, result.runs[0].run_id)
    assert f"the odds api feed returned no events for {day}, which has 1 game(s) (nba stats)" in error
    assert _rows(local_home, "select count(*) from prop_lines where game_date = ?", day) == [(0,)]
    tonight = local_home / "exports" / "v1" / "tonight" / "all-players.json"
    assert not tonight.exists() or json.loads(tonight.read_text())["game_date"] != day
