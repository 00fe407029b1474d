"""Prop lines: (date, player, line, bookmaker, prices), validated; and reference lines for demos."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from nba_assets.inputs.box_scores import lookups
from nba_assets.inputs.sources import read_source
from nba_assets.inputs.validation import Checker, flag_duplicates, parse_dates, parse_numbers, require_text

COLUMNS = ("game_date", "player_lookup", "line", "bookmaker", "over_price", "under_price")
REQUIRED = ("game_date", "player_name", "line")
LINE_MIN, LINE_MAX = 0.5, 80.0
# The seeds filled a missing line with 20.0; a value shared by this share of a day's lines is suspect.
SUSPICIOUS_SHARE, SUSPICIOUS_MIN_LINES = 0.25, 8
SuspiciousPolicy = Literal["reject", "warn", "allow"]


class SuspiciousLinesWarning(UserWarning):
    """Many players of one day share one line: probably a placeholder, not a sportsbook line."""


def validate_line_values(check: Checker, raw: pd.Series, *, required: bool = True) -> pd.Series:
    column = str(raw.name)
    numbers = parse_numbers(check, column, minimum=None, required=required)
    check.flag((numbers < LINE_MIN) | (numbers > LINE_MAX), column, f"line outside {LINE_MIN:g}-{LINE_MAX:g}")
    check.flag(((numbers * 2) % 1).abs() > 1e-9, column, "line is not on a 0.5 step")
    return numbers


def suspicious_constant_lines(lines: pd.DataFrame) -> list[str]:
    """Per date, a line value shared by too many players (the seeds' placeholder 20.0)."""
    found = []
    for game_date, day in lines.groupby("game_date"):
        per_player = day.drop_duplicates(subset=["player_lookup", "line"])
        if len(per_player) < SUSPICIOUS_MIN_LINES:
            continue
        counts = per_player["line"].value_counts()
        if counts.iloc[0] / len(per_player) >= SUSPICIOUS_SHARE:
            found.append(f"{game_date}: {counts.iloc[0]} of {len(per_player)} lines are {counts.index[0]:g}")
    return found


def validate_lines(
    frame: pd.DataFrame, source: str, on_suspicious: SuspiciousPolicy = "warn"
) -> pd.DataFrame:
    check = Checker(source, frame)
    if not check.require_columns(REQUIRED):
        check.raise_if_any()
    out = pd.DataFrame(index=frame.index)
    out["game_date"] = parse_dates(check, "game_date")
    out["player_lookup"] = lookups(check, require_text(check, "player_name"))
    out["line"] = validate_line_values(check, frame["line"])
    out["bookmaker"] = (
        frame["bookmaker"].astype("string").str.strip().replace("", "unknown")
        if "bookmaker" in frame.columns
        else "unknown"
    )
    for column in ("over_price", "under_price"):
        out[column] = (
            parse_numbers(check, column, minimum=None, required=False) if column in frame else np.nan
        )
    check.frame = out
    flag_duplicates(check, ["game_date", "player_lookup", "bookmaker", "line"], "line", "duplicate line")
    if on_suspicious != "allow" and not check.problems:
        for finding in suspicious_constant_lines(out):
            if on_suspicious == "reject":
                check.add(None, "line", None, f"suspicious constant line (placeholder?) {finding}")
            else:
                import warnings

                warnings.warn(
                    f"{source}: suspicious constant line {finding}", SuspiciousLinesWarning, stacklevel=2
                )
    check.raise_if_any()
    return out[list(COLUMNS)].reset_index(drop=True)


def load_lines(source: str | Path, on_suspicious: SuspiciousPolicy = "warn") -> pd.DataFrame:
    return validate_lines(read_source(source), str(source), on_suspicious)


def reference_lines(features: pd.DataFrame, alternates: int = 0) -> pd.DataFrame:
    """Stand-in lines for the bundled sample, which has no sportsbook data.

    Main line = the player's point-in-time blend of last-10 and season averages rounded to the
    nearest x.5 (what books post is close to it); ``alternates`` adds ±1, ±2 ... lines around it.
    Players with no history get no line (NO_LINE), like a real book that posts none.
    """
    base = features[["game_date", "player_lookup", "pts_avg_last10", "pts_avg_season"]].copy()
    blend = 0.6 * base["pts_avg_last10"] + 0.4 * base["pts_avg_season"].fillna(base["pts_avg_last10"])
    base["main"] = np.floor(blend) + 0.5
    base = base[base["main"].notna() & (blend >= 2.0)]
    rows = []
    for offset in [0] + [s * k for k in range(1, alternates + 1) for s in (-1, 1)]:
        part = base.assign(line=(base["main"] + offset).clip(LINE_MIN, LINE_MAX))
        part["bookmaker"] = "reference" if offset == 0 else f"reference_alt{offset:+d}"
        rows.append(part)
    out = pd.concat(rows, ignore_index=True).drop_duplicates(subset=["game_date", "player_lookup", "line"])
    out["over_price"] = -110.0
    out["under_price"] = -110.0
    return out[list(COLUMNS)].reset_index(drop=True)
