"""A lines or slate file missing any required column is refused with the named-column error (source,
column, the columns it has), never a raw KeyError from deeper in the validator."""

from __future__ import annotations

import pytest

from nba_assets.inputs.lines import load_lines
from nba_assets.inputs.slates import load_slate
from nba_assets.inputs.validation import InputValidationError

LINES = {"game_date": "2025-02-12", "player_name": "Nikola Jokić", "line": "29.5", "bookmaker": "dk"}
SLATE = {"game_date": "2025-02-12", "player_name": "Nikola Jokić", "team": "DEN", "opponent": "SAC",
         "is_home": "true", "line": "29.5"}  # fmt: skip
CASES = [("lines", c) for c in ("game_date", "player_name", "line")] + [
    ("slate", c) for c in ("game_date", "player_name", "team", "opponent", "is_home")
]


@pytest.mark.parametrize(("kind", "dropped"), CASES)
def test_a_missing_required_column_is_named(tmp_path, kind, dropped):
    row = {k: v for k, v in (LINES if kind == "lines" else SLATE).items() if k != dropped}
    path = tmp_path / f"{kind}.csv"
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    with pytest.raises(InputValidationError) as info:
        (load_lines if kind == "lines" else load_slate)(path)
    text = str(info.value)
    assert str(path) in text and f"'{dropped}'" in text and "missing required column" in text
    assert f"has: {', '.join(row)}" in text  # what the file does have, to fix it by


def test_lines_file_complete_loads(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text(",".join(LINES) + "\n" + ",".join(LINES.values()) + "\n", encoding="utf-8")
    assert list(load_lines(path)["line"]) == [29.5]
