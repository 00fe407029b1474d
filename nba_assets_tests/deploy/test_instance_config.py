"""deploy/dagster.yaml and deploy/helm/values.yaml against Dagster's own instance schema.

Dagster has no public "validate this dagster.yaml" API, so this uses the two functions its
instance loader calls (``dagster_instance_config``, ``InstanceRef.from_dir``) and then each
configured class's own ``config_type()``: exactly what `dagster-daemon` checks at start-up,
without connecting to Postgres or GCS.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml
from dagster._config import process_config  # no public equivalent (see the docstring)
from dagster._core.instance.config import dagster_instance_config
from dagster._core.instance.ref import InstanceRef

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DUMMY_ENV = {
    "DAGSTER_PG_HOST": "10.0.0.3",
    "DAGSTER_PG_PORT": "5432",
    "DAGSTER_PG_USER": "dagster",
    "DAGSTER_PG_PASSWORD": "dummy",
    "DAGSTER_PG_DB": "dagster",
    "DAGSTER_COMPUTE_LOG_BUCKET": "dummy-logs",
}


@pytest.fixture()
def env(monkeypatch):
    for key, value in DUMMY_ENV.items():
        monkeypatch.setenv(key, value)


def instance_ref(config_text: str, tmp_path: Path) -> InstanceRef:
    (tmp_path / "dagster.yaml").write_text(config_text)
    dagster_instance_config(str(tmp_path))  # the top-level schema and the concurrency rules
    return InstanceRef.from_dir(str(tmp_path))


def validate_classes(ref: InstanceRef) -> dict[str, str]:
    """Each configured class's own config schema, env vars resolved; returns name -> class."""
    classes = {}
    for name in (
        "storage_data",
        "run_storage_data",
        "event_storage_data",
        "schedule_storage_data",
        "compute_logs_data",
        "run_coordinator_data",
        "run_launcher_data",
        "scheduler_data",
    ):
        data = getattr(ref, name)
        klass = getattr(importlib.import_module(data.module_name), data.class_name)
        result = process_config(klass.config_type(), yaml.safe_load(data.config_yaml) or {})
        assert result.success, f"{name} ({data.class_name}): {[e.message for e in result.errors]}"
        classes[name] = data.class_name
    return classes


def test_deploy_dagster_yaml_is_a_valid_production_instance(env, tmp_path):
    ref = instance_ref((DEPLOY / "dagster.yaml").read_text(), tmp_path)
    classes = validate_classes(ref)
    assert classes["run_storage_data"] == "PostgresRunStorage"
    assert classes["event_storage_data"] == "PostgresEventLogStorage"
    assert classes["schedule_storage_data"] == "PostgresScheduleStorage"
    assert classes["run_coordinator_data"] == "QueuedRunCoordinator"
    assert classes["compute_logs_data"] == "GCSComputeLogManager"
    concurrency = ref.settings["concurrency"]
    assert concurrency["pools"] == {"default_limit": 1, "granularity": "run"}
    limits = {
        (limit["key"], limit.get("value")): limit["limit"]
        for limit in concurrency["runs"]["tag_concurrency_limits"]
    }
    assert limits[("dagster/sensor_name", "slate_fanout_sensor")] == 16  # = MAX_SHARDS
    text = (DEPLOY / "dagster.yaml").read_text()
    assert "REPLACE_ME" not in text and "password: {env:" in text  # nothing deployment-specific inline


def test_missing_env_var_is_reported(env, monkeypatch, tmp_path):
    monkeypatch.delenv("DAGSTER_PG_PASSWORD")
    ref = instance_ref((DEPLOY / "dagster.yaml").read_text(), tmp_path)
    with pytest.raises(AssertionError, match="DAGSTER_PG_PASSWORD"):
        validate_classes(ref)


def test_helm_values_render_the_same_instance_settings(env, tmp_path):
    """The chart copies additionalInstanceConfig into dagster.yaml beside its own sections; with
    deploy/dagster.yaml's storage and the chart's GCS compute logs, that must validate and carry
    the same limits as deploy/dagster.yaml."""
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    extra = values["additionalInstanceConfig"]
    deploy = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    assert extra["concurrency"] == deploy["concurrency"]
    gcs = values["computeLogManager"]["config"]["gcsComputeLogManager"]
    rendered = {
        "storage": deploy["storage"],
        "run_coordinator": {"module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator"},
        "compute_logs": {
            "module": "dagster_gcp.gcs.compute_log_manager",
            "class": "GCSComputeLogManager",
            "config": {
                "bucket": gcs["bucket"],
                "prefix": gcs["prefix"],
                "upload_interval": gcs["uploadInterval"],
            },
        },
        **extra,
    }
    assert values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"] == {}
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", "nba_assets.definitions"]
    assert {"name": "NBA_ASSETS_PROFILE", "value": "gcp"} in deployment["env"]
    validate_classes(instance_ref(yaml.safe_dump(rendered), tmp_path))


def test_dockerfile_serves_the_code_location_with_the_gcp_profile():
    text = (DEPLOY / "Dockerfile").read_text()
    assert "NBA_ASSETS_PROFILE=gcp" in text and "pip install -e ." in text
    assert '"--module-name", "nba_assets.definitions"' in text
    for package in ("dagster-postgres", "dagster-k8s"):
        assert package in text
