"""Predictions for a date do not move when games on or after that date change or disappear."""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.features import build_features
from nba_assets.predictions import registry
from nba_assets.predictions.runner import run_systems
from nba_assets_tests.features.test_point_in_time import scrambled

DAY = date(2025, 1, 15)


def test_every_system_ignores_the_day_itself_and_the_future(box_scores, features, model_root):
    systems = registry.build_systems(None, model_root)
    rows = features[features["game_date"] == DAY].sort_values("player_lookup").reset_index(drop=True)
    full = run_systems(rows, systems, history=features)  # a history running past DAY: similarity must mask it
    before = box_scores[box_scores["game_date"] < DAY]
    today = scrambled(box_scores[box_scores["game_date"] == DAY], 5)
    truncated = build_features(pd.concat([before, today], ignore_index=True))
    rows_t = truncated[truncated["game_date"] == DAY].sort_values("player_lookup").reset_index(drop=True)
    cut = run_systems(rows_t, systems, history=truncated[truncated["game_date"] < DAY])
    for system_id, out in full.items():
        pd.testing.assert_frame_equal(out, cut[system_id], check_exact=False, rtol=1e-9, obj=system_id)
    assert full["gradient_boosting"]["predicted_points"].notna().sum() > 100
