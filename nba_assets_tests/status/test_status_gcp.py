"""`nba-assets status --profile gcp`: the batch from Firestore, the pointers from GCS (emulators)."""

from __future__ import annotations

import json

import pytest

from nba_assets.batch_state.base import CompletionStatus
from nba_assets.batch_state.gcp import FirestoreBatchStore
from nba_assets.cli import main
from nba_assets.defs.status.report import validate
from nba_assets.instance.day_run import prepare_home
from nba_assets.naming import batch_id_for
from nba_assets_tests.fixtures import SMALL_DATE

DAY = SMALL_DATE.isoformat()
pytestmark = [pytest.mark.firestore, pytest.mark.gcs, pytest.mark.timeout(300)]


def test_status_reads_firestore_and_gcs_and_writes_nothing(
    tmp_path, monkeypatch, firestore_emulator, gcs_emulator, capsys
):
    firestore_emulator.wipe()
    bucket = gcs_emulator.new_bucket()
    env = {
        "NBA_ASSETS_PROFILE": "gcp",
        "NBA_ASSETS_GCP_PROJECT": firestore_emulator.project,
        "NBA_ASSETS_BQ_DATASET": "unused",
        "NBA_ASSETS_EXPORT_BUCKET": bucket,
        "NBA_ASSETS_FIRESTORE_PREFIX": "st_",
        "FIRESTORE_EMULATOR_HOST": firestore_emulator.host,
        **gcs_emulator.env,
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    prepare_home(tmp_path / "dagster_home").dispose()
    store = FirestoreBatchStore(firestore_emulator.client(), "st_")
    players = {"ja": 0, "jb": 1, "jc": 1}
    batch = store.open_batch(batch_id_for(SMALL_DATE, list(players)), SMALL_DATE, players)
    store.record_completion(batch.batch_id, "ja", CompletionStatus.SUCCEEDED, predictions=4)
    store.record_completion(batch.batch_id, "jb", CompletionStatus.FAILED, reason="disk full")
    pointer = {"game_date": "2025-02-18", "generated_at": "2025-02-18T15:00:00Z"}
    gcs_emulator.client().bucket(bucket).blob("v1/tonight/all-players.json").upload_from_string(
        json.dumps(pointer)
    )
    before = sorted(b.name for b in gcs_emulator.client().list_blobs(bucket))
    capsys.readouterr()
    code = main(["status", DAY, "--json"])
    report = json.loads(capsys.readouterr().out)
    validate(report)
    (row,) = report["batches"]
    assert report["profile"] == "gcp" and code == 1  # nothing consolidated: the morning was missed
    assert (row["batch_id"], row["state"], row["done"], row["failed"], row["missing"]) == (
        batch.batch_id,
        "open",
        1,
        1,
        ["jc"],
    )
    assert row["failed_players"] == [{"player": "jb", "reason": "disk full"}]
    assert report["exports"]["tonight"]["game_date"] == "2025-02-18"  # the front end still shows yesterday
    assert sorted(b.name for b in gcs_emulator.client().list_blobs(bucket)) == before
    assert store.get_batch(batch.batch_id) == batch and not (tmp_path / "out" / "batch_state.sqlite").exists()
