"""The resources of the chosen profile (local | gcp), each key registered once (STYLE).

Every value a deployment sets comes from an environment variable through ``dg.EnvVar`` (read at
launch, hidden in the UI) or, for numbers with decimals, the variable's text validated by the
resource; each resource's ``ENV`` names its variables (``defs/env.py``, docs/operations.md).
"""

from __future__ import annotations

import dagster as dg
from dagster_gcp import BigQueryResource

from nba_assets.defs.alerts.resources import AlertsResource
from nba_assets.defs.env import EnvConfigured, variable_text
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

# set only for the GCP profile, and there required
PROJECT, DATASET, BUCKET = "NBA_ASSETS_GCP_PROJECT", "NBA_ASSETS_BQ_DATASET", "NBA_ASSETS_EXPORT_BUCKET"
RETENTION = "NBA_ASSETS_RETENTION_DAYS"


def _optional(**variables: str) -> dict[str, dg.EnvVar]:
    """An ``EnvVar`` for each field whose variable is set; an unset one keeps the field's default."""
    return {field: dg.EnvVar(name) for field, name in variables.items() if EnvConfigured.has(name)}


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
    # a decimal number of days: an EnvVar carries only text and whole numbers, so the variable's
    # text goes to the field and pydantic validates it there, naming the field
    retention = {"retention_days": variable_text(RETENTION)} if EnvConfigured.has(RETENTION) else {}
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
                project=dg.EnvVar(PROJECT),
                **_optional(collection_prefix="NBA_ASSETS_FIRESTORE_PREFIX"),
                **retention,
            ),
            "warehouse": BigQueryWarehouseResource(
                bigquery=BigQueryResource(
                    project=dg.EnvVar(PROJECT),
                    location=dg.EnvVar("NBA_ASSETS_BQ_LOCATION")
                    if EnvConfigured.has("NBA_ASSETS_BQ_LOCATION")
                    else "US",
                ),
                dataset=dg.EnvVar(DATASET),
                # only set for the BigQuery emulator; empty means Google's endpoint
                **_optional(api_endpoint="NBA_ASSETS_BQ_ENDPOINT"),
            ),
            "export_sink": GcsExportSinkResource(
                project=dg.EnvVar(PROJECT),
                bucket=dg.EnvVar(BUCKET),
                **_optional(prefix="NBA_ASSETS_EXPORT_PREFIX"),
            ),
        },
    }[name]()
    return {**shared, **storage}


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=resources_for(profile()))
