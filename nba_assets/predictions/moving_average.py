"""moving_average: weighted last 5 / last 10 / season, with rest and home adjustments.

The weighting and its fallbacks are ``form.weighted_form`` (shared with matchup/similarity):
early in a season last season's average takes half the weight; with no average at all, last
season's average alone; fewer than 3 prior games -> skipped (shared rule in ``base.output_frame``).
With a trained model version the form can be scaled by the projected minutes (``form.minutes_factor``, off by default).
"""

from __future__ import annotations

from pathlib import Path

import lightgbm as lgb
import pandas as pd

from nba_assets.predictions import calibration, minutes_model, model_store
from nba_assets.predictions.base import SystemContext, output_frame
from nba_assets.predictions.form import minutes_factor, weighted_form

WEIGHTS = {"pts_avg_last5": 0.40, "pts_avg_last10": 0.35, "pts_avg_season": 0.25}
HOME_BONUS = 0.02  # +2% at home, -2% away
BACK_TO_BACK_PENALTY = 0.03


class MovingAverage:
    system_id = "moving_average"
    version = "ma-1"
    needs_history = False

    def __init__(
        self, calibrator: calibration.Calibrator | None = None, minutes: lgb.Booster | None = None
    ) -> None:
        self.calibrator = calibrator or calibration.Calibrator()
        self.minutes = minutes  # the version's minutes model: form x minutes_factor
        self.metadata: dict = {}  # the model's training window, checked by backtests

    @classmethod
    def from_model_dir(cls, version_dir: Path | None) -> MovingAverage:
        system = cls(calibration.load(version_dir).get(cls.system_id), minutes_model.load(version_dir))
        if system.minutes is not None:
            system.metadata = model_store.read_metadata(version_dir)
        return system

    def predict(self, features: pd.DataFrame, context: SystemContext) -> pd.DataFrame:
        if self.minutes is not None:
            features = minutes_model.project(self.minutes, features)
        base = weighted_form(features, WEIGHTS) * minutes_factor(features)
        factor = 1.0 + HOME_BONUS * (2 * features["home"].fillna(0.5) - 1)
        factor -= BACK_TO_BACK_PENALTY * features["back_to_back"].fillna(0)
        predicted = base * factor
        return output_frame(
            features.index, predicted, self.calibrator.confidence(predicted, features), features
        )
