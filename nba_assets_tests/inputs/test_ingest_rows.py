"""What a line refresh re-predicts: players whose lines moved since their predictions, nobody else."""

from __future__ import annotations

import pandas as pd

from nba_assets.inputs.ingest import moved_players, moved_since_predictions


def _lines(rows):
    return pd.DataFrame(rows, columns=["player_lookup", "line"])


def _predictions(rows):
    return pd.DataFrame(rows, columns=["player_lookup", "points_line"])


def test_moved_since_predictions():
    predictions = _predictions([("a", 24.5), ("a", 24.5), ("b", 10.5), ("c", None), ("d", 5.5)])
    lines = _lines([("a", 24.5), ("b", 11.5), ("c", 7.5), ("e", 9.5)])  # d's line taken down
    # e has no predictions (skipped: no history) and is not re-batched on every refresh
    assert moved_since_predictions(lines, predictions, ["a", "b", "c", "d", "e"]) == ["b", "c", "d"]


def test_moved_players_between_two_ingests():
    before = _lines([("a", 24.5), ("a", 25.5), ("b", 10.5)])
    after = _lines([("a", 25.5), ("a", 24.5), ("b", 10.5), ("c", 3.5)])
    assert moved_players(before, after) == ["c"]
    assert moved_players(None, _lines([])) == []
