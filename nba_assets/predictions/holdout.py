"""Fit every system's confidence calibration on a hold-out window before the training cut-off.

Runs the systems exactly as a backtest would (point-in-time features, the gradient-boosting
model fitted on the dates before the hold-out), then maps expected error to realised
P(|error| <= TOLERANCE) per system. The ensemble is calibrated last, on calibrated inputs.
"""

from __future__ import annotations

from datetime import date

import lightgbm as lgb
import pandas as pd

from nba_assets.predictions import calibration
from nba_assets.predictions.base import MIN_GAMES, SystemContext
from nba_assets.predictions.ensemble import Ensemble
from nba_assets.predictions.gradient_boosting import GradientBoosting
from nba_assets.predictions.matchup import Matchup
from nba_assets.predictions.moving_average import MovingAverage
from nba_assets.predictions.similarity import Similarity


def fit_calibrations(
    feature_frame: pd.DataFrame, start: date, end: date, booster: lgb.Booster
) -> dict[str, calibration.Calibrator]:
    """Calibrators by system id from rows in [start, end) (``booster`` saw only rows before start)."""
    dates = feature_frame["game_date"]
    rows = feature_frame[(dates >= start) & (dates < end) & feature_frame["points"].notna()]
    rows = rows[rows["games_before"] >= MIN_GAMES]
    context = SystemContext(history=feature_frame[dates < end])
    makers = {
        "moving_average": MovingAverage,
        "matchup": Matchup,
        "similarity": Similarity,
        "gradient_boosting": lambda c=None: GradientBoosting.from_booster(booster, c),
    }
    fitted: dict[str, calibration.Calibrator] = {}
    for system_id, make in makers.items():
        out = make().predict(rows, context)
        fitted[system_id] = calibration.fit(out["predicted_points"], rows["points"], rows)
        out["confidence"] = fitted[system_id].confidence(out["predicted_points"], rows)
        context.upstream[system_id] = out
    blend = Ensemble().predict(rows, context)
    fitted["ensemble"] = calibration.fit(blend["predicted_points"], rows["points"], rows)
    return fitted
