"""nba-assets predict end to end on a real slate: rows, one-line errors, no tracebacks."""

from __future__ import annotations

import pandas as pd

from nba_assets.cli import main
from nba_assets_tests.fixtures import DEMO_DATE


def test_predict_writes_one_row_per_player_system_line(tmp_path, demo_slate, capsys):
    slate = demo_slate.drop(columns=["player_lookup"]).head(40).copy()
    slate["line"] = [None if i % 4 == 0 else 10.5 + (i % 7) for i in range(len(slate))]
    slate_path = tmp_path / "slate.csv"
    slate.to_csv(slate_path, index=False)
    out = tmp_path / "predictions.csv"
    assert (
        main(["predict", "--slate", str(slate_path), "--out", str(out), "--systems", "moving_average", "-q"])
        == 0
    )
    rows = pd.read_csv(out)
    assert list(rows.columns) == [
        "game_date",
        "player_lookup",
        "player_name",
        "system_id",
        "line",
        "predicted_points",
        "confidence",
        "recommendation",
        "edge",
    ]
    assert set(rows["game_date"]) == {DEMO_DATE.isoformat()}
    assert not rows.duplicated(["player_lookup", "system_id", "line"]).any()
    assert set(rows.loc[rows["line"].isna(), "recommendation"]) <= {"NO_LINE"}
    assert set(rows.loc[rows["line"].notna(), "recommendation"]) <= {"OVER", "UNDER", "PASS"}
    assert rows["confidence"].between(0, 100).all()


def test_bad_slate_is_a_one_line_error_without_traceback(tmp_path, capsys):
    path = tmp_path / "slate.csv"
    path.write_text("game_date,player_name,team,opponent,is_home\n2025-02-12,Josh Hart,,ATL,true\n")
    assert main(["predict", "--slate", str(path), "--out", str(tmp_path / "o.csv"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "row 1, column 'team'" in err and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


def test_missing_file_is_one_line(tmp_path, capsys):
    assert main(["predict", "--slate", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_predict_takes_a_bettingpros_lines_file_as_it_is_and_names_what_matched_no_one(tmp_path, capsys):
    slate = tmp_path / "slate.csv"  # Brooklyn's real game of 2024-11-04 (in the bundled box scores)
    slate.write_text(
        "game_date,game_id,player_name,team,opponent,is_home\n"
        "2024-11-04,0022400158,Cameron Johnson,BKN,MEM,True\n2024-11-04,0022400158,Nic Claxton,BKN,MEM,True\n"
    )
    lines = tmp_path / "bettingpros.csv"
    lines.write_text(
        "game_date,season_end,player_slug,line,price\n"
        "2024-11-04,2025,cameronjohnson-g,16.5,-118\n2024-11-04,2025,nobodyatall,8.5,-110\n"
    )
    out = tmp_path / "predictions.csv"
    args = [
        "predict",
        "--slate",
        str(slate),
        "--lines",
        str(lines),
        "--out",
        str(out),
        "--systems",
        "moving_average",
    ]
    assert main(args) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "unmatched: 2024-11-04 (date): 'nobodyatall' (1 line(s))" in printed
    rows = pd.read_csv(out)
    assert rows.loc[rows["line"].notna(), ["player_lookup", "line"]].values.tolist() == [
        ["cameronjohnson", 16.5]
    ]
