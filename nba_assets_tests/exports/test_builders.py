"""The day's files from a real bundled date: valid against their schemas, complete and point-in-time."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from nba_assets.exports import schemas
from nba_assets.exports.builders import build_results_export
from nba_assets.exports.files import serialise
from nba_assets.exports.frames import day_predictions
from nba_assets.exports.quality import check_files
from nba_assets_tests.exports.conftest import GENERATED_AT, build
from nba_assets_tests.exports.day import graded_results


def by_path(files):
    return {f.path: f for f in files}


def test_every_file_validates_against_its_schema(demo_files):
    kinds = Counter(f.kind for f in demo_files)
    assert kinds["all_players"] == kinds["predictions"] == 1 and kinds["best_bets"] == 2
    assert all(schemas.is_valid(f.kind, f.payload) for f in demo_files)
    # jsonschema itself (the authority, ~20x slower) on every kind, a sample of the player files
    players = [f for f in demo_files if f.kind == "player"]
    for file in [f for f in demo_files if f.kind != "player"] + players[::50]:
        assert schemas.validator(file.kind).is_valid(file.payload), (
            file.path,
            schemas.schema_errors(file.kind, file.payload),
        )


def test_the_day_passes_every_gate(demo_files, gates):
    assert check_files(demo_files, gates) == []


def test_paths_and_write_order(demo_files, demo_day):
    paths = [f.path for f in demo_files]
    assert paths[-2:] == ["v1/tonight/all-players.json", "v1/best-bets/latest.json"]
    assert "v1/predictions/2025-02-12.json" in paths and "v1/best-bets/2025-02-12.json" in paths
    players = [p for p in paths if p.startswith("v1/tonight/player/")]
    assert len(players) == len(set(players)) == demo_day.frame["player_lookup"].nunique()


def test_all_players_holds_every_game_and_player_with_consistent_totals(demo_files, demo_day):
    index = by_path(demo_files)["v1/tonight/all-players.json"].payload
    frame = demo_day.frame
    assert index["game_date"] == "2025-02-12" and index["generated_at"] == "2025-02-12T15:30:00Z"
    assert [g["game_id"] for g in index["games"]] == sorted(demo_day.games)
    entries = [e for g in index["games"] for e in g["players"]]
    assert index["total_players"] == len(entries) == frame["player_lookup"].nunique() > 250
    with_lines = frame.loc[frame["points_line"].notna(), "player_lookup"].nunique()
    assert index["total_with_lines"] == with_lines < index["total_players"]  # some players have no line
    assert index["systems"] == ["matchup", "moving_average"] and index["default_system"] == "moving_average"
    home = demo_day.slate[demo_day.slate["is_home"]].drop_duplicates("game_id").set_index("game_id")
    for game in index["games"]:
        assert (game["home_team"], game["away_team"]) == (
            home.at[game["game_id"], "team"],
            home.at[game["game_id"], "opponent"],
        )


def test_headline_prediction_is_the_default_system_at_the_main_line(demo_files, demo_day):
    index = by_path(demo_files)["v1/tonight/all-players.json"].payload
    frame = demo_day.frame
    entry = next(e for g in index["games"] for e in g["players"] if len(e["props"]) == 5)
    lines = sorted(p["line"] for p in entry["props"])
    assert entry["prediction"]["line"] == lines[2]  # the median of main +-1, +-2
    row = frame[
        (frame.player_lookup == entry["player_lookup"])
        & (frame.system_id == "moving_average")
        & (frame.points_line == lines[2])
    ].iloc[0]
    assert entry["prediction"] == {
        "line": lines[2],
        "predicted": round(row.predicted_points, 2),
        "confidence": round(row.confidence, 1),
        "recommendation": row.recommendation,
        "edge": round(row.edge, 2),
        # the demo day's lines are stand-ins: no probability and no EV are claimed on them
        "p_over": None,
        "expected_value": None,
        "calibration": "uncalibrated",
    }
    assert entry["predictions"]["moving_average"] == entry["prediction"]
    assert set(entry["predictions"]) == {"moving_average", "matchup"}
    no_line = next(e for g in index["games"] for e in g["players"] if not e["props"])
    assert no_line["prediction"]["recommendation"] == "NO_LINE" and no_line["prediction"]["edge"] is None
    assert no_line["prediction"]["calibration"] == "no_line" and no_line["prediction"]["p_over"] is None


def test_last_10_uses_only_games_strictly_before_the_date(demo_files, demo_day):
    index = by_path(demo_files)["v1/tonight/all-players.json"].payload
    box = demo_day.box_scores
    for entry in [e for g in index["games"] for e in g["players"]][:40]:
        before = box[(box.player_lookup == entry["player_lookup"]) & (box.game_date < demo_day.game_date)]
        expected = before.sort_values("game_date")["points"].tail(10).astype(int).tolist()
        assert entry["last_10"] == expected, entry["player_lookup"]
    player = by_path(demo_files)[f"v1/tonight/player/{entry['player_lookup']}.json"].payload
    assert all(g["game_date"] < "2025-02-12" for g in player["recent_games"])
    assert [g["points"] for g in player["recent_games"]] == entry["last_10"]


def test_player_file_has_every_line_and_system(demo_files, demo_day):
    frame = demo_day.frame
    lookup = frame.loc[frame["points_line"].notna(), "player_lookup"].iloc[0]
    player = by_path(demo_files)[f"v1/tonight/player/{lookup}.json"].payload
    rows = frame[frame.player_lookup == lookup]
    assert [b["line"] for b in player["by_line"]] == sorted(rows["points_line"].unique())
    assert all(set(b["predictions"]) == {"matchup", "moving_average"} for b in player["by_line"])
    assert player["game_id"] == rows["game_id"].iloc[0] and player["tipoff"] is None


def test_predictions_file_has_every_active_row(demo_day, demo_files):
    payload = by_path(demo_files)["v1/predictions/2025-02-12.json"].payload
    assert payload["total_predictions"] == demo_day.predictions.num_rows
    frame = demo_day.frame
    frame.loc[frame.index[:10], "is_active"] = False
    files = by_path(build(demo_day.with_predictions(frame)))
    assert (
        files["v1/predictions/2025-02-12.json"].payload["total_predictions"]
        == demo_day.predictions.num_rows - 10
    )


def test_tipoff_from_the_slate_is_utc(demo_day):
    slate = demo_day.slate.assign(tipoff="2025-02-12 19:30")  # naive = league time (New York)
    day = type(demo_day)(demo_day.game_date, demo_day.predictions, slate, demo_day.lines, demo_day.box_scores)
    index = by_path(build(day))["v1/tonight/all-players.json"].payload
    assert {g["tipoff"] for g in index["games"]} == {"2025-02-13T00:30:00Z"}


def test_results_file_validates_and_grades_each_system(demo_day):
    results = graded_results(demo_day)
    (file,) = build_results_export(
        demo_day.game_date, results, generated_at=GENERATED_AT + timedelta(hours=9)
    )
    assert file.path == "v1/results/2025-02-12.json" and schemas.validator("results").is_valid(file.payload)
    payload = file.payload
    assert set(payload["systems"]) == {"matchup", "moving_average"}
    assert payload["total_players"] == demo_day.frame["player_lookup"].nunique() == payload["total_graded"]
    ma = payload["systems"]["moving_average"]
    assert 0 < ma["picks"] <= ma["graded"] and 0 <= ma["hit_rate"] <= 1 and ma["mae"] > 0
    assert serialise(payload)  # no NaN anywhere


def test_generated_at_must_be_timezone_aware(demo_day):
    with pytest.raises(ValueError, match="timezone-aware"):
        next(build(demo_day, generated_at=datetime(2025, 2, 12, 15)))


def test_missing_input_columns_are_named(demo_day):
    with pytest.raises(ValueError, match="predictions lacks column.*edge"):
        day_predictions(demo_day.frame.drop(columns=["edge"]), demo_day.game_date)
    results = graded_results(demo_day).drop_columns(["actual_points"])
    with pytest.raises(ValueError, match="results lacks column.*actual_points"):
        next(build_results_export(demo_day.game_date, results, generated_at=GENERATED_AT))
