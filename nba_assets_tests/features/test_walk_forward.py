"""One pass over many slate dates gives each date exactly its own point-in-time features."""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.features import build_features
from nba_assets.features.builder import walk_forward
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets_tests.features.test_point_in_time import assert_same_features, on_day

# Consecutive dates: back-to-back players are on two of them.
DAYS = (date(2025, 1, 13), date(2025, 1, 14), date(2025, 1, 15))


def test_multi_date_slate_equals_each_date_alone_and_the_backtest(box_scores):
    slate = pd.concat([slate_from_box_scores(box_scores, d) for d in DAYS], ignore_index=True)
    # this season to a few days after the slate (later games exist, none may be used): fast
    box_scores = box_scores[box_scores["game_date"].between(date(2024, 10, 1), date(2025, 1, 20))]
    multi = build_features(box_scores, slate)
    # history that stops before the first date: later dates see no games after it, still one pass
    past = box_scores[box_scores["game_date"] < DAYS[0]]
    stale = build_features(past, slate)
    full = build_features(box_scores[box_scores["game_date"] <= DAYS[-1]])
    for day in DAYS:
        alone = build_features(box_scores, slate[slate["game_date"] == day])
        assert_same_features(on_day(multi, day), on_day(alone, day))
        assert_same_features(on_day(multi, day), on_day(full, day))
        # no known game between the slate's dates: the other dates' rows must take no slot
        assert_same_features(
            on_day(stale, day), on_day(build_features(past, slate[slate["game_date"] == day]), day)
        )
    first = on_day(stale, DAYS[0])
    assert_same_features(first, on_day(multi, DAYS[0]))
    later = on_day(stale, DAYS[-1])
    # nothing after DAYS[0] is known there: a player's games_before cannot grow across the dates
    both = later.index.intersection(first.index)
    assert (later.loc[both, "games_before"] == first.loc[both, "games_before"]).all()


def test_walk_forward_returns_the_labelled_history_before_the_last_date(box_scores):
    slate = slate_from_box_scores(box_scores, DAYS[1])
    targets, history = walk_forward(box_scores, slate)
    assert len(targets) == len(slate) and targets["points"].isna().all()
    assert history["game_date"].max() < DAYS[1] and history["points"].notna().all()
