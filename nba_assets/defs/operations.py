"""The operating knobs: the morning deadline and where the freshness sensor starts watching."""

from __future__ import annotations

import os
from datetime import date

import dagster as dg

from nba_assets.deadlines import DEFAULT_DEADLINE, parse_deadline


class OperationsSettings(dg.ConfigurableResource):
    """``NBA_ASSETS_FRESHNESS_DEADLINE`` (HH:MM New York, default 09:00): a game day's consolidated
    predictions and exports are due then; the morning summary is sent then too.
    ``NBA_ASSETS_FRESHNESS_START`` (a date): the first date the freshness sensor watches when it
    has no cursor yet (default: the current New York date)."""

    freshness_deadline: str = DEFAULT_DEADLINE
    freshness_start: str = ""

    @classmethod
    def from_env(cls) -> OperationsSettings:
        settings = cls(
            freshness_deadline=os.environ.get("NBA_ASSETS_FRESHNESS_DEADLINE", DEFAULT_DEADLINE),
            freshness_start=os.environ.get("NBA_ASSETS_FRESHNESS_START", ""),
        )
        parse_deadline(settings.freshness_deadline)  # a bad value fails at load, naming the setting
        if settings.freshness_start:
            date.fromisoformat(settings.freshness_start)
        return settings
