"""Responses captured from the real APIs (``captures/``, sources and licences in ``captures/SOURCES.md``),
served as they are, or, for a test's own date and players, with those values put into a captured
answer's envelope (every other field, and the shape, stay the real ones).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from functools import cache
from pathlib import Path

from nba_assets.feeds.stats_parsing import GAME_LOG_COLUMNS

HERE = Path(__file__).parent / "captures"
SCOREBOARD_V3 = "nba_scoreboardv3_2025-11-05.json"  # 11 games, Final, stats.nba.com via nba_api's cassette
SCOREBOARD_V2_EMPTY_LINESCORE = "nba_scoreboardv2_2025-10-21_empty_linescore.json"  # nba_api issue #596
SCOREBOARD_V2 = "nba_scoreboardv2_2026-02-22.json"
ROSTER_CLE = (
    "nba_commonteamroster_1610612739_2025-26.json"  # CLE 2025-26, Harden "Traded from LAC on 02/04/26"
)
GAME_LOG_TEAM_MODE = "nba_leaguegamelog_team_2025-26_first4.json"  # first 4 of its 1,688 rows kept
ODDS_EVENTS = "odds_scores_basketball_nba_2024-02-22.json"  # 21 events of 2024-02-22/23 (the /scores list)
ODDS_ORL_CLE = "odds_event_f54c4a22568ce9dc33fb410d1b0e75e9.json"  # 10 books, alternate ladders
ODDS_BKN_TOR = "odds_event_f9f3f99b5124a4ecf984003f0af23d2e.json"
TRICODES = {1610612747: "LAL", 1610612766: "CHA", 1610612743: "DEN", 1610612738: "BOS", 1610612751: "BKN",
            1610612739: "CLE", 1610612753: "ORL", 1610612746: "LAC"}  # fmt: skip


@cache
def _raw(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def load(name: str):
    """A fresh copy of a captured body (tests may change it)."""
    return json.loads(_raw(name))


def scoreboard_v3(day: date, games: list[tuple[str, int, int, str, str | None]]) -> dict:
    """The captured ScoreboardV3 answer with the test's games: (game_id, home id, away id, status
    text, tip-off UTC). Each game is the capture's first game with those fields replaced."""
    board = load(SCOREBOARD_V3)
    template = board["scoreboard"]["games"][0]
    board["scoreboard"]["gameDate"] = day.isoformat()
    out = []
    for game_id, home, away, status, tipoff in games:
        game = copy.deepcopy(template)
        game.update(gameId=game_id, gameCode=f"{day:%Y%m%d}/{TRICODES[away]}{TRICODES[home]}", gameStatus=1,
                    gameStatusText=status, gameTimeUTC=tipoff or "", period=0)  # fmt: skip
        for side, team in (("homeTeam", home), ("awayTeam", away)):
            game[side].update(teamId=team, teamTricode=TRICODES[team], score=0, periods=[])
        out.append(game)
    board["scoreboard"]["games"] = out
    return board


def roster(team_id: int, players: list[tuple[int, str]], acquired: dict[int, str] | None = None) -> dict:
    """The captured CommonTeamRoster answer (CLE 2025-26) with the test's players: each row is a
    captured row with TeamID, PLAYER, PLAYER_ID (and HOW_ACQUIRED when given) replaced."""
    body = load(ROSTER_CLE)
    sets = {s["name"]: s for s in body["resultSets"]}
    table = sets["CommonTeamRoster"]
    col = {h: i for i, h in enumerate(table["headers"])}
    template = table["rowSet"][0]
    rows = []
    for player_id, name in players:
        row = list(template)
        row[col["TeamID"]], row[col["PLAYER"]], row[col["PLAYER_ID"]] = team_id, name, player_id
        row[col["HOW_ACQUIRED"]] = (acquired or {}).get(player_id, "Signed on 10/14/24")
        rows.append(row)
    table["rowSet"] = rows
    body["parameters"]["TeamID"] = team_id
    return body


def game_log(rows: list[dict]) -> dict:
    """A leaguegamelog answer in player mode. No capture of player mode exists (nba_api's cassette is
    team mode, ``PlayerOrTeam=T``), so the captured envelope carries the player-mode headers and the
    rows of the bundled real box scores (``nba_player_logs``, MIT), which are that endpoint's rows."""
    body = load(GAME_LOG_TEAM_MODE)
    header = list(GAME_LOG_COLUMNS)
    body["resultSets"][0]["headers"] = header
    body["resultSets"][0]["rowSet"] = [[r.get(c) for c in header] for r in rows]
    body["parameters"]["PlayerOrTeam"] = "P"
    return body


def events(items: list[tuple[str, str, str, str]]) -> list[dict]:
    """The captured events list's first event with the test's (id, home, away, commence_time)."""
    template = load(ODDS_EVENTS)[0]
    keep = ("id", "sport_key", "sport_title", "commence_time", "home_team", "away_team")
    return [
        {**{k: template[k] for k in keep}, "id": i, "home_team": h, "away_team": a, "commence_time": t}
        for i, h, a, t in items
    ]


def event_odds(event_id: str, books: dict[str, list[tuple[str, float, float | None, float | None]]]) -> dict:
    """The captured ORL@CLE event odds with the test's books: key -> [(player, point, over, under)]
    (a None price is left out, as books do); each book keeps its captured title and timestamps."""
    body = load(ODDS_ORL_CLE)
    captured = {b["key"]: b for b in body["bookmakers"]}
    template = body["bookmakers"][0]
    bookmakers = []
    for key, lines in books.items():
        book = copy.deepcopy(captured.get(key, {**template, "key": key, "title": key.title()}))
        outcomes = []
        for player, point, over, under in lines:
            for side, price in (("Over", over), ("Under", under)):
                outcome = {"name": side, "description": player, "point": point}
                if price is not None:
                    outcome["price"] = price
                outcomes.append(outcome)
        book["markets"] = [{**book["markets"][0], "outcomes": outcomes}]
        bookmakers.append(book)
    return {**body, "id": event_id, "bookmakers": bookmakers}
