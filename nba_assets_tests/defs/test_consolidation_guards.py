"""The consolidation's guards, each through the real job on a real Dagster instance (one 20-player
day, seconds each), so removing a guard fails here and not only in the slow reliability suite:

- L9: a lease is released for a new run only when Dagster records its holder as ended; a STARTED
  holder makes the second run fail and leaves the lease alone;
- L8 on the re-run path: a batch recorded as consolidated whose verification now fails is not
  "finished": the run fails naming the verification and never asks to drop the staging;
- an empty staging for a batch whose players succeeded is not merged;
- an incomplete batch is consolidated only by a run tagged forced-partial.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest

from nba_assets.batch_state.base import BatchState
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.defs.batches import FORCED_PARTIAL_TAG, current_batch_id
from nba_assets.defs.exports.checks import FRONT_END_QUALITY_GATES
from nba_assets.naming import shard_key
from nba_assets.warehouse.local import DuckDBWarehouse
from nba_assets_tests.defs.test_consolidation_job import (
    DAY,
    consolidate,
    failure_message,
    stage_day,
    table_rows,
    warehouse,
)
from nba_assets_tests.fixtures import SMALL_DATE

pytestmark = pytest.mark.timeout(300)


def _holder_run(instance, status: dg.DagsterRunStatus) -> str:
    """A consolidation run of the date as Dagster records it, in ``status``."""
    run = instance.create_run_for_job(
        dg.JobDefinition(name="consolidation_job", graph_def=dg.GraphDefinition(name="g")),
        tags={"dagster/partition": DAY},
    )
    instance.handle_run_event(
        run.run_id,
        dg.DagsterEvent(
            event_type_value={
                dg.DagsterRunStatus.STARTED: "PIPELINE_START",
                dg.DagsterRunStatus.FAILURE: "PIPELINE_FAILURE",
                dg.DagsterRunStatus.CANCELED: "PIPELINE_CANCELED",
            }[status],
            job_name="consolidation_job",
        ),
    )
    assert instance.get_run_by_id(run.run_id).status == status
    return run.run_id


def test_a_started_holder_keeps_its_lease_and_the_second_run_fails(definitions, instance, local_home):
    batch_id, store = stage_day(definitions, instance, local_home)
    holder = _holder_run(instance, dg.DagsterRunStatus.STARTED)
    assert store.claim_consolidation(SMALL_DATE, batch_id, holder, timedelta(minutes=30)) is not None
    before, staged = table_rows(local_home), warehouse(local_home).staged_rows(batch_id)
    result = consolidate(definitions, instance)
    assert not result.success
    assert f"consolidation lease of {DAY}" in failure_message(result)
    # the lease is still the holder's: a third claimant is refused too
    assert store.claim_consolidation(SMALL_DATE, batch_id, "someone-else", timedelta(minutes=30)) is None
    assert table_rows(local_home) == before and warehouse(local_home).staged_rows(batch_id) == staged
    assert store.status(batch_id).state == BatchState.OPEN


@pytest.mark.parametrize("status", [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED])
def test_an_ended_holders_lease_is_released_and_the_day_consolidated(
    definitions, instance, local_home, status
):
    batch_id, store = stage_day(definitions, instance, local_home)
    holder = _holder_run(instance, status)
    assert store.claim_consolidation(SMALL_DATE, batch_id, holder, timedelta(minutes=30)) is not None
    assert consolidate(definitions, instance).success
    assert store.status(batch_id).state == BatchState.CONSOLIDATED


def test_a_recorded_batch_whose_verification_fails_is_not_finished(
    definitions, instance, local_home, monkeypatch
):
    """A re-run finds the batch recorded as consolidated, but the table does not hold its rows."""
    batch_id, store = stage_day(definitions, instance, local_home)
    store.mark_consolidated(batch_id, {"note": "recorded, rows never merged"}, partial=False)
    staged = warehouse(local_home).staged_rows(batch_id)
    drops = []
    original = DuckDBWarehouse.drop_staging
    monkeypatch.setattr(
        DuckDBWarehouse, "drop_staging", lambda self, b, **kw: drops.append(b) or original(self, b, **kw)
    )
    result = consolidate(definitions, instance)
    assert not result.success
    assert "consolidated but verification fails" in failure_message(result)
    assert drops == []  # never asked to drop unverified staging (not only refused by drop_staging)
    assert warehouse(local_home).staged_rows(batch_id) == staged


def test_empty_staging_of_a_batch_with_successes_is_not_merged(definitions, instance, local_home):
    batch_id, store = stage_day(definitions, instance, local_home)
    warehouse(local_home).drop_staging(batch_id, force=True)  # the staged files are lost
    before = table_rows(local_home)
    result = consolidate(definitions, instance)
    assert not result.success
    assert "staging holds no rows; not merging" in failure_message(result)
    assert table_rows(local_home) == before and store.status(batch_id).state == BatchState.OPEN


def _stage_all_but_one_shard(definitions, instance, home) -> tuple[str, SqliteBatchStore]:
    job = definitions.resolve_job_def("slate_job")
    assert job.execute_in_process(partition_key=DAY, instance=instance).success
    batch_id = current_batch_id(instance, DAY)
    store = SqliteBatchStore(home / "batch_state.sqlite")
    shards = sorted({shard_key(s) for s in store.get_batch(batch_id).expected_players.values()})
    assert len(shards) > 1
    staging = definitions.resolve_job_def("staging_job")
    for shard in shards[:-1]:
        key = dg.MultiPartitionKey({"date": DAY, "shard": shard})
        assert staging.execute_in_process(partition_key=key, instance=instance).success
    assert not store.status(batch_id).is_complete and store.status(batch_id).done > 0
    return batch_id, store


def test_an_incomplete_batch_is_consolidated_only_when_tagged_forced_partial(
    definitions, instance, local_home
):
    batch_id, store = _stage_all_but_one_shard(definitions, instance, local_home)
    before = table_rows(local_home)
    result = consolidate(definitions, instance)
    assert not result.success
    assert "incomplete" in failure_message(result) and FORCED_PARTIAL_TAG in failure_message(result)
    assert table_rows(local_home) == before and store.status(batch_id).state == BatchState.OPEN
    forced = definitions.resolve_job_def("consolidation_job").execute_in_process(
        partition_key=DAY, instance=instance, tags={FORCED_PARTIAL_TAG: "true"}
    )
    assert forced.success and store.status(batch_id).state == BatchState.PARTIAL


def test_a_degraded_day_fails_front_end_exports_and_records_its_blocking_check_failed(
    local_home, instance, monkeypatch
):
    """L13 at the Dagster level: the gate's refusal fails the export step (not only the publish call)
    and the blocking check is recorded failed; the merge before it stands."""
    monkeypatch.setenv("NBA_ASSETS_MIN_PLAYERS_PER_GAME", "50")  # the day's one game has 20 players
    from nba_assets.definitions import defs

    definitions = defs()
    batch_id, store = stage_day(definitions, instance, local_home)
    result = consolidate(definitions, instance)
    assert not result.success
    failed_steps = {e.step_key for e in result.all_events if e.is_step_failure}
    assert failed_steps == {"front_end_exports"}
    assert "export refused, nothing written" in failure_message(result)
    gates = [e for e in result.get_asset_check_evaluations() if e.check_name == FRONT_END_QUALITY_GATES]
    assert [e.passed for e in gates] == [False]
    assert store.status(batch_id).state == BatchState.CONSOLIDATED
    assert not (local_home / "exports" / "v1" / "tonight").exists()
