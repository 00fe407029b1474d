"""The BigQuery warehouse: staging tables written by load jobs, one MERGE per batch (L8, L14).

Workers never run DML: each (batch, player) is one staging table ``_staging_<batch>_<player>``
written by a load job with WRITE_TRUNCATE (re-writing a player replaces exactly that table) and
an expiration, so tables a crash leaves behind die on their own. The consolidation reads them all
through the wildcard table ``_staging_<batch>_*``. Table names come only from
:func:`nba_assets.naming.staging_name`; values only travel as query parameters.
"""

from __future__ import annotations

import io
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
from google.cloud import bigquery

from nba_assets.naming import check_batch_id, check_sql_identifier, staging_name
from nba_assets.rows import RESULTS_TABLE, STAGING_SCHEMA, TABLE
from nba_assets.warehouse import sql
from nba_assets.warehouse.base import MergeResult, Verification, WarehouseError
from nba_assets.warehouse.bigquery_io import (
    bigquery_client,
    check_project,
    query_parameters,
    schema_fields,
    with_retries,
)
from nba_assets.warehouse.input_tables import ADDED_COLUMNS, INPUT_TABLES, conform_inputs, spec
from nba_assets.warehouse.merge import empty_result, run_merge
from nba_assets.warehouse.row_checks import (
    RESULTS_KEY,
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

__all__ = ["BigQueryWarehouse", "bigquery_client"]
log = logging.getLogger(__name__)


class BigQueryWarehouse:
    """Warehouse in one BigQuery dataset; ``client`` comes from ``dagster_gcp.BigQueryResource``."""

    def __init__(
        self,
        client: bigquery.Client,
        dataset: str,
        location: str = "US",
        staging_expiration: timedelta = timedelta(days=2),
        *,
        attempts: int = 4,
        backoff: float = 1.0,
        rpc_timeout: float = 60.0,
        rpc_retry_deadline: float = 10.0,
        job_timeout: float = 900.0,
    ) -> None:
        self.client, self.location = client, location
        self.project = check_project(client.project)
        self.dataset = check_sql_identifier(dataset, "dataset")
        self.staging_expiration = staging_expiration
        self.attempts, self.backoff = attempts, backoff
        self.rpc_timeout, self.job_timeout = rpc_timeout, job_timeout
        # the client's own per-request retry rides out a blip for at most rpc_retry_deadline; then
        # with_retries' attempts decide, so an outage costs ~attempts x that, not attempts x a minute
        self._rpc_retry = bigquery.DEFAULT_RETRY.with_timeout(min(rpc_timeout, rpc_retry_deadline))
        self.dml_statements = 0  # DML statements run by this object, for the benchmark

    # -- plumbing ---------------------------------------------------------------------------------
    def _ref(self, table: str) -> str:
        return f"`{self.project}.{self.dataset}.{table}`"

    def _table_id(self, table: str) -> str:
        return f"{self.project}.{self.dataset}.{table}"

    def _wildcard(self, batch_id: str) -> str:
        return self._ref(f"_staging_{check_batch_id(batch_id)}_*")

    def _retry(self, what: str, fn):
        return with_retries(what, fn, attempts=self.attempts, backoff=self.backoff)

    def _job(self, what: str, statement: str, params: dict, *, dml: bool = False, arrow: bool = False):
        """Run one query job; returns its rows (a list of tuples) or, with ``arrow``, a Table."""
        config = bigquery.QueryJobConfig(query_parameters=query_parameters(params))

        def run():
            job = self.client.query(
                statement,
                job_config=config,
                location=self.location,
                retry=self._rpc_retry,
                timeout=self.rpc_timeout,
                job_retry=None,
            )
            rows = job.result(retry=self._rpc_retry, timeout=self.job_timeout)
            return (
                rows.to_arrow(create_bqstorage_client=False) if arrow else [tuple(r.values()) for r in rows]
            )

        out = self._retry(what, run)
        if dml:
            self.dml_statements += 1
        return out

    def _load(self, table: str, rows: pa.Table, fields: list[bigquery.SchemaField], description: str) -> None:
        """Load job (resumable upload, WRITE_TRUNCATE) of Parquet, then the expiration."""
        buf = io.BytesIO()
        pq.write_table(rows, buf)
        data = buf.getvalue()
        config = bigquery.LoadJobConfig(
            source_format=bigquery.SourceFormat.PARQUET,
            schema=fields,
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
        )

        def run() -> None:
            # no ``size``: the client then uses a resumable upload (the emulator refuses multipart)
            job = self.client.load_table_from_file(
                io.BytesIO(data),
                self._table_id(table),
                job_config=config,
                location=self.location,
                num_retries=0,
                timeout=self.rpc_timeout,
            )
            job.result(retry=self._rpc_retry, timeout=self.job_timeout)
            meta = bigquery.Table(self._table_id(table))
            meta.expires = utc_now() + self.staging_expiration
            meta.description = description
            self.client.update_table(
                meta, ["expires", "description"], retry=self._rpc_retry, timeout=self.rpc_timeout
            )

        self._retry(f"load of {table}", run)

    def _staging_tables(self, batch_id: str) -> list[str]:
        prefix = f"_staging_{check_batch_id(batch_id)}_"
        dataset = f"{self.project}.{self.dataset}"
        return self._retry(
            f"listing staging of {batch_id}",
            lambda: sorted(
                t.table_id
                for t in self.client.list_tables(dataset, retry=self._rpc_retry, timeout=self.rpc_timeout)
                if t.table_id.startswith(prefix)
            ),
        )

    def _delete(self, table: str) -> None:
        self._retry(
            f"delete of {table}",
            lambda: self.client.delete_table(
                self._table_id(table), not_found_ok=True, retry=self._rpc_retry, timeout=self.rpc_timeout
            ),
        )

    # -- the protocol -----------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        dataset = bigquery.Dataset(f"{self.project}.{self.dataset}")
        dataset.location = self.location
        self._retry(
            "create dataset",
            lambda: self.client.create_dataset(dataset, exists_ok=True, retry=self._rpc_retry),
        )
        for name, schema, required, cluster in (
            (TABLE, TABLE_SCHEMA, TABLE_REQUIRED, ["player_lookup", "system_id"]),
            (RESULTS_TABLE, RESULTS_SCHEMA, RESULTS_REQUIRED, ["system_id", "player_lookup"]),
            *((t, sch, req, cl) for t, sch, _, req, cl in INPUT_TABLES.values()),
        ):
            table = bigquery.Table(self._table_id(name), schema=schema_fields(schema, required))
            table.time_partitioning = bigquery.TimePartitioning(
                type_=bigquery.TimePartitioningType.DAY, field="game_date"
            )
            table.clustering_fields = cluster
            existing = self._retry(
                f"create {name}",
                lambda t=table: self.client.create_table(t, exists_ok=True, retry=self._rpc_retry),
            )
            missing = set(schema.names) - {f.name for f in existing.schema}
            if missing and missing <= set(ADDED_COLUMNS.get(name, ())):
                # DDL rather than a schema update: the column exists for the next query either way
                for field in (f for f in schema_fields(schema) if f.name in missing):
                    self._job(
                        f"add {field.name} to {name}",
                        f"ALTER TABLE {self._ref(name)} ADD COLUMN IF NOT EXISTS {field.name} {field.field_type}",
                        {},
                    )
                missing = set()
            if missing:
                raise WarehouseError(f"BigQuery table {self._table_id(name)} lacks columns {sorted(missing)}")

    def write_staging(self, batch_id: str, player_lookup: str, rows: pa.Table) -> int:
        table = conform_staging(batch_id, player_lookup, rows)
        self._load(
            staging_name(batch_id, player_lookup),
            table,
            schema_fields(STAGING_SCHEMA),
            description=f"staging of {batch_id} for player {player_lookup}",
        )
        return table.num_rows

    def staged_players(self, batch_id: str) -> list[str]:
        if not self._staging_tables(batch_id):
            return []
        rows = self._job(
            "staged players",
            f"SELECT DISTINCT player_lookup FROM {self._wildcard(batch_id)} ORDER BY player_lookup",
            {},
        )
        return [r[0] for r in rows]

    def staged_rows(self, batch_id: str) -> int:
        if not self._staging_tables(batch_id):
            return 0
        return self._job("staged rows", f"SELECT COUNT(*) FROM {self._wildcard(batch_id)}", {})[0][0]

    def merge_staging(self, batch_id: str, game_date: date, *, players_only: bool = False) -> MergeResult:
        if not self._staging_tables(batch_id):
            log.warning("MERGE of %s for %s: no staging tables; nothing to do", batch_id, game_date)
            return empty_result(batch_id, game_date)
        return run_merge(
            batch_id,
            game_date,
            utc_now(),
            target=self._ref(TABLE),
            source=self._wildcard(batch_id),
            p="@",
            prune=True,
            query=lambda q, params: self._job(f"merge of {batch_id}", q, params)[0],
            dml=lambda q, params: self._job(f"MERGE of {batch_id}", q, params, dml=True),
            players_only=players_only,
        )

    def verify(self, batch_id: str, game_date: date) -> Verification:
        staged = merged = 0
        if self._staging_tables(batch_id):
            staged, merged = self._job(
                f"verify of {batch_id}",
                sql.verify(self._ref(TABLE), self._wildcard(batch_id), "@"),
                {"game_date": game_date, "batch_id": batch_id},
            )[0]
        return Verification(batch_id, game_date, staged, merged, self.duplicate_keys(game_date))

    def drop_staging(self, batch_id: str, *, force: bool = False) -> int:
        """Delete the batch's staging tables; refuses unless verify passes (L8) or ``force``."""
        tables = self._staging_tables(batch_id)
        if tables and not force:
            check = self.verify(batch_id, batch_date(batch_id))
            if not check.ok:
                raise WarehouseError(f"refusing to drop staging of {batch_id}: verification failed {check}")
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(self._delete, tables))
        log.info("dropped %d staging tables of %s", len(tables), batch_id)
        return len(tables)

    def predictions_for(self, game_date: date, *, active_only: bool = True) -> pa.Table:
        statement = sql.rows_of_date(self._ref(TABLE), tuple(TABLE_SCHEMA.names), "@", active_only)
        return to_schema(
            self._job("predictions_for", statement, {"game_date": game_date}, arrow=True), TABLE_SCHEMA
        )

    def duplicate_keys(self, game_date: date) -> int:
        return self._job(
            "duplicate_keys", sql.duplicate_keys(self._ref(TABLE), "@"), {"game_date": game_date}
        )[0][0]

    def write_results(self, game_date: date, rows: pa.Table) -> int:
        """Replace the date's graded rows: a load job into a one-off table, then one MERGE.

        (The emulator rejects partition decorators such as ``prediction_results$20250212``, which
        would otherwise allow a WRITE_TRUNCATE of the partition.)
        """
        table = conform_results(game_date, rows)
        return self._replace_date("results", game_date, table, RESULTS_TABLE, RESULTS_SCHEMA, RESULTS_KEY)

    def results_for(self, game_date: date) -> pa.Table:
        statement = sql.rows_of_date(self._ref(RESULTS_TABLE), tuple(RESULTS_SCHEMA.names), "@", False)
        return to_schema(
            self._job("results_for", statement, {"game_date": game_date}, arrow=True), RESULTS_SCHEMA
        )

    # -- input tables (box scores, prop lines) ----------------------------------------------------
    def write_inputs(self, kind: str, game_date: date, rows: pa.Table) -> int:
        """Replace the date's rows of an input table: a load job into a one-off table, one MERGE."""
        table = conform_inputs(kind, game_date, rows)
        name, schema, key, _, _ = spec(kind)
        return self._replace_date(kind, game_date, table, name, schema, key)

    def _replace_date(
        self,
        what: str,
        game_date: date,
        table: pa.Table,
        target: str,
        schema: pa.Schema,
        key: tuple[str, ...],
    ) -> int:
        """Make the date's rows of ``target`` exactly ``table``: a load job into a one-off table, one
        MERGE (results and input tables alike), then the one-off table dropped."""
        scratch = f"_{what}_{game_date:%Y%m%d}_{uuid.uuid4().hex[:12]}"
        try:
            self._load(scratch, table, schema_fields(schema), description=f"{what} of {game_date}")
            self._job(
                f"{what} of {game_date}",
                sql.replace_date_rows(self._ref(target), self._ref(scratch), "@", tuple(schema.names), key),
                {"game_date": game_date},
                dml=True,
            )
        finally:
            try:
                self._delete(scratch)
            except WarehouseError as exc:  # it expires on its own; do not mask the real error
                log.warning("could not delete %s: %s", scratch, exc)
        return table.num_rows

    def read_inputs(self, kind: str, start: date, end: date) -> pa.Table:
        name, schema, key, _, _ = spec(kind)
        statement = sql.input_rows(self._ref(name), tuple(schema.names), "@", key)
        return to_schema(
            self._job(f"read {kind}", statement, {"start": start, "end": end}, arrow=True), schema
        )

    def inputs_version(self, *kinds: str) -> str:
        targets = [self._ref(spec(kind)[0]) for kind in kinds]
        return sql.version_token(self._job(f"version of {', '.join(kinds)}", sql.input_version(targets), {}))
