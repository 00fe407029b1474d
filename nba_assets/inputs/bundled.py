"""The real box-score sample shipped in the package, its real lines, and the shared data set when present."""

from __future__ import annotations

import os
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from nba_assets.inputs.box_scores import load_box_scores

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BUNDLED_SEASONS = ("2023-24", "2024-25")
# A date of the bundled sample with a full slate (14 games, 316 players) and bundled real lines
# (PrizePicks, Underdog), used by the README's main command. Late enough in the lines that the
# model's hold-out meets over 1,000 real (line, outcome) pairs dated before the date's month, so
# its P(over) and EV are calibrated (the first November dates have only October's ~900: "uncalibrated").
DEMO_DATE = "2024-12-23"


# Real PrizePicks/Underdog points lines (MIT, spon7ge/NBA-Prop-Predictor; data/README.md) of the
# demo date and the game days before it, so the P(over) calibration and market_blend learn from them
# walk-forward (pairs strictly before the date).
BUNDLED_LINES = DATA_DIR / "prop_lines_2024-10-22_2024-12-23.csv"


def bundled_paths() -> list[Path]:
    return [DATA_DIR / f"box_scores_{season}.parquet" for season in BUNDLED_SEASONS]


def bundled_lines_paths() -> tuple[str, ...]:
    """The bundled real lines file(s): the default lines of the bundled sample's dates they cover."""
    return (str(BUNDLED_LINES),)


@cache
def bundled_lines_dates() -> frozenset[date]:
    """The dates the bundled real lines cover (where no lines are configured, they are the lines)."""
    dates = pd.read_csv(BUNDLED_LINES, usecols=["game_date"], dtype=str)["game_date"]
    return frozenset(date.fromisoformat(d) for d in dates.unique())


def shared_data_dir() -> Path | None:
    """``../shared/data/nba_player_logs`` (ten seasons) when this checkout sits beside it."""
    candidates = [os.environ.get("NBA_SHARED_DATA", "")]
    here = Path(__file__).resolve()
    candidates += [str(p / "shared" / "data" / "nba_player_logs") for p in here.parents[:4]]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir() and any(Path(candidate).glob("player_logs_*.csv")):
            return Path(candidate)
    return None


def shared_paths(seasons: list[str] | None = None) -> list[Path]:
    root = shared_data_dir()
    if root is None:
        return []
    paths = sorted(root.glob("player_logs_*.csv"))
    if seasons:
        paths = [p for p in paths if p.stem.removeprefix("player_logs_") in seasons]
    return paths


@cache
def bundled_box_scores() -> pd.DataFrame:
    """Validated once per process; callers must not mutate the frame."""
    return load_box_scores(bundled_paths())
