"""The weighted "current form" average every heuristic system starts from (one home for it).

``form_points`` (matchup and similarity): a slow exponentially weighted average (half-life 12
games) carries most of the weight: it beat plain last-5/last-10/season averages on
2015-16..2022-23. The last-10 average over *normal* games (no injury exits or blow-out cameos)
and the season average steady it. ``moving_average`` uses the same rule with its own weights.

Fallbacks: a player's first games of a season lean on last season's average (rookies have none
and fall to what they have); a missing part's weight is spread over the parts present.
"""

from __future__ import annotations

import pandas as pd

# Off (0) by default: 0.75 helped on the 2023-24 validation season but hurt on 2024-25 (below).
MINUTES_ELASTICITY = 0.0
WEIGHTS = {"pts_ewm_slow": 0.5, "pts_avg_normal10": 0.3, "pts_avg_season": 0.2}
EARLY_GAMES = 5  # before this many games of the season, last season's average gets half the weight


def weighted_form(features: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Weighted mean of the ``weights`` columns present, with the early-season fallback."""
    total = pd.Series(0.0, index=features.index)
    weight = pd.Series(0.0, index=features.index)
    for column, w in weights.items():
        values = features[column]
        total += values.fillna(0.0) * w
        weight += values.notna() * w
    form = (total / weight).where(weight > 0)
    prev = features["pts_avg_prev_season"]
    early = (features["games_season"].fillna(0) < EARLY_GAMES) & prev.notna() & form.notna()
    form = form.where(~early, 0.5 * form + 0.5 * prev)
    return form.fillna(prev)


def form_points(features: pd.DataFrame) -> pd.Series:
    """Point-in-time expected points before any context adjustment; NaN without any history."""
    return weighted_form(features, WEIGHTS)


def minutes_factor(features: pd.DataFrame) -> pd.Series:
    """(projected minutes / last-10 average minutes) ^ MINUTES_ELASTICITY; 1 without a projection.

    A player's averages were scored in his recent minutes; tonight's projection (``minutes_model``:
    a teammate back or out, a back-to-back, a new role) moves his expected points with it. The
    elasticity 0.75 and the last-10 reference were chosen on 2023-24 with models trained on
    2015-16..2022-23 (moving_average 5.032 -> 4.982, matchup 4.940 -> 4.883 MAE on >= 15-minute
    rows; both better on all rows), the ratio clipped to [0.5, 1.5]. Reported on 2024-25 (models
    trained on 2015-16..2023-24) it did not hold: moving_average 5.037 -> 5.067, matchup 4.937 ->
    4.962 (all rows 4.593 -> 4.649, 4.588 -> 4.647). So the default is 0 (factor 1) until more
    seasons say otherwise.
    """
    if "proj_minutes" not in features.columns:
        return pd.Series(1.0, index=features.index)
    usual = features["min_avg_last10"].fillna(features["min_avg_season"])
    ratio = (features["proj_minutes"] / usual).where(usual > 0).clip(0.5, 1.5).fillna(1.0)
    return ratio**MINUTES_ELASTICITY
