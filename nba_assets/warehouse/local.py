"""The local warehouse: a DuckDB file for the tables, a Parquet file per (batch, player) for staging.

Staging never touches the DuckDB file (workers only write files, L14), so shard runs in several
processes never contend for it. The consolidation and the readers open the file for one operation
at a time and close it, because DuckDB lets one process at a time hold a file open for writing:
another Dagster run worker waits its turn (bounded retry), it does not fail.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from nba_assets.naming import check_batch_id, staging_name
from nba_assets.rows import RESULTS_TABLE, STAGING_COLUMNS, TABLE
from nba_assets.warehouse import sql
from nba_assets.warehouse.base import MergeResult, RetryableWarehouseError, Verification, WarehouseError
from nba_assets.warehouse.input_tables import ADDED_COLUMNS, INPUT_TABLES, conform_inputs, spec
from nba_assets.warehouse.merge import empty_result, run_merge
from nba_assets.warehouse.row_checks import (
    RESULTS_REQUIRED,
    RESULTS_SCHEMA,
    TABLE_REQUIRED,
    TABLE_SCHEMA,
    batch_date,
    conform_results,
    conform_staging,
    to_schema,
    utc_now,
)

log = logging.getLogger(__name__)

_DUCK_TYPES = {
    pa.string(): "VARCHAR",
    pa.date32(): "DATE",
    pa.bool_(): "BOOLEAN",
    pa.float64(): "DOUBLE",
    pa.int64(): "BIGINT",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
}


def _ddl(name: str, schema: pa.Schema, required: tuple[str, ...]) -> str:
    cols = ", ".join(
        f"{f.name} {_DUCK_TYPES[f.type]}{' NOT NULL' if f.name in required else ''}" for f in schema
    )
    added = [
        f"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS {c} {_DUCK_TYPES[schema.field(c).type]}"
        for c in ADDED_COLUMNS.get(name, ())
    ]
    return ";\n".join([f"CREATE TABLE IF NOT EXISTS {name} ({cols})", *added])


def _is_busy(exc: Exception) -> bool:
    """Another process holds the file lock, or a concurrent transaction in this one conflicted."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.TransactionException) or (
        isinstance(exc, duckdb.IOException) and "lock" in text
    )


class DuckDBWarehouse:
    """Warehouse on a DuckDB file (``db_path``) with Parquet staging under ``staging_dir``."""

    def __init__(self, db_path: str | Path, staging_dir: str | Path, *, lock_timeout: float = 30.0) -> None:
        self.db_path, self.staging_dir = Path(db_path), Path(staging_dir)
        self.lock_timeout = lock_timeout
        self.dml_statements = 0  # DML run against the tables by this object, for the benchmark

    # -- plumbing ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.db_path))
        try:
            con.execute("SET TimeZone = 'UTC'")
            yield con
        finally:
            con.close()

    def _run(self, what: str, fn):
        """Run ``fn(con)`` in one transaction, retrying while the file is busy (bounded)."""
        deadline, delay = time.monotonic() + self.lock_timeout, 0.02
        while True:
            try:
                with self._connection() as con:
                    con.execute("BEGIN TRANSACTION")
                    try:
                        out = fn(con)
                    except BaseException:
                        con.execute("ROLLBACK")
                        raise
                    con.execute("COMMIT")
                    return out
            except duckdb.Error as exc:
                if not _is_busy(exc):
                    raise
                if time.monotonic() + delay > deadline:
                    raise RetryableWarehouseError(
                        f"DuckDB {self.db_path} stayed busy for {self.lock_timeout}s during {what}: {exc}"
                    ) from exc
                log.debug("DuckDB busy during %s, retrying in %.2fs: %s", what, delay, exc)
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _batch_dir(self, batch_id: str) -> Path:
        return self.staging_dir / check_batch_id(batch_id)

    def _files(self, batch_id: str) -> list[str]:
        folder = self._batch_dir(batch_id)
        return sorted(str(p) for p in folder.glob("_staging_*.parquet")) if folder.is_dir() else []

    @staticmethod
    def _read_staging(query: str, files: list[str]) -> list[tuple]:
        """Query staging files with an in-memory DuckDB: no lock on the warehouse file needed."""
        if not files:
            return []
        with duckdb.connect() as con:
            return con.execute(query, {"files": files}).fetchall()

    # -- the protocol -----------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        self._run(
            "ensure_schema",
            lambda con: (
                con.execute(_ddl(TABLE, TABLE_SCHEMA, TABLE_REQUIRED)),
                con.execute(_ddl(RESULTS_TABLE, RESULTS_SCHEMA, RESULTS_REQUIRED)),
                *(con.execute(_ddl(t, sch, req)) for t, sch, _, req, _ in INPUT_TABLES.values()),
            ),
        )

    def write_staging(self, batch_id: str, player_lookup: str, rows: pa.Table) -> int:
        table = conform_staging(batch_id, player_lookup, rows)
        folder = self._batch_dir(batch_id)
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{staging_name(batch_id, player_lookup)}.parquet"
        tmp = folder / f".{final.name}.{uuid.uuid4().hex}.tmp"  # not matched by the staging glob
        try:
            with open(tmp, "wb") as fh:
                # 25-row files: per-file decode cost dominates the MERGE's read; plain pages without
                # dictionary, compression or statistics read ~30% faster and are still tiny
                pq.write_table(table, fh, compression="none", use_dictionary=False, write_statistics=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        return table.num_rows

    def staged_players(self, batch_id: str) -> list[str]:
        query = "SELECT DISTINCT player_lookup FROM read_parquet($files) ORDER BY 1"
        return [r[0] for r in self._read_staging(query, self._files(batch_id))]

    def staged_rows(self, batch_id: str) -> int:
        rows = self._read_staging("SELECT COUNT(*) FROM read_parquet($files)", self._files(batch_id))
        return rows[0][0] if rows else 0

    def merge_staging(self, batch_id: str, game_date: date, *, players_only: bool = False) -> MergeResult:
        files = self._files(batch_id)
        if not files:
            log.warning("MERGE of %s for %s: no staging files; nothing to do", batch_id, game_date)
            return empty_result(batch_id, game_date)
        now = utc_now()

        def run(con: duckdb.DuckDBPyConnection) -> MergeResult:
            # read the files once: the statistics and the MERGE see the same snapshot
            con.execute(
                f"CREATE TEMP TABLE staged AS SELECT {', '.join(STAGING_COLUMNS)} FROM read_parquet($files)",
                {"files": files},
            )

            def dml(statement: str, params: dict) -> None:
                con.execute(statement, params)
                self.dml_statements += 1

            return run_merge(
                batch_id,
                game_date,
                now,
                target=TABLE,
                source="staged",
                p="$",
                prune=False,
                query=lambda q, params: con.execute(q, params).fetchone(),
                dml=dml,
                players_only=players_only,
            )

        return self._run(f"merge of {batch_id}", run)

    def verify(self, batch_id: str, game_date: date) -> Verification:
        files = self._files(batch_id)
        params = {"game_date": game_date, "batch_id": batch_id}

        def run(con: duckdb.DuckDBPyConnection) -> Verification:
            staged = merged = 0
            if files:
                staged, merged = con.execute(
                    sql.verify(TABLE, "read_parquet($files)", "$"), {**params, "files": files}
                ).fetchone()
            dupes = con.execute(sql.duplicate_keys(TABLE, "$"), {"game_date": game_date}).fetchone()[0]
            return Verification(batch_id, game_date, staged, merged, dupes)

        return self._run(f"verify of {batch_id}", run)

    def drop_staging(self, batch_id: str, *, force: bool = False) -> int:
        """Delete the batch's staging files; refuses unless verify passes (L8) or ``force``."""
        files = self._files(batch_id)
        if files and not force:
            check = self.verify(batch_id, batch_date(batch_id))
            if not check.ok:
                raise WarehouseError(f"refusing to drop staging of {batch_id}: verification failed {check}")
        shutil.rmtree(self._batch_dir(batch_id), ignore_errors=True)
        log.info("dropped %d staging files of %s", len(files), batch_id)
        return len(files)

    def predictions_for(self, game_date: date, *, active_only: bool = True) -> pa.Table:
        query = sql.rows_of_date(TABLE, tuple(TABLE_SCHEMA.names), "$", active_only)
        table = self._run("predictions_for", lambda con: _arrow(con.execute(query, {"game_date": game_date})))
        return to_schema(table, TABLE_SCHEMA)

    def duplicate_keys(self, game_date: date) -> int:
        return self._run(
            "duplicate_keys",
            lambda con: con.execute(sql.duplicate_keys(TABLE, "$"), {"game_date": game_date}).fetchone()[0],
        )

    def write_results(self, game_date: date, rows: pa.Table) -> int:
        """Replace the date's graded rows: DELETE + INSERT in one transaction."""
        table = conform_results(game_date, rows)
        cols = ", ".join(RESULTS_SCHEMA.names)

        def run(con: duckdb.DuckDBPyConnection) -> int:
            con.execute(f"DELETE FROM {RESULTS_TABLE} WHERE game_date = $game_date", {"game_date": game_date})
            con.register("new_results", table)
            con.execute(f"INSERT INTO {RESULTS_TABLE} ({cols}) SELECT {cols} FROM new_results")
            self.dml_statements += 2
            return table.num_rows

        return self._run(f"write_results {game_date}", run)

    def results_for(self, game_date: date) -> pa.Table:
        query = (
            f"SELECT {', '.join(RESULTS_SCHEMA.names)} FROM {RESULTS_TABLE} WHERE game_date = $game_date "
            "ORDER BY player_lookup, system_id, game_id, line_key"
        )
        table = self._run("results_for", lambda con: _arrow(con.execute(query, {"game_date": game_date})))
        return to_schema(table, RESULTS_SCHEMA)

    # -- input tables (box scores, prop lines) ----------------------------------------------------
    def write_inputs(self, kind: str, game_date: date, rows: pa.Table) -> int:
        """Replace the date's rows of an input table: DELETE + INSERT in one transaction."""
        table = conform_inputs(kind, game_date, rows)
        name, schema, _, required, _ = spec(kind)
        cols = ", ".join(schema.names)

        def run(con: duckdb.DuckDBPyConnection) -> int:
            con.execute(_ddl(name, schema, required))
            con.execute(f"DELETE FROM {name} WHERE game_date = $game_date", {"game_date": game_date})
            con.register("new_inputs", table)
            con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM new_inputs")
            return table.num_rows

        return self._run(f"write {kind} {game_date}", run)

    def read_inputs(self, kind: str, start: date, end: date) -> pa.Table:
        name, schema, key, required, _ = spec(kind)
        query = sql.input_rows(name, tuple(schema.names), "$", key)

        def run(con: duckdb.DuckDBPyConnection) -> pa.Table:
            con.execute(_ddl(name, schema, required))
            return _arrow(con.execute(query, {"start": start, "end": end}))

        return to_schema(self._run(f"read {kind}", run), schema)

    def inputs_version(self, *kinds: str) -> str:
        specs = [spec(kind) for kind in kinds]

        def run(con: duckdb.DuckDBPyConnection) -> list[tuple]:
            for name, schema, _, required, _ in specs:
                con.execute(_ddl(name, schema, required))
            return con.execute(sql.input_version([s[0] for s in specs])).fetchall()

        return sql.version_token(self._run(f"version of {', '.join(kinds)}", run))


def _arrow(cursor: duckdb.DuckDBPyConnection) -> pa.Table:
    """The whole result as a Table, read before the connection closes (DuckDB 1.x and 2.x)."""
    fetch = getattr(cursor, "to_arrow_table", None) or cursor.fetch_arrow_table
    return fetch()
