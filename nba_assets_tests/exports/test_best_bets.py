"""Best bets: OVER/UNDER only, one pick per player at his main line, ranked by expected value."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from nba_assets.exports.best_bets import expected_value_score, rank
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
    files = build_day_exports(
        DAY,
        to_table(frame),
        None,
        None,
        None,
        generated_at=GENERATED_AT,
        **{"default_system": "moving_average", **kwargs},
    )
    return next(f.payload for f in files if f.path == "v1/best-bets/2025-03-01.json")


def test_score_is_the_expected_value_of_the_recommended_side_at_minus_110():
    # sigma = 5 / z(0.9) = 3.90 at confidence 80; P(points >= 21 | mean 20.5) = 1 - Phi(0.5/3.9)
    assert expected_value_score(20.5, 20.5, 80.0, "OVER") == 0.0  # a coin flip at -110 loses: floored
    assert expected_value_score(26.0, 20.5, 80.0, "OVER") == pytest.approx(
        0.9208 * (1 + 100 / 110) - 1, abs=2e-3
    )
    assert expected_value_score(15.0, 20.5, 80.0, "UNDER") == expected_value_score(26.0, 20.5, 80.0, "OVER")
    # the same edge is worth more from a surer prediction
    assert expected_value_score(24.0, 20.5, 90.0, "OVER") > expected_value_score(24.0, 20.5, 60.0, "OVER")
    assert math.isfinite(expected_value_score(40.0, 0.5, 99.0, "OVER"))


def test_ranking_uses_the_score_and_only_over_under():
    frame = prediction_rows(
        [
            ("low", 13.5, 70.0, [9.5]),  # +4.0, sigma 4.8: P(over) 0.80, EV 0.52
            ("high", 36.5, 90.0, [30.5]),  # +6.0, sigma 3.0: P(over) 0.98, EV 0.86
            ("under", 14.0, 80.0, [20.5]),  # -6.5, sigma 3.9: P(under) 0.95, EV 0.82
            ("pass", 21.0, 99.0, [20.5]),  # +0.5: PASS, never a pick
            ("noline", 30.0, 99.0, [None]),  # NO_LINE, never a pick
        ]
    )
    payload = best_bets(frame)
    assert [p["player_lookup"] for p in payload["picks"]] == ["high", "under", "low"]
    assert [p["rank"] for p in payload["picks"]] == [1, 2, 3]
    assert payload["total_candidates"] == 3 and payload["picks"][1]["recommendation"] == "UNDER"
    assert "expected value" in payload["scoring"]


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
