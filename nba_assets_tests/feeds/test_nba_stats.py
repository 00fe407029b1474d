"""The nba-api stats feed against a real HTTP server on 127.0.0.1 serving the documented shapes."""

from __future__ import annotations

import dataclasses
import time
from datetime import date

import pytest
from werkzeug import Response

from nba_assets.feeds.day import FeedReport, box_scores_from_feed, slate_from_feed
from nba_assets.feeds.errors import FeedHTTPError, FeedResponseError, FeedTimeout
from nba_assets.feeds.nba_stats import NbaApiStatsFeed, season_of
from nba_assets.inputs.box_scores import validate_box_scores
from nba_assets.inputs.slates import validate_slate
from nba_assets_tests.feeds import payloads
from nba_assets_tests.feeds.conftest import FAST
from nba_assets_tests.waiting import wait_for

DAY = date(2026, 1, 2)
LAL, DEN, BOS, BKN = 1610612747, 1610612743, 1610612738, 1610612751


def _serve_day(httpserver, games) -> None:
    httpserver.expect_request("/stats/scoreboardv2", query_string={"GameDate": "2026-01-02", "LeagueID": "00",
                              "DayOffset": "0"}).respond_with_json(payloads.scoreboard(games))  # fmt: skip
    for team, players in {
        LAL: [(1, "LeBron James"), (2, "Austin Reaves")],
        DEN: [(3, "Nikola Jokić"), (4, "Jamal Murray")],
        BOS: [(5, "Jayson Tatum")],
        BKN: [(6, "Nic Claxton")],
    }.items():
        httpserver.expect_request(
            "/stats/commonteamroster",
            query_string={"TeamID": str(team), "Season": "2025-26", "LeagueID": "00"},
        ).respond_with_json(payloads.roster(team, players))


def test_a_normal_day_gives_a_slate_with_accented_names(httpserver, stats):
    _serve_day(httpserver, [("0022500500", LAL, DEN, "7:30 pm ET"), ("0022500501", BOS, BKN, "8:00 pm ET")])
    report = FeedReport()
    raw = slate_from_feed(stats, DAY, report)
    slate, _ = validate_slate(raw, "nba stats")
    assert len(slate) == 6 and report.requests == 5  # one scoreboard + one roster per team
    jokic = slate[slate["player_lookup"] == "nikolajokic"].iloc[0]
    assert (jokic["team"], jokic["opponent"], bool(jokic["is_home"])) == ("DEN", "LAL", False)
    # browser-like headers from nba_api reached the server
    sent = httpserver.log[0][0]
    assert "Mozilla" in sent.headers["User-Agent"] and sent.headers["Referer"] == "https://www.nba.com/"


def test_an_empty_day_is_empty_not_an_error(httpserver, stats):
    _serve_day(httpserver, [])
    assert slate_from_feed(stats, DAY, FeedReport()).empty


def test_a_postponed_game_is_left_out_and_reported(httpserver, stats):
    _serve_day(httpserver, [("0022500500", LAL, DEN, "PPD"), ("0022500501", BOS, BKN, "8:00 pm ET")])
    report = FeedReport()
    raw = slate_from_feed(stats, DAY, report)
    assert set(raw["team"]) == {"BOS", "BKN"}
    assert report.postponed == ["0022500500 DEN@LAL: PPD"]


def test_game_log_is_the_player_logs_format(httpserver, stats):
    rows = [payloads.log_row(3, "Nikola Jokić", "DEN", "DEN @ LAL", 31), payloads.log_row(1, "LeBron James",
            "LAL", "LAL vs. DEN", 25)]  # fmt: skip
    httpserver.expect_request(
        "/stats/leaguegamelog",
        query_string={
            "PlayerOrTeam": "P",
            "DateFrom": "01/02/2026",
            "DateTo": "01/02/2026",
            "Season": "2025-26",
            "SeasonType": "Regular Season",
            "LeagueID": "00",
            "Counter": "0",
            "Direction": "ASC",
            "Sorter": "DATE",
        },  # fmt: skip
    ).respond_with_json(payloads.game_log(rows))
    frame = validate_box_scores(box_scores_from_feed(stats, DAY, FeedReport()), "nba stats")
    assert sorted(frame["points"]) == [25, 31]
    assert set(frame["player_lookup"]) == {"nikolajokic", "lebronjames"}


def test_429_with_retry_after_is_waited_out(httpserver):
    waits: list[float] = []
    stats = NbaApiStatsFeed(httpserver.url_for("/stats"), dataclasses.replace(FAST, sleep=waits.append))
    httpserver.expect_oneshot_request("/stats/scoreboardv2").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"})
    )
    _serve_day(httpserver, [])
    assert stats.games(DAY) == []
    assert waits == [1.0]  # Retry-After honoured (on the injected clock), not the 0.02 s backoff
    assert len(httpserver.log) == 2


def test_5xx_then_success(httpserver, stats):
    httpserver.expect_oneshot_request("/stats/scoreboardv2").respond_with_data("oops", status=503)
    _serve_day(httpserver, [("0022500501", BOS, BKN, "8:00 pm ET")])
    assert [g.game_id for g in stats.games(DAY)] == ["0022500501"]


def test_5xx_every_time_is_a_named_error_after_bounded_retries(httpserver, stats):
    httpserver.expect_request("/stats/scoreboardv2").respond_with_data("down", status=502)
    with pytest.raises(FeedHTTPError, match=r"nba stats: scoreboardv2 2026-01-02: HTTP 502") as err:
        stats.games(DAY)
    assert err.value.status == 502 and len(httpserver.log) == 3  # 1 + 2 retries, no more


def test_a_timeout_is_a_named_error(httpserver, stats):
    httpserver.expect_request("/stats/scoreboardv2").respond_with_handler(
        lambda request: (time.sleep(1.0), Response("{}"))[1]
    )
    with pytest.raises(FeedTimeout, match="nba stats: scoreboardv2"):
        stats.games(DAY)
    # the single-threaded server is still sleeping on the retried requests: let it answer them all
    # before the next test's handlers are registered
    wait_for(lambda: len(httpserver.log) == 3, 10, "the server to answer the 3 timed-out requests", 0.1)


def test_malformed_json_is_a_named_error(httpserver, stats):
    httpserver.expect_request("/stats/scoreboardv2").respond_with_data("<html>Access Denied</html>")
    with pytest.raises(FeedResponseError, match="malformed JSON"):
        stats.games(DAY)


def test_missing_fields_are_named(httpserver, stats):
    body = payloads.result_sets(("GameHeader", ["GAME_ID"], [["0022500500"]]), ("LineScore", [], []))
    httpserver.expect_request("/stats/scoreboardv2").respond_with_json(body)
    with pytest.raises(FeedResponseError, match=r"GameHeader: missing field\(s\) \['GAME_STATUS_TEXT'"):
        stats.games(DAY)


def test_season_of_a_date():
    assert season_of(date(2026, 1, 2)) == "2025-26"
    assert season_of(date(2025, 10, 21)) == "2025-26"
    assert season_of(date(2000, 5, 1)) == "1999-00"
