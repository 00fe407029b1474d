"""Shares of tonight's team: only games before the date, only the date's slate, and the right arithmetic."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from nba_assets.features import build_features
from nba_assets.features.availability import REGULAR_MINUTES
from nba_assets.features.presence import PRESENCE_FEATURES
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets_tests.features.tonight import (
    DAY,
    a_regular_left_off,
    assert_the_games_after_the_day_are_ignored,
    by_player,
)


def test_truncating_or_scrambling_the_history_after_the_date_changes_nothing(season):
    full = assert_the_games_after_the_day_are_ignored(season, PRESENCE_FEATURES)
    assert full[list(PRESENCE_FEATURES)].notna().mean().min() > 0.95


def test_the_regulars_shares_of_a_team_add_up_to_one(season):
    rows = by_player(build_features(season, slate_from_box_scores(season, DAY)))
    regulars = rows[rows["min_ewm_fast"] >= REGULAR_MINUTES]
    for column in PRESENCE_FEATURES:
        assert np.allclose(regulars.groupby("team")[column].sum(), 1.0), column
    # a reserve's share is his expectation over the regulars' total with him added: below a regular's
    reserves = rows[rows["min_ewm_fast"] < REGULAR_MINUTES]
    assert reserves["present_pts_share"].median() < regulars["present_pts_share"].median()


def test_a_regular_left_off_or_listed_out_raises_his_teammates_shares_only(season):
    case = a_regular_left_off(season, "pts_ewm_slow")
    slate, base, without, star, mates, others = (
        case.slate,
        case.base,
        case.without,
        case.star,
        case.mates,
        case.others,
    )
    for column in PRESENCE_FEATURES:
        assert (without.loc[mates, column] > base.loc[mates, column]).all(), column
        assert np.allclose(without.loc[others, column], base.loc[others, column], equal_nan=True), column
    # listed out while still on the slate: the same for his teammates, and point-in-time
    listed = pd.DataFrame({"game_date": [DAY, DAY + timedelta(days=1)], "player_lookup": [star, star]})
    out = by_player(build_features(season, slate, listed_out=listed))
    truncated = by_player(build_features(season[season["game_date"] < DAY], slate, listed_out=listed))
    for column in PRESENCE_FEATURES:
        assert np.allclose(out.loc[mates, column], without.loc[mates, column]), column
        assert np.allclose(out[column], truncated[column], equal_nan=True), column
    later = by_player(build_features(season, slate, listed_out=listed.iloc[1:]))
    assert np.allclose(later["present_pts_share"], base["present_pts_share"], equal_nan=True)
