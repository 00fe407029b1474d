"""The input tables the ``box_scores``, ``prop_lines`` and ``slate`` assets write: schemas, keys and checks.

Rows are replaced per date (a re-ingest of a date never duplicates: the date's rows become exactly
the new ones); the key inside a date is checked before anything is written. ``ingested_at`` makes
a version readers can key a cache on: (row count, newest ``ingested_at``) changes whenever a date
is re-ingested.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from nba_assets.warehouse.base import WarehouseError

_UTC_TS = pa.timestamp("us", tz="UTC")
BOX_SCORES_TABLE = "box_scores"
PROP_LINES_TABLE = "prop_lines"
SLATES_TABLE = "slate_players"
_STATS = ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast", "tov")

BOX_SCORES_SCHEMA = pa.schema(
    [("game_date", pa.date32()), ("game_id", pa.string()), ("player_id", pa.int64()),
     ("player_name", pa.string()), ("player_lookup", pa.string()), ("team", pa.string()),
     ("opponent", pa.string()), ("is_home", pa.bool_()), ("minutes", pa.float64()), ("points", pa.float64())]
    + [(c, pa.float64()) for c in _STATS]
    + [("source", pa.string()), ("ingested_at", _UTC_TS)]
)  # fmt: skip
PROP_LINES_SCHEMA = pa.schema(
    [("game_date", pa.date32()), ("player_lookup", pa.string()), ("line", pa.float64()),
     ("bookmaker", pa.string()), ("over_price", pa.float64()), ("under_price", pa.float64()),
     ("source", pa.string()), ("ingested_at", _UTC_TS)]
)  # fmt: skip
SLATES_SCHEMA = pa.schema(
    [("game_date", pa.date32()), ("game_id", pa.string()), ("player_lookup", pa.string()),
     ("player_name", pa.string()), ("team", pa.string()), ("opponent", pa.string()), ("is_home", pa.bool_()),
     ("status", pa.string()), ("source", pa.string()), ("ingested_at", _UTC_TS), ("tipoff", pa.string())]
)  # fmt: skip
# columns added after a table's first release: nullable, added in place to a table that lacks them
# (DuckDB ALTER TABLE, BigQuery schema update), so an existing warehouse keeps its rows
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {SLATES_TABLE: ("tipoff",)}  # tipoff: UTC ISO text

# kind -> (table, schema, key within a date, required columns, cluster columns)
INPUT_TABLES = {
    "box_scores": (BOX_SCORES_TABLE, BOX_SCORES_SCHEMA, ("game_date", "game_id", "player_id"),
                   ("game_date", "game_id", "player_id", "player_lookup", "ingested_at"), ["player_lookup"]),
    "prop_lines": (PROP_LINES_TABLE, PROP_LINES_SCHEMA, ("game_date", "player_lookup", "bookmaker", "line"),
                   ("game_date", "player_lookup", "line", "bookmaker", "ingested_at"), ["player_lookup"]),
    "slates": (SLATES_TABLE, SLATES_SCHEMA, ("game_date", "player_lookup"),
               ("game_date", "game_id", "player_lookup", "ingested_at"), ["player_lookup"]),
}  # fmt: skip


def spec(kind: str):
    if kind not in INPUT_TABLES:
        raise WarehouseError(f"unknown input table {kind!r}; expected one of {sorted(INPUT_TABLES)}")
    return INPUT_TABLES[kind]


def conform_inputs(kind: str, game_date: date, rows: pa.Table) -> pa.Table:
    """The rows in the table's schema, all of ``game_date``, required columns set, keys unique."""
    _, schema, key, required, _ = spec(kind)
    what = f"{kind} of {game_date}"
    if not isinstance(rows, pa.Table):
        raise WarehouseError(f"{what}: expected a pyarrow.Table, got {type(rows).__name__}")
    missing = [c for c in schema.names if c not in rows.column_names]
    if missing:
        raise WarehouseError(f"{what}: missing columns {missing}")
    try:
        table = rows.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise WarehouseError(f"{what}: columns do not fit the schema: {exc}") from exc
    nulls = {c: table[c].null_count for c in required if table[c].null_count}
    if nulls:
        raise WarehouseError(f"{what}: NULL in required columns {nulls}")
    if table.num_rows:
        dates = set(table["game_date"].to_pylist())
        if dates != {game_date}:
            raise WarehouseError(f"{what}: rows of other dates {sorted(str(d) for d in dates - {game_date})}")
        counts = table.group_by(list(key)).aggregate([([], "count_all")])
        dupes = pc.sum(pc.greater(counts["count_all"], 1)).as_py() or 0
        if dupes:
            raise WarehouseError(f"{what}: {dupes} duplicate key(s) {key}")
    return table
