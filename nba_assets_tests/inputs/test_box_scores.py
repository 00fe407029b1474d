"""Every validation error class of box scores, on real-looking rows of the 2024-25 export."""

from __future__ import annotations

import pytest

from nba_assets.inputs.box_scores import load_box_scores
from nba_assets.inputs.validation import InputValidationError

GOOD = (
    "22024,1629655,Daniel Gafford,1610612742,DAL,Dallas Mavericks,0022400110,2024-10-28,DAL vs. UTA,W,20,9,4,8,0.5,0,0,,1,1,1.0,4,3,7,0,0,3,0,2,-1,2024-25",
    "22024,1628973,Jalen Brunson,1610612752,NYK,New York Knicks,0022400114,2024-10-28,NYK @ IND,L,36,36,14,26,0.538,3,8,0.375,5,5,1.0,0,2,2,5,1,0,2,1,-7,2024-25",
)


def problems_of(path) -> list[str]:
    with pytest.raises(InputValidationError) as info:
        load_box_scores([path])
    return [str(p) for p in info.value.problems]


def test_good_rows_load_with_home_and_opponent(nba_stats_csv):
    frame = load_box_scores([nba_stats_csv(*GOOD)])
    gafford = frame.set_index("player_lookup").loc["danielgafford"]
    assert (gafford["team"], gafford["opponent"], bool(gafford["is_home"])) == ("DAL", "UTA", True)
    brunson = frame.set_index("player_lookup").loc["jalenbrunson"]
    assert (brunson["opponent"], bool(brunson["is_home"]), brunson["points"]) == ("IND", False, 36.0)


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("game_date,player_name,points\n2024-10-28,Jalen Brunson,36\n")
    found = problems_of(path)
    assert any("'game_id'" in p and "missing required column" in p for p in found)
    assert any("'minutes'" in p for p in found)


def test_every_bad_cell_is_reported_with_row_column_and_value(nba_stats_csv):
    rows = [
        GOOD[0].replace("2024-10-28", "2024-13-45"),  # row 1: bad date
        GOOD[1].replace(",36,36,", ",-4,36,"),  # row 2: negative minutes
        GOOD[1].replace("0022400114", "0022400115").replace(",36,36,", ",36,nan,"),  # row 3: NaN points
        GOOD[0].replace("DAL vs. UTA", "Dallas versus Utah").replace("0022400110", "0022400111"),  # row 4
    ]
    found = problems_of(nba_stats_csv(*rows, name="season.csv"))
    assert any("season.csv, row 1, column 'game_date'" in p and "2024-13-45" in p for p in found)
    assert any("row 2, column 'minutes'" in p and "must be >= 0" in p for p in found)
    assert any("row 3, column 'points'" in p and "not a finite number" in p for p in found)
    assert any("row 4, column 'MATCHUP'" in p and "Dallas versus Utah" in p for p in found)
    assert len(found) == 4  # all collected, not just the first


def test_duplicate_game_player_rows(nba_stats_csv):
    found = problems_of(nba_stats_csv(GOOD[0], GOOD[1], GOOD[0]))
    assert found == [p for p in found if "row 3" in p and "duplicate (game_id, player_id)" in p] and found


def test_duplicates_across_two_files(nba_stats_csv):
    a = nba_stats_csv(GOOD[0], name="a.csv")
    b = nba_stats_csv(GOOD[0], name="b.csv")
    with pytest.raises(InputValidationError, match="the same \\(game_id, player_id\\) in two sources"):
        load_box_scores([a, b])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02garbage", "binary data"),
        ("PLAYER_NAME\nNikola Joki\u0107\n".encode("latin-1", "replace") + b"\xe6\xff", "not UTF-8"),
    ],
)
def test_unreadable_files_are_one_clear_problem(tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(InputValidationError, match=message):
        load_box_scores([path])


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(InputValidationError, match="not a readable Parquet file"):
        load_box_scores([path])


def test_canonical_parquet_round_trip(tmp_path, box_scores):
    path = tmp_path / "canon.parquet"
    box_scores.head(50).to_parquet(path)
    again = load_box_scores([path])
    assert len(again) == 50 and set(again["player_lookup"]) <= set(box_scores["player_lookup"])
