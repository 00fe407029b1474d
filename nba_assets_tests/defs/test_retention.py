"""The nightly retention sweep: old closed batches go with their staging; open ones stay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from nba_assets.batch_state.base import BatchStoreError, CompletionStatus
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.naming import batch_id_for
from nba_assets.warehouse.local import DuckDBWarehouse
from nba_assets_tests.warehouse.factory import player_staging

OLD, NEW = date(2025, 1, 14), date(2025, 1, 15)


def open_batch(store, day, players):
    return store.open_batch(batch_id_for(day, players), day, dict.fromkeys(players, 0))


def test_retention_asset_deletes_expired_batches_and_their_staging(definitions, instance, local_home):
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    past = SqliteBatchStore(local_home / "batch_state.sqlite", clock=lambda: ten_days_ago)
    wh = DuckDBWarehouse(local_home / "warehouse.duckdb", local_home / "staging")
    superseded = open_batch(past, OLD, ["ja", "jb"])
    wh.write_staging(superseded.batch_id, "ja", player_staging(superseded.batch_id, OLD, "ja", [24.5]))
    past.record_completion(superseded.batch_id, "ja", CompletionStatus.SUCCEEDED, predictions=1)
    stuck_open = open_batch(past, OLD, ["ja"])  # supersedes the first; never finishes
    wh.write_staging(stuck_open.batch_id, "ja", player_staging(stuck_open.batch_id, OLD, "ja", [25.5]))
    done = open_batch(past, NEW, ["jc"])
    past.mark_consolidated(done.batch_id, {"merged_rows": 0})
    recent = open_batch(SqliteBatchStore(past.path), date(2025, 1, 20), ["jd"])
    SqliteBatchStore(past.path).mark_consolidated(recent.batch_id, {})

    job = definitions.resolve_job_def("maintenance_job")
    result = job.execute_in_process(instance=instance)
    assert result.success
    (materialization,) = result.asset_materializations_for_node("batch_retention")
    assert materialization.metadata["deleted_batches"].value == 2
    assert materialization.metadata["staging_dropped"].value == 1

    store = SqliteBatchStore(past.path)
    for gone in (superseded, done):
        try:
            store.get_batch(gone.batch_id)
            raise AssertionError(f"{gone.batch_id} survived the sweep")
        except BatchStoreError:
            pass
    assert store.get_batch(stuck_open.batch_id).status.value == "open"  # ten days old, still open
    assert store.get_batch(recent.batch_id).status.value == "consolidated"
    assert wh.staged_players(stuck_open.batch_id) == ["ja"]  # an open batch's staging is kept
    assert wh.staged_players(superseded.batch_id) == []
    again = job.execute_in_process(instance=instance)
    (second,) = again.asset_materializations_for_node("batch_retention")
    assert second.metadata["deleted_batches"].value == 0


def test_retention_is_scheduled_nightly(definitions):
    schedule = definitions.resolve_schedule_def("maintenance_daily_schedule")
    tick = datetime(2025, 1, 15, 4, 30, tzinfo=UTC)
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        (request,) = schedule.evaluate_tick(context).run_requests
    assert request.run_key == "retention:2025-01-15" and schedule.job_name == "maintenance_job"
