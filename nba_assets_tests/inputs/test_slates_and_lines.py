"""Slate and prop-line contracts: each error class, the placeholder-line flag, game ids."""

from __future__ import annotations

import warnings

import pytest

from nba_assets.inputs.lines import SuspiciousLinesWarning, load_lines
from nba_assets.inputs.slates import load_slate
from nba_assets.inputs.validation import InputValidationError

SLATE_HEADER = "game_date,player_name,team,opponent,is_home,line"


def write(tmp_path, name, *lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_slate_with_lines_and_derived_game_ids(tmp_path):
    path = write(
        tmp_path,
        "slate.csv",
        SLATE_HEADER,
        "2025-02-12,Nikola Jokić,DEN,SAC,true,29.5",
        "2025-02-12,De'Aaron Fox,SAS,BOS,false,",
        "2025-02-12,Karl-Anthony Towns,NYK,ATL,home,24.5",
    )
    slate, lines = load_slate(path)
    assert list(slate["player_lookup"]) == ["nikolajokic", "deaaronfox", "karlanthonytowns"]
    assert slate.loc[0, "game_id"] == "20250212_SAC_DEN"
    assert slate.loc[1, "game_id"] == "20250212_SAS_BOS"
    assert list(lines["line"]) == [29.5, 24.5]


def test_slate_errors_all_reported(tmp_path):
    path = write(
        tmp_path,
        "slate.csv",
        SLATE_HEADER,
        "2025-02-12,Jalen Brunson,,ATL,true,26.5",  # no team
        "2025-02-12,Jalen Brunson,NYK,ATL,true,26.5",  # fine (the first had no team)
        "2025-02-12,Jalen Brunson,NYK,ATL,true,26.5",  # listed twice
        "02/30/2025,Josh Hart,NYK,ATL,maybe,81",  # bad date, bad flag, line too high
        "2025-02-12,Mikal Bridges,NYK,ATL,true,17.3",  # not on a .5 step
    )
    with pytest.raises(InputValidationError) as info:
        load_slate(path)
    text = [str(p) for p in info.value.problems]
    assert any("row 1, column 'team'" in p and "no team" in p for p in text)
    assert any("row 3" in p and "listed twice" in p for p in text)
    assert any("row 4, column 'game_date'" in p for p in text)
    assert any("row 4, column 'is_home'" in p and "maybe" in p for p in text)
    assert any("row 4, column 'line'" in p and "outside 0.5-80" in p for p in text)
    assert any("row 5, column 'line'" in p and "0.5 step" in p and "17.3" in p for p in text)


def placeholder_lines(tmp_path):
    rows = [f"2025-02-12,Player {chr(65 + i)} Example,20.0,book" for i in range(10)]
    rows.append("2025-02-12,Stephen Curry,28.5,book")
    return write(tmp_path, "lines.csv", "game_date,player_name,line,bookmaker", *rows)


def test_placeholder_lines_rejected_when_asked(tmp_path):
    with pytest.raises(InputValidationError, match="suspicious constant line .* 10 of 11 lines are 20"):
        load_lines(placeholder_lines(tmp_path), on_suspicious="reject")


def test_placeholder_lines_warn_by_default(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lines = load_lines(placeholder_lines(tmp_path))
    assert len(lines) == 11
    assert any(issubclass(w.category, SuspiciousLinesWarning) for w in caught)


def test_lines_nan_and_negative(tmp_path):
    path = write(
        tmp_path,
        "lines.csv",
        "game_date,player_name,line",
        "2025-02-12,Josh Hart,nan",
        "2025-02-12,Josh Giddey,-3.5",
    )
    with pytest.raises(InputValidationError) as info:
        load_lines(path)
    text = " | ".join(str(p) for p in info.value.problems)
    assert "row 1, column 'line'" in text and "not a finite number" in text
    assert "row 2, column 'line'" in text and "outside 0.5-80" in text
