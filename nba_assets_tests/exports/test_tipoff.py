"""Tip-off times go from a slate file (ISO 8601, any offset) to the exports as UTC (issue 13).

The slate file is read through the same resource the Dagster assets use, so a loader or a
validation step that drops the column fails here, not only in a browser.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from nba_assets.defs.settings import NbaInputsResource
from nba_assets.exports import schemas
from nba_assets.inputs.slates import load_slate
from nba_assets.inputs.validation import InputValidationError
from nba_assets_tests.exports.conftest import build
from nba_assets_tests.exports.day import Day

FIRST_TIP = datetime(2025, 2, 12, 23, 30, tzinfo=UTC)  # 18:30 in New York


def tip_of(index: int) -> datetime:
    return FIRST_TIP + timedelta(minutes=15 * index)


def written(moment: datetime, index: int) -> str:
    """The same instant written three ways a slate file may use."""
    if index % 3 == 0:
        return moment.isoformat().replace("+00:00", "Z")
    if index % 3 == 1:
        return moment.isoformat()  # +00:00
    return moment.astimezone(timezone(timedelta(hours=-5))).isoformat()  # New York in winter


def test_tipoff_from_a_slate_file_reaches_every_export(tmp_path, demo_day):
    games = sorted(demo_day.slate["game_id"].unique())
    expected = {g: tip_of(i).isoformat().replace("+00:00", "Z") for i, g in enumerate(games)}
    frame = demo_day.slate[["game_date", "game_id", "player_name", "team", "opponent", "is_home"]].copy()
    frame["tipoff"] = [written(tip_of(games.index(g)), games.index(g)) for g in frame["game_id"]]
    path = tmp_path / "slate.csv"
    frame.to_csv(path, index=False)

    inputs = NbaInputsResource(slates=[str(path)]).day(demo_day.game_date)
    assert dict(zip(inputs.slate["game_id"], inputs.slate["tipoff"], strict=True)) == expected
    day = Day(demo_day.game_date, demo_day.predictions, inputs.slate, demo_day.lines, demo_day.box_scores)
    files = list(build(day))
    index = next(f for f in files if f.kind == "all_players")
    assert {g["game_id"]: g["tipoff"] for g in index.payload["games"]} == expected
    players = [f for f in files if f.kind == "player"]
    assert players and all(f.payload["tipoff"] == expected[f.payload["game_id"]] for f in players)
    assert all(schemas.is_valid(f.kind, f.payload) for f in [index, *players])


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
