"""Slates: who plays on a date, for which team, against whom; optionally their line and tip-off."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from nba_assets.game_day import NEW_YORK
from nba_assets.inputs.box_scores import lookups, parse_bool
from nba_assets.inputs.lines import COLUMNS as LINE_COLUMNS
from nba_assets.inputs.lines import validate_line_values
from nba_assets.inputs.sources import read_source
from nba_assets.inputs.validation import Checker, flag_duplicates, parse_dates, require_text

COLUMNS = ("game_date", "game_id", "player_lookup", "player_name", "team", "opponent", "is_home")
REQUIRED = ("game_date", "player_name", "team", "opponent", "is_home")
TIPOFF = "tipoff"  # optional: ISO 8601 with an offset, kept as UTC "YYYY-MM-DDTHH:MM:SSZ" (None if blank)


def game_id_for(game_date: date, team: str, opponent: str, is_home: bool) -> str:
    """A stable id for a game a slate names without one: date, away team, home team."""
    away, home = (opponent, team) if is_home else (team, opponent)
    return f"{game_date:%Y%m%d}_{away}_{home}"


def validate_slate(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(slate, lines) from a slate file; an optional ``line`` column becomes the lines frame."""
    check = Checker(source, frame)
    if not check.require_columns(REQUIRED):
        check.raise_if_any()
    out = pd.DataFrame(index=frame.index)
    out["game_date"] = parse_dates(check, "game_date")
    out["player_name"] = require_text(check, "player_name")
    out["player_lookup"] = lookups(check, out["player_name"])
    out["team"] = frame["team"].astype("string").str.strip().str.upper()
    check.flag(
        out["team"].isna() | (out["team"] == ""), "team", "slate player has no team", raw=frame["team"]
    )
    out["opponent"] = require_text(check, "opponent").str.upper()
    out["is_home"] = parse_bool(check, "is_home")
    check.flag(out["team"] == out["opponent"], "opponent", "team plays itself")
    given = frame["game_id"].astype("string").str.strip() if "game_id" in frame.columns else None
    out[TIPOFF] = parse_tipoffs(check, frame[TIPOFF], out["game_date"]) if TIPOFF in frame.columns else None
    lines = None
    if "line" in frame.columns:
        lines = validate_line_values(check, frame["line"], required=False)
    check.frame = out
    flag_duplicates(check, ["game_date", "player_lookup"], "player_name", "player listed twice on one date")
    check.raise_if_any()
    out["game_id"] = [
        gid if given is not None and isinstance(gid, str) and gid else game_id_for(d, t, o, h)
        for gid, d, t, o, h in zip(
            given if given is not None else [None] * len(out),
            out["game_date"],
            out["team"],
            out["opponent"],
            out["is_home"],
            strict=True,
        )
    ]
    slate = out[[*COLUMNS, TIPOFF]].reset_index(drop=True)
    if lines is None:
        return slate, empty_lines()
    line_frame = pd.DataFrame(
        {"game_date": out["game_date"], "player_lookup": out["player_lookup"], "line": lines}
    ).dropna(subset=["line"])
    line_frame["bookmaker"] = "slate"
    return slate, _with_prices(line_frame)


def parse_tipoffs(check: Checker, raw: pd.Series, game_dates: pd.Series) -> pd.Series:
    """Tip-off times as UTC ISO strings; a time without an offset is ambiguous and refused, and one
    whose New York date is not the row's game_date is a wrong row, not a late game."""
    out = pd.Series(None, index=raw.index, dtype="object")
    for row, value in raw.items():
        text = "" if value is None or pd.isna(value) else str(value).strip()
        if not text:
            continue
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            check.add(int(row), TIPOFF, value, "not an ISO 8601 time (e.g. 2025-02-13T00:30:00Z)")
            continue
        if moment.tzinfo is None:
            check.add(int(row), TIPOFF, value, "tip-off has no UTC offset; write it in UTC with a Z")
            continue
        game_date = game_dates.get(row)
        local = moment.astimezone(NEW_YORK).date()  # a game's date is its tip-off's date in New York
        if isinstance(game_date, date) and local != game_date:
            check.add(
                int(row), TIPOFF, value, f"tip-off is on {local} in New York, not on game_date {game_date}"
            )
            continue
        out[row] = moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return out


def load_slate(source: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return validate_slate(read_source(source), str(source))


def empty_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in LINE_COLUMNS})


def _with_prices(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("over_price", "under_price"):
        if column not in frame.columns:
            frame[column] = float("nan")
    return frame[list(LINE_COLUMNS)].reset_index(drop=True)


def slate_from_box_scores(box_scores: pd.DataFrame, game_date: date) -> pd.DataFrame:
    """The real slate of a past date: every player who appeared in that day's box scores."""
    day = box_scores[box_scores["game_date"] == game_date]
    return (
        day[list(COLUMNS)]
        .drop_duplicates(subset=["player_lookup"])
        .sort_values(["game_id", "team", "player_lookup"], kind="stable")
        .reset_index(drop=True)
    )
