from __future__ import annotations

import pytest

from nba_assets.feeds.http import Politeness
from nba_assets.feeds.nba_stats import NbaApiStatsFeed
from nba_assets.feeds.odds_api import OddsApiFeed

FAST = Politeness(
    timeout_seconds=0.5, retries=2, backoff_seconds=0.02, max_retry_after_seconds=2, delay_seconds=0
)
KEY = "sekrit-key-123"


@pytest.fixture
def stats(httpserver) -> NbaApiStatsFeed:
    return NbaApiStatsFeed(base_url=httpserver.url_for("/stats"), politeness=FAST)


@pytest.fixture
def odds(httpserver) -> OddsApiFeed:
    return OddsApiFeed(api_key=KEY, base_url=httpserver.url_for("/"), credit_budget=10, politeness=FAST)
