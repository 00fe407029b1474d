"""A shard's staging rows convert to Arrow once; each player's slice equals converting him alone,
and a row that does not convert leaves the per-player path (so it fails only its player)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.defs.predictions.outcomes import staging_table, staging_tables
from nba_assets_tests.warehouse.factory import T0, prediction_rows

DAY = date(2025, 2, 12)
BATCH = "b20250212_0000aaaa"


def _rows(players: list[str]) -> pd.DataFrame:
    rows = [r for p in players for r in prediction_rows(BATCH, DAY, p, [18.5, None])]
    return pd.DataFrame(rows).drop(columns=["batch_id", "staged_at"])


def test_each_players_slice_equals_his_own_conversion() -> None:
    rows = _rows(["zion", "aaron", "mike"]).sample(frac=1.0, random_state=3)  # players interleaved
    tables = staging_tables(rows, BATCH, T0)
    assert sorted(tables) == ["aaron", "mike", "zion"]
    for player, table in tables.items():
        alone = staging_table(rows[rows["player_lookup"] == player], BATCH, T0)
        assert table.equals(alone)


def test_a_row_that_does_not_convert_sends_every_player_to_the_per_player_path() -> None:
    rows = _rows(["aaron", "mike"])
    rows["points_line"] = rows["points_line"].astype(object)
    rows.loc[rows.index[0], "points_line"] = "not a number"
    assert staging_tables(rows, BATCH, T0) == {}
    assert staging_table(rows[rows["player_lookup"] == "mike"], BATCH, T0).num_rows == 10


def test_no_rows_no_tables() -> None:
    assert staging_tables(_rows(["aaron"]).head(0), BATCH, T0) == {}
