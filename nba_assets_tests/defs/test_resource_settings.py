"""Settings the Dagster way: every variable a deployment sets is a field of a resource (so the UI's
resource page shows it), text and whole numbers arrive as EnvVars (read at launch, value hidden),
and a bad value is refused by the resource's own validation, naming the field."""

from __future__ import annotations

import dagster as dg
import pytest

from nba_assets.defs.alerts.resources import AlertsResource
from nba_assets.defs.env import resolved
from nba_assets.defs.feeds import NbaStatsFeedResource, OddsFeedResource
from nba_assets.defs.operations import OperationsSettings
from nba_assets.defs.settings import NbaInputsResource, PipelineSettings

CONFIGURED = (NbaInputsResource, PipelineSettings, OperationsSettings, AlertsResource, NbaStatsFeedResource,
              OddsFeedResource)  # fmt: skip
GCP = {"NBA_ASSETS_PROFILE": "gcp", "NBA_ASSETS_GCP_PROJECT": "p", "NBA_ASSETS_BQ_DATASET": "nba",
       "NBA_ASSETS_EXPORT_BUCKET": "b"}  # fmt: skip


@pytest.mark.parametrize("resource", CONFIGURED, ids=lambda r: r.__name__)
def test_every_variable_sets_a_declared_field(resource):
    assert set(resource.ENV) <= set(resource.model_fields), resource.ENV


def test_set_variables_are_env_vars_in_the_definitions_and_their_values_stay_out(monkeypatch, tmp_path):
    values = {
        "ODDS_API_KEY": "odds-secret",
        "NBA_ASSETS_SLACK_TOKEN": "xoxb-secret",
        "NBA_ASSETS_SLACK_CHANNEL": "#nba",
        "NBA_ASSETS_SHARDS": "3",
        "NBA_ASSETS_FIRESTORE_PREFIX": "pre_",
        "NBA_ASSETS_BQ_ENDPOINT": "http://127.0.0.1:9",
        "NBA_ASSETS_HOME": str(tmp_path),
        **GCP,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    from nba_assets.definitions import defs

    definitions = defs()
    resources = definitions.get_repository_def().get_top_level_resources()
    text = repr(definitions.resources) + repr({k: r.config_schema for k, r in resources.items()})
    assert "odds-secret" not in text and "xoxb-secret" not in text
    assert isinstance(definitions.resources["odds_feed"].api_key, dg.EnvVar)
    assert isinstance(definitions.resources["alerts"].slack.token, dg.EnvVar)
    assert isinstance(definitions.resources["batch_store"].collection_prefix, dg.EnvVar)
    # read when a run builds them
    assert resolved(definitions.resources["settings"]).shard_count == 3
    assert resolved(definitions.resources["odds_feed"]).api_key == "odds-secret"


def test_a_bad_value_is_refused_by_the_resource_naming_the_field(monkeypatch):
    monkeypatch.setenv("NBA_ASSETS_SHARDS", "17")
    with pytest.raises(dg.DagsterResourceFunctionError) as failed:
        resolved(PipelineSettings.from_env())
    assert "shard_count 17 must be between 1 and 16" in str(failed.value.__cause__)
    with pytest.raises(ValueError, match="NBA_ASSETS_FRESHNESS_DEADLINE"):
        OperationsSettings(freshness_deadline="9am")
    with pytest.raises(ValueError, match="stall_idle_minutes"):
        PipelineSettings(stall_idle_minutes="soon")
