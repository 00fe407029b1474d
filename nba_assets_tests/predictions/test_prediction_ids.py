"""L11 in the runner itself: a prediction's id is the uuid5 of its merge key, so a re-run of a day
mints the same ids (the MERGE updates in place instead of inserting a second row per key)."""

from __future__ import annotations

from datetime import date

from nba_assets.features import build_features
from nba_assets.inputs.lines import reference_lines
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets.predictions import registry
from nba_assets.predictions.runner import predict_slate
from nba_assets.rows import prediction_id

DAY = date(2025, 1, 15)


def test_a_rerun_mints_the_same_ids_each_the_uuid5_of_its_merge_key(box_scores):
    box = box_scores[(box_scores["game_date"] >= date(2024, 10, 1)) & (box_scores["game_date"] <= DAY)]
    slate = slate_from_box_scores(box, DAY)
    features = build_features(box, slate)
    lines = reference_lines(features, alternates=1)
    systems = registry.build_systems(["moving_average"])
    first, _ = predict_slate(box, slate, lines, systems, features=features)
    again, _ = predict_slate(box, slate, lines, systems, features=features)
    assert len(first) > 50
    assert list(first["prediction_id"]) == list(again["prediction_id"])
    expected = [
        prediction_id(r.game_date, r.game_id, r.player_lookup, r.system_id, r.points_line)
        for r in first.itertuples()
    ]
    assert list(first["prediction_id"]) == expected
    assert first["prediction_id"].is_unique  # one id per (date, game, player, system, line)
