"""Duplicate and out-of-order events: redelivered, late, for another date's batch, for nobody.

The store-level rules (a redelivery rewrites the same document, L3; a stale ``failed`` never
undoes a finished player; unknown batch or player is an error) are in the BatchStore contract
suite; here they are checked where they meet the pipeline, and for the cases it lacks.
"""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest

from nba_assets.batch_state.base import BatchState, BatchStoreError, CompletionStatus
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.naming import batch_id_for
from nba_assets.warehouse.base import WarehouseError
from nba_assets_tests.reliability.conftest import DAY
from nba_assets_tests.reliability.harness import assert_same_day

pytestmark = pytest.mark.timeout(180)
OK, FAIL = CompletionStatus.SUCCEEDED, CompletionStatus.FAILED


def failure_message(instance: dg.DagsterInstance, run_id: str) -> str:
    (record,) = instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    return record.dagster_event.step_failure_data.error.message


def test_a_redelivered_shard_run_counts_once_and_consolidates_once(local_day_at, local_baseline):
    day = local_day_at("slate")
    batch_id = day.daemon.slate(DAY)
    requests = day.daemon.fan_out()
    for request in requests:
        assert day.daemon.execute(request, "slate_fanout_sensor")
    store, warehouse, _ = day.stores
    before = store.status(batch_id)
    # at-least-once delivery: the first shard's run delivered again (a retry of a run that did finish)
    assert day.daemon.execute(requests[0], None, "staging_job")
    after = store.status(batch_id)
    assert (after.expected, after.succeeded, after.skipped, after.failed) == (
        before.expected,
        before.succeeded,
        before.skipped,
        before.failed,
    )
    assert len(store.completions(batch_id)) == before.expected == 20
    # the completion sensor evaluated twice before the daemon launched anything: one run key
    first = day.daemon.tick("batch_completion_sensor")
    second = day.daemon.tick("batch_completion_sensor")
    assert [r.run_key for r in first] == [r.run_key for r in second] == [batch_id]
    assert day.daemon.execute(first[0], "batch_completion_sensor")
    assert day.daemon.tick("batch_completion_sensor") == []
    assert len(day.daemon.runs("consolidation_job")) == 1
    assert_same_day(day.snapshot(), local_baseline)


def test_events_after_consolidation_neither_reopen_nor_change_it(local_day_at, local_baseline):
    day = local_day_at("consolidated")
    batch_id = day.daemon.slate(DAY)
    store, warehouse, _ = day.stores
    batch_before = store.get_batch(batch_id)
    player = sorted(batch_before.expected_players)[0]
    stored = {c.player_lookup: c for c in store.completions(batch_id)}[player].status
    # a redelivered completion, and a stale failure, arriving after the MERGE: recorded by the
    # store as any redelivery (the failure does not undo the finished player), batch untouched
    assert store.record_completion(batch_id, player, stored, run_id="late").status == stored
    assert store.record_completion(batch_id, player, FAIL, reason="stale", run_id="late").status == stored
    batch_after = store.get_batch(batch_id)
    assert batch_after.status == BatchState.CONSOLIDATED
    assert batch_after.consolidation == batch_before.consolidation
    assert batch_id not in [b.batch_id for b in store.open_batches()]
    assert day.daemon.tick("batch_completion_sensor") == []  # nothing to do: the batch is closed
    # a late shard run (a run retry arriving after the stall policy's re-run finished the day):
    # rejected with a clear message; nothing staged, nothing recorded, the table unchanged
    shard = f"{batch_before.expected_players[player]:02d}"
    late = day.defs.resolve_job_def("staging_job").execute_in_process(
        partition_key=dg.MultiPartitionKey({"date": DAY, "shard": shard}),
        instance=day.instance,
        raise_on_error=False,
    )
    assert not late.success
    message = failure_message(day.instance, late.run_id)
    assert f"batch {batch_id} is already consolidated: late staging run rejected" in message
    assert warehouse.staged_rows(batch_id) == 0
    assert not [c for c in store.completions(batch_id) if c.run_id == late.run_id]
    assert len(day.daemon.runs("consolidation_job")) == 1
    assert_same_day(day.snapshot(), local_baseline)


def test_a_shard_run_for_players_outside_its_batch_is_refused(local_day_at):
    day = local_day_at("slate")
    batch_id = day.daemon.slate(DAY)
    store, warehouse, _ = day.stores
    run = day.defs.resolve_job_def("staging_job").execute_in_process(
        partition_key=dg.MultiPartitionKey({"date": DAY, "shard": "00"}),
        instance=day.instance,
        run_config={"ops": {"staging_predictions": {"config": {"players": ["nobodyatall"]}}}},
        raise_on_error=False,
    )
    assert not run.success
    assert f"players ['nobodyatall'] are not in batch {batch_id} shard 00" in failure_message(
        day.instance, run.run_id
    )
    assert store.completions(batch_id) == [] and warehouse.staged_rows(batch_id) == 0


D1, D2 = date(2025, 3, 1), date(2025, 3, 2)


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield SqliteBatchStore(tmp_path / "batches.sqlite")
        return
    fresh = request.getfixturevalue("firestore_emulator").fresh_store(retry_deadline=10)
    yield fresh
    fresh.client.close()


def test_completions_go_to_their_own_batch_whatever_else_is_open(store):
    """Another date's batch, a superseded slate, an unknown player, an unknown or malformed batch."""
    b1 = store.open_batch(batch_id_for(D1, ["a", "b"]), D1, {"a": 0, "b": 0}).batch_id
    b2 = store.open_batch(batch_id_for(D2, ["b", "c"]), D2, {"b": 0, "c": 0}).batch_id
    store.record_completion(b1, "b", OK)  # "b" plays both days: only D1's batch moves
    assert (store.status(b1).succeeded, store.status(b2).reported) == (1, 0)
    with pytest.raises(BatchStoreError, match=rf"player 'c' is not in batch {b1}"):
        store.record_completion(b1, "c", OK)  # D2's player reported against D1's batch
    with pytest.raises(BatchStoreError, match="unknown batch b20250303_0000abcd"):
        store.record_completion("b20250303_0000abcd", "a", OK)
    with pytest.raises(BatchStoreError, match="not of the form"):
        store.record_completion("prediction_batches/../x", "a", OK)
    # a newer slate of D1 supersedes b1; a late completion for b1 lands in b1 only
    b1_new = store.open_batch(batch_id_for(D1, ["a", "b", "d"]), D1, {"a": 0, "b": 0, "d": 0}).batch_id
    store.record_completion(b1, "a", OK)
    assert store.get_batch(b1).status == BatchState.SUPERSEDED and store.status(b1).succeeded == 2
    assert store.status(b1_new).reported == 0
    assert [b.batch_id for b in store.open_batches()] == [b1_new, b2]
    # after consolidation: recorded like any redelivery, the batch and its result untouched
    store.record_completion(b2, "b", OK)
    store.record_completion(b2, "c", OK)
    store.mark_consolidated(b2, {"inserted": 2})
    store.record_completion(b2, "c", FAIL, reason="stale")
    assert store.status(b2).succeeded == 2 and store.get_batch(b2).consolidation == {"inserted": 2}
    assert store.get_batch(b2).status == BatchState.CONSOLIDATED
    assert [b.batch_id for b in store.open_batches()] == [b1_new]


@pytest.mark.parametrize(
    "error",
    [
        BatchStoreError("batch b20250219_00000000 rejected the write"),
        WarehouseError("staging of x: columns do not fit the schema"),
    ],
)
def test_a_permanent_error_is_not_retried(local_day_at, error):
    """Dagster's RetryPolicy would retry anything: only outages (Retryable*) are worth the backoff."""
    day = local_day_at("slate")
    (request, *_) = day.daemon.fan_out()

    def broken(*args, **kwargs):
        raise error

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SqliteBatchStore, "record_completion", broken)
        assert not day.daemon.execute(request, "slate_fanout_sensor")
    run = day.daemon.runs("staging_job")[0]
    assert not list(day.instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_UP_FOR_RETRY))
    assert str(error) in failure_message(day.instance, run.run_id)


def test_lost_staging_fails_the_consolidation_at_once_without_a_retry(local_day_at):
    """Every player reported but the staging files are gone: the MERGE is refused (L8) and the step
    is not retried, since a retry would find the same empty staging."""
    day = local_day_at("shards")
    for staged in (day.root / "out" / "staging").rglob("*.parquet"):
        staged.unlink()
    (request,) = [r for r in day.daemon.tick("batch_completion_sensor") if r.job_name == "consolidation_job"]
    assert not day.daemon.execute(request, "batch_completion_sensor")
    (run,) = day.daemon.runs("consolidation_job")
    assert "staging holds no rows; not merging" in failure_message(day.instance, run.run_id)
    assert not day.instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_UP_FOR_RETRY)
