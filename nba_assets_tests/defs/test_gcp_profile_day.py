"""The same day on the GCP profile: Firestore, BigQuery and GCS emulators behind the same graph."""

from __future__ import annotations

import json

import pytest

from nba_assets.batch_state.base import BatchState
from nba_assets.batch_state.gcp import FirestoreBatchStore
from nba_assets.instance.day_run import run_day
from nba_assets_tests.fixtures import SMALL_DATE

DAY = SMALL_DATE.isoformat()
pytestmark = [
    pytest.mark.firestore,
    pytest.mark.bigquery,
    pytest.mark.gcs,
    pytest.mark.slow,
    pytest.mark.timeout(600),
]


def test_day_on_the_gcp_profile_consolidates_once(
    tmp_path, monkeypatch, instance, firestore_emulator, bigquery_emulator, bigquery_dataset, gcs_emulator
):
    firestore_emulator.wipe()
    bucket = gcs_emulator.new_bucket()
    env = {
        "NBA_ASSETS_PROFILE": "gcp",
        "NBA_ASSETS_GCP_PROJECT": bigquery_emulator.project,
        "NBA_ASSETS_BQ_DATASET": bigquery_dataset,
        "NBA_ASSETS_BQ_ENDPOINT": bigquery_emulator.endpoint,
        "NBA_ASSETS_EXPORT_BUCKET": bucket,
        "NBA_ASSETS_FIRESTORE_PREFIX": "e2e_",
        "FIRESTORE_EMULATOR_HOST": firestore_emulator.host,
        **gcs_emulator.env,
        "NBA_ASSETS_SHARDS": "2",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_SYSTEMS": "moving_average,matchup,ensemble",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from nba_assets.definitions import defs

    definitions = defs()
    result = run_day(definitions, instance, DAY)
    assert result.consolidated, result
    store = FirestoreBatchStore(firestore_emulator.client(), "e2e_")
    status = store.status(result.batch_id)
    assert status.state == BatchState.CONSOLIDATED and status.expected == 20 and status.is_complete
    client = bigquery_emulator.client()
    table = f"{bigquery_emulator.project}.{bigquery_dataset}.player_prop_predictions"
    (row,) = client.query(
        f"select count(distinct player_lookup) as players, count(*) as n, "
        f"count(distinct concat(player_lookup, system_id, cast(line_key as string))) as nkeys "
        f"from `{table}` where game_date = '{DAY}'"
    ).result()
    assert row.players == status.succeeded and row.n == row.nkeys > 0
    blob = gcs_emulator.client().bucket(bucket).get_blob("v1/tonight/all-players.json")
    assert blob is not None and blob.cache_control
    payload = json.loads(blob.download_as_bytes())
    assert payload["game_date"] == DAY and payload["total_players"] == row.players
    again = run_day(definitions, instance, DAY)
    assert again.note.startswith("already consolidated")
    assert len([r for r in instance.get_runs() if r.job_name == "consolidation_job"]) == 1
