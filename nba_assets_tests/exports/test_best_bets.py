"""Best bets: OVER/UNDER only, one pick per player at his main line, ranked by the documented score."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from nba_assets.exports.best_bets import composite_score, rank
from nba_assets.exports.builders import build_day_exports
from nba_assets.predictions.lines import recommend
from nba_assets.rows import line_key, prediction_id
from nba_assets_tests.exports.conftest import GENERATED_AT
from nba_assets_tests.exports.day import to_table

DAY = date(2025, 3, 1)


def prediction_rows(spec: list[tuple[str, float, float, list[float | None]]], system: str = "moving_average"):
    """(player, predicted, confidence, lines) -> predictions table rows, one per line."""
    rows = []
    for player, predicted, confidence, lines in spec:
        for line in lines:
            rows.append(
                {
                    "game_date": DAY,
                    "game_id": "g1",
                    "player_lookup": player,
                    "player_name": player.title(),
                    "team": "BOS",
                    "opponent": "NYK",
                    "is_home": True,
                    "system_id": system,
                    "model_version": "t",
                    "points_line": line,
                    "line_key": line_key(line),
                    "predicted_points": predicted,
                    "confidence": confidence,
                    "prediction_id": prediction_id(DAY, "g1", player, system, line),
                }
            )
    frame = pd.DataFrame(rows)
    frame["points_line"] = frame["points_line"].astype(float)
    frame["edge"], frame["recommendation"] = recommend(frame["predicted_points"], frame["points_line"])
    return frame


def best_bets(frame: pd.DataFrame, **kwargs) -> dict:
    files = build_day_exports(DAY, to_table(frame), None, None, None, generated_at=GENERATED_AT, **kwargs)
    return next(f.payload for f in files if f.path == "v1/best-bets/2025-03-01.json")


def test_score_is_edge_over_sqrt_line_times_confidence():
    assert composite_score(3.0, 9.0, 80.0) == pytest.approx(3 / 3 * 0.8)
    assert composite_score(-3.0, 9.0, 80.0) == composite_score(3.0, 9.0, 80.0)
    # the same edge is worth more on a low line than on a high one
    assert composite_score(3.0, 9.5, 70) > composite_score(3.0, 30.5, 70)
    assert math.isclose(composite_score(4.0, 25.0, 50.0), 0.4)


def test_ranking_uses_the_score_and_only_over_under():
    frame = prediction_rows(
        [
            ("low", 13.5, 70.0, [9.5]),  # +4.0 on 9.5:  4/sqrt(9.5)*0.7  = 0.909
            ("high", 36.5, 90.0, [30.5]),  # +6.0 on 30.5: 6/sqrt(30.5)*0.9 = 0.978
            ("under", 14.0, 80.0, [20.5]),  # -6.5 on 20.5: 6.5/sqrt(20.5)*0.8 = 1.149
            ("pass", 21.0, 99.0, [20.5]),  # +0.5: PASS, never a pick
            ("noline", 30.0, 99.0, [None]),  # NO_LINE, never a pick
        ]
    )
    payload = best_bets(frame)
    assert [p["player_lookup"] for p in payload["picks"]] == ["under", "high", "low"]
    assert [p["rank"] for p in payload["picks"]] == [1, 2, 3]
    assert payload["total_candidates"] == 3 and payload["picks"][0]["recommendation"] == "UNDER"
    assert "sqrt(line)" in payload["scoring"]


def test_one_pick_per_player_at_his_main_line_not_a_far_alternate():
    # main line 20.5 (median of 18.5..22.5): edge +2.0; the 18.5 alternate would show +4.0
    frame = prediction_rows([("alt", 22.5, 70.0, [18.5, 19.5, 20.5, 21.5, 22.5])])
    (pick,) = best_bets(frame)["picks"]
    assert (pick["line"], pick["edge"], pick["recommendation"]) == (20.5, 2.0, "OVER")


def test_top_n_and_deterministic_ties():
    frame = prediction_rows(
        [(f"p{i}", 25.0, 60.0, [20.5]) for i in (3, 1, 2)] + [("big", 30.0, 60.0, [20.5])]
    )
    payload = best_bets(frame, best_bets_top_n=3)
    assert [p["player_lookup"] for p in payload["picks"]] == ["big", "p1", "p2"]
    assert payload["total_candidates"] == 4 and payload["total_picks"] == 3


def test_default_system_is_a_parameter():
    frame = pd.concat(
        [
            prediction_rows([("a", 30.0, 80.0, [20.5]), ("b", 22.5, 80.0, [20.5])]),
            prediction_rows([("a", 21.0, 80.0, [20.5]), ("b", 29.0, 80.0, [20.5])], system="ensemble"),
        ]
    )
    assert [p["player_lookup"] for p in best_bets(frame)["picks"]] == ["a", "b"]
    ensemble = best_bets(frame, default_system="ensemble")
    assert ensemble["system_id"] == "ensemble" and [p["player_lookup"] for p in ensemble["picks"]] == ["b"]


def test_rank_tie_breaks_by_edge_then_confidence_then_lookup():
    picks = [
        {"player_lookup": "z", "score": 1.0, "edge": 2.0, "confidence": 50.0},
        {"player_lookup": "a", "score": 1.0, "edge": 2.0, "confidence": 50.0},
        {"player_lookup": "m", "score": 1.0, "edge": -3.0, "confidence": 40.0},
        {"player_lookup": "c", "score": 1.0, "edge": 2.0, "confidence": 60.0},
    ]
    assert [p["player_lookup"] for p in rank(picks)] == ["m", "c", "a", "z"]
