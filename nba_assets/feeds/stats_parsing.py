"""Parsers of stats.nba.com's answers for three endpoints.

Shapes from ``nba_api``'s recorded responses (``nba_assets_tests/feeds/captures``): ScoreboardV3
(``scoreboard.games[]``), and the ``resultSets`` (``headers`` + ``rowSet``) of CommonTeamRoster and
LeagueGameLog in player mode (the columns of ``../shared/data/nba_player_logs``). Anything else
raises FeedResponseError naming the field.

ScoreboardV3, not V2: since October 2025 stats.nba.com answers ``scoreboardv2`` with GameHeader rows
and an empty LineScore (nba_api issues #577, #596; nba_api 1.11 deprecates V2 for V3), so V2 no
longer names the teams. V3 carries each team's tricode and the tip-off in UTC (``gameTimeUTC``; its
``gameEt`` is New York wall time wrongly suffixed ``Z`` and is not used).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

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
    tipoff: str | None = None  # UTC, "YYYY-MM-DDTHH:MM:SSZ"; None when the feed gives none

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


def _object(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise FeedResponseError(FEED, f"{where}: expected a JSON object, got {type(value).__name__}")
    return value


def _utc(value: object, where: str) -> str | None:
    """``gameTimeUTC`` as "YYYY-MM-DDTHH:MM:SSZ"; None when blank (a game without a time yet)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise FeedResponseError(FEED, f"{where}: field gameTimeUTC is not a time ({value!r})") from None
    if moment.tzinfo is None:
        raise FeedResponseError(FEED, f"{where}: field gameTimeUTC has no UTC offset ({value!r})")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_scoreboard(payload: object) -> list[Game]:
    """The day's games from ScoreboardV3 (postponed ones included, flagged), with their tip-off."""
    board = _object(_object(payload, "scoreboardv3").get("scoreboard"), "scoreboardv3 scoreboard")
    entries = board.get("games")
    if not isinstance(entries, list):
        raise FeedResponseError(FEED, "scoreboardv3: field scoreboard.games is not a list")
    games, seen = [], set()
    for i, entry in enumerate(entries):
        entry = _object(entry, f"scoreboardv3 game {i}")
        game_id = _text(entry, "gameId", f"scoreboardv3 game {i}")
        if game_id in seen:
            continue
        seen.add(game_id)
        home = _object(entry.get("homeTeam"), f"game {game_id} homeTeam")
        away = _object(entry.get("awayTeam"), f"game {game_id} awayTeam")
        games.append(
            Game(
                game_id,
                _int(home, "teamId", f"game {game_id} homeTeam"),
                _int(away, "teamId", f"game {game_id} awayTeam"),
                _text(home, "teamTricode", f"game {game_id} homeTeam"),
                _text(away, "teamTricode", f"game {game_id} awayTeam"),
                str(entry.get("gameStatusText") or ""),
                _utc(entry.get("gameTimeUTC"), f"game {game_id}"),
            )
        )
    return games


class RosterPlayer(NamedTuple):
    player_id: int
    name: str
    acquired: date | None = None  # from HOW_ACQUIRED ("Traded from LAC on 02/04/26"), if it says


_ON_DATE = re.compile(r"\bon (\d{1,2})/(\d{1,2})/(\d{2,4})\b")


def acquired_on(text: object) -> date | None:
    """The date in CommonTeamRoster's HOW_ACQUIRED ("Signed on 09/25/25"); None when it has none
    ("#3 Pick in 2021 Draft") or the text is not a date."""
    found = _ON_DATE.search(text) if isinstance(text, str) else None
    if found is None:
        return None
    month, day, year = (int(g) for g in found.groups())
    try:
        return date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return None


def parse_roster(payload: object) -> list[RosterPlayer]:
    """One team's roster: player id, name and, when the feed says, the day the team acquired him."""
    rows = result_set(payload, "CommonTeamRoster", ("PLAYER", "PLAYER_ID"))
    return [
        RosterPlayer(
            _int(r, "PLAYER_ID", "CommonTeamRoster"),
            _text(r, "PLAYER", "CommonTeamRoster"),
            acquired_on(r.get("HOW_ACQUIRED")),
        )
        for r in rows
    ]


def parse_game_log(payload: object) -> pd.DataFrame:
    """League game log (player mode) as the nba_player_logs columns; validation happens downstream."""
    rows = result_set(payload, "LeagueGameLog", _GAME_LOG_REQUIRED)
    frame = pd.DataFrame(rows)
    for column in GAME_LOG_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame[list(GAME_LOG_COLUMNS)]
