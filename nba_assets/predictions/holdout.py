"""Fit every system's confidence calibration on a hold-out window before the training cut-off.

Runs the systems exactly as a backtest would (point-in-time features, the gradient-boosting
model fitted on the dates before the hold-out), then maps expected error to realised
P(|error| <= TOLERANCE) per system. The ensemble is calibrated last, on calibrated inputs.
The hold-out's out-of-sample predictions are returned too: joined with real lines dated before
each day they are the (estimate, line, outcome) pairs P(over) is calibrated on
(``line_calibration``); predictions the final model made on games it trained on would flatter it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.predictions import calibration
from nba_assets.predictions.base import MIN_GAMES, SystemContext
from nba_assets.predictions.ensemble import Ensemble
from nba_assets.predictions.gradient_boosting import GradientBoosting
from nba_assets.predictions.matchup import Matchup
from nba_assets.predictions.moving_average import MovingAverage
from nba_assets.predictions.similarity import Similarity


def fit_calibrations(
    feature_frame: pd.DataFrame, start: date, end: date, model: GradientBoosting
) -> tuple[dict[str, calibration.Calibrator], pd.DataFrame]:
    """Confidence calibrations by system id from rows in [start, end) (``model``, points and minutes,
    saw only rows before start), and every system's calibrated hold-out predictions (game_date, player_lookup, points, system_id, predicted_points, confidence)."""
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
    keys = rows[["game_date", "player_lookup", "points"]]
    fitted: dict[str, calibration.Calibrator] = {}
    predictions: list[pd.DataFrame] = []

    def keep(system_id: str, out: pd.DataFrame) -> None:
        part = keys.assign(
            system_id=system_id, predicted_points=out["predicted_points"], confidence=out["confidence"]
        )
        predictions.append(part[part["predicted_points"].notna()])

    for system_id, make in makers.items():
        out = make().predict(rows, context)
        fitted[system_id] = calibration.fit(out["predicted_points"], rows["points"], rows)
        out["confidence"] = fitted[system_id].confidence(out["predicted_points"], rows)
        context.upstream[system_id] = out
        keep(system_id, out)
    blend = Ensemble().predict(rows, context)
    fitted["ensemble"] = calibration.fit(blend["predicted_points"], rows["points"], rows)
    blend["confidence"] = fitted["ensemble"].confidence(blend["predicted_points"], rows)
    keep("ensemble", blend)
    return fitted, pd.concat(predictions, ignore_index=True)
