"""Input tables (box scores, prop lines) on both warehouses: replaced per date, never duplicated."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from nba_assets.warehouse.base import Warehouse, WarehouseError
from nba_assets.warehouse.input_tables import BOX_SCORES_SCHEMA, PROP_LINES_SCHEMA, SLATES_SCHEMA
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


def slate(day: date, tipoffs: dict[str, str | None]) -> pa.Table:
    now = datetime.now(UTC)
    rows = [
        {"game_date": day, "game_id": "0022500800", "player_lookup": p, "player_name": p, "team": "CLE",
         "opponent": "LAC", "is_home": True, "status": None, "source": "nba stats", "ingested_at": now, "tipoff": t}
        for p, t in tipoffs.items()
    ]  # fmt: skip
    return pa.Table.from_pylist(rows, schema=SLATES_SCHEMA)


def test_slate_tipoffs_round_trip(wh):
    wh.write_inputs("slates", D, slate(D, {"a": "2025-02-13T00:30:00Z", "b": None}))
    got = {r["player_lookup"]: r["tipoff"] for r in wh.read_inputs("slates", D, D).to_pylist()}
    assert got == {"a": "2025-02-13T00:30:00Z", "b": None}


def test_a_slate_table_from_before_tipoffs_gains_the_column_and_keeps_its_rows(tmp_path):
    """A DuckDB warehouse written before the column existed: ensure_schema adds it in place."""
    import duckdb

    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE slate_players (game_date DATE NOT NULL, game_id VARCHAR NOT NULL, player_lookup VARCHAR "
            "NOT NULL, player_name VARCHAR, team VARCHAR, opponent VARCHAR, is_home BOOLEAN, status VARCHAR, "
            "source VARCHAR, ingested_at TIMESTAMPTZ NOT NULL)"
        )
        con.execute("INSERT INTO slate_players VALUES ('2025-02-12', 'g', 'old', 'old', 'CLE', 'LAC', true, "
                    "null, 'files', now())")  # fmt: skip
    wh = DuckDBWarehouse(path, tmp_path / "staging")
    wh.ensure_schema()
    assert [(r["player_lookup"], r["tipoff"]) for r in wh.read_inputs("slates", D, D).to_pylist()] == [
        ("old", None)
    ]
    wh.write_inputs("slates", E, slate(E, {"new": "2025-02-14T00:30:00Z"}))
    assert wh.read_inputs("slates", E, E).to_pylist()[0]["tipoff"] == "2025-02-14T00:30:00Z"


@pytest.mark.bigquery
def test_a_bigquery_slate_table_from_before_tipoffs_gains_the_column(bigquery_emulator, bigquery_dataset):
    from google.cloud import bigquery

    from nba_assets.warehouse.bigquery_io import schema_fields
    from nba_assets.warehouse.input_tables import SLATES_TABLE

    wh = bigquery_emulator.warehouse(bigquery_dataset, attempts=2, backoff=0.1)
    wh.ensure_schema()
    old = pa.schema([f for f in SLATES_SCHEMA if f.name != "tipoff"])
    wh.client.delete_table(wh._table_id(SLATES_TABLE))
    wh.client.create_table(bigquery.Table(wh._table_id(SLATES_TABLE), schema=schema_fields(old)))
    wh.ensure_schema()  # adds the nullable column in place
    wh.write_inputs("slates", D, slate(D, {"a": "2025-02-13T00:30:00Z"}))
    assert wh.read_inputs("slates", D, D).to_pylist()[0]["tipoff"] == "2025-02-13T00:30:00Z"
