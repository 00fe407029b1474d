"""Thin resources over the live feeds (``nba_assets.feeds``); unconfigured feeds stay off.

- ``nba_stats_feed``: on when ``base_url`` is set (``NBA_ASSETS_STATS_URL``, e.g.
  ``https://stats.nba.com/stats``); games and rosters for a future date's slate, the league game
  log for a finished date's box scores.
- ``odds_feed``: on when the key is set (``ODDS_API_KEY``, read through ``dg.EnvVar``: never logged,
  never in metadata); ``credit_budget`` caps the credits one run may spend.
"""

from __future__ import annotations

from typing import ClassVar

import dagster as dg
from pydantic import Field

from nba_assets.defs.env import EnvConfigured
from nba_assets.feeds.http import Politeness
from nba_assets.feeds.nba_stats import NbaApiStatsFeed
from nba_assets.feeds.odds_api import DEFAULT_BASE_URL as ODDS_URL
from nba_assets.feeds.odds_api import OddsApiFeed


class NbaStatsFeedResource(EnvConfigured, dg.ConfigurableResource):
    """stats.nba.com through nba-api; empty ``base_url`` = not configured."""

    base_url: str = ""
    timeout_seconds: float = 30.0
    retries: int = 3
    backoff_seconds: float = 2.0
    max_retry_after_seconds: float = 60.0  # a longer Retry-After is cut to this
    delay_seconds: float = 0.6
    season_type: str = "Regular Season"

    ENV: ClassVar[dict[str, str]] = {
        "base_url": "NBA_ASSETS_STATS_URL",
        "delay_seconds": "NBA_ASSETS_STATS_DELAY",
    }

    @property
    def configured(self) -> bool:
        return bool(self.base_url)

    def client(self) -> NbaApiStatsFeed:
        politeness = Politeness(
            self.timeout_seconds,
            self.retries,
            self.backoff_seconds,
            self.max_retry_after_seconds,
            self.delay_seconds,
        )
        return NbaApiStatsFeed(self.base_url, politeness, self.season_type)


class OddsFeedResource(EnvConfigured, dg.ConfigurableResource):
    """The Odds API v4; empty ``api_key`` = not configured."""

    api_key: str = ""
    base_url: str = ODDS_URL
    regions: str = "us"
    credit_budget: int = 100
    # a refresh whose lines cover fewer than this share of the players of the last good capture
    # stored for the date fails and keeps what is stored (docs/operations.md §12)
    min_kept_share: float = Field(default=0.5, ge=0.0, le=1.0)
    timeout_seconds: float = 20.0
    retries: int = 3
    backoff_seconds: float = 1.0
    max_retry_after_seconds: float = 60.0  # a longer Retry-After is cut to this
    delay_seconds: float = 0.2

    ENV: ClassVar[dict[str, str]] = {
        "api_key": "ODDS_API_KEY",
        "base_url": "NBA_ASSETS_ODDS_URL",
        "regions": "NBA_ASSETS_ODDS_REGIONS",
        "credit_budget": "NBA_ASSETS_ODDS_CREDIT_BUDGET",
        "min_kept_share": "NBA_ASSETS_LINES_MIN_SHARE",
    }

    @property
    def configured(self) -> bool:
        return bool(self.api_key)

    def client(self) -> OddsApiFeed:
        politeness = Politeness(
            self.timeout_seconds,
            self.retries,
            self.backoff_seconds,
            self.max_retry_after_seconds,
            self.delay_seconds,
        )
        return OddsApiFeed(self.api_key, self.base_url, self.regions, self.credit_budget, politeness)
