"""Storage resources: one abstract resource per protocol, a local and a GCP implementation each.

The pattern of project_fully_featured's ``hn_resource``: assets ask for ``batch_store``,
``warehouse`` or ``export_sink`` and never know which backend answers.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from nba_assets.batch_state.base import BatchStore
from nba_assets.exports.sink import ExportSink
from nba_assets.warehouse.base import Warehouse


class BatchStoreResource(dg.ConfigurableResource):
    def get(self) -> BatchStore:
        raise NotImplementedError


class SqliteBatchStoreResource(BatchStoreResource):
    """SQLite file in WAL mode: safe for the run workers of one machine."""

    path: str

    def get(self) -> BatchStore:
        from nba_assets.batch_state.local import SqliteBatchStore

        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteBatchStore(self.path)


class FirestoreBatchStoreResource(BatchStoreResource):
    """Firestore; honours FIRESTORE_EMULATOR_HOST."""

    project: str
    database: str = "(default)"
    collection_prefix: str = ""

    def get(self) -> BatchStore:
        from nba_assets.batch_state.gcp import FirestoreBatchStore, firestore_client

        return FirestoreBatchStore(firestore_client(self.project, self.database), self.collection_prefix)


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
    """BigQuery through ``dagster_gcp.BigQueryResource``; ``api_endpoint`` only for an emulator."""

    project: str
    dataset: str
    location: str = "US"
    api_endpoint: str = ""

    def get(self) -> Warehouse:
        from nba_assets.warehouse.gcp import BigQueryWarehouse, bigquery_client

        if self.api_endpoint:
            client = bigquery_client(self.project, self.api_endpoint)
        else:
            from dagster_gcp import BigQueryResource

            client = BigQueryResource(project=self.project, location=self.location).get_client().__enter__()
        return BigQueryWarehouse(client, self.dataset, location=self.location)


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
