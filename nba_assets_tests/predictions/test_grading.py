"""Grading: hit, miss, push, PASS, NO_LINE and a player who did not play."""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.predictions.grading import RESULT_COLUMNS, grade, summarize
from nba_assets.rows import TABLE_COLUMNS

DAY = date(2025, 1, 15)


def prediction(
    player: str, system: str, line: float | None, predicted: float, rec: str, active: bool = True
) -> dict:
    row = dict.fromkeys(TABLE_COLUMNS)
    row.update(
        game_date=DAY,
        game_id="0022400555",
        player_lookup=player,
        player_name=player.title(),
        system_id=system,
        points_line=line,
        line_key=-1 if line is None else round(line * 10),
        predicted_points=predicted,
        confidence=60.0,
        recommendation=rec,
        edge=None if line is None else predicted - line,
        is_active=active,
    )
    return row


def test_grade_hits_misses_pushes_and_non_picks():
    predictions = pd.DataFrame(
        [
            prediction("over_hit", "ma", 20.5, 24.0, "OVER"),
            prediction("over_miss", "ma", 20.5, 24.0, "OVER"),
            prediction("under_hit", "ma", 10.5, 7.0, "UNDER"),
            prediction("push", "ma", 12.0, 15.0, "OVER"),
            prediction("pass", "ma", 18.5, 19.0, "PASS"),
            prediction("no_line", "ma", None, 11.0, "NO_LINE"),
            prediction("dnp", "ma", 9.5, 14.0, "OVER"),
            prediction("over_hit", "gb", 20.5, 19.0, "UNDER"),
            prediction("over_hit", "old", 20.5, 30.0, "OVER", active=False),
        ]
    )
    actuals = pd.DataFrame(
        {
            "game_date": DAY,
            "game_id": "0022400555",
            "player_lookup": ["over_hit", "over_miss", "under_hit", "push", "pass", "no_line", "dnp"],
            "points": [25.0, 18.0, 6.0, 12.0, 30.0, 11.0, 0.0],
            "minutes": [30, 28, 20, 25, 33, 22, 0],
        }
    )
    results = grade(predictions, actuals)
    assert tuple(results.columns) == RESULT_COLUMNS and len(results) == 8  # the inactive row is not graded
    keys = results["player_lookup"] + "/" + results["system_id"]
    hits = {k: None if pd.isna(v) else bool(v) for k, v in zip(keys, results["hit"], strict=True)}
    assert hits["over_hit/ma"] is True and hits["over_miss/ma"] is False and hits["under_hit/ma"] is True
    assert hits["over_hit/gb"] is False
    for player in ("push", "pass", "no_line", "dnp"):
        assert hits[f"{player}/ma"] is None, player
    dnp = results.set_index("player_lookup").loc["dnp"]
    assert pd.isna(dnp["actual_points"]) and pd.isna(dnp["abs_error"])
    assert results.set_index("player_lookup").loc["under_hit", "abs_error"] == 1.0

    summary = summarize(results).set_index("system_id")
    ma = summary.loc["ma"]
    assert (ma["predictions"], ma["graded"], ma["picks"], ma["hits"], ma["pushes"]) == (7, 6, 3, 2, 1)
    assert ma["hit_rate"] == round(2 / 3, 4)
    assert ma["mae"] == round((1 + 6 + 1 + 3 + 11 + 0) / 6, 3)
    assert summary.loc["gb", "hit_rate"] == 0.0


def test_summarize_of_nothing_is_an_empty_table():
    assert summarize(pd.DataFrame(columns=list(RESULT_COLUMNS))).empty
