"""Response bodies in the documented shapes: stats.nba.com resultSets (nba_api endpoint docs) and
The Odds API v4 events / event odds."""

from __future__ import annotations

from nba_assets.feeds.stats_parsing import GAME_LOG_COLUMNS

TEAMS = {1610612747: "LAL", 1610612743: "DEN", 1610612738: "BOS", 1610612751: "BKN"}


def result_sets(*sets: tuple[str, list[str], list[list]]) -> dict:
    return {
        "resource": "x",
        "parameters": {},
        "resultSets": [{"name": n, "headers": h, "rowSet": r} for n, h, r in sets],
    }


def scoreboard(games: list[tuple[str, int, int, str]]) -> dict:
    """games: (game_id, home_team_id, visitor_team_id, status text)."""
    header = ["GAME_DATE_EST", "GAME_SEQUENCE", "GAME_ID", "GAME_STATUS_ID", "GAME_STATUS_TEXT",
              "GAMECODE", "HOME_TEAM_ID", "VISITOR_TEAM_ID", "SEASON"]  # fmt: skip
    rows = [["2026-01-02T00:00:00", i, g, 1, s, "x", h, v, "2025"] for i, (g, h, v, s) in enumerate(games)]
    line_header = ["GAME_DATE_EST", "GAME_SEQUENCE", "GAME_ID", "TEAM_ID", "TEAM_ABBREVIATION", "PTS"]
    lines = [
        ["2026-01-02T00:00:00", i, g, t, TEAMS[t], None]
        for i, (g, h, v, _) in enumerate(games)
        for t in (h, v)
    ]
    return result_sets(("GameHeader", header, rows), ("LineScore", line_header, lines))


def roster(team_id: int, players: list[tuple[int, str]]) -> dict:
    header = ["TeamID", "SEASON", "LeagueID", "PLAYER", "PLAYER_SLUG", "NUM", "POSITION", "PLAYER_ID"]
    rows = [[team_id, "2025", "00", name, name.lower(), "1", "G", pid] for pid, name in players]
    return result_sets(("CommonTeamRoster", header, rows), ("Coaches", ["TEAM_ID"], []))


def game_log(rows: list[dict]) -> dict:
    header = list(GAME_LOG_COLUMNS)
    return result_sets(("LeagueGameLog", header, [[r.get(c) for c in header] for r in rows]))


def log_row(pid: int, name: str, team: str, matchup: str, pts: int, game_id="0022500500", day="2026-01-02"):
    return {"SEASON_ID": "22025", "PLAYER_ID": pid, "PLAYER_NAME": name, "TEAM_ID": 1,
            "TEAM_ABBREVIATION": team, "TEAM_NAME": team, "GAME_ID": game_id, "GAME_DATE": day,
            "MATCHUP": matchup, "WL": "W", "MIN": 30, "PTS": pts, "FGM": 5, "FGA": 10, "FG3M": 1,
            "FG3A": 3, "FTM": 2, "FTA": 2, "OREB": 1, "DREB": 4, "REB": 5, "AST": 3, "TOV": 1}  # fmt: skip


def events(items: list[tuple[str, str, str, str]]) -> list[dict]:
    """items: (id, home, away, commence_time)."""
    return [
        {"id": i, "sport_key": "basketball_nba", "sport_title": "NBA", "commence_time": t,
         "home_team": h, "away_team": a}
        for i, h, a, t in items
    ]  # fmt: skip


def event_odds(event_id: str, books: dict[str, list[tuple[str, float, float | None, float | None]]]) -> dict:
    """books: key -> [(player, point, over price, under price)]; a None price is left out."""
    bookmakers = []
    for key, lines in books.items():
        outcomes = []
        for player, point, over, under in lines:
            for side, price in (("Over", over), ("Under", under)):
                outcome = {"name": side, "description": player, "point": point}
                if price is not None:
                    outcome["price"] = price
                outcomes.append(outcome)
        bookmakers.append(
            {"key": key, "title": key.title(), "last_update": "2026-01-02T15:00:00Z",
             "markets": [{"key": "player_points", "last_update": "2026-01-02T15:00:00Z", "outcomes": outcomes}]}
        )  # fmt: skip
    return {"id": event_id, "sport_key": "basketball_nba", "commence_time": "2026-01-03T00:30:00Z",
            "home_team": "Los Angeles Lakers", "away_team": "Denver Nuggets", "bookmakers": bookmakers}  # fmt: skip
