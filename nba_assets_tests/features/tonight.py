"""Set-up shared by the tests of the features that depend on tonight's slate (availability,
presence): a real mid-season day, rows indexed by player, and the leak check both need. Their
``season`` fixture (that day's season around it) is in this folder's conftest.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from nba_assets.features import build_features
from nba_assets.features.builder import _prepare, _with_context
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets_tests.features.test_point_in_time import scrambled

DAY = date(2025, 1, 15)


def by_player(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("player_lookup").sort_index()


def slate_features_seeing(history: pd.DataFrame, slate: pd.DataFrame) -> pd.DataFrame:
    """The slate's features computed by the builder's feature code over ``history`` as given: games
    after the slate's date included (``walk_forward`` would drop them before any feature sees them),
    so a feature that reads a later game is caught here."""
    day = slate.assign(points=np.nan, minutes=np.nan, _target=True)
    frame = _prepare(pd.concat([history.assign(_target=False), day], ignore_index=True))
    known = ~frame["_target"].astype(bool)
    return by_player(_with_context(frame, known)[~known.to_numpy()])


def assert_the_games_after_the_day_are_ignored(
    season: pd.DataFrame, columns: tuple[str, ...]
) -> pd.DataFrame:
    """On DAY's slate, none of ``columns`` changes whether the games after DAY are absent, present
    or scrambled, both through ``build_features`` and with those games handed to the feature code
    itself; returns the slate's features from the whole history."""
    slate = slate_from_box_scores(season, DAY)
    full = by_player(build_features(season, slate))
    before = season[season["game_date"] < DAY]
    after = season[season["game_date"] > DAY]
    assert len(after) > 1000, "the check needs later games to hand to the features"
    histories = (before, pd.concat([before, scrambled(after, 3)], ignore_index=True))
    computed = [by_player(build_features(h, slate)) for h in histories]
    computed += [slate_features_seeing(h, slate) for h in (*histories, pd.concat([before, after]))]
    for cut in computed:
        assert list(cut.index) == list(full.index)
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
