"""No look-ahead: a game's features never change when games on or after its date change or vanish."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from nba_assets.features import FEATURE_COLUMNS, build_features
from nba_assets.inputs.slates import slate_from_box_scores

STATS = ("points", "minutes", "fga", "fta", "tov", "oreb", "fg3a", "reb", "ast", "fgm", "ftm", "fg3m", "dreb")


def scrambled(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The same rows with every stat replaced by noise (and minutes/points wildly different)."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    for column in STATS:
        out[column] = rng.integers(0, 60, len(out)).astype(float)
    return out


def on_day(features: pd.DataFrame, day: date) -> pd.DataFrame:
    return features[features["game_date"] == day].set_index("player_lookup").sort_index()


def assert_same_features(left: pd.DataFrame, right: pd.DataFrame) -> None:
    assert list(left.index) == list(right.index) and len(left) > 0
    for column in FEATURE_COLUMNS:
        a, b = left[column].to_numpy(float), right[column].to_numpy(float)
        assert np.allclose(a, b, equal_nan=True, rtol=0, atol=1e-9), f"{column} changed"


@pytest.fixture(scope="module")
def full(box_scores: pd.DataFrame) -> pd.DataFrame:
    return build_features(box_scores)


# Early season (last season's averages matter), mid-season, and the trade deadline (Doncic to LAL).
@pytest.mark.parametrize(
    ("day", "future"),
    [
        (date(2024, 10, 25), "removed"),
        (date(2025, 1, 15), "altered"),
        (date(2025, 2, 10), "removed"),
    ],
)
def test_backtest_rows_ignore_the_day_itself_and_the_future(box_scores, full, day, future):
    before = box_scores[box_scores["game_date"] < day]
    today = scrambled(box_scores[box_scores["game_date"] == day], 1)
    later = box_scores[box_scores["game_date"] > day]
    if future == "removed":
        changed = pd.concat([before, today], ignore_index=True)
    else:  # kept but altered beyond recognition, every later team swapped with its opponent
        later = scrambled(later, 2).assign(team=later["opponent"], opponent=later["team"])
        changed = pd.concat([before, today, later], ignore_index=True)
    assert_same_features(on_day(full, day), on_day(build_features(changed), day))


@pytest.mark.parametrize("day", [date(2025, 1, 15)])
def test_slate_features_use_only_earlier_games_and_match_the_backtest(box_scores, full, day):
    slate = slate_from_box_scores(box_scores, day)
    with_future = build_features(box_scores, slate).set_index("player_lookup").sort_index()
    past_only = (
        build_features(box_scores[box_scores["game_date"] < day], slate)
        .set_index("player_lookup")
        .sort_index()
    )
    assert_same_features(with_future, past_only)
    # What a model is trained on (backtest rows) is what it is served (slate rows).
    assert_same_features(on_day(full, day), with_future)


def test_features_are_defined_where_history_exists(full):
    late = full[(full["game_date"] >= date(2025, 3, 1)) & (full["games_season"] >= 10)]
    for column in ("pts_ewm_slow", "pts_avg_normal10", "opp_def_factor", "opp_role_resid", "team_load_last"):
        assert late[column].notna().mean() > 0.98, column
    first = full[full["games_before"] == 0]
    assert first[["pts_avg_last10", "pts_ewm_fast", "min_last1"]].isna().all().all()
