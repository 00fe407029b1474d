"""Sportsbook points lines through The Odds API v4: the day's events, then each event's odds.

Credits: the events list is free; each event-odds call costs one credit per market per region.
The client counts what it spends and refuses, before sending, a call that would take the run over
``credit_budget`` (or past what the server says remains). The key travels only as the ``apiKey``
query parameter: errors name the request, never the URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

import pandas as pd

from nba_assets.feeds.errors import CreditBudgetExceeded, FeedResponseError
from nba_assets.feeds.http import (
    Pacer,
    Politeness,
    body_excerpt,
    guarded,
    polite_session,
    redact_urllib3_logs,
)
from nba_assets.feeds.odds_parsing import FEED, MARKET, Event, parse_event_odds, parse_events
from nba_assets.game_day import NEW_YORK

DEFAULT_BASE_URL = "https://api.the-odds-api.com"
SPORT = "basketball_nba"


@dataclass
class Credits:
    """The server's counters from the last response, and what this client spent."""

    used: int | None = None
    remaining: int | None = None
    last: int | None = None
    spent: int = 0

    def as_metadata(self) -> dict[str, int]:
        fields = {"used": self.used, "remaining": self.remaining, "last": self.last, "spent": self.spent}
        return {f"credits_{k}": v for k, v in fields.items() if v is not None}


class LinesFeed(Protocol):
    def events(self, game_date: date) -> list[Event]: ...

    def event_lines(self, event_id: str) -> tuple[pd.DataFrame, int]: ...


def _header_int(headers, name: str) -> int | None:
    try:
        return int(float(headers[name]))
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class OddsApiFeed:
    api_key: str
    base_url: str = DEFAULT_BASE_URL
    regions: str = "us"
    credit_budget: int = 100  # most credits one run may spend
    politeness: Politeness = field(default_factory=lambda: Politeness(delay_seconds=0.2))
    credits: Credits = field(default_factory=Credits)

    def __post_init__(self) -> None:
        redact_urllib3_logs()
        self._session = polite_session(self.politeness, {"Accept": "application/json"})
        self._pacer = Pacer(self.politeness.delay_seconds, self.politeness.sleep)

    def __repr__(self) -> str:  # never the key
        return (
            f"OddsApiFeed(base_url={self.base_url!r}, regions={self.regions!r}, budget={self.credit_budget})"
        )

    @property
    def cost_per_event(self) -> int:
        return len([r for r in self.regions.split(",") if r.strip()])

    def _get(self, path: str, params: dict, what: str) -> object:
        url = f"{self.base_url.rstrip('/')}/v4/sports/{SPORT}/{path}"

        def send():
            self._pacer.wait()
            return self._session.get(
                url, params={**params, "apiKey": self.api_key}, timeout=self.politeness.timeout_seconds
            )

        response = guarded(FEED, what, self.politeness, send)
        self.credits.used = _header_int(response.headers, "x-requests-used")
        self.credits.remaining = _header_int(response.headers, "x-requests-remaining")
        self.credits.last = _header_int(response.headers, "x-requests-last")
        self.credits.spent += self.credits.last or 0
        try:
            return json.loads(response.text)
        except ValueError:
            raise FeedResponseError(
                FEED, f"{what}: malformed JSON ({body_excerpt(response, (self.api_key,))})"
            ) from None

    def events(self, game_date: date) -> list[Event]:
        """Events starting on the New York date (the API speaks UTC)."""
        start = datetime.combine(game_date, time(0), NEW_YORK).astimezone(UTC)
        end = start + timedelta(days=1)
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        payload = self._get(
            "events",
            {"commenceTimeFrom": start.strftime(fmt), "commenceTimeTo": end.strftime(fmt)},
            f"events {game_date}",
        )
        events = parse_events(payload)
        return [e for e in events if _ny_date(e.commence_time) in (game_date, None)]

    def event_lines(self, event_id: str) -> tuple[pd.DataFrame, int]:
        """Every bookmaker's player_points line of one event; (rows, dropped outcomes)."""
        cost = self.cost_per_event
        if self.credits.spent + cost > self.credit_budget:
            raise CreditBudgetExceeded(
                FEED,
                f"event {event_id} would spend {cost} credit(s), {self.credits.spent} already spent of the "
                f"budget {self.credit_budget}: stopped before the request (raise NBA_ASSETS_ODDS_CREDIT_BUDGET)",
            )
        if self.credits.remaining is not None and self.credits.remaining < cost:
            raise CreditBudgetExceeded(
                FEED,
                f"event {event_id}: the account has {self.credits.remaining} credit(s) left, needs {cost}",
            )
        payload = self._get(
            f"events/{event_id}/odds",
            {"markets": MARKET, "regions": self.regions, "oddsFormat": "american"},
            f"odds of event {event_id}",
        )
        return parse_event_odds(payload)


def _ny_date(text: str) -> date | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(NEW_YORK).date()
    except ValueError:
        return None
