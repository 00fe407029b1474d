"""Set-up shared by the tests of the features that depend on tonight's slate (availability,
presence): a real mid-season day, rows indexed by player, and the leak check both need. Their
``season`` fixture (that day's season around it) is in this folder's conftest.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from nba_assets.features import build_features
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets_tests.features.test_point_in_time import scrambled

DAY = date(2025, 1, 15)


def by_player(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("player_lookup").sort_index()


def assert_the_games_after_the_day_are_ignored(
    season: pd.DataFrame, columns: tuple[str, ...]
) -> pd.DataFrame:
    """Truncating the history after DAY, or scrambling those games, changes none of ``columns``
    on DAY's slate; returns the slate's features from the whole history."""
    slate = slate_from_box_scores(season, DAY)
    full = by_player(build_features(season, slate))
    before = season[season["game_date"] < DAY]
    later = scrambled(season[season["game_date"] > DAY], 3)
    for history in (before, pd.concat([before, later], ignore_index=True)):
        cut = by_player(build_features(history, slate))
        for column in columns:
            assert np.allclose(full[column], cut[column], equal_nan=True), column
    return full


@dataclass(frozen=True)
class LeftOff:
    """DAY's slate features with and without one regular, his teammates' and the others' rows."""

    slate: pd.DataFrame
    base: pd.DataFrame
    without: pd.DataFrame
    star: str
    mates: pd.Index
    others: pd.Index


def a_regular_left_off(season: pd.DataFrame, rank_by: str) -> LeftOff:
    """Leave the top regular (>= 30 expected minutes) by ``rank_by`` off DAY's slate."""
    slate = slate_from_box_scores(season, DAY)
    base = by_player(build_features(season, slate))
    star = base[base["min_ewm_fast"] >= 30].sort_values(rank_by).index[-1]
    team = base.loc[star, "team"]
    without = by_player(build_features(season, slate[slate["player_lookup"] != star]))
    mates, others = without[without["team"] == team].index, without[without["team"] != team].index
    return LeftOff(slate, base, without, star, mates, others)
