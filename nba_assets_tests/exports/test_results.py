"""The graded results file: per player actual vs predicted, per system picks, hit rate, MAE, bias."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa

from nba_assets.exports.builders import build_results_export
from nba_assets.exports.quality import GateConfig, check_files
from nba_assets.rows import RESULTS_SCHEMA, line_key
from nba_assets_tests.exports.conftest import GENERATED_AT

DAY = date(2025, 3, 1)


def graded(rows: list[tuple]) -> pa.Table:
    """(player, system, line, predicted, recommendation, actual, hit) -> RESULTS_SCHEMA rows."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "player_lookup",
            "system_id",
            "points_line",
            "predicted_points",
            "recommendation",
            "actual_points",
            "hit",
        ],
    )
    frame["game_date"], frame["game_id"], frame["confidence"] = DAY, "g1", 70.0
    frame["player_name"] = frame["player_lookup"].str.title()
    frame["points_line"] = frame["points_line"].astype(float)
    frame["line_key"] = [line_key(None if pd.isna(v) else v) for v in frame["points_line"]]
    frame["abs_error"] = (frame["predicted_points"] - frame["actual_points"]).abs()
    frame["hit"] = frame["hit"].astype("boolean")
    return pa.Table.from_pandas(frame[RESULTS_SCHEMA.names], schema=RESULTS_SCHEMA, preserve_index=False)


def results(rows) -> dict:
    (file,) = build_results_export(DAY, graded(rows), generated_at=GENERATED_AT)
    assert check_files([file], GateConfig()) == []
    return file.payload


def test_per_system_hit_rate_mae_and_bias():
    payload = results(
        [
            ("a", "ma", 20.5, 25.0, "OVER", 30.0, True),  # error -5
            ("b", "ma", 10.5, 8.0, "UNDER", 12.0, False),  # error -4
            ("c", "ma", 15.5, 16.0, "PASS", 10.0, None),  # error +6, not a pick
            ("d", "ma", None, 12.0, "NO_LINE", 14.0, None),  # error -2, not a pick
        ]
    )
    assert payload["systems"]["ma"] == {
        "graded": 4,
        "picks": 2,
        "hits": 1,
        "hit_rate": 0.5,
        "mae": 4.25,
        "bias": -1.25,
    }
    assert payload["total_players"] == payload["total_graded"] == 4
    a = next(p for p in payload["players"] if p["player_lookup"] == "a")
    assert a == {
        "game_id": "g1",
        "player_lookup": "a",
        "player_name": "A",
        "actual_points": 30,
        "line": 20.5,
        "predictions": {
            "ma": {
                "predicted": 25.0,
                "confidence": 70.0,
                "recommendation": "OVER",
                "abs_error": 5.0,
                "hit": True,
            }
        },
    }


def test_graded_on_the_main_line_only():
    payload = results(
        [
            ("a", "ma", 18.5, 22.0, "OVER", 19.0, True),
            ("a", "ma", 20.5, 22.0, "PASS", 19.0, None),  # the main line (median of 18.5, 20.5, 22.5)
            ("a", "ma", 22.5, 22.0, "PASS", 19.0, None),
        ]
    )
    assert payload["systems"]["ma"]["picks"] == 0 and payload["players"][0]["line"] == 20.5


def test_unplayed_players_are_listed_but_not_graded():
    payload = results(
        [("a", "ma", 20.5, 25.0, "OVER", None, None), ("b", "ma", 20.5, 25.0, "OVER", 30.0, True)]
    )
    assert payload["total_players"] == 2 and payload["total_graded"] == 1
    assert payload["systems"]["ma"]["graded"] == 1 and payload["systems"]["ma"]["hit_rate"] == 1.0
    assert next(p for p in payload["players"] if p["player_lookup"] == "a")["actual_points"] is None


def test_empty_day_is_a_valid_empty_file():
    payload = results([("a", "ma", 20.5, 25.0, "OVER", 30.0, True)][:0])
    assert payload["players"] == [] and payload["systems"] == {} and payload["total_players"] == 0
