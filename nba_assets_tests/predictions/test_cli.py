"""nba-assets train and evaluate on the bundled sample: files written, leaks refused."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from nba_assets.cli import main
from nba_assets.predictions import model_store


def test_evaluate_writes_the_report_files(model_root, tmp_path, capsys):
    out = tmp_path / "eval"
    code = main(
        [
            "evaluate",
            "--from",
            "2025-01-01",
            "--to",
            "2025-01-20",
            "--model-dir",
            str(model_root),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert {
        "report.md",
        "metrics.csv",
        "calibration.csv",
        "edges.csv",
        "minutes.csv",
        "evaluation.png",
        "picks.csv",
        "over_calibration.csv",
        "over_calibration.png",
    } <= names
    metrics = pd.read_csv(out / "metrics.csv")
    systems = {
        "moving_average",
        "matchup",
        "similarity",
        "gradient_boosting",
        "ensemble",
        "market_blend",
        "season_avg",
        "last10_avg",
    }
    assert set(metrics["system"]) == systems and set(metrics["population"]) == {"min15", "all"}
    assert metrics["mae"].between(2, 8).all() and (metrics["rows"] > 500).all()
    report = (out / "report.md").read_text()
    assert "reference lines" in report and "calibration" in report.lower()
    # stand-in lines: no probability, no EV, no pick
    assert "Calibration of P(over)" in report and "no pick is made" in report
    assert pd.read_csv(out / "picks.csv").empty and pd.read_csv(out / "line_mae.csv").empty
    assert (out / "evaluation.png").stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert "gradient_boosting" in printed and "reference lines" in printed


def test_evaluate_refuses_a_model_that_saw_the_window(model_root, tmp_path, capsys):
    code = main(
        [
            "evaluate",
            "--from",
            "2024-02-01",
            "--to",
            "2024-02-10",
            "--model-dir",
            str(model_root),
            "--out",
            str(tmp_path),
            "--systems",
            "gradient_boosting",
        ]
    )
    assert code == 2
    assert "retrain with --train-before 2024-02-01" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["latest", "nothing"])
def test_evaluate_names_a_model_dir_that_holds_no_model(model_root, tmp_path, capsys, where):
    """The ``latest`` pointer file (or a wrong path) is refused in one line naming the flag and the
    path; it used to predict nothing and end in ``KeyError: 'pick_hit_rate'`` while writing the report."""
    given = model_root / "latest" if where == "latest" else tmp_path / "nothing"
    argv = ["evaluate", "--from", "2025-03-01", "--to", "2025-03-05", "--model-dir", str(given)]
    assert main([*argv, "--out", str(tmp_path / "eval"), "-q"]) == 2
    assert f"--model-dir {given}: no trained model there" in capsys.readouterr().err
    assert not (tmp_path / "eval").exists()


def test_evaluate_heuristics_only_needs_no_model(tmp_path):
    out = tmp_path / "eval"
    assert (
        main(
            [
                "evaluate",
                "--from",
                "2025-03-01",
                "--to",
                "2025-03-05",
                "--systems",
                "matchup",
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    assert set(pd.read_csv(out / "metrics.csv")["system"]) == {"matchup", "season_avg", "last10_avg"}
    assert not (out / "model").exists()


def test_train_saves_a_loadable_version_and_its_calibration_on_real_lines_before_the_cut(
    box_scores, features, tmp_path, capsys
):
    from nba_assets.inputs.lines import reference_lines
    from nba_assets.predictions import line_calibration

    lines = reference_lines(features[features["game_date"] >= date(2023, 11, 1)])  # on and after the cut too
    names = box_scores.drop_duplicates("player_lookup").set_index("player_lookup")["player_name"]
    lines = lines.assign(player_name=lines["player_lookup"].map(names), bookmaker="testbook")
    lines.drop(columns="player_lookup").to_csv(tmp_path / "lines.csv", index=False)
    args = ["train", "--train-before", "2024-01-01", "--out", str(tmp_path / "m"), "--rounds", "10"]
    assert main([*args, "--lines", str(tmp_path / "lines.csv")]) == 0
    version = model_store.version_dir(tmp_path / "m")
    out = capsys.readouterr().out
    assert version is not None and version.name in out
    assert "first-season" in out  # every line is of 2023-24, the cut's season: it says no pick is made
    assert model_store.read_metadata(version)["train_end"] < "2024-01-01"
    pairs = line_calibration.load_pairs(version)
    assert len(pairs) > 1000 and (pd.to_datetime(pairs["game_date"]).dt.date < date(2024, 1, 1)).all()
    stored = json.loads((version / line_calibration.FILE_NAME).read_text())
    assert (
        stored["gradient_boosting"]["pairs"] > 0 and stored["gradient_boosting"]["last_pair"] < "2024-01-01"
    )
    assert stored["gradient_boosting"]["first_season"] is True


def test_evaluate_with_real_lines_makes_calibrated_picks_and_none_on_stand_ins(
    box_scores, features, model_root, tmp_path
):
    from nba_assets.inputs.lines import reference_lines

    # lines on the model's hold-out dates (the calibration's pairs) and on the window's
    dates = features["game_date"]
    wanted = ((dates >= date(2024, 1, 1)) & (dates < date(2024, 3, 1))) | (
        (dates >= date(2025, 3, 1)) & (dates <= date(2025, 3, 5))
    )
    lines = reference_lines(features[wanted])
    names = box_scores.drop_duplicates("player_lookup").set_index("player_lookup")["player_name"]
    lines = lines.assign(player_name=lines["player_lookup"].map(names), bookmaker="testbook")
    out = tmp_path / "eval"

    def evaluate(frame: pd.DataFrame, out) -> int:
        frame.drop(columns="player_lookup").to_csv(tmp_path / "lines.csv", index=False)
        args = [
            "evaluate",
            "--from",
            "2025-03-01",
            "--to",
            "2025-03-05",
            "--systems",
            "moving_average",
            "matchup",
        ]
        args += [
            "--lines",
            str(tmp_path / "lines.csv"),
            "--model-dir",
            str(model_root),
            "--out",
            str(out),
            "-q",
        ]
        return main(args)

    assert evaluate(lines, out) == 0
    picks = pd.read_csv(out / "picks.csv").set_index("system")
    assert picks.loc["matchup", "picks"] > 0 and picks["hit_rate"].between(0, 1).all()
    assert picks["roi_lo_pct"].le(picks["roi_pct"]).all() and picks["roi_hi_pct"].ge(picks["roi_pct"]).all()
    line_mae = pd.read_csv(out / "line_mae.csv")
    assert set(line_mae["system"]) == {"moving_average", "matchup"} and (line_mae["line_mae"] > 0).all()
    report = (out / "report.md").read_text()
    assert "against the real lines given with `--lines`" in report and "within_0.03" in report
    # the same lines as stand-ins: nothing is calibrated, nothing is picked
    assert evaluate(lines.assign(bookmaker="reference"), tmp_path / "stand_in") == 0
    assert pd.read_csv(tmp_path / "stand_in" / "picks.csv").empty
