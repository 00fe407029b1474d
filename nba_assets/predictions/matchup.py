"""matchup: the player's current form adjusted for tonight's opponent and pace.

points = form x minutes factor (1 by default) x opp_def_factor^0.45 x pace_ratio^0.25 x home x strength gap + 0.2 x role residual

* ``opp_def_factor``: the opponent's points allowed over its last 15 games vs the league's recent
  average (a 5% leakier defence -> ~2.2% more points).
* ``pace_ratio``: the expected game pace, the mean of both teams' recent possessions, over the
  player's own team pace, at which his averages were scored.
* role residual: how far players of his role proxy (big / guard / wing) beat their own last-10
  average against this opponent over its last 20 games, i.e. "points allowed by position".
* home +0.75% / away -0.75%, and -1.5% per 10 points of recent margin his team has over the
  opponent (blow-outs cost starters minutes).

The exponents and weights are least-squares fits on 2015-16..2022-23 (never on the seasons we
report). Fallbacks: any missing opponent context (first weeks of a season, a new team code)
leaves that factor at 1, so a rookie with 3+ games or a traded player gets his form with the
context that exists; fewer than 3 games -> skipped (shared rule in ``base.output_frame``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_assets.predictions.base import SystemContext, output_frame
from nba_assets.predictions.form import form_points, minutes_factor
from nba_assets.predictions.form_system import FormSystem

DEF_ELASTICITY, PACE_ELASTICITY = 0.45, 0.25
ROLE_WEIGHT = 0.2
HOME_EFFECT = 0.0075
MARGIN_EFFECT = -0.0015  # per point of margin gap


class Matchup(FormSystem):
    system_id = "matchup"
    version = "matchup-1"

    def predict(self, features: pd.DataFrame, context: SystemContext) -> pd.DataFrame:
        features = self.projected(features)
        form = form_points(features) * minutes_factor(features)
        factor = features["opp_def_factor"].fillna(1.0).clip(0.8, 1.2) ** DEF_ELASTICITY
        pace = ((features["opp_pace"] + features["team_pace"]) / (2 * features["team_pace"])).fillna(1.0)
        factor *= pace.clip(0.9, 1.1) ** PACE_ELASTICITY
        factor *= 1.0 + HOME_EFFECT * (2 * features["home"].fillna(0.5) - 1)
        factor *= 1.0 + MARGIN_EFFECT * features["margin_gap"].fillna(0.0).clip(-20, 20)
        role = ROLE_WEIGHT * features["opp_role_resid"].fillna(0.0).clip(-6, 6)
        predicted = (form * factor + role).where(form.notna())
        predicted = pd.Series(np.maximum(predicted, 0.0), index=features.index).where(form.notna())
        return output_frame(
            features.index, predicted, self.calibrator.confidence(predicted, features), features
        )
