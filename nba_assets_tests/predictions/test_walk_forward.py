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
from nba_assets.inputs.lines import reference_lines
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets.predictions import registry
from nba_assets.predictions.evaluation import backtest
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
