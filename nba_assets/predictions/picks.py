"""Picks by calibrated expected value at the real price; nothing is claimed against a stand-in line.

For each (system, player, line): P(over | no push) comes from the system's line calibration
(``line_calibration``: fitted on real (estimate, line, outcome) pairs dated before the row's month).
The push share of a whole-number line comes from the normal predictive distribution the confidence
states. EV per unit staked of each side is taken at that side's real price; the pick is the
better side when its EV is at least ``margin`` (``EV_MARGIN`` by default, the ``--ev-margin``
setting), else PASS. A first-season calibration (no earlier season's real lines among its
pairs, ``line_calibration.is_first_season``) states P(over) and EV but makes no pick
(``calibration`` "first_season"): its picks' claimed EV ran up to 5.5 points above their return.
Without a calibration (no real pairs yet) or against a stand-in ("reference") line there is no
probability, no EV and no pick: PASS, ``calibration`` says why.

Prices: a side without a price is completed from the other as the two-way market with the
overround of -110/-110 (BettingPros gives one price, the over's); a line with no price at all is
taken at -110 a side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from nba_assets.predictions import line_calibration
from nba_assets.predictions.line_calibration import LineCalibration, WalkForward, push_probability
from nba_assets.predictions.odds import complete_prices, expected_value, fair_over_probability

EV_MARGIN = 0.02  # a pick must be worth at least 2 cents per unit staked at the real price
CALIBRATED, UNCALIBRATED, NO_LINE = "calibrated", "uncalibrated", "no_line"
FIRST_SEASON = "first_season"  # P(over) and EV stated, no pick (``line_calibration.is_first_season``)
STATED = (CALIBRATED, FIRST_SEASON)  # the statuses that carry P(over) and EV


@dataclass
class Picker:
    """Turns a prediction, its confidence and a priced real line into P(over), EV and a pick."""

    calibrations: WalkForward = field(default_factory=WalkForward)
    margin: float = EV_MARGIN

    @classmethod
    def from_model_dir(
        cls, version_dir: Path | None, margin: float = EV_MARGIN, lines: pd.DataFrame | None = None
    ) -> Picker:
        """The pairs the model version stored; with ``lines``, also its hold-out joined with them."""
        walk = WalkForward(line_calibration.load_pairs(version_dir))
        if lines is not None:
            walk.add(line_calibration.pairs_from(line_calibration.load_holdout(version_dir), lines))
        return cls(walk, margin)

    def calibration(self, system_id: str, day) -> LineCalibration:
        return self.calibrations.for_date(system_id, pd.Timestamp(day).date())

    def evaluate(self, rows: pd.DataFrame, system_id: str | None = None) -> pd.DataFrame:
        """p_over, ev_over, ev_under, expected_value, calibration, recommendation for rows with
        game_date, predicted_points, confidence, points_line and optional
        over_price, under_price, stand_in (True: a stand-in line)."""
        line = rows["points_line"].to_numpy(float)
        over_price, under_price = complete_prices(_column(rows, "over_price"), _column(rows, "under_price"))
        market = fair_over_probability(over_price, under_price)
        p_over = np.full(len(rows), np.nan)
        proven = np.zeros(len(rows), dtype=bool)  # an earlier season's pairs are in: picks allowed
        days = pd.to_datetime(rows["game_date"]).dt.date if len(rows) else pd.Series(dtype=object)
        for day in pd.unique(days):
            mask = (days == day).to_numpy()
            part = rows[mask]
            fitted = self.calibration(system_id or "", day)
            p_over[mask] = fitted.apply(
                part["predicted_points"], part["confidence"], part["points_line"], market[mask]
            )
            proven[mask] = not fitted.first_season
        stand_in = (
            rows["stand_in"].fillna(False).to_numpy(bool) if "stand_in" in rows else np.zeros(len(rows), bool)
        )
        p_over[stand_in | np.isnan(line)] = np.nan
        p_push = push_probability(rows["predicted_points"], rows["confidence"], line)
        decided = 1.0 - p_push
        with np.errstate(invalid="ignore"):
            ev_over = expected_value(p_over * decided, over_price, p_push)
            ev_under = expected_value((1.0 - p_over) * decided, under_price, p_push)
        over_better = ev_over >= ev_under
        best = np.where(over_better, ev_over, ev_under)
        known = ~np.isnan(best)
        rec = np.where(
            np.isnan(line),
            "NO_LINE",
            np.where(known & proven & (best >= self.margin), np.where(over_better, "OVER", "UNDER"), "PASS"),
        )
        status = np.where(
            np.isnan(line),
            NO_LINE,
            np.where(known, np.where(proven, CALIBRATED, FIRST_SEASON), UNCALIBRATED),
        )
        return pd.DataFrame(
            {
                "p_over": p_over,
                "ev_over": ev_over,
                "ev_under": ev_under,
                "expected_value": best,
                "calibration": status,
                "recommendation": rec,
            },
            index=rows.index,
        )


def _column(rows: pd.DataFrame, column: str) -> np.ndarray:
    if column not in rows.columns:
        return np.full(len(rows), np.nan)
    return pd.to_numeric(rows[column], errors="coerce").to_numpy(float)
