"""BigQuery-only properties, on bqemulator: table layout, load jobs, DML count (L14), outages."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from nba_assets.naming import batch_id_for, staging_name
from nba_assets.rows import RESULTS_TABLE, TABLE
from nba_assets.warehouse.base import RetryableWarehouseError
from nba_assets.warehouse.gcp import BigQueryWarehouse, bigquery_client
from nba_assets.warehouse.input_tables import INPUT_TABLES
from nba_assets.warehouse.row_checks import utc_now
from nba_assets_tests.warehouse.factory import player_staging

pytestmark = pytest.mark.bigquery
D = date(2025, 2, 12)
DML = {"INSERT", "UPDATE", "DELETE", "MERGE"}


def new_jobs(client, seen: set[str]) -> list[tuple[str, str | None]]:
    """Jobs of the client's project not in ``seen`` (which is updated), oldest first."""
    jobs = [j for j in client.list_jobs() if j.job_id not in seen]
    seen.update(j.job_id for j in jobs)
    return [(j.job_type, getattr(j, "statement_type", None)) for j in sorted(jobs, key=lambda j: j.created)]


def test_tables_are_partitioned_by_day_and_clustered(bigquery_emulator, bigquery_dataset):
    wh = bigquery_emulator.warehouse(bigquery_dataset)
    wh.ensure_schema()
    table = wh.client.get_table(wh._table_id(TABLE))
    assert (table.time_partitioning.type_, table.time_partitioning.field) == ("DAY", "game_date")
    assert table.clustering_fields == ["player_lookup", "system_id"]
    modes = {f.name: f.mode for f in table.schema}
    assert modes["line_key"] == modes["prediction_id"] == modes["created_at"] == "REQUIRED"
    assert modes["points_line"] == "NULLABLE"
    assert wh.client.get_table(wh._table_id(RESULTS_TABLE)).time_partitioning.field == "game_date"


def test_staging_is_load_jobs_only_and_the_batch_is_one_merge(
    bigquery_emulator, bigquery_dataset, monkeypatch
):
    # a project of its own, so that its job list holds this test's jobs only
    client = bigquery_client(f"jobs-{uuid.uuid4().hex[:12]}", bigquery_emulator.endpoint)
    wh = BigQueryWarehouse(client, bigquery_dataset, staging_expiration=timedelta(hours=6))
    wh.ensure_schema()
    seen = {j.job_id for j in client.list_jobs()}
    players = ["ja", "d'angelo", "jb"]
    b = batch_id_for(D, players)
    patched = []
    update_table = wh.client.update_table
    monkeypatch.setattr(
        wh.client,
        "update_table",
        lambda table, fields, **kw: (
            patched.append((table.expires, fields)) or update_table(table, fields, **kw)
        ),
    )
    before = utc_now().replace(microsecond=0)  # the client keeps expiries to the millisecond
    for player in players + ["ja"]:  # ja twice: WRITE_TRUNCATE of the same table
        wh.write_staging(b, player, player_staging(b, D, player, [24.5]))
    after = utc_now()
    names = sorted(t.table_id for t in wh.client.list_tables(f"{wh.project}.{bigquery_dataset}"))
    inputs = [table for table, *_ in INPUT_TABLES.values()]  # box scores, lines, slates
    assert names == sorted([TABLE, RESULTS_TABLE, *inputs, *(staging_name(b, p) for p in players)])
    assert [kind for kind, _ in new_jobs(client, seen)] == ["load"] * 4 and wh.dml_statements == 0
    # each staging table's expiry is 6 h after its write: bracketed by clock reads, no duration asserted
    # (the emulator ignores expirations, so what the client sent is what is checked)
    assert len(patched) == 4 and all("expires" in fields for _, fields in patched)
    assert all(before + timedelta(hours=6) <= expires <= after + timedelta(hours=6) for expires, _ in patched)

    result = wh.merge_staging(b, D)
    merge_dml = [st for kind, st in new_jobs(client, seen) if st in DML]
    assert merge_dml == ["MERGE"] and result.dml_statements == wh.dml_statements == 1
    assert wh.verify(b, D).ok and wh.drop_staging(b) == 3
    assert wh.staged_rows(b) == 0
    client.delete_dataset(f"{wh.project}.{bigquery_dataset}", delete_contents=True)


@pytest.mark.timeout(90)  # bounded retries: the client's 10-minute default would time the test out
def test_outage_is_a_retryable_error_naming_bigquery_and_nothing_is_lost(bigquery_emulator, bigquery_dataset):
    wh = bigquery_emulator.warehouse(bigquery_dataset, attempts=2, backoff=0.1, rpc_timeout=1.0)
    wh.ensure_schema()
    b = batch_id_for(D, ["ja"])
    wh.write_staging(b, "ja", player_staging(b, D, "ja", [24.5]))
    bigquery_emulator.stop()
    try:
        with pytest.raises(RetryableWarehouseError, match="BigQuery unavailable: .*failed 2 times"):
            wh.merge_staging(b, D)
        with pytest.raises(RetryableWarehouseError, match="BigQuery"):
            wh.write_staging(b, "jb", player_staging(b, D, "jb", [10.5]))
    finally:
        bigquery_emulator.start()
    result = wh.merge_staging(b, D)  # the same call after the outage: staging survived it
    assert result.inserted == 5 and wh.verify(b, D).ok
