"""Input tables (box scores, prop lines) on both warehouses: replaced per date, never duplicated."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from nba_assets.warehouse.base import Warehouse, WarehouseError
from nba_assets.warehouse.input_tables import BOX_SCORES_SCHEMA, PROP_LINES_SCHEMA
from nba_assets.warehouse.local import DuckDBWarehouse

D, E = date(2025, 2, 12), date(2025, 2, 13)


@pytest.fixture(params=["duckdb", pytest.param("bigquery", marks=pytest.mark.bigquery)])
def wh(request, tmp_path) -> Warehouse:
    if request.param == "duckdb":
        warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb", tmp_path / "staging")
    else:
        emulator = request.getfixturevalue("bigquery_emulator")
        warehouse = emulator.warehouse(request.getfixturevalue("bigquery_dataset"), attempts=2, backoff=0.1)
    warehouse.ensure_schema()
    return warehouse


def lines(day: date, entries: list[tuple[str, float, str]], source: str = "odds") -> pa.Table:
    now = datetime.now(UTC)
    return pa.Table.from_pylist(
        [
            {"game_date": day, "player_lookup": p, "line": line, "bookmaker": b, "over_price": -110.0,
             "under_price": None, "source": source, "ingested_at": now}
            for p, line, b in entries
        ],
        schema=PROP_LINES_SCHEMA,
    )  # fmt: skip


def box(day: date, players: list[tuple[int, str, float]]) -> pa.Table:
    now = datetime.now(UTC)
    rows = []
    for pid, lookup, pts in players:
        row = {c: None for c in BOX_SCORES_SCHEMA.names}
        row.update(game_date=day, game_id="0022400700", player_id=pid, player_name=lookup, player_lookup=lookup,
                   team="DEN", opponent="LAL", is_home=True, minutes=30.0, points=pts, source="feed",
                   ingested_at=now)  # fmt: skip
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=BOX_SCORES_SCHEMA)


def test_reingesting_a_date_replaces_it_and_leaves_other_dates(wh):
    wh.write_inputs("prop_lines", D, lines(D, [("a", 24.5, "dk"), ("b", 10.5, "dk")]))
    wh.write_inputs("prop_lines", E, lines(E, [("a", 25.5, "dk")]))
    v1, both = wh.inputs_version("prop_lines"), wh.inputs_version("box_scores", "prop_lines")
    wh.write_inputs("prop_lines", D, lines(D, [("a", 25.0, "dk")]))  # a moved, b gone
    wh.write_inputs("prop_lines", D, lines(D, [("a", 25.0, "dk")]))  # again: no duplicate
    got = wh.read_inputs("prop_lines", D, E).to_pylist()
    assert [(r["game_date"], r["player_lookup"], r["line"]) for r in got] == [(D, "a", 25.0), (E, "a", 25.5)]
    assert got[0]["under_price"] is None and wh.inputs_version("prop_lines") != v1
    assert wh.inputs_version("box_scores", "prop_lines") != both  # one round trip, any table's write


def test_box_scores_round_trip_and_bad_rows_write_nothing(wh):
    assert wh.write_inputs("box_scores", D, box(D, [(1, "a", 31.0), (2, "b", 12.0)])) == 2
    version = wh.inputs_version("box_scores")
    with pytest.raises(WarehouseError, match="duplicate key"):
        wh.write_inputs("box_scores", D, box(D, [(1, "a", 31.0), (1, "a", 30.0)]))
    with pytest.raises(WarehouseError, match="rows of other dates"):
        wh.write_inputs("box_scores", D, box(E, [(3, "c", 5.0)]))
    assert wh.inputs_version("box_scores") == version  # nothing written
    assert wh.inputs_version("box_scores", "prop_lines").startswith(f"{version}|")
    table = wh.read_inputs("box_scores", D, D)
    assert table.schema.equals(BOX_SCORES_SCHEMA)
    assert sorted(table["points"].to_pylist()) == [12.0, 31.0]
    assert wh.read_inputs("box_scores", E, E).num_rows == 0
