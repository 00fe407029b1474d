"""nba-assets train and evaluate on the bundled sample: files written, leaks refused."""

from __future__ import annotations

import pandas as pd

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
    assert "Calibration of P(over)" in report and "roi_pct" in report
    picks = pd.read_csv(out / "picks.csv")
    assert set(picks["system"]) <= systems and picks["hit_rate"].between(0, 1).all()
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


def test_train_saves_a_loadable_version(tmp_path, capsys):
    assert main(["train", "--train-before", "2024-01-01", "--out", str(tmp_path), "--rounds", "10"]) == 0
    version = model_store.version_dir(tmp_path)
    assert version is not None and version.name in capsys.readouterr().out
    assert model_store.read_metadata(version)["train_end"] < "2024-01-01"


def test_evaluate_with_a_lines_file_grades_picks_against_it(box_scores, tmp_path):
    day = box_scores[box_scores["game_date"] == pd.Timestamp("2025-03-03").date()].head(40)
    varied = [4.5 + (i % 20) for i in range(len(day))]  # one constant line would be flagged as a placeholder
    lines = pd.DataFrame({"game_date": day["game_date"], "player_name": day["player_name"], "line": varied})
    lines.to_csv(tmp_path / "lines.csv", index=False)
    out = tmp_path / "eval"
    args = [
        "evaluate",
        "--from",
        "2025-03-01",
        "--to",
        "2025-03-05",
        "--systems",
        "moving_average",
        "matchup",
        "--lines",
        str(tmp_path / "lines.csv"),
        "--out",
        str(out),
        "-q",
    ]
    assert main(args) == 0
    edges = pd.read_csv(out / "edges.csv")
    total = edges[edges["edge"] == "all"].set_index("system")
    assert 0 < total.loc["matchup", "picks"] <= 40
    assert "against the lines given with `--lines`" in (out / "report.md").read_text()
