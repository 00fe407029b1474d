"""A whole bundled day through a real Dagster instance: slate -> shards -> sensor -> one consolidation."""

from __future__ import annotations

import duckdb
import pytest

from nba_assets.batch_state.base import BatchState, CompletionStatus
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.instance.day_run import run_day
from nba_assets_tests.fixtures import SMALL_DATE

DAY = SMALL_DATE.isoformat()  # 2025-02-19: one game, 20 players
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def table_rows(home, day=DAY):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "select player_lookup, system_id, line_key, prediction_id, created_at, is_active "
            "from player_prop_predictions where game_date = ? order by 1, 2, 3",
            [day],
        ).fetchall()


def consolidation_runs(instance):
    return [r for r in instance.get_runs() if r.job_name == "consolidation_job"]


def test_day_run_consolidates_once_and_reruns_are_no_ops(definitions, instance, local_home):
    result = run_day(definitions, instance, DAY)
    assert result.consolidated, result
    jobs = [r.job for r in result.runs]
    assert jobs[0] == "slate_job" and jobs[-1] == "consolidation_job"
    assert 1 <= jobs.count("staging_job") <= 3 and all(r.status == "SUCCESS" for r in result.runs)
    rows = table_rows(local_home)
    players = {r[0] for r in rows}
    store = SqliteBatchStore(local_home / "batch_state.sqlite")
    status = store.status(result.batch_id)
    assert status.state == BatchState.CONSOLIDATED and status.expected == 20 and status.is_complete
    assert len(players) == status.succeeded and all(r[5] for r in rows)
    assert len({r[:3] for r in rows}) == len(rows)  # no duplicate key
    # the whole day again: same batch, already consolidated -> no shard run and no second MERGE
    again = run_day(definitions, instance, DAY)
    assert [r.job for r in again.runs] == ["slate_job"] and again.note.startswith("already consolidated")
    assert len(consolidation_runs(instance)) == 1
    assert table_rows(local_home) == rows  # prediction_id and created_at untouched (L11)


def test_consolidation_refuses_an_incomplete_batch_unless_forced(definitions, instance, local_home):
    import dagster as dg

    from nba_assets.defs.batches import FORCED_PARTIAL_TAG

    definitions.resolve_job_def("slate_job").execute_in_process(partition_key=DAY, instance=instance)
    from nba_assets.defs.batches import current_batch_id

    batch_id = current_batch_id(instance, DAY)
    store = SqliteBatchStore(local_home / "batch_state.sqlite")
    job = definitions.resolve_job_def("consolidation_job")
    refused = job.execute_in_process(partition_key=DAY, instance=instance, raise_on_error=False)
    assert not refused.success
    failure = [e for e in refused.all_events if e.is_step_failure][0]
    assert "incomplete: 0/20 done" in failure.step_failure_data.error.message
    # one shard ran; the forced partial consolidation merges what there is and says so
    staging = definitions.resolve_job_def("staging_job")
    some_shard = sorted({s for s in store.get_batch(batch_id).expected_players.values()})[0]
    staging.execute_in_process(
        partition_key=dg.MultiPartitionKey({"date": DAY, "shard": f"{some_shard:02d}"}), instance=instance
    )
    forced = job.execute_in_process(partition_key=DAY, instance=instance, tags={FORCED_PARTIAL_TAG: "true"})
    assert forced.success
    checks = {e.check_name: e for e in forced.get_asset_check_evaluations()}
    assert not checks["consolidated_predictions_batch_complete"].passed
    assert checks["consolidated_predictions_no_duplicate_keys"].passed
    assert store.status(batch_id).state == BatchState.PARTIAL


@pytest.mark.parametrize("shards", ["1"])
def test_failed_player_is_recorded_and_retried_by_config(
    definitions, instance, local_home, monkeypatch, shards
):
    """A player whose staging write fails reports `failed`; re-running just that player fixes it."""
    import dagster as dg

    from nba_assets.defs.batches import current_batch_id
    from nba_assets.warehouse.local import DuckDBWarehouse

    definitions.resolve_job_def("slate_job").execute_in_process(partition_key=DAY, instance=instance)
    batch_id = current_batch_id(instance, DAY)
    store = SqliteBatchStore(local_home / "batch_state.sqlite")
    batch = store.get_batch(batch_id)
    victim = sorted(batch.expected_players)[0]
    shard = f"{batch.expected_players[victim]:02d}"
    original = DuckDBWarehouse.write_staging

    def flaky(self, batch_id, player, rows):
        if player == victim:
            raise ValueError("disk full")
        return original(self, batch_id, player, rows)

    monkeypatch.setattr(DuckDBWarehouse, "write_staging", flaky)
    key = dg.MultiPartitionKey({"date": DAY, "shard": shard})
    run = definitions.resolve_job_def("staging_job").execute_in_process(partition_key=key, instance=instance)
    failed = {c.player_lookup: c for c in store.completions(batch_id) if c.status == CompletionStatus.FAILED}
    assert list(failed) == [victim] and "disk full" in failed[victim].reason
    check = {e.check_name: e for e in run.get_asset_check_evaluations()}[
        "staging_predictions_all_players_reported"
    ]
    assert not check.passed
    monkeypatch.setattr(DuckDBWarehouse, "write_staging", original)
    config = {"ops": {"staging_predictions": {"config": {"players": [victim]}}}}
    definitions.resolve_job_def("staging_job").execute_in_process(
        partition_key=key, run_config=config, instance=instance
    )
    statuses = {c.player_lookup: c.status for c in store.completions(batch_id)}
    assert statuses[victim] == CompletionStatus.SUCCEEDED


def test_a_completion_is_recorded_only_after_its_own_staging_write_returned(
    definitions, instance, local_home, monkeypatch
):
    """Staging writes run in parallel (STAGING_WRITERS): the first players' writes are made the
    slowest, so recording a completion before its write returned would be seen here (L6)."""
    import threading
    import time

    import dagster as dg

    from nba_assets.defs.batches import current_batch_id
    from nba_assets.warehouse.local import DuckDBWarehouse

    definitions.resolve_job_def("slate_job").execute_in_process(partition_key=DAY, instance=instance)
    batch_id = current_batch_id(instance, DAY)
    store = SqliteBatchStore(local_home / "batch_state.sqlite")
    players = sorted(store.get_batch(batch_id).expected_players)
    slow = set(players[:4])
    staged: set[str] = set()
    early: list[str] = []
    lock = threading.Lock()
    write, record = DuckDBWarehouse.write_staging, SqliteBatchStore.record_completion

    def slow_write(self, batch_id, player, rows):
        if player in slow:
            time.sleep(0.3)
        out = write(self, batch_id, player, rows)
        with lock:
            staged.add(player)
        return out

    def checked_record(self, batch_id, player, status, **kwargs):
        with lock:
            if player not in staged:
                early.append(player)
        return record(self, batch_id, player, status, **kwargs)

    monkeypatch.setattr(DuckDBWarehouse, "write_staging", slow_write)
    monkeypatch.setattr(SqliteBatchStore, "record_completion", checked_record)
    for shard in sorted({f"{s:02d}" for s in store.get_batch(batch_id).expected_players.values()}):
        key = dg.MultiPartitionKey({"date": DAY, "shard": shard})
        assert (
            definitions.resolve_job_def("staging_job")
            .execute_in_process(partition_key=key, instance=instance)
            .success
        )
    assert store.status(batch_id).is_complete and staged == set(players)
    assert early == []


def test_a_quiet_run_keeps_the_ticks_info_lines_off_the_terminal(definitions, instance, capfd):
    """`run-day -q`: the sensors' per-batch INFO lines stay off the terminal, the same tick's
    requests are unchanged, and logging is back to normal afterwards."""
    import logging

    from nba_assets.instance.day_run import evaluate

    definitions.resolve_job_def("slate_job").execute_in_process(partition_key=DAY, instance=instance)
    capfd.readouterr()
    quiet = evaluate(definitions, instance, "slate_fanout_sensor", quiet=True)
    assert "shard runs" not in capfd.readouterr().err
    assert logging.root.manager.disable == logging.NOTSET
    loud = evaluate(definitions, instance, "slate_fanout_sensor")
    assert "shard runs" in capfd.readouterr().err
    assert [r.run_key for r in quiet] == [r.run_key for r in loud] and quiet


def test_rerun_after_another_shard_count_reports_the_consolidated_day(
    definitions, instance, local_home, monkeypatch
):
    """run-day, run-day --shards 2, run-day: the last one finds its batch consolidated in the batch
    store and succeeds (issue 13 defect 2), though the date's newest MERGE was the other batch's."""
    from nba_assets.definitions import defs

    first = run_day(definitions, instance, DAY)
    assert first.consolidated, first
    monkeypatch.setenv("NBA_ASSETS_SHARDS", "2")
    second = run_day(defs(), instance, DAY)
    assert second.consolidated and second.batch_id != first.batch_id, second
    monkeypatch.setenv("NBA_ASSETS_SHARDS", "3")
    third = run_day(defs(), instance, DAY)
    assert third.batch_id == first.batch_id
    assert third.consolidated and third.note.startswith("already consolidated"), third
    assert [r.job for r in third.runs] == ["slate_job"]


def test_a_daemon_started_after_run_day_repeats_nothing(definitions, instance, local_home):
    """run-day's runs carry no forged daemon run-key tags; a daemon's first ticks (no cursor) find the
    day's batch closed in the batch store and request neither shard runs nor a consolidation."""
    from nba_assets.instance.day_run import evaluate

    assert run_day(definitions, instance, DAY).consolidated
    assert not any("dagster/run_key" in r.tags for r in instance.get_runs())
    assert evaluate(definitions, instance, "slate_fanout_sensor") == []
    assert evaluate(definitions, instance, "batch_completion_sensor") == []


def test_the_instance_run_day_writes_has_no_onboarding_and_no_telemetry(tmp_path, monkeypatch):
    from nba_assets.instance.day_run import prepare_home

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))  # prepare_home points it at its folder
    instance = prepare_home(tmp_path / "dagster_home")
    try:
        assert not instance.nux_enabled and not instance.telemetry_enabled
        assert instance.get_settings("concurrency")["pools"]["default_limit"] == 1
    finally:
        instance.dispose()
