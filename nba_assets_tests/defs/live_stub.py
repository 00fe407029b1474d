"""A stats.nba.com + The Odds API stand-in on 127.0.0.1 (pytest-httpserver) for whole-day tests.

The players are the bundled sample's 2025-02-19 game (LAL vs CHA), moved to the test's date, so
every system has their real history.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.feeds.nba_stats import season_of
from nba_assets.inputs.bundled import bundled_box_scores
from nba_assets_tests.feeds import payloads
from nba_assets_tests.fixtures import SMALL_DATE

KEY = "stub-odds-key"
LAL, CHA = 1610612747, 1610612766
payloads.TEAMS[CHA] = "CHA"
GAME_ID = "0022500999"
EVENT = "ev-lal-cha"


def players() -> pd.DataFrame:
    box = bundled_box_scores()
    return box[box["game_date"] == SMALL_DATE].reset_index(drop=True)


def base_lines() -> dict[str, float]:
    """A line per player who scored: near their points that day (0.5 steps)."""
    day = players()
    return {n: max(p, 2.0) + 0.5 for n, p in zip(day["player_name"], day["points"], strict=True) if p >= 3}


def serve_slate(httpserver, day: date) -> None:
    """Scoreboard (one game, CHA at LAL) and both rosters for ``day``."""
    httpserver.expect_request("/stats/scoreboardv2", query_string={"GameDate": day.isoformat(), "LeagueID": "00",
                              "DayOffset": "0"}).respond_with_json(payloads.scoreboard([(GAME_ID, LAL, CHA, "7:30 pm ET")]))  # fmt: skip
    roster = players()
    for team_id, team in ((LAL, "LAL"), (CHA, "CHA")):
        rows = roster[roster["team"] == team]
        httpserver.expect_request("/stats/commonteamroster", query_string={"TeamID": str(team_id), "Season": season_of(day), "LeagueID": "00"}).respond_with_json(
            payloads.roster(team_id, list(zip(rows["player_id"].astype(int), rows["player_name"], strict=True)))
        )  # fmt: skip


def serve_lines(httpserver, day: date, lines: dict[str, float]) -> None:
    httpserver.expect_request("/v4/sports/basketball_nba/events").respond_with_json(
        payloads.events([(EVENT, "Los Angeles Lakers", "Charlotte Hornets", f"{day.isoformat()}T23:30:00Z")]),
        headers={"x-requests-used": "10", "x-requests-remaining": "490", "x-requests-last": "0"},
    )
    books = {
        "draftkings": [(n, line, -110, -110) for n, line in lines.items()],
        "fanduel": [(n, line, -115, None) for n, line in lines.items()],  # a book without under prices
    }
    httpserver.expect_request(f"/v4/sports/basketball_nba/events/{EVENT}/odds").respond_with_json(
        payloads.event_odds(EVENT, books),
        headers={"x-requests-used": "11", "x-requests-remaining": "489", "x-requests-last": "1"},
    )


def serve_box_scores(httpserver, day: date) -> None:
    """The league game log of ``day``: the sample game's real stat lines."""
    rows = []
    for r in players().itertuples():
        matchup = f"{r.team} vs. {r.opponent}" if r.is_home else f"{r.team} @ {r.opponent}"
        row = payloads.log_row(int(r.player_id), r.player_name, r.team, matchup, int(r.points), GAME_ID,
                               day.isoformat())  # fmt: skip
        row["MIN"] = float(r.minutes)
        rows.append(row)
    httpserver.expect_request("/stats/leaguegamelog", query_string=game_log_query(day)
                              ).respond_with_json(payloads.game_log(rows))  # fmt: skip


def feed_env(monkeypatch, httpserver) -> None:
    monkeypatch.setenv("NBA_ASSETS_STATS_URL", httpserver.url_for("/stats"))
    monkeypatch.setenv("NBA_ASSETS_STATS_DELAY", "0")
    monkeypatch.setenv("ODDS_API_KEY", KEY)
    monkeypatch.setenv("NBA_ASSETS_ODDS_URL", httpserver.url_for("/").rstrip("/"))


def game_log_query(day: date) -> dict[str, str]:
    us = day.strftime("%m/%d/%Y")
    return {"Counter": "0", "Direction": "ASC", "LeagueID": "00", "PlayerOrTeam": "P", "Season": season_of(day),
            "SeasonType": "Regular Season", "Sorter": "DATE", "DateFrom": us, "DateTo": us}  # fmt: skip
