"""The export file value type, the v1 paths and the one deterministic JSON serialisation."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import pandas as pd

from nba_assets.naming import safe_key

API_PREFIX = "v1"
Kind = Literal["all_players", "player", "predictions", "best_bets", "results"]
# "tonight" and "latest" files show the newest day; publish never moves them back to an older one.
Pointer = Literal["tonight", "latest"]
CACHE_CURRENT = "public, max-age=60"  # files the site re-reads all evening
CACHE_DATED = "public, max-age=300"  # a day's files change only when that day is re-run
PLAYER_DIR = f"{API_PREFIX}/tonight/player/"
_PLAIN_LOOKUP = re.compile(r"^[a-z0-9]{1,64}$")


@dataclass(frozen=True)
class ExportFile:
    """One front-end file before serialisation: where it goes, what it holds, how it is cached."""

    path: str
    payload: dict[str, Any]
    kind: Kind
    cache_control: str = CACHE_DATED
    pointer: Pointer | None = None

    @property
    def game_date(self) -> str:
        return str(self.payload.get("game_date", ""))


def all_players_path() -> str:
    return f"{API_PREFIX}/tonight/all-players.json"


def player_path(player_lookup: str) -> str:
    """Lookups are already [a-z0-9] (naming.player_lookup); anything else goes through safe_key (L4)."""
    stem = player_lookup if _PLAIN_LOOKUP.match(player_lookup) else safe_key(player_lookup)
    return f"{PLAYER_DIR}{stem}.json"


def predictions_path(game_date: date) -> str:
    return f"{API_PREFIX}/predictions/{game_date.isoformat()}.json"


def best_bets_path(game_date: date | None) -> str:
    """``None`` is ``latest.json``, the same payload as the newest dated file."""
    return f"{API_PREFIX}/best-bets/{'latest' if game_date is None else game_date.isoformat()}.json"


def results_path(game_date: date) -> str:
    return f"{API_PREFIX}/results/{game_date.isoformat()}.json"


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, whole seconds: the one generated_at format."""
    if moment.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def serialise(payload: dict[str, Any]) -> bytes:
    """Sorted keys, compact, UTF-8, NaN/inf refused: equal payloads give byte-identical files."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def num(value: Any, digits: int) -> float:
    """A required number rounded for stable output. NaN stays NaN so the quality gate reports it."""
    out = round(float(value), digits)
    return 0.0 if out == 0 else out  # no "-0.0" in the files


def opt_num(value: Any, digits: int) -> float | None:
    """A nullable number: missing (None/NaN/NA) becomes null."""
    if _missing(value):
        return None
    try:
        return num(value, digits)
    except (TypeError, ValueError):
        return None


def opt_str(value: Any) -> str | None:
    return None if _missing(value) else str(value)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
