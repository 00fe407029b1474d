"""The nba-api stats feed against a real HTTP server on 127.0.0.1 serving responses captured from
stats.nba.com (``captures/``; a test's own games and players go into a captured envelope)."""

from __future__ import annotations

import dataclasses
import time
from datetime import date

import pytest
from werkzeug import Response

from nba_assets.feeds.day import FeedReport, box_scores_from_feed, slate_from_feed
from nba_assets.feeds.errors import FeedEmpty, FeedHTTPError, FeedResponseError, FeedTimeout
from nba_assets.feeds.nba_stats import NbaApiStatsFeed, season_of
from nba_assets.inputs.box_scores import validate_box_scores
from nba_assets.inputs.slates import validate_slate
from nba_assets_tests.feeds import captured
from nba_assets_tests.feeds.conftest import FAST
from nba_assets_tests.waiting import wait_for

DAY = date(2026, 1, 2)
LAL, DEN, BOS, BKN = 1610612747, 1610612743, 1610612738, 1610612751
CLE = 1610612739
SCOREBOARD = "/stats/scoreboardv3"
TIP = "2026-01-03T00:30:00Z"  # 19:30 in New York on Jan 2
ROSTERS = {
    LAL: [(1, "LeBron James"), (2, "Austin Reaves")],
    DEN: [(3, "Nikola Jokić"), (4, "Jamal Murray")],
    BOS: [(5, "Jayson Tatum")],
    BKN: [(6, "Nic Claxton")],
}


def _serve_day(httpserver, games, rosters=ROSTERS) -> None:
    games = [(g, h, v, s, TIP) for g, h, v, s in games]
    httpserver.expect_request(SCOREBOARD, query_string={"GameDate": "2026-01-02", "LeagueID": "00"}
                              ).respond_with_json(captured.scoreboard_v3(DAY, games))  # fmt: skip
    for team, players in rosters.items():
        httpserver.expect_request(
            "/stats/commonteamroster",
            query_string={"TeamID": str(team), "Season": "2025-26", "LeagueID": "00"},
        ).respond_with_json(captured.roster(team, players))


def test_a_normal_day_gives_a_slate_with_accented_names(httpserver, stats):
    _serve_day(httpserver, [("0022500500", LAL, DEN, "7:30 pm ET"), ("0022500501", BOS, BKN, "8:00 pm ET")])
    report = FeedReport()
    raw = slate_from_feed(stats, DAY, report)
    slate, _ = validate_slate(raw, "nba stats")
    assert len(slate) == 6 and report.requests == 5  # one scoreboard + one roster per team
    assert set(slate["tipoff"]) == {TIP}  # the scoreboard's tip-off reaches the slate
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
    rows = [log_row(3, "Nikola Jokić", "DEN", "DEN @ LAL", 31), log_row(1, "LeBron James",
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
    ).respond_with_json(captured.game_log(rows))
    frame = validate_box_scores(box_scores_from_feed(stats, DAY, FeedReport()), "nba stats")
    assert sorted(frame["points"]) == [25, 31]
    assert set(frame["player_lookup"]) == {"nikolajokic", "lebronjames"}


def test_429_with_retry_after_is_waited_out(httpserver):
    waits: list[float] = []
    stats = NbaApiStatsFeed(httpserver.url_for("/stats"), dataclasses.replace(FAST, sleep=waits.append))
    httpserver.expect_oneshot_request(SCOREBOARD).respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"})
    )
    _serve_day(httpserver, [])
    assert stats.games(DAY) == []
    assert waits == [1.0]  # Retry-After honoured (on the injected clock), not the 0.02 s backoff
    assert len(httpserver.log) == 2


def test_5xx_then_success(httpserver, stats):
    httpserver.expect_oneshot_request(SCOREBOARD).respond_with_data("oops", status=503)
    _serve_day(httpserver, [("0022500501", BOS, BKN, "8:00 pm ET")])
    assert [g.game_id for g in stats.games(DAY)] == ["0022500501"]


def test_5xx_every_time_is_a_named_error_after_bounded_retries(httpserver, stats):
    httpserver.expect_request(SCOREBOARD).respond_with_data("down", status=502)
    with pytest.raises(FeedHTTPError, match=r"nba stats: scoreboardv3 2026-01-02: HTTP 502") as err:
        stats.games(DAY)
    assert err.value.status == 502 and len(httpserver.log) == 3  # 1 + 2 retries, no more


def test_a_timeout_is_a_named_error(httpserver, stats):
    httpserver.expect_request(SCOREBOARD).respond_with_handler(
        lambda request: (time.sleep(1.0), Response("{}"))[1]
    )
    with pytest.raises(FeedTimeout, match="nba stats: scoreboardv3"):
        stats.games(DAY)
    # the single-threaded server is still sleeping on the retried requests: let it answer them all
    # before the next test's handlers are registered
    wait_for(lambda: len(httpserver.log) == 3, 10, "the server to answer the 3 timed-out requests", 0.1)


def test_malformed_json_is_a_named_error(httpserver, stats):
    httpserver.expect_request(SCOREBOARD).respond_with_data("<html>Access Denied</html>")
    with pytest.raises(FeedResponseError, match="malformed JSON"):
        stats.games(DAY)


def test_missing_fields_are_named(httpserver, stats):
    body = captured.load(captured.SCOREBOARD_V3)
    del body["scoreboard"]["games"][3]["homeTeam"]["teamTricode"]
    httpserver.expect_request(SCOREBOARD).respond_with_json(body)
    with pytest.raises(FeedResponseError, match=r"game 0022500174 homeTeam: field teamTricode is empty"):
        stats.games(DAY)


def test_the_real_2025_26_scoreboard_names_teams_and_tipoffs(httpserver, stats):
    """stats.nba.com's ScoreboardV3 answer of 2025-11-05, as captured: 11 games, tricodes, UTC tip-offs."""
    httpserver.expect_request(SCOREBOARD).respond_with_json(captured.load(captured.SCOREBOARD_V3))
    games = stats.games(date(2025, 11, 5))
    assert len(games) == 11 and not any(g.postponed for g in games)
    first = games[0]
    assert (first.game_id, first.away_team, first.home_team) == ("0022500171", "PHI", "CLE")
    assert first.tipoff == "2025-11-06T00:00:00Z"  # 19:00 New York (gameEt's wrong "Z" is not used)
    assert games[-1].tipoff == "2025-11-06T03:00:00Z"


def test_an_empty_linescore_no_longer_fails_the_date(httpserver, stats):
    """Since October 2025 scoreboardv2 answers GameHeader rows and an empty LineScore (nba_api #577,
    #596: the captured 2025-10-21 answer); the server here answers both endpoints as stats.nba.com
    does, and the feed takes the teams and tip-offs from ScoreboardV3."""
    httpserver.expect_request("/stats/scoreboardv2").respond_with_json(
        captured.load(captured.SCOREBOARD_V2_EMPTY_LINESCORE)
    )
    httpserver.expect_request(SCOREBOARD).respond_with_json(captured.load(captured.SCOREBOARD_V3))
    games = stats.games(date(2025, 11, 5))
    assert [g.home_team for g in games][:3] == ["CLE", "DET", "IND"]


def test_an_offseason_day_is_empty(httpserver, stats):
    body = captured.load(captured.SCOREBOARD_V3)
    body["scoreboard"]["games"] = []  # as the captured 2025-07-15 answer
    httpserver.expect_request(SCOREBOARD).respond_with_json(body)
    assert stats.games(date(2025, 7, 15)) == []


def test_the_real_roster_keeps_every_player_and_when_he_was_acquired(httpserver, stats):
    httpserver.expect_request("/stats/commonteamroster").respond_with_json(captured.load(captured.ROSTER_CLE))
    roster = stats.roster(CLE, "2025-26")
    assert len(roster) == 19
    harden = next(p for p in roster if p.name == "James Harden")
    assert (harden.player_id, harden.acquired) == (201935, date(2026, 2, 4))  # "Traded from LAC on 02/04/26"
    assert next(p for p in roster if p.name == "Evan Mobley").acquired is None  # "#3 Pick in 2021 Draft"


def test_an_empty_roster_takes_the_stored_one_or_fails_naming_the_team(httpserver, stats):
    rosters = {**ROSTERS, BKN: []}  # BKN's roster comes back empty (CommonTeamRoster with no rows)
    _serve_day(httpserver, [("0022500500", LAL, DEN, "7:30 pm ET"), ("0022500501", BOS, BKN, "8:00 pm ET")],
               rosters)  # fmt: skip
    with pytest.raises(
        FeedEmpty, match=r"no players for BKN \(BKN@BOS, game 0022500501\).*no earlier roster"
    ):
        slate_from_feed(stats, DAY, FeedReport())
    report = FeedReport()
    stored = {"BKN": (date(2025, 12, 30), ["Cam Thomas", "Nic Claxton"])}
    raw = slate_from_feed(stats, DAY, report, stored.get)
    bkn = raw[raw["team"] == "BKN"]
    assert sorted(bkn["player_name"]) == ["Cam Thomas", "Nic Claxton"] and set(bkn["opponent"]) == {"BOS"}
    assert len(raw) == 7 and report.roster_fallbacks == [
        "BKN (BKN@BOS, game 0022500501): the feed's roster was empty; used the 2 players of BKN's stored "
        "slate of 2025-12-30"
    ]


def test_a_player_on_two_rosters_goes_to_the_team_that_acquired_him_last(httpserver, stats):
    """The captured CLE roster lists Harden "Traded from LAC on 02/04/26"; for a few hours LAC's
    roster may still list him. The newest acquisition wins; without one to tell, he is left off."""
    body = captured.load(captured.ROSTER_CLE)
    httpserver.expect_request("/stats/commonteamroster", query_string={"TeamID": str(CLE), "Season": "2025-26",
                              "LeagueID": "00"}).respond_with_json(body)  # fmt: skip
    lac = 1610612746
    httpserver.expect_request(
        "/stats/commonteamroster", query_string={"TeamID": str(lac), "Season": "2025-26", "LeagueID": "00"}
    ).respond_with_json(
        captured.roster(  # fmt: skip
            lac,
            [(201935, "James Harden"), (7, "Kawhi Leonard"), (1629622, "Max Strus")],
            {201935: "Signed on 07/06/23", 7: "Signed on 07/06/19", 1629622: "Traded from MIA on 07/06/23"},
        )
    )
    day = date(2026, 2, 5)
    httpserver.expect_request(SCOREBOARD).respond_with_json(
        captured.scoreboard_v3(day, [("0022500800", CLE, lac, "7:00 pm ET", "2026-02-06T00:00:00Z")])
    )
    report = FeedReport()
    slate, _ = validate_slate(slate_from_feed(stats, day, report), "nba stats")  # no "listed twice"
    teams = dict(zip(slate["player_lookup"], slate["team"], strict=True))
    assert teams["jamesharden"] == "CLE" and teams["kawhileonard"] == "LAC"
    assert "maxstrus" not in teams  # both rosters say 07/06/23: nothing tells them apart
    assert report.roster_conflicts == [
        "James Harden: on the rosters of CLE, LAC; kept CLE (acquired 2026-02-04, the newest)",
        "Max Strus: on the rosters of CLE, LAC and the feed does not say which acquired him last; "
        "left off the slate",
    ]


def log_row(pid: int, name: str, team: str, matchup: str, pts: int, game_id="0022500500", day="2026-01-02"):
    return {"SEASON_ID": "22025", "PLAYER_ID": pid, "PLAYER_NAME": name, "TEAM_ID": 1,
            "TEAM_ABBREVIATION": team, "TEAM_NAME": team, "GAME_ID": game_id, "GAME_DATE": day,
            "MATCHUP": matchup, "WL": "W", "MIN": 30, "PTS": pts, "FGM": 5, "FGA": 10, "FG3M": 1,
            "FG3A": 3, "FTM": 2, "FTA": 2, "OREB": 1, "DREB": 4, "REB": 5, "AST": 3, "TOV": 1}  # fmt: skip


def test_season_of_a_date():
    assert season_of(date(2026, 1, 2)) == "2025-26"
    assert season_of(date(2025, 10, 21)) == "2025-26"
    assert season_of(date(2000, 5, 1)) == "1999-00"


def test_a_player_listed_twice_by_one_team_is_one_row(httpserver, stats):
    rosters = {**ROSTERS, BOS: [(5, "Jayson Tatum"), (5, "Jayson Tatum")]}
    _serve_day(httpserver, [("0022500501", BOS, BKN, "8:00 pm ET")], rosters)
    raw = slate_from_feed(stats, DAY, FeedReport())
    assert sorted(raw["player_name"]) == ["Jayson Tatum", "Nic Claxton"]
