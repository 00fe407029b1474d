"""One walk-forward engine: a player-date's prediction is the same by every path that makes it.

Four paths over several consecutive dates: each date predicted alone, all dates in one
multi-date slate, the ``evaluate`` backtest, and the pipeline's path (the day's features and the
learned history built per date, as the staging asset's inputs do, then ``run_systems`` with the
lines, as the stored lines would be).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.features import build_features
from nba_assets.inputs.bundled import bundled_lines_paths
from nba_assets.inputs.lines import load_lines, reference_lines
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets.predictions import registry
from nba_assets.predictions.evaluation import backtest
from nba_assets.predictions.market_blend import MIN_PAIRS
from nba_assets.predictions.runner import expand_lines, history_features, predict_slate, run_systems

DAYS = (date(2025, 1, 13), date(2025, 1, 14), date(2025, 1, 15))
KEY = ["game_date", "player_lookup", "system_id"]


def _points(rows: pd.DataFrame) -> pd.Series:
    main = rows.sort_values("line_key").drop_duplicates(KEY)
    return main.set_index(KEY)["predicted_points"].sort_index()


def test_alone_multi_date_evaluate_and_pipeline_agree(box_scores, model_root):
    # This season up to the last date (plus a later game, which no path may use): small and fast.
    box_scores = box_scores[(box_scores["game_date"] >= date(2024, 10, 1))]
    box_scores = box_scores[box_scores["game_date"] <= date(2025, 1, 17)]
    features = build_features(box_scores)
    systems = registry.build_systems(None, model_root)
    slate = pd.concat([slate_from_box_scores(box_scores, d) for d in DAYS], ignore_index=True)
    lines = reference_lines(features[features["game_date"].isin(DAYS)])
    multi, _ = predict_slate(box_scores, slate, lines, systems)
    alone = pd.concat(
        [predict_slate(box_scores, slate[slate["game_date"] == d], lines, systems)[0] for d in DAYS]
    )
    pipeline_parts = []
    for d in DAYS:  # what the staging asset runs: DayInputs.features + learned_history(d)
        day_features = build_features(box_scores, slate[slate["game_date"] == d])
        outputs = run_systems(day_features, systems, history_features(box_scores, d), lines=lines)
        pipeline_parts.append(
            expand_lines(day_features, outputs, lines, {s.system_id: s.version for s in systems})
        )
    pipeline = pd.concat(pipeline_parts)
    result = backtest(features, DAYS[0], DAYS[-1], systems, lines, "files")
    scored = result.scored.melt(
        id_vars=["game_date", "player_lookup"],
        value_vars=[s.system_id for s in systems],
        var_name="system_id",
        value_name="predicted_points",
    )
    evaluated = scored.set_index(KEY)["predicted_points"].sort_index()

    multi_points = _points(multi)
    assert len(multi_points) > 500 and multi_points.index.get_level_values("game_date").nunique() == 3
    pd.testing.assert_series_equal(_points(alone), multi_points, check_exact=False, atol=1e-9)
    pd.testing.assert_series_equal(_points(pipeline), multi_points, check_exact=False, atol=1e-9)
    # evaluate scores the rows every system predicted, unrounded: compare those at the rows' rounding
    common = evaluated.index.intersection(multi_points.index)
    assert len(common) > 0.8 * len(evaluated) and len(common) > 300
    diff = (evaluated.loc[common].round(2) - multi_points.loc[common]).abs()
    assert diff.max() <= 0.0051, diff.sort_values().tail()


REAL_DAYS = (date(2024, 11, 2), date(2024, 11, 3), date(2024, 11, 4))  # days of the bundled real lines


def test_market_blend_learned_from_real_lines_on_earlier_dates_agrees_on_every_path(box_scores, model_root):
    """Issue 23 item 1: with real lines on earlier dates, market_blend learns its weight from the
    (line, outcome) pairs strictly before each date; a date inside a many-date slate once got other
    past estimates than the same date alone (the history rows of a slate date took the slate as
    their teammates). Four paths, one weight and one prediction per player-date."""
    box_scores = box_scores[box_scores["game_date"].between(date(2024, 10, 1), date(2024, 11, 6))]
    lines = load_lines(bundled_lines_paths()[0], "allow", box_scores)
    assert lines["game_date"].min() < REAL_DAYS[0] and set(REAL_DAYS) <= set(lines["game_date"])
    features = build_features(box_scores)
    names = ["moving_average", "gradient_boosting", "market_blend"]
    slate = pd.concat([slate_from_box_scores(box_scores, d) for d in REAL_DAYS], ignore_index=True)

    systems = registry.build_systems(names, model_root)
    multi, _ = predict_slate(box_scores, slate, lines, systems)
    blend = systems[-1]
    weights = {d: blend.weights[d] for d in REAL_DAYS}
    assert all(pairs >= MIN_PAIRS for _, pairs in weights.values()), weights  # learned, not the prior
    assert weights[REAL_DAYS[0]][1] < weights[REAL_DAYS[1]][1] < weights[REAL_DAYS[2]][1]

    alone_parts = []
    for d in REAL_DAYS:
        systems = registry.build_systems(names, model_root)
        alone_parts.append(predict_slate(box_scores[box_scores["game_date"] < d], slate[slate["game_date"] == d],
                                         lines[lines["game_date"] <= d], systems)[0])  # fmt: skip
        assert systems[-1].weights[d] == weights[d]
    alone = pd.concat(alone_parts)

    pipeline_parts = []
    for d in REAL_DAYS:  # staging: the day's features, learned history, past real lines + the day's
        systems = registry.build_systems(names, model_root)
        day_features = build_features(box_scores, slate[slate["game_date"] == d])
        day_lines = lines[lines["game_date"] == d]
        known = pd.concat([lines[lines["game_date"] < d], day_lines])
        outputs = run_systems(day_features, systems, history_features(box_scores, d), lines=known)
        assert systems[-1].weights[d] == weights[d]
        pipeline_parts.append(
            expand_lines(day_features, outputs, day_lines, {s.system_id: s.version for s in systems})
        )
    pipeline = pd.concat(pipeline_parts)

    systems = registry.build_systems(names, model_root)
    result = backtest(features, REAL_DAYS[0], REAL_DAYS[-1], systems, lines, "files")
    evaluated = result.scored.set_index(["game_date", "player_lookup"])["market_blend"].sort_index()

    blend_of = lambda rows: _points(rows[rows["system_id"] == "market_blend"])  # noqa: E731
    multi_points = blend_of(multi)
    assert len(multi_points) > 200
    pd.testing.assert_series_equal(blend_of(alone), multi_points, check_exact=False, atol=1e-9)
    pd.testing.assert_series_equal(blend_of(pipeline), multi_points, check_exact=False, atol=1e-9)
    multi_by_key = multi_points.droplevel("system_id")
    common = evaluated.index.intersection(multi_by_key.index)
    assert len(common) > 0.8 * len(evaluated) and len(common) > 200
    assert (evaluated.loc[common].round(2) - multi_by_key.loc[common]).abs().max() <= 0.0051
