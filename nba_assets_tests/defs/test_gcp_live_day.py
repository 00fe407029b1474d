"""Today from the local feed servers on the GCP profile (Firestore, BigQuery, GCS emulators): run-day,
a line refresh of three players, then the next morning's grading from the feed's box scores."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from nba_assets.defs.inputs import assets as ingest
from nba_assets.instance.day_run import run_day
from nba_assets.instance.line_refresh import refresh_lines
from nba_assets.naming import player_lookup
from nba_assets_tests.defs import live_stub

pytestmark = [pytest.mark.firestore, pytest.mark.bigquery, pytest.mark.gcs, pytest.mark.slow,
              pytest.mark.timeout(900)]  # fmt: skip


def test_live_day_refresh_and_grading_on_the_gcp_profile(
    tmp_path, monkeypatch, httpserver, instance, firestore_emulator, bigquery_emulator, bigquery_dataset,
    gcs_emulator,
):  # fmt: skip
    firestore_emulator.wipe()
    bucket = gcs_emulator.new_bucket()
    env = {
        "NBA_ASSETS_PROFILE": "gcp", "NBA_ASSETS_GCP_PROJECT": bigquery_emulator.project,
        "NBA_ASSETS_BQ_DATASET": bigquery_dataset, "NBA_ASSETS_BQ_ENDPOINT": bigquery_emulator.endpoint,
        "NBA_ASSETS_EXPORT_BUCKET": bucket, "NBA_ASSETS_FIRESTORE_PREFIX": "live_",
        "FIRESTORE_EMULATOR_HOST": firestore_emulator.host, **gcs_emulator.env, "NBA_ASSETS_SHARDS": "2",
        "NBA_ASSETS_HOME": str(tmp_path / "out"), "NBA_ASSETS_SYSTEMS": "moving_average,matchup,ensemble",
    }  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    today = ingest.today()
    day = today.isoformat()
    live_stub.feed_env(monkeypatch, httpserver)
    live_stub.serve_slate(httpserver, today)
    lines = live_stub.base_lines()
    live_stub.serve_lines(httpserver, today, lines)
    from nba_assets.definitions import defs

    definitions = defs()
    assert run_day(definitions, instance, day).consolidated
    client = bigquery_emulator.client()
    dataset = f"{bigquery_emulator.project}.{bigquery_dataset}"

    def active() -> dict[tuple, tuple]:
        rows = client.query(
            f"select player_lookup, system_id, line_key, prediction_id, is_active, batch_id "
            f"from `{dataset}.player_prop_predictions` where game_date = '{day}'"
        ).result()
        return {
            (r.player_lookup, r.system_id, r.line_key): (r.prediction_id, r.is_active, r.batch_id)
            for r in rows
        }

    before = active()
    moved_names = sorted(lines)[:3]
    httpserver.clear()
    live_stub.serve_lines(
        httpserver, today, {n: v + (2.0 if n in moved_names else 0) for n, v in lines.items()}
    )
    refreshed = refresh_lines(definitions, instance, day)
    moved = sorted(player_lookup(n) for n in moved_names)
    assert refreshed.ok and refreshed.moved == moved, refreshed
    after = active()
    assert {k: v for k, v in after.items() if k[0] not in moved} == {
        k: v for k, v in before.items() if k[0] not in moved
    }
    assert all(not after[k][1] for k in before if k[0] in moved and k[2] != -1)  # old lines inactive
    blob = gcs_emulator.client().bucket(bucket).get_blob("v1/tonight/all-players.json")
    shown = {p["player_lookup"]: {x["line"] for x in p["props"]} for g in json.loads(blob.download_as_bytes())["games"]
             for p in g["players"]}  # fmt: skip
    assert all(lines[n] + 2.0 in shown[player_lookup(n)] for n in moved_names)

    monkeypatch.setattr(ingest, "today", lambda: today + timedelta(days=1))
    live_stub.serve_slate(httpserver, today)
    live_stub.serve_box_scores(httpserver, today)
    graded = definitions.resolve_job_def("grading_job").execute_in_process(
        partition_key=day, instance=instance
    )
    assert graded.success
    (row,) = client.query(
        f"select count(*) as n from `{dataset}.prediction_results` where game_date = '{day}'"
    ).result()
    assert row.n > 0
