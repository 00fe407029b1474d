"""Storage resources: one abstract resource per protocol, a local and a GCP implementation each.

The pattern of project_fully_featured's ``hn_resource``: assets ask for ``batch_store``,
``warehouse`` or ``export_sink`` and never know which backend answers.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import dagster as dg
from dagster_gcp import BigQueryResource
from pydantic import PrivateAttr

from nba_assets.batch_state.base import BatchStore
from nba_assets.exports.sink import ExportSink
from nba_assets.warehouse.base import Warehouse


class BatchStoreResource(dg.ConfigurableResource):
    # closed batches are deleted this long after they close (Firestore TTL on expire_at, or the
    # batch_retention asset); open batches never
    retention_days: float = 7.0

    def get(self) -> BatchStore:
        raise NotImplementedError

    def retention(self) -> timedelta:
        return timedelta(days=self.retention_days)


class SqliteBatchStoreResource(BatchStoreResource):
    """SQLite file in WAL mode: safe for the run workers of one machine."""

    path: str

    def get(self) -> BatchStore:
        from nba_assets.batch_state.local import SqliteBatchStore

        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteBatchStore(self.path, retention=self.retention())


class FirestoreBatchStoreResource(BatchStoreResource):
    """Firestore; honours FIRESTORE_EMULATOR_HOST."""

    project: str
    database: str = "(default)"
    collection_prefix: str = ""

    def get(self) -> BatchStore:
        from nba_assets.batch_state.gcp import FirestoreBatchStore, firestore_client

        return FirestoreBatchStore(
            firestore_client(self.project, self.database), self.collection_prefix, retention=self.retention()
        )


class WarehouseResource(dg.ConfigurableResource):
    def get(self) -> Warehouse:
        raise NotImplementedError


class DuckDBWarehouseResource(WarehouseResource):
    """DuckDB file for the table, one Parquet file per (batch, player) for staging."""

    db_path: str
    staging_dir: str

    def get(self) -> Warehouse:
        from nba_assets.warehouse.local import DuckDBWarehouse

        Path(self.db_path).parent.mkdir(parents=True, exist_ok=True)
        return DuckDBWarehouse(self.db_path, self.staging_dir)


class BigQueryWarehouseResource(WarehouseResource):
    """BigQuery through the nested ``dagster_gcp.BigQueryResource`` (project, location, credentials:
    ``gcp_credentials`` is a base64 service-account key, default the environment's ADC);
    ``api_endpoint`` only for an emulator.

    The client is opened in ``setup_for_execution`` and closed in ``teardown_after_execution``, so
    BigQueryResource's credential handling lives exactly as long as the run step.
    """

    bigquery: BigQueryResource
    dataset: str
    api_endpoint: str = ""
    _stack: ExitStack | None = PrivateAttr(default=None)
    _client: object = PrivateAttr(default=None)

    @property
    def location(self) -> str:
        return self.bigquery.location or "US"

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        from nba_assets.warehouse.gcp import bigquery_client

        if self.api_endpoint:
            self._client = bigquery_client(self.bigquery.project, self.api_endpoint)
            return
        self._stack = ExitStack()
        self._client = self._stack.enter_context(self.bigquery.get_client())

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._stack is not None:
            self._stack.close()

    def get(self) -> Warehouse:
        from nba_assets.warehouse.gcp import BigQueryWarehouse

        if self._client is None:
            raise dg.DagsterInvariantViolationError("BigQueryWarehouseResource used outside a run step")
        return BigQueryWarehouse(self._client, self.dataset, location=self.location)


class ExportSinkResource(dg.ConfigurableResource):
    def get(self) -> ExportSink:
        raise NotImplementedError


class DirectoryExportSinkResource(ExportSinkResource):
    root: str

    def get(self) -> ExportSink:
        from nba_assets.exports.local import DirectorySink

        return DirectorySink(self.root)


class GcsExportSinkResource(ExportSinkResource):
    """A GCS bucket; honours STORAGE_EMULATOR_HOST (fake-gcs-server in tests)."""

    project: str
    bucket: str
    prefix: str = ""

    def get(self) -> ExportSink:
        from nba_assets.exports.gcs import GcsSink, gcs_client

        return GcsSink(gcs_client(self.project), self.bucket, self.prefix)
