"""Who is out: a source (CSV, Parquet or ``bq://``) of ``game_date, player, status`` rows.

A player listed with an out status on the date is reported ``skipped`` with reason
``out: <status>``; other statuses (probable, questionable, available) are kept as information.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.inputs.box_scores import lookups
from nba_assets.inputs.sources import read_source
from nba_assets.inputs.validation import Checker, parse_dates, require_text

OUT_STATUSES = frozenset({"out", "doubtful", "suspended", "inactive", "injured", "not with team"})
COLUMNS = ("game_date", "player_lookup", "status")


def validate_availability(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    check = Checker(source, frame)
    if not check.require_columns(("game_date", "player", "status")):
        check.raise_if_any()
    out = pd.DataFrame(index=frame.index)
    out["game_date"] = parse_dates(check, "game_date")
    out["player_lookup"] = lookups(check, require_text(check, "player"))
    out["status"] = require_text(check, "status").str.lower()
    check.raise_if_any()
    return out[list(COLUMNS)].reset_index(drop=True)


def load_availability(sources: list[str]) -> pd.DataFrame:
    frames = [validate_availability(read_source(s), s) for s in sources]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(COLUMNS))


def players_out(availability: pd.DataFrame, game_date: date) -> dict[str, str]:
    """player_lookup -> status for players out on the date (the last listing of a player wins)."""
    day = availability[availability["game_date"] == game_date]
    day = day.drop_duplicates(subset=["player_lookup"], keep="last")
    return {p: s for p, s in zip(day["player_lookup"], day["status"], strict=True) if s in OUT_STATUSES}
