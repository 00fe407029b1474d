"""nba-assets ingest box-scores from a local stats server: a range, idempotent, and a failing feed named."""

from __future__ import annotations

from datetime import date

import duckdb

from nba_assets.cli import main
from nba_assets_tests.defs import live_stub
from nba_assets_tests.feeds import captured

D1, D2 = date(2025, 2, 18), date(2025, 2, 19)


def _serve_day(httpserver, day: date, games: bool, logs: bool) -> None:
    played = [(live_stub.GAME_ID, live_stub.LAL, live_stub.CHA, "Final", live_stub.tipoff(day))]
    board = captured.scoreboard_v3(day, played if games else [])
    httpserver.expect_request("/stats/scoreboardv3", query_string={"GameDate": day.isoformat(), "LeagueID": "00"}
                              ).respond_with_json(board)  # fmt: skip
    if logs:
        live_stub.serve_box_scores(httpserver, day)
    else:
        httpserver.expect_request(
            "/stats/leaguegamelog", query_string=live_stub.game_log_query(day)
        ).respond_with_json(captured.game_log([]))


def _rows(home) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("select game_date, count(*) from box_scores group by 1 order by 1").fetchall()


def test_ingest_a_range_twice_without_duplicates_then_an_empty_feed_fails_named(
    httpserver, monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("NBA_ASSETS_HOME", str(tmp_path / "out"))
    live_stub.feed_env(monkeypatch, httpserver)
    _serve_day(httpserver, D1, games=False, logs=False)  # the All-Star break: no games
    _serve_day(httpserver, D2, games=True, logs=True)
    args = [
        "ingest",
        "box-scores",
        "--from",
        str(D1),
        "--to",
        str(D2),
        "--dagster-home",
        str(tmp_path / "dg"),
    ]
    assert main(args) == 0
    assert "20 rows over 2 dates" in capsys.readouterr().out
    assert main([*args, "-q"]) == 0  # again: replaced, not duplicated
    assert _rows(tmp_path / "out") == [(D2, 20)]

    httpserver.clear()
    _serve_day(httpserver, D2, games=True, logs=False)  # games played, the log is empty
    assert (
        main(["ingest", "box-scores", "--from", str(D2), "--dagster-home", str(tmp_path / "dg"), "-q"]) == 2
    )
    error = " ".join(capsys.readouterr().err.split())
    assert "nba stats" in error and "leaguegamelog returned no box scores" in error
    assert _rows(tmp_path / "out") == [(D2, 20)]  # nothing already written was lost


def test_ingest_a_2025_26_date_whose_scoreboardv2_has_an_empty_linescore(
    httpserver, monkeypatch, tmp_path, capsys
):
    """stats.nba.com as it answers since October 2025 (nba_api #577, #596): scoreboardv2 with GameHeader
    rows and an empty LineScore (captured), ScoreboardV3 whole (captured 2025-11-05, 11 games)."""
    day = date(2025, 11, 5)
    monkeypatch.setenv("NBA_ASSETS_HOME", str(tmp_path / "out"))
    live_stub.feed_env(monkeypatch, httpserver)
    httpserver.expect_request("/stats/scoreboardv2").respond_with_json(
        captured.load(captured.SCOREBOARD_V2_EMPTY_LINESCORE)
    )
    httpserver.expect_request("/stats/scoreboardv3").respond_with_json(captured.load(captured.SCOREBOARD_V3))
    live_stub.serve_box_scores(httpserver, day)
    args = ["ingest", "box-scores", "--from", str(day), "--dagster-home", str(tmp_path / "dg"), "-q"]
    assert main(args) == 0, capsys.readouterr().err
    assert _rows(tmp_path / "out") == [(day, 20)]
