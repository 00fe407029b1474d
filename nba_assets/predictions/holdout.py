"""Fit every system's confidence calibration on a hold-out window before the training cut-off.

Runs the systems exactly as a backtest would (point-in-time features, the gradient-boosting
model fitted on the dates before the hold-out), then maps expected error to realised
P(|error| <= TOLERANCE) per system. The ensemble is calibrated last, on calibrated inputs.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from nba_assets.predictions import calibration, picks
from nba_assets.predictions.base import MIN_GAMES, SystemContext
from nba_assets.predictions.ensemble import Ensemble
from nba_assets.predictions.gradient_boosting import GradientBoosting
from nba_assets.predictions.matchup import Matchup
from nba_assets.predictions.moving_average import MovingAverage
from nba_assets.predictions.similarity import Similarity


def _stand_in_lines(rows: pd.DataFrame) -> pd.Series:
    """Lines near each player's usual output (floor(0.6 x last-10 + 0.4 x season) + 0.5): the data has
    no book lines, and what P(over) calibrates is the predictive distribution around the median."""
    blend = 0.6 * rows["pts_avg_last10"] + 0.4 * rows["pts_avg_season"].fillna(rows["pts_avg_last10"])
    return (np.floor(blend) + 0.5).where(blend >= 2.0)


def fit_calibrations(
    feature_frame: pd.DataFrame, start: date, end: date, model: GradientBoosting
) -> tuple[dict[str, calibration.Calibrator], dict[str, picks.OverCalibration]]:
    """Confidence and P(over) calibrations by system id from rows in [start, end)
    (``model``, points and minutes, saw only rows before start)."""
    dates = feature_frame["game_date"]
    rows = feature_frame[(dates >= start) & (dates < end) & feature_frame["points"].notna()]
    rows = rows[rows["games_before"] >= MIN_GAMES]
    context = SystemContext(history=feature_frame[dates < end])
    makers = {
        "moving_average": lambda c=None: MovingAverage(c, model.minutes),
        "matchup": lambda c=None: Matchup(c, model.minutes),
        "similarity": Similarity,
        "gradient_boosting": lambda c=None: GradientBoosting.from_booster(model.booster, c, model.minutes),
    }
    line = _stand_in_lines(rows)
    minutes = rows["min_ewm_fast"].fillna(rows["min_avg_season"])
    went_over = (rows["points"] > line).astype(float).where(line.notna())
    fitted: dict[str, calibration.Calibrator] = {}
    over: dict[str, picks.OverCalibration] = {}

    def fit_over(system_id: str, out: pd.DataFrame) -> None:
        sigma = picks.sigma_from_confidence(out["confidence"])
        p_over, _, _ = picks.probabilities(out["predicted_points"], sigma, line)
        over[system_id] = picks.fit(p_over, went_over, minutes, line.fillna(0.0))

    for system_id, make in makers.items():
        out = make().predict(rows, context)
        fitted[system_id] = calibration.fit(out["predicted_points"], rows["points"], rows)
        out["confidence"] = fitted[system_id].confidence(out["predicted_points"], rows)
        context.upstream[system_id] = out
        fit_over(system_id, out)
    blend = Ensemble().predict(rows, context)
    fitted["ensemble"] = calibration.fit(blend["predicted_points"], rows["points"], rows)
    blend["confidence"] = fitted["ensemble"].confidence(blend["predicted_points"], rows)
    fit_over("ensemble", blend)
    return fitted, over
