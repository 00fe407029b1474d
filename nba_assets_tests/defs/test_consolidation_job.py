"""L6, L8 and L9 through the real jobs on a real Dagster instance (fast: one 20-player day).

Each property is exercised inside the job that has to keep it, so an asset that ignores a failed
verification, a held lease, or a skipped player fails here, not only in the slow reliability suite.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import duckdb
import pandas as pd
import pytest

from nba_assets.batch_state.base import BatchState, CompletionStatus
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.defs.batches import current_batch_id
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets.naming import shard_key
from nba_assets.rows import TABLE
from nba_assets.warehouse.local import DuckDBWarehouse
from nba_assets_tests.fixtures import SMALL_DATE
from nba_assets_tests.warehouse.factory import player_staging

DAY = SMALL_DATE.isoformat()  # 2025-02-19: one game, 20 players
pytestmark = pytest.mark.timeout(300)


def warehouse(home) -> DuckDBWarehouse:
    return DuckDBWarehouse(home / "warehouse.duckdb", home / "staging")


def table_rows(home) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            f"select player_lookup, system_id, line_key, prediction_id, is_active from {TABLE} "
            "where game_date = ? order by 1, 2, 3",
            [DAY],
        ).fetchall()


def stage_day(definitions, instance, home) -> tuple[str, SqliteBatchStore]:
    """slate_job, then staging_job for every shard of the batch; the batch is complete after."""
    assert (
        definitions.resolve_job_def("slate_job")
        .execute_in_process(partition_key=DAY, instance=instance)
        .success
    )
    batch_id = current_batch_id(instance, DAY)
    store = SqliteBatchStore(home / "batch_state.sqlite")
    shards = sorted({shard_key(s) for s in store.get_batch(batch_id).expected_players.values()})
    staging = definitions.resolve_job_def("staging_job")
    for shard in shards:
        key = dg.MultiPartitionKey({"date": DAY, "shard": shard})
        assert staging.execute_in_process(partition_key=key, instance=instance).success
    assert store.status(batch_id).is_complete
    return batch_id, store


def consolidate(definitions, instance) -> dg.ExecuteInProcessResult:
    job = definitions.resolve_job_def("consolidation_job")
    return job.execute_in_process(partition_key=DAY, instance=instance, raise_on_error=False)


def failure_message(result) -> str:
    failures = [e for e in result.all_events if e.is_step_failure]
    assert failures, "the run should have failed"
    return failures[0].step_failure_data.error.message


def _stage_for_another_date(home, batch_id, store, monkeypatch):
    """One player's staged rows carry the next day's date (a date bug upstream)."""
    player = sorted(c.player_lookup for c in store.completions(batch_id) if c.predictions)[0]
    next_day = SMALL_DATE + timedelta(days=1)
    warehouse(home).write_staging(batch_id, player, player_staging(batch_id, next_day, player, [24.5]))


def _duplicate_after_merge(home, batch_id, store, monkeypatch):
    """A second writer copies a merged row between the MERGE and the verification."""
    original = DuckDBWarehouse.merge_staging

    def merge_then_duplicate(self, batch_id, game_date, **options):
        result = original(self, batch_id, game_date, **options)
        with duckdb.connect(str(self.db_path)) as con:
            con.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE} WHERE game_date = ? LIMIT 1", [game_date])
        return result

    monkeypatch.setattr(DuckDBWarehouse, "merge_staging", merge_then_duplicate)


@pytest.mark.parametrize(
    "breakage", [_stage_for_another_date, _duplicate_after_merge], ids=lambda f: f.__name__
)
def test_a_failed_verification_fails_the_run_keeps_staging_and_the_batch_open(
    definitions, instance, local_home, monkeypatch, breakage
):
    """L8 inside the job: staging is dropped, and the batch recorded, only after verification."""
    batch_id, store = stage_day(definitions, instance, local_home)
    breakage(local_home, batch_id, store, monkeypatch)
    staged = warehouse(local_home).staged_rows(batch_id)
    assert staged > 0
    result = consolidate(definitions, instance)
    assert not result.success
    assert "verification failed" in failure_message(result)
    assert warehouse(local_home).staged_rows(batch_id) == staged  # staging kept for the re-run
    assert store.status(batch_id).state == BatchState.OPEN  # not recorded as consolidated


def test_a_live_lease_makes_a_second_consolidation_fail_naming_it_and_change_nothing(
    definitions, instance, local_home
):
    """L9: another run is consolidating the date (it holds the lease and has not ended)."""
    batch_id, store = stage_day(definitions, instance, local_home)
    held = store.claim_consolidation(SMALL_DATE, batch_id, "a-run-still-merging", timedelta(minutes=30))
    assert held is not None
    staged = warehouse(local_home).staged_rows(batch_id)
    before = table_rows(local_home)
    result = consolidate(definitions, instance)
    assert not result.success
    message = failure_message(result)
    assert f"consolidation lease of {DAY}" in message and "not merging twice" in message
    assert table_rows(local_home) == before
    assert warehouse(local_home).staged_rows(batch_id) == staged
    assert store.status(batch_id).state == BatchState.OPEN
    # the holder finishes (releases): the same job then consolidates
    store.release_consolidation(SMALL_DATE, "a-run-still-merging")
    assert consolidate(definitions, instance).success and store.status(batch_id).is_complete


@pytest.fixture()
def slate_with_a_newcomer(tmp_path, monkeypatch, box_scores):
    """The day's real slate plus a player without a single prior game (too few games to predict)."""
    real = slate_from_box_scores(box_scores, SMALL_DATE)
    first = real.iloc[0]
    newcomer = {**first.to_dict(), "player_name": "Zed Newcomer", "player_lookup": "zednewcomer"}
    frame = pd.concat([real, pd.DataFrame([newcomer])], ignore_index=True)
    path = tmp_path / "slate.csv"
    frame[["game_date", "game_id", "player_name", "team", "opponent", "is_home"]].to_csv(path, index=False)
    monkeypatch.setenv("NBA_ASSETS_SLATES", str(path))
    return len(frame)


def test_a_player_who_cannot_be_predicted_reports_skipped_and_the_batch_completes(
    slate_with_a_newcomer, local_home, instance
):
    """L6 end to end through staging_job: skipped counts as done, and the sensor then asks once."""
    from nba_assets.definitions import defs

    definitions = defs()  # after NBA_ASSETS_SLATES is set: the resources read it at load
    batch_id, store = stage_day(definitions, instance, local_home)
    status = store.status(batch_id)
    assert status.expected == slate_with_a_newcomer and status.missing == ()
    completions = {c.player_lookup: c for c in store.completions(batch_id)}
    newcomer = completions["zednewcomer"]
    assert (
        newcomer.status == CompletionStatus.SKIPPED
        and "insufficient history: 0 prior games" in newcomer.reason
    )
    assert status.is_complete and status.skipped >= 1
    sensor = definitions.resolve_sensor_def("batch_completion_sensor")
    with dg.build_sensor_context(
        instance=instance, definitions=definitions, resources=definitions.resources
    ) as context:
        requests = sensor.evaluate_tick(context).run_requests
    assert [(r.run_key, r.partition_key, r.job_name) for r in requests] == [
        (batch_id, DAY, "consolidation_job")
    ]
