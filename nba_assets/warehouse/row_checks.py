"""Arrow schemas of the tables and the checks every row passes before it reaches a backend.

Both backends call these, so a bad staging or results table is refused the same way on DuckDB
and BigQuery, before anything is written.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.compute as pc

from nba_assets.naming import check_batch_id
from nba_assets.rows import (
    MERGE_KEY,
    RECOMMENDATIONS,
    RESULTS_SCHEMA,
    STAGING_COLUMNS,
    STAGING_SCHEMA,
    TABLE_COLUMNS,
    line_key,
)
from nba_assets.warehouse.base import WarehouseError

_UTC_TS = pa.timestamp("us", tz="UTC")
TABLE_SCHEMA = pa.schema(
    [STAGING_SCHEMA.field(c) for c in TABLE_COLUMNS if c in STAGING_COLUMNS]
    + [pa.field("is_active", pa.bool_()), pa.field("created_at", _UTC_TS), pa.field("updated_at", _UTC_TS)]
)
# NOT NULL / REQUIRED columns: the key and what identifies a row's origin.
STAGING_REQUIRED = (*MERGE_KEY, "prediction_id", "batch_id", "staged_at")
TABLE_REQUIRED = (*MERGE_KEY, "prediction_id", "batch_id", "is_active", "created_at", "updated_at")
RESULTS_KEY = MERGE_KEY
RESULTS_REQUIRED = RESULTS_KEY
RESULTS_COLUMNS = tuple(RESULTS_SCHEMA.names)
_BATCH_DATE = re.compile(r"^b(\d{4})(\d{2})(\d{2})_")


def batch_date(batch_id: str) -> date:
    """The game date a batch id was made for (``bYYYYMMDD_<hash>``)."""
    y, m, d = _BATCH_DATE.match(check_batch_id(batch_id)).groups()
    return date(int(y), int(m), int(d))


def utc_now() -> datetime:
    """Now, at the microsecond precision both backends store (so equality on it is exact)."""
    return datetime.now(UTC)


def _conform(rows: pa.Table, schema: pa.Schema, what: str) -> pa.Table:
    if not isinstance(rows, pa.Table):
        raise WarehouseError(f"{what}: expected a pyarrow.Table, got {type(rows).__name__}")
    missing = [c for c in schema.names if c not in rows.column_names]
    extra = [c for c in rows.column_names if c not in schema.names]
    if missing or extra:
        raise WarehouseError(f"{what}: missing columns {missing}, unknown columns {extra}")
    try:
        return rows.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise WarehouseError(f"{what}: columns do not fit the schema: {exc}") from exc


def _require(table: pa.Table, columns: tuple[str, ...], what: str) -> None:
    nulls = {c: table[c].null_count for c in columns if table[c].null_count}
    if nulls:
        raise WarehouseError(f"{what}: NULL in required columns {nulls}")


def _check_line_keys(table: pa.Table, what: str) -> None:
    lines, keys = table["points_line"].to_pylist(), table["line_key"].to_pylist()
    for i, (line, key) in enumerate(zip(lines, keys, strict=True)):
        if line_key(line) != key:
            raise WarehouseError(
                f"{what}: row {i} has points_line={line!r} but line_key={key} (expected {line_key(line)})"
            )


def _duplicates(table: pa.Table, columns: tuple[str, ...]) -> int:
    if table.num_rows == 0:
        return 0
    counts = table.group_by(list(columns)).aggregate([([], "count_all")])
    return pc.sum(pc.greater(counts["count_all"], 1)).as_py() or 0


def conform_staging(batch_id: str, player_lookup: str, rows: pa.Table) -> pa.Table:
    """One player's staging rows in STAGING_SCHEMA order, or WarehouseError saying what is wrong.

    Every row must belong to this batch and this player (so re-writing a player can only ever
    replace that player's rows) and carry the line_key of its line (L10). Rows repeating a key
    must differ in ``staged_at``: the MERGE keeps the newest, and a tie would be arbitrary.
    """
    check_batch_id(batch_id)
    what = f"staging of {player_lookup!r} in {batch_id}"
    table = _conform(rows, STAGING_SCHEMA, what)
    _require(table, STAGING_REQUIRED, what)
    for column, expected in (("batch_id", batch_id), ("player_lookup", player_lookup)):
        others = set(table[column].to_pylist()) - {expected}
        if others:
            raise WarehouseError(f"{what}: rows with {column} {sorted(others)!r}")
    _check_line_keys(table, what)
    bad = set(table["recommendation"].drop_null().to_pylist()) - set(RECOMMENDATIONS)
    if bad:
        raise WarehouseError(f"{what}: unknown recommendation {sorted(bad)}")
    if _duplicates(table, (*MERGE_KEY, "staged_at")):
        raise WarehouseError(f"{what}: the same key staged twice with the same staged_at")
    return table


def conform_results(game_date: date, rows: pa.Table) -> pa.Table:
    """One date's graded rows in RESULTS_SCHEMA order: that date only, one row per key."""
    what = f"results of {game_date}"
    table = _conform(rows, RESULTS_SCHEMA, what)
    _require(table, RESULTS_REQUIRED, what)
    dates = set(table["game_date"].to_pylist()) - {game_date}
    if dates:
        raise WarehouseError(f"{what}: rows of other dates {sorted(dates)}")
    _check_line_keys(table, what)
    dupes = _duplicates(table, RESULTS_KEY)
    if dupes:
        raise WarehouseError(f"{what}: {dupes} keys appear more than once")
    return table


def to_schema(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A backend's answer in the canonical column order and types."""
    return table.select(schema.names).cast(schema)
