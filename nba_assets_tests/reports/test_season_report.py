"""nba-assets report over a 3-day window of graded results in a real DuckDB warehouse."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from nba_assets.cli import main
from nba_assets.reports.season import season_window, weekly_summary
from nba_assets.rows import RESULTS_SCHEMA, line_key
from nba_assets.warehouse.local import DuckDBWarehouse

SAT, SUN, MON = date(2025, 2, 8), date(2025, 2, 9), date(2025, 2, 10)  # all game days; two weeks


def row(day, player, system, line, predicted, actual, hit, recommendation="OVER"):
    return {
        "game_date": day,
        "game_id": f"g{day:%m%d}",
        "player_lookup": player,
        "player_name": player.title(),
        "system_id": system,
        "line_key": line_key(line),
        "points_line": line,
        "predicted_points": predicted,
        "confidence": 60.0,
        "recommendation": recommendation if line is not None else "NO_LINE",
        "actual_points": actual,
        "abs_error": abs(predicted - actual),
        "hit": hit,
    }


GRADED = {
    SAT: [
        # p1/A has two lines: two bets (one hit), but one player-game error of 3
        row(SAT, "p1", "A", 20.5, 23.0, 20.0, True),
        row(SAT, "p1", "A", 22.5, 23.0, 20.0, False),
        row(SAT, "p1", "B", 20.5, 21.0, 20.0, None, "PASS"),  # a PASS is not a bet
        row(SAT, "p2", "A", None, 15.0, 10.0, None),  # no line: error counts, no bet
        row(SAT, "p2", "B", 10.5, 12.0, 10.0, True),
    ],
    MON: [row(MON, "p1", "A", 20.5, 21.0, 22.0, True), row(MON, "p1", "B", 20.5, 25.0, 22.0, False)],
}  # SUN is a game day without graded results


@pytest.fixture()
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("NBA_ASSETS_PROFILE", "local")
    monkeypatch.setenv("NBA_ASSETS_HOME", str(tmp_path / "out"))
    wh = DuckDBWarehouse(tmp_path / "out" / "warehouse.duckdb", tmp_path / "out" / "staging")
    wh.ensure_schema()
    for day, rows in GRADED.items():
        wh.write_results(day, pa.Table.from_pylist(rows, schema=RESULTS_SCHEMA))
    return wh


def test_report_on_a_three_day_window(warehouse, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", "--from", SAT.isoformat(), "--to", MON.isoformat(), "--out", str(out)]) == 0
    name = f"report_{SAT}_{MON}"
    weekly = pd.read_csv(out / f"{name}_weekly.csv")
    assert list(weekly.columns) == [
        "week_start",
        "system_id",
        "days",
        "player_games",
        "mae",
        "decided",
        "hits",
        "hit_rate",
    ]
    by_key = weekly.set_index(["week_start", "system_id"])
    assert by_key.loc[("2025-02-03", "A"), ["player_games", "mae", "decided", "hits"]].tolist() == [
        2,
        4.0,
        2,
        1,
    ]
    assert by_key.loc[("2025-02-03", "B"), ["player_games", "mae", "decided", "hits"]].tolist() == [
        2,
        1.5,
        1,
        1,
    ]
    assert by_key.loc[("2025-02-10", "B"), ["mae", "hit_rate"]].tolist() == [3.0, 0.0]
    markdown = (out / f"{name}.md").read_text()
    # whole window: A 3 player-games, MAE (3+5+1)/3, 2 of 3 bets; B MAE (1+2+3)/3, 1 of 2 bets
    assert "| B | 2 | 3 | 2.00 | 2 | 1 | 50.0% |" in markdown
    assert "| A | 2 | 3 | 3.00 | 3 | 2 | 66.7% |" in markdown
    assert markdown.index("| B |") < markdown.index("| A |")  # best MAE first
    assert f"1 game days have no graded results: {SUN}" in markdown
    assert f"![hit rate and MAE by week]({name}.png)" in markdown
    assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "2/3 game days graded" in printed and str(out / f"{name}.md") in printed.replace("\n", "")


def test_report_without_results_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NBA_ASSETS_HOME", str(tmp_path / "empty"))
    assert (
        main(["report", "--from", SAT.isoformat(), "--to", SUN.isoformat(), "--out", str(tmp_path), "-q"])
        == 1
    )
    assert "2 game days have no graded results" in (tmp_path / f"report_{SAT}_{SUN}.md").read_text()


def test_season_window_and_bad_input(capsys):
    assert season_window("2024-25") == (date(2024, 7, 1), date(2025, 6, 30))
    assert season_window("1999-00") == (date(1999, 7, 1), date(2000, 6, 30))
    with pytest.raises(ValueError, match="not like 2024-25"):
        season_window("2024-26")
    assert main(["report", "--season", "2024"]) == 2
    assert "error:" in capsys.readouterr().err
    assert weekly_summary(pd.DataFrame(columns=RESULTS_SCHEMA.names)).empty
