"""A stats.nba.com + The Odds API stand-in on 127.0.0.1 (pytest-httpserver) for whole-day tests.

The players are the bundled sample's 2025-02-19 game (LAL vs CHA), moved to the test's date, so
every system has their real history. Every answer is a captured real one (``feeds/captures``) with
the test's date, game, players and lines put in (``feeds/captured.py``).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.feeds.nba_stats import season_of
from nba_assets.inputs.bundled import bundled_box_scores
from nba_assets_tests.feeds import captured
from nba_assets_tests.fixtures import SMALL_DATE

KEY = "stub-odds-key"
LAL, CHA = 1610612747, 1610612766
GAME_ID = "0022500999"
EVENT = "ev-lal-cha"


def tipoff(day: date) -> str:
    """19:30 in New York on ``day`` (EST or EDT), in UTC as the scoreboard writes it."""
    from datetime import UTC, datetime, time
    from zoneinfo import ZoneInfo

    local = datetime.combine(day, time(19, 30), ZoneInfo("America/New_York"))
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def players() -> pd.DataFrame:
    box = bundled_box_scores()
    return box[box["game_date"] == SMALL_DATE].reset_index(drop=True)


def base_lines() -> dict[str, float]:
    """A line per player who scored: near their points that day (0.5 steps)."""
    day = players()
    return {n: max(p, 2.0) + 0.5 for n, p in zip(day["player_name"], day["points"], strict=True) if p >= 3}


def serve_slate(httpserver, day: date, rosters: dict[int, list[tuple[int, str, str]]] | None = None) -> None:
    """Scoreboard (one game, CHA at LAL) and both rosters for ``day``; ``rosters`` replaces a team's
    roster by (player id, name, HOW_ACQUIRED) rows (an empty list: the feed's empty answer)."""
    board = captured.scoreboard_v3(day, [(GAME_ID, LAL, CHA, "7:30 pm ET", tipoff(day))])
    httpserver.expect_request("/stats/scoreboardv3", query_string={"GameDate": day.isoformat(), "LeagueID": "00"}
                              ).respond_with_json(board)  # fmt: skip
    roster = players()
    for team_id, team in ((LAL, "LAL"), (CHA, "CHA")):
        rows = roster[roster["team"] == team]
        listed = [
            (int(i), n, "Signed on 10/14/24")
            for i, n in zip(rows["player_id"], rows["player_name"], strict=True)
        ]
        listed = (rosters or {}).get(team_id, listed)
        body = captured.roster(team_id, [(i, n) for i, n, _ in listed], {i: how for i, _, how in listed})
        httpserver.expect_request("/stats/commonteamroster", query_string={"TeamID": str(team_id),
                                  "Season": season_of(day), "LeagueID": "00"}).respond_with_json(body)  # fmt: skip


def serve_lines(httpserver, day: date, lines: dict[str, float]) -> None:
    httpserver.expect_request("/v4/sports/basketball_nba/events").respond_with_json(
        captured.events([(EVENT, "Los Angeles Lakers", "Charlotte Hornets", tipoff(day))]),
        headers={"x-requests-used": "10", "x-requests-remaining": "490", "x-requests-last": "0"},
    )
    books = {
        "draftkings": [(n, line, -110, -110) for n, line in lines.items()],
        "fanduel": [(n, line, -115, None) for n, line in lines.items()],  # a book without under prices
    }
    httpserver.expect_request(f"/v4/sports/basketball_nba/events/{EVENT}/odds").respond_with_json(
        captured.event_odds(EVENT, books),
        headers={"x-requests-used": "11", "x-requests-remaining": "489", "x-requests-last": "1"},
    )


def serve_box_scores(httpserver, day: date) -> None:
    """The league game log of ``day``: the sample game's real stat lines."""
    rows = []
    for r in players().itertuples():
        matchup = f"{r.team} vs. {r.opponent}" if r.is_home else f"{r.team} @ {r.opponent}"
        row = log_row(
            int(r.player_id), r.player_name, r.team, matchup, int(r.points), GAME_ID, day.isoformat()
        )
        row["MIN"] = float(r.minutes)
        rows.append(row)
    httpserver.expect_request("/stats/leaguegamelog", query_string=game_log_query(day)
                              ).respond_with_json(captured.game_log(rows))  # fmt: skip


def log_row(pid: int, name: str, team: str, matchup: str, pts: int, game_id: str, day: str) -> dict:
    return {"SEASON_ID": "22025", "PLAYER_ID": pid, "PLAYER_NAME": name, "TEAM_ID": 1,
            "TEAM_ABBREVIATION": team, "TEAM_NAME": team, "GAME_ID": game_id, "GAME_DATE": day,
            "MATCHUP": matchup, "WL": "W", "MIN": 30, "PTS": pts, "FGM": 5, "FGA": 10, "FG3M": 1,
            "FG3A": 3, "FTM": 2, "FTA": 2, "OREB": 1, "DREB": 4, "REB": 5, "AST": 3, "TOV": 1}  # fmt: skip


def feed_env(monkeypatch, httpserver) -> None:
    monkeypatch.setenv("NBA_ASSETS_STATS_URL", httpserver.url_for("/stats"))
    monkeypatch.setenv("NBA_ASSETS_STATS_DELAY", "0")
    monkeypatch.setenv("ODDS_API_KEY", KEY)
    monkeypatch.setenv("NBA_ASSETS_ODDS_URL", httpserver.url_for("/").rstrip("/"))


def game_log_query(day: date) -> dict[str, str]:
    us = day.strftime("%m/%d/%Y")
    return {"Counter": "0", "Direction": "ASC", "LeagueID": "00", "PlayerOrTeam": "P", "Season": season_of(day),
            "SeasonType": "Regular Season", "Sorter": "DATE", "DateFrom": us, "DateTo": us}  # fmt: skip
