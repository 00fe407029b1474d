"""A future date fed only by local feed servers: run-day, then the next morning's grading from the
feed's box scores, then a line refresh; one Definitions object throughout (a long-lived process)."""

from __future__ import annotations

import json
from datetime import timedelta

import dagster as dg
import duckdb

from nba_assets.defs.inputs import assets as ingest
from nba_assets.instance.day_run import run_day
from nba_assets.instance.line_refresh import refresh_lines
from nba_assets.naming import player_lookup
from nba_assets_tests.defs import live_stub


def _table(home, sql: str, *params):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _predictions(home, day: str) -> dict[tuple, tuple]:
    """(player, system, line_key) -> (prediction_id, is_active, updated_at, predicted_points, batch_id)."""
    rows = _table(
        home,
        "select player_lookup, system_id, line_key, prediction_id, is_active, updated_at, predicted_points, "
        "batch_id from player_prop_predictions where game_date = ?",
        day,
    )
    return {r[:3]: r[3:] for r in rows}


def _materialization(instance, key: str, day: str):
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(key), asset_partitions=[day]), limit=1
    ).records
    return records[0].asset_materialization.metadata


def test_tomorrow_from_the_feeds_then_grading_from_the_feeds(httpserver, monkeypatch, local_home, instance):
    # tomorrow (New York): game_days has end_offset=2, so its partition exists the evening before
    tomorrow = ingest.today() + timedelta(days=1)
    day = tomorrow.isoformat()
    live_stub.feed_env(monkeypatch, httpserver)
    live_stub.serve_slate(httpserver, tomorrow)
    lines = live_stub.base_lines()
    live_stub.serve_lines(httpserver, tomorrow, lines)
    from nba_assets.definitions import defs

    definitions = defs()  # one Definitions object for the whole test, as a code server holds it
    result = run_day(definitions, instance, day)
    assert result.consolidated, result
    slate_meta = _materialization(instance, "slate", day)
    assert slate_meta["players"].value == 20 and slate_meta["slate_source"].value == "nba stats"
    lines_meta = _materialization(instance, "prop_lines", day)
    assert lines_meta["source"].value == "odds" and lines_meta["credits_spent"].value == 1
    assert lines_meta["unmatched_count"].value == 0
    assert live_stub.KEY not in json.dumps({k: str(v.value) for k, v in lines_meta.items()})
    stored = _table(
        local_home, "select count(distinct player_lookup) from prop_lines where game_date = ?", day
    )
    assert stored == [(len(lines),)]
    rows = _table(
        local_home,
        "select count(distinct player_lookup), count(*) filter (where points_line is not null) "
        "from player_prop_predictions where game_date = ? and is_active",
        day,
    )
    assert rows[0][0] >= 15 and rows[0][1] > 0
    export = json.loads((local_home / "exports" / "v1" / "tonight" / "all-players.json").read_text())
    assert export["game_date"] == day and export["total_with_lines"] == len(lines)

    # lines move during the day: three players' lines, nobody else's
    before = _predictions(local_home, day)
    moved_names = sorted(lines)[:3]
    lines_now = {n: (v + 2.0 if n in moved_names else v) for n, v in lines.items()}
    httpserver.clear()
    live_stub.serve_lines(httpserver, tomorrow, lines_now)
    refreshed = refresh_lines(definitions, instance, day)  # the same Definitions: no restart
    assert refreshed.ok, refreshed
    moved = sorted(player_lookup(n) for n in moved_names)
    assert refreshed.moved == moved  # only the moved players were re-predicted
    assert [run.job for run in refreshed.runs].count("consolidation_job") == 1
    after = _predictions(local_home, day)
    assert {k: v for k, v in after.items() if k[0] not in moved} == {
        k: v for k, v in before.items() if k[0] not in moved
    }  # everyone else's rows untouched, byte for byte
    for player in moved:
        old_lines = {k[2] for k, v in before.items() if k[0] == player and v[1]} - {-1}
        assert all(not after[(player, s, lk)][1] for (p, s, lk) in before if p == player and lk in old_lines)
        active = {k[2] for k, v in after.items() if k[0] == player and v[1]} - {-1}
        assert active and not active & old_lines  # the new lines only
    export = json.loads((local_home / "exports" / "v1" / "tonight" / "all-players.json").read_text())
    shown = {
        p["player_lookup"]: {prop["line"] for prop in p["props"]}
        for g in export["games"]
        for p in g["players"]
    }
    for name in moved_names:
        assert lines_now[name] in shown[player_lookup(name)]  # the exports show the current lines

    # the next morning: the game is played, the feed has its box scores; grading ingests them first
    monkeypatch.setattr(ingest, "today", lambda: tomorrow + timedelta(days=1))
    live_stub.serve_slate(httpserver, tomorrow)
    live_stub.serve_box_scores(httpserver, tomorrow)
    graded = definitions.resolve_job_def("grading_job").execute_in_process(
        partition_key=day, instance=instance
    )
    assert graded.success
    assert _table(local_home, "select count(*) from box_scores where game_date = ?", day) == [(20,)]
    results = _table(local_home, "select count(*) from prediction_results where game_date = ?", day)
    assert results[0][0] > 0


def test_a_feed_that_returns_nothing_on_a_game_day_fails_the_run_naming_it(
    httpserver, monkeypatch, local_home, instance
):
    tomorrow = ingest.today()
    live_stub.feed_env(monkeypatch, httpserver)
    live_stub.serve_slate(httpserver, tomorrow)
    live_stub.serve_lines(httpserver, tomorrow, {})  # the event is there, no book posts a line
    from nba_assets.definitions import defs

    run = (
        defs()
        .resolve_job_def("slate_job")
        .execute_in_process(partition_key=tomorrow.isoformat(), instance=instance, raise_on_error=False)
    )
    assert not run.success
    failure = next(e for e in run.all_events if e.event_type_value == "STEP_FAILURE")
    assert "the odds api feed returned no player_points lines" in str(failure.event_specific_data.error)
