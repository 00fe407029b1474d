"""Parsers of stats.nba.com's ``resultSets`` (``headers`` + ``rowSet``) for three endpoints.

Shapes from the ``nba_api`` endpoint docs: ScoreboardV2 (GameHeader, LineScore), CommonTeamRoster
(CommonTeamRoster) and LeagueGameLog in player mode (LeagueGameLog; the columns of
``../shared/data/nba_player_logs``). Anything else raises FeedResponseError naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nba_assets.feeds.errors import FeedResponseError

FEED = "nba stats"
# stats.nba.com's GAME_STATUS_TEXT for a game that will not be played on its date
POSTPONED = ("ppd", "postponed", "cancelled", "canceled")
GAME_LOG_COLUMNS = (
    "SEASON_ID", "PLAYER_ID", "PLAYER_NAME", "TEAM_ID", "TEAM_ABBREVIATION", "TEAM_NAME", "GAME_ID",
    "GAME_DATE", "MATCHUP", "WL", "MIN", "PTS", "FGM", "FGA", "FG_PCT", "FG3M", "FG3A", "FG3_PCT",
    "FTM", "FTA", "FT_PCT", "OREB", "DREB", "REB", "AST", "STL", "BLK", "TOV", "PF", "PLUS_MINUS",
)  # fmt: skip
_GAME_LOG_REQUIRED = ("PLAYER_ID", "PLAYER_NAME", "TEAM_ABBREVIATION", "GAME_ID", "GAME_DATE", "MATCHUP",
                      "MIN", "PTS")  # fmt: skip


@dataclass(frozen=True)
class Game:
    game_id: str
    home_team_id: int
    away_team_id: int
    home_team: str
    away_team: str
    status: str

    @property
    def postponed(self) -> bool:
        return any(word in self.status.lower() for word in POSTPONED)


def result_set(payload: object, name: str, required: tuple[str, ...]) -> list[dict]:
    """Rows of the named result set as dicts; the set and its required headers must be there."""
    if not isinstance(payload, dict):
        raise FeedResponseError(FEED, f"{name}: expected a JSON object, got {type(payload).__name__}")
    sets = payload.get("resultSets", payload.get("resultSet"))
    if isinstance(sets, dict):
        sets = [sets]
    if not isinstance(sets, list):
        raise FeedResponseError(FEED, f"{name}: response has no 'resultSets' list")
    for entry in sets:
        if isinstance(entry, dict) and entry.get("name") == name:
            headers, rows = entry.get("headers"), entry.get("rowSet")
            if not isinstance(headers, list) or not isinstance(rows, list):
                raise FeedResponseError(FEED, f"{name}: 'headers' or 'rowSet' is not a list")
            missing = [h for h in required if h not in headers]
            if missing:
                raise FeedResponseError(FEED, f"{name}: missing field(s) {missing}")
            out = []
            for i, row in enumerate(rows):
                if not isinstance(row, list) or len(row) != len(headers):
                    raise FeedResponseError(FEED, f"{name}: row {i} does not match the headers")
                out.append(dict(zip(headers, row, strict=True)))
            return out
    raise FeedResponseError(FEED, f"response has no result set {name!r}")


def _text(row: dict, field: str, where: str) -> str:
    value = row.get(field)
    if value is None or (isinstance(value, str) and not value.strip()) or isinstance(value, dict | list):
        raise FeedResponseError(FEED, f"{where}: field {field} is empty or invalid ({value!r})")
    return str(value).strip()


def _int(row: dict, field: str, where: str) -> int:
    value = row.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FeedResponseError(FEED, f"{where}: field {field} is not a number ({value!r})")
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise FeedResponseError(FEED, f"{where}: field {field} is not a number ({value!r})") from None


def parse_scoreboard(payload: object) -> list[Game]:
    """The day's games (postponed ones included, flagged); abbreviations from LineScore."""
    headers = result_set(
        payload, "GameHeader", ("GAME_ID", "GAME_STATUS_TEXT", "HOME_TEAM_ID", "VISITOR_TEAM_ID")
    )
    scores = result_set(payload, "LineScore", ("TEAM_ID", "TEAM_ABBREVIATION"))
    abbreviations = {
        _int(r, "TEAM_ID", "LineScore"): _text(r, "TEAM_ABBREVIATION", "LineScore") for r in scores
    }
    games, seen = [], set()
    for row in headers:
        game_id = _text(row, "GAME_ID", "GameHeader")
        if game_id in seen:  # the header repeats per broadcaster on some days
            continue
        seen.add(game_id)
        home, away = _int(row, "HOME_TEAM_ID", game_id), _int(row, "VISITOR_TEAM_ID", game_id)
        if home not in abbreviations or away not in abbreviations:
            raise FeedResponseError(FEED, f"game {game_id}: team {home} or {away} missing from LineScore")
        status = row.get("GAME_STATUS_TEXT")
        games.append(Game(game_id, home, away, abbreviations[home], abbreviations[away], str(status or "")))
    return games


def parse_roster(payload: object) -> list[tuple[int, str]]:
    """(player_id, player name) of one team's roster."""
    rows = result_set(payload, "CommonTeamRoster", ("PLAYER", "PLAYER_ID"))
    return [(_int(r, "PLAYER_ID", "CommonTeamRoster"), _text(r, "PLAYER", "CommonTeamRoster")) for r in rows]


def parse_game_log(payload: object) -> pd.DataFrame:
    """League game log (player mode) as the nba_player_logs columns; validation happens downstream."""
    rows = result_set(payload, "LeagueGameLog", _GAME_LOG_REQUIRED)
    frame = pd.DataFrame(rows)
    for column in GAME_LOG_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame[list(GAME_LOG_COLUMNS)]
