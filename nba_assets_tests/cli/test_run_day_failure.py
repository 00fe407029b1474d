"""A failed run-day ends with the failing step and its error in one line, and no stack trace."""

from __future__ import annotations

from pathlib import Path

import pytest

import nba_assets
from nba_assets.cli import main
from nba_assets.inputs.bundled import DEMO_DATE

pytestmark = pytest.mark.timeout(300)


def test_a_bad_slate_file_fails_run_day_with_the_step_and_its_error_on_the_last_line(
    tmp_path, monkeypatch, capfd
):
    slate = (Path(nba_assets.__file__).parent / "data" / f"slate_{DEMO_DATE}.csv").read_text()
    bad = tmp_path / "slate.csv"
    header, first, *rest = slate.splitlines()
    first = first.rsplit(",", 1)[0] + ",maybe"  # one bad home/away flag, in row 1
    bad.write_text("\n".join([header, first, *rest]) + "\n")
    for key, value in {
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_SLATES": str(bad),
        "NBA_ASSETS_SYSTEMS": "moving_average",
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }.items():
        monkeypatch.setenv(key, value)
    capfd.readouterr()
    assert main(["run-day", DEMO_DATE, "--shards", "1"]) == 1
    out, err = capfd.readouterr()
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"error: run-day {DEMO_DATE}: slate_job run ") and " failed at step " in last, last
    # the step that read the file (slate: the demo day's lines are the bundled ones, so prop_lines
    # does not read the slate file), and the validation error naming the file, row, column and value
    assert "step slate: InputValidationError: 1 problem(s) in input:" in last, last
    assert f"{bad}, row 1, column 'is_home': expected true/false (or home/away) (value 'maybe')" in last
    terminal = out + err
    assert "Traceback" not in terminal and "Stack Trace" not in terminal and 'File "' not in terminal
    assert "batch :" not in terminal  # no empty batch id: the slate never opened one
