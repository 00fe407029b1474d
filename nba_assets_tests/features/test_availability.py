"""Vacated minutes: only games before the date, only the date's slate, and the right arithmetic."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from nba_assets.features import build_features
from nba_assets.features.availability import AVAILABILITY_FEATURES
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets_tests.features.tonight import (
    DAY,
    a_regular_left_off,
    assert_the_games_after_the_day_are_ignored,
    by_player,
)


def test_truncating_or_scrambling_the_history_after_the_date_changes_nothing(season):
    full = assert_the_games_after_the_day_are_ignored(season, AVAILABILITY_FEATURES)
    assert (full["vacated_min"] > 0).mean() > 0.2  # somebody is missing on most nights


def test_a_regular_left_off_the_slate_vacates_his_minutes_for_his_team_only(season):
    case = a_regular_left_off(season, "min_ewm_fast")
    base, without, mates, others = case.base, case.without, case.mates, case.others
    added = without.loc[mates, "vacated_min"] - base.loc[mates, "vacated_min"]
    assert (added > 20).all() and np.allclose(added, added.iloc[0])
    assert (without.loc[mates, "absent_regulars"] == base.loc[mates, "absent_regulars"] + 1).all()
    assert np.allclose(without.loc[others, "vacated_min"], base.loc[others, "vacated_min"])


def test_a_listed_out_regular_on_the_slate_vacates_his_minutes_point_in_time(season):
    slate = slate_from_box_scores(season, DAY)
    base = by_player(build_features(season, slate))
    star = base[base["min_ewm_fast"] >= 30].sort_values("min_ewm_fast").index[-1]
    team = base.loc[star, "team"]
    listed = pd.DataFrame({"game_date": [DAY, DAY + timedelta(days=1)], "player_lookup": [star, star]})
    out = by_player(build_features(season, slate, listed_out=listed))
    mates = out[(out["team"] == team) & (out.index != star)].index
    others = out[out["team"] != team].index
    added = out.loc[mates, "vacated_min"] - base.loc[mates, "vacated_min"]
    assert (added > 20).all() and np.allclose(added, added.iloc[0])
    assert (out.loc[mates, "absent_regulars"] == base.loc[mates, "absent_regulars"] + 1).all()
    assert np.allclose(out.loc[others, "vacated_min"], base.loc[others, "vacated_min"])
    # the same as leaving him off the slate, and nothing after the date is read
    without = by_player(build_features(season, slate[slate["player_lookup"] != star]))
    truncated = by_player(build_features(season[season["game_date"] < DAY], slate, listed_out=listed))
    for column in AVAILABILITY_FEATURES:
        assert np.allclose(out.loc[mates, column], without.loc[mates, column]), column
        assert np.allclose(out[column], truncated[column], equal_nan=True), column
    # a listing for another date changes nothing tonight
    later = by_player(build_features(season, slate, listed_out=listed.iloc[1:]))
    assert np.allclose(later["vacated_min"], base["vacated_min"])
