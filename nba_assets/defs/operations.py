"""The operating knobs: the morning deadline and where the freshness sensor starts watching."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import dagster as dg
from pydantic import field_validator

from nba_assets.deadlines import DEFAULT_DEADLINE, parse_deadline
from nba_assets.defs.env import EnvConfigured, is_env_var


class OperationsSettings(EnvConfigured, dg.ConfigurableResource):
    """``NBA_ASSETS_FRESHNESS_DEADLINE`` (HH:MM New York, default 09:00): a game day's consolidated
    predictions and exports are due then; the morning summary is sent then too.
    ``NBA_ASSETS_FRESHNESS_START`` (a date): the first date the freshness sensor watches when it
    has no cursor yet (default: the current New York date)."""

    freshness_deadline: str = DEFAULT_DEADLINE
    freshness_start: str = ""

    ENV: ClassVar[dict[str, str]] = {
        "freshness_deadline": "NBA_ASSETS_FRESHNESS_DEADLINE",
        "freshness_start": "NBA_ASSETS_FRESHNESS_START",
    }

    @field_validator("freshness_deadline", mode="before")
    @classmethod
    def _deadline(cls, value: str) -> str:
        if not is_env_var(value):
            parse_deadline(value)  # a clear error naming NBA_ASSETS_FRESHNESS_DEADLINE
        return value

    @field_validator("freshness_start", mode="before")
    @classmethod
    def _start(cls, value: str) -> str:
        if value and not is_env_var(value):
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"freshness start {value!r} is not YYYY-MM-DD (NBA_ASSETS_FRESHNESS_START)"
                ) from None
        return value
