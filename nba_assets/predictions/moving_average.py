"""moving_average: weighted last 5 / last 10 / season, with rest and home adjustments.

The weighting and its fallbacks are ``form.weighted_form`` (shared with matchup/similarity):
early in a season last season's average takes half the weight; with no average at all, last
season's average alone; fewer than 3 prior games -> skipped (shared rule in ``base.output_frame``).
With a trained model version the form can be scaled by the projected minutes (``form.minutes_factor``, off by default).
"""

from __future__ import annotations

import pandas as pd

from nba_assets.predictions.base import SystemContext, output_frame
from nba_assets.predictions.form import minutes_factor, weighted_form
from nba_assets.predictions.form_system import FormSystem

WEIGHTS = {"pts_avg_last5": 0.40, "pts_avg_last10": 0.35, "pts_avg_season": 0.25}
HOME_BONUS = 0.02  # +2% at home, -2% away
BACK_TO_BACK_PENALTY = 0.03


class MovingAverage(FormSystem):
    system_id = "moving_average"
    version = "ma-1"

    def predict(self, features: pd.DataFrame, context: SystemContext) -> pd.DataFrame:
        features = self.projected(features)
        base = weighted_form(features, WEIGHTS) * minutes_factor(features)
        factor = 1.0 + HOME_BONUS * (2 * features["home"].fillna(0.5) - 1)
        factor -= BACK_TO_BACK_PENALTY * features["back_to_back"].fillna(0)
        predicted = base * factor
        return output_frame(
            features.index, predicted, self.calibrator.confidence(predicted, features), features
        )
