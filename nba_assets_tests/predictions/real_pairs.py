"""Synthetic real-line data for the calibration and pick tests: a backtest window and its lines.

One system ``gb`` whose estimate beats a line shaded toward the over a little, prices like
BettingPros' (one price, the over's). Deterministic for a seed.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from nba_assets.predictions import line_calibration
from nba_assets.predictions.line_calibration import WalkForward
from nba_assets.predictions.picks import Picker

START = date(2021, 10, 19)
# The synthetic pairs start in the season before START's (2020-21), so a fit for a date from
# START on has an earlier season's pairs and may pick (line_calibration.is_first_season).
EARLIEST, DAYS = date(2021, 5, 1), 320


def scored_window(
    start: date = EARLIEST, days: int = DAYS, players: int = 60, seed: int = 0, system: str = "gb"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scored rows like ``evaluation.backtest``'s, the real lines of those player-games)."""
    rng = np.random.default_rng(seed)
    n = days * players
    dates = np.repeat([start + timedelta(days=d) for d in range(days)], players)
    lookup = np.tile([f"p{i:02d}" for i in range(players)], days)
    mean = rng.uniform(6, 30, n)
    line = np.floor(mean + rng.normal(0.4, 1.5, n)) + 0.5
    points = np.clip(np.round(mean + rng.normal(0, 5, n)), 0, None)
    scored = pd.DataFrame(
        {
            "game_date": dates,
            "player_lookup": lookup,
            "points": points,
            "minutes": rng.uniform(10, 38, n),
            "minutes_expected": rng.uniform(10, 38, n),
            system: mean + rng.normal(0, 2, n),
            system + "_conf": rng.uniform(50, 80, n),
        }
    )
    lines = pd.DataFrame(
        {
            "game_date": dates,
            "player_lookup": lookup,
            "line": line,
            "bookmaker": "bettingpros_consensus",
            "over_price": rng.choice([-125.0, -115.0, -105.0], n),
            "under_price": np.nan,
        }
    )
    return scored, lines


def synthetic_pairs(start: date = EARLIEST, days: int = DAYS, system: str = "gb") -> pd.DataFrame:
    """The (estimate, real line, outcome) pairs of ``scored_window``'s rows for ``system``."""
    scored, lines = scored_window(start, days=days, system=system)
    return line_calibration.pairs_from(with_system(scored, system), lines)


def with_system(scored: pd.DataFrame, system: str) -> pd.DataFrame:
    """``scored``'s rows as ``system``'s predictions (system_id, predicted_points, confidence)."""
    return scored.assign(
        system_id=system, predicted_points=scored[system], confidence=scored[system + "_conf"]
    )


def calibrated_picker(
    systems: tuple[str, ...] = ("gb",),
    before: date = START,
    margin: float = 0.02,
    earlier_season: bool = True,
) -> Picker:
    """A picker calibrated on 320 days of synthetic real-line pairs ending the day before ``before``
    (reaching into the season before ``before``'s, so it picks); ``earlier_season`` False: 150
    days from the start of ``before``'s season only (first-season: it states, never picks)."""
    season = line_calibration.season_start(before) + timedelta(days=1)
    start, days = (before - timedelta(days=DAYS), DAYS) if earlier_season else (season, 150)
    frames = [synthetic_pairs(start, days, system) for system in systems]
    return Picker(WalkForward(pd.concat(frames, ignore_index=True)), margin)
