"""The resources of the chosen profile (local | gcp), each key registered once (STYLE)."""

from __future__ import annotations

import os

import dagster as dg

from nba_assets.defs.alerts.resources import AlertsResource
from nba_assets.defs.feeds import NbaStatsFeedResource, OddsFeedResource
from nba_assets.defs.operations import OperationsSettings
from nba_assets.defs.settings import NbaInputsResource, PipelineSettings
from nba_assets.defs.storage import (
    BigQueryWarehouseResource,
    DirectoryExportSinkResource,
    DuckDBWarehouseResource,
    FirestoreBatchStoreResource,
    GcsExportSinkResource,
    SqliteBatchStoreResource,
)
from nba_assets.environment import local_root, profile


def resources_for(name: str) -> dict[str, dg.ConfigurableResource]:
    """Per-profile resource dicts; deployment-specific values come from EnvVars on the GCP side."""
    root = local_root()
    odds_feed = OddsFeedResource.from_env()
    shared = {
        # with the odds feed configured, lines come from it alone: never stand-ins
        "nba_inputs": NbaInputsResource.from_env(lines_feed=odds_feed.configured),
        "settings": PipelineSettings.from_env(),
        "operations": OperationsSettings.from_env(),
        "alerts": AlertsResource.from_env(),
        "nba_stats_feed": NbaStatsFeedResource.from_env(),
        "odds_feed": odds_feed,
    }
    retention = {"retention_days": float(os.environ.get("NBA_ASSETS_RETENTION_DAYS", "7"))}
    storage = {
        "local": lambda: {
            "batch_store": SqliteBatchStoreResource(path=str(root / "batch_state.sqlite"), **retention),
            "warehouse": DuckDBWarehouseResource(
                db_path=str(root / "warehouse.duckdb"), staging_dir=str(root / "staging")
            ),
            "export_sink": DirectoryExportSinkResource(root=str(root / "exports")),
        },
        "gcp": lambda: {
            "batch_store": FirestoreBatchStoreResource(
                project=dg.EnvVar("NBA_ASSETS_GCP_PROJECT"),
                collection_prefix=os.environ.get("NBA_ASSETS_FIRESTORE_PREFIX", ""),
                **retention,
            ),
            "warehouse": BigQueryWarehouseResource(
                project=dg.EnvVar("NBA_ASSETS_GCP_PROJECT"),
                dataset=dg.EnvVar("NBA_ASSETS_BQ_DATASET"),
                location=os.environ.get("NBA_ASSETS_BQ_LOCATION", "US"),
                # only set for the BigQuery emulator; empty means Google's endpoint
                api_endpoint=os.environ.get("NBA_ASSETS_BQ_ENDPOINT", ""),
            ),
            "export_sink": GcsExportSinkResource(
                project=dg.EnvVar("NBA_ASSETS_GCP_PROJECT"),
                bucket=dg.EnvVar("NBA_ASSETS_EXPORT_BUCKET"),
                prefix=os.environ.get("NBA_ASSETS_EXPORT_PREFIX", ""),
            ),
        },
    }[name]()
    return {**shared, **storage}


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=resources_for(profile()))
