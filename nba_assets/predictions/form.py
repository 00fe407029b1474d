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
