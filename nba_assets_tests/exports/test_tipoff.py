"""Tip-off times in a slate file: ISO 8601 with an offset, kept as UTC; bad ones named (issue 13).

That they reach all-players.json and the player files through the warehouse's slate table is
tested through ``run-day`` itself (``nba_assets_tests/defs/test_tipoff_run_day.py``, issue 22).
"""

from __future__ import annotations

import pytest

from nba_assets.inputs.slates import load_slate
from nba_assets.inputs.validation import InputValidationError


def test_bad_tipoffs_are_named_with_source_row_field_and_value(tmp_path):
    path = tmp_path / "slate.csv"
    path.write_text(
        "game_date,player_name,team,opponent,is_home,tipoff\n"
        "2025-02-12,Nikola Jokic,DEN,SAC,true,2025-02-13T02:00:00Z\n"  # fine: 21:00 in New York
        "2025-02-12,De'Aaron Fox,SAS,BOS,false,7:30pm\n"
        "2025-02-12,Jalen Brunson,NYK,ATL,true,2025-02-12T19:30:00\n"
        "2025-02-12,Josh Hart,NYK,ATL,true,2025-02-14T00:30:00Z\n"
        "2025-02-12,Mikal Bridges,NYK,ATL,true,\n",  # unknown: allowed, exported as null
        encoding="utf-8",
    )
    with pytest.raises(InputValidationError) as info:
        load_slate(path)
    problems = [(p.row, p.column, p.value) for p in info.value.problems]
    assert problems == [
        (2, "tipoff", "7:30pm"),
        (3, "tipoff", "2025-02-12T19:30:00"),
        (4, "tipoff", "2025-02-14T00:30:00Z"),
    ]
    message = str(info.value)
    assert str(path) in message and "row 2, column 'tipoff'" in message and "ISO 8601" in message
    assert "no UTC offset" in message and "2025-02-13 in New York, not on game_date 2025-02-12" in message


def test_a_slate_without_tipoffs_exports_null(tmp_path):
    path = tmp_path / "slate.csv"
    path.write_text("game_date,player_name,team,opponent,is_home\n2025-02-12,Nikola Jokic,DEN,SAC,true\n")
    slate, _ = load_slate(path)
    assert slate["tipoff"].isna().all()
