"""NBA stats through ``nba-api``: the day's games, team rosters and a date's league game log.

``nba_api``'s ``NBAStatsHTTP.send_api_request`` does each request (its browser-like
``STATS_HEADERS``, its parameter ordering); this module gives it an instance-level ``base_url``
(tests point it at 127.0.0.1) and a polite session (timeouts, bounded retries on 429/5xx honouring
``Retry-After``, a delay between calls). One request per endpoint per date; rosters need one
request per team on the slate (stats.nba.com has no league-wide roster endpoint): at most 30 a day,
and only when a future date's slate is built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pandas as pd
import requests
from nba_api.stats.library.http import STATS_HEADERS, NBAStatsHTTP

from nba_assets.feeds.errors import FeedResponseError
from nba_assets.feeds.http import Pacer, Politeness, body_excerpt, guarded, polite_session
from nba_assets.feeds.stats_parsing import (
    FEED,
    Game,
    RosterPlayer,
    parse_game_log,
    parse_roster,
    parse_scoreboard,
)

DEFAULT_BASE_URL = "https://stats.nba.com/stats"


def season_of(game_date: date) -> str:
    """The NBA season a date belongs to, as stats.nba.com spells it (2025-26 runs Oct 2025-Jun 2026)."""
    start = game_date.year if game_date.month >= 8 else game_date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


class StatsFeed(Protocol):
    def games(self, game_date: date) -> list[Game]: ...

    def roster(self, team_id: int, season: str) -> list[RosterPlayer]: ...

    def game_log(self, game_date: date) -> pd.DataFrame: ...


class _Http(NBAStatsHTTP):
    """nba_api's stats HTTP with a per-instance base URL and session (its class-level ones are global)."""

    def __init__(self, base_url: str, session: requests.Session) -> None:
        self.base_url = base_url.rstrip("/") + "/{endpoint}"
        self._own_session = session

    def get_session(self):  # type: ignore[override]  # nba_api calls it on the instance
        return self._own_session


@dataclass
class NbaApiStatsFeed:
    """stats.nba.com (or a server of the same shape at ``base_url``)."""

    base_url: str = DEFAULT_BASE_URL
    politeness: Politeness = field(default_factory=Politeness)
    season_type: str = "Regular Season"
    requests_made: int = 0

    def __post_init__(self) -> None:
        self._session = polite_session(self.politeness)
        self._pacer = Pacer(self.politeness.delay_seconds, self.politeness.sleep)
        self._http = _Http(self.base_url, self._session)
        host = self.base_url.split("//", 1)[-1].split("/", 1)[0]
        self._headers = {**STATS_HEADERS, "Host": host}

    def _call(self, endpoint: str, parameters: dict, what: str) -> object:
        """One request through nba_api's ``send_api_request``; the raw response via a session hook."""
        last: list[requests.Response] = []

        def record(response: requests.Response, *args, **kwargs) -> None:
            last.append(response)

        def send() -> requests.Response:
            self._pacer.wait()
            self.requests_made += 1
            self._session.hooks["response"].append(record)
            try:
                self._http.send_api_request(
                    endpoint, parameters, headers=dict(self._headers), timeout=self.politeness.timeout_seconds
                )
            finally:
                self._session.hooks["response"].remove(record)
            return last[-1]

        response = guarded(FEED, what, self.politeness, send)
        try:
            return json.loads(response.text)
        except ValueError:
            raise FeedResponseError(FEED, f"{what}: malformed JSON ({body_excerpt(response)})") from None

    def games(self, game_date: date) -> list[Game]:
        payload = self._call(
            "scoreboardv3",
            {"GameDate": game_date.isoformat(), "LeagueID": "00"},
            f"scoreboardv3 {game_date}",
        )
        return parse_scoreboard(payload)

    def roster(self, team_id: int, season: str) -> list[RosterPlayer]:
        payload = self._call(
            "commonteamroster",
            {"TeamID": str(team_id), "Season": season, "LeagueID": "00"},
            f"commonteamroster {team_id} {season}",
        )
        return parse_roster(payload)

    def game_log(self, game_date: date) -> pd.DataFrame:
        day = game_date.strftime("%m/%d/%Y")
        payload = self._call(
            "leaguegamelog",
            {
                "Counter": "0",
                "Direction": "ASC",
                "LeagueID": "00",
                "PlayerOrTeam": "P",
                "Season": season_of(game_date),
                "SeasonType": self.season_type,
                "Sorter": "DATE",
                "DateFrom": day,
                "DateTo": day,
            },
            f"leaguegamelog {game_date}",
        )
        return parse_game_log(payload)
