"""Backends stopped mid-run on the GCP profile: bounded retries, a clear failure, nothing lost.

Each store retries only transport errors, within a short deadline, then raises its retryable
error naming the service (RetryableStoreError "Firestore unavailable ...", RetryableWarehouseError
"BigQuery unavailable ...", ExportSinkError "GCS write ... failed"); the asset's RetryPolicy
retries the step with backoff; after that the run fails with the service's name in its step
failure. Restarting the service and re-running the partition finishes the day with nothing lost.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

import dagster as dg
import pytest

from nba_assets.batch_state.base import BatchState, RetryableStoreError
from nba_assets.batch_state.gcp import FirestoreBatchStore
from nba_assets.defs.storage import GcsExportSinkResource
from nba_assets.exports.gcs import GcsSink
from nba_assets.warehouse.gcp import BigQueryWarehouse
from nba_assets_tests.reliability.conftest import DAY
from nba_assets_tests.reliability.harness import assert_same_day

pytestmark = [
    pytest.mark.firestore,
    pytest.mark.bigquery,
    pytest.mark.gcs,
    pytest.mark.slow,
    pytest.mark.timeout(420),
]


@contextlib.contextmanager
def on_nth_call(owner: type, name: str, nth: int, action) -> Iterator[None]:
    """Within the block: after the nth real call of ``owner.name`` in this process, run ``action``."""
    original, calls = getattr(owner, name), {"n": 0}

    def wrapper(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] == nth:
            action()
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(owner, name, wrapper)
        yield


def step_events(instance: dg.DagsterInstance, run_id: str, kind: dg.DagsterEventType) -> list[str]:
    """Each event's error with its causes: Dagster's wrapper, the asset's error, the transport's."""
    messages = []
    for record in instance.all_logs(run_id, of_type=kind):
        error, chain = record.dagster_event.event_specific_data.error, []
        while error is not None:
            chain.append(error.message)
            error = error.cause
        messages.append(" <- ".join(chain))
    return messages


def start_shards(day) -> tuple[str, list[dg.RunRequest]]:
    batch_id = day.daemon.slate(DAY)
    first, *rest = day.daemon.fan_out()
    assert day.daemon.execute(first, "slate_fanout_sensor")
    return batch_id, rest


def test_firestore_outage_mid_shard_fails_the_attempt_naming_firestore_and_the_step_retry_recovers(
    gcp_day, local_baseline, firestore_emulator, caplog
):
    """Firestore goes away mid-shard and stays away until the store has given up (its retry deadline
    passed): the attempt fails naming Firestore, the RetryPolicy retries the step after its backoff,
    and it completes. The restart follows that event, not a timer racing the deadline."""
    day = gcp_day
    batch_id, (victim,) = start_shards(day)
    gave_up = threading.Event()
    real_record = FirestoreBatchStore.record_completion

    def record(self, *args, **kwargs):
        try:
            return real_record(self, *args, **kwargs)
        except RetryableStoreError:
            gave_up.set()
            raise

    def restart_after_give_up() -> None:
        gave_up.wait(180)  # bounded: the join below fails the test if it never came
        firestore_emulator.start()

    restarter = threading.Thread(target=restart_after_give_up, daemon=True)

    def outage() -> None:
        firestore_emulator.stop()
        restarter.start()

    try:
        with (
            pytest.MonkeyPatch.context() as mp,
            on_nth_call(BigQueryWarehouse, "write_staging", 3, outage),
        ):
            mp.setattr(FirestoreBatchStore, "record_completion", record)
            assert day.daemon.execute(victim, "slate_fanout_sensor")
    finally:
        if restarter.is_alive():
            gave_up.set()
            restarter.join(120)
        if not firestore_emulator.running:
            firestore_emulator.start()
    assert gave_up.is_set(), "the store never gave up on the outage, so no step retry was exercised"
    (run,) = [r for r in day.daemon.runs("staging_job") if r.tags.get("dagster/run_key") == victim.run_key]
    step_retries = step_events(day.instance, run.run_id, dg.DagsterEventType.STEP_UP_FOR_RETRY)
    assert step_retries and all(
        f"Firestore unavailable at {firestore_emulator.host}" in m for m in step_retries
    )
    store_retries = [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("Firestore record_completion")
    ]
    assert store_retries and all(m.endswith("retrying") for m in store_retries)  # backoff inside the deadline
    store, _, _ = day.stores
    assert store.status(batch_id).is_complete  # every player reported once the service was back
    day.daemon.settle(store, batch_id)
    assert len(day.daemon.runs("consolidation_job", dg.DagsterRunStatus.SUCCESS)) == 1
    assert_same_day(day.snapshot(), local_baseline)


def test_bigquery_down_fails_the_shard_run_naming_bigquery_then_a_rerun_loses_nothing(
    gcp_day, local_baseline, bigquery_emulator
):
    day = gcp_day
    batch_id, (victim,) = start_shards(day)
    try:
        with on_nth_call(BigQueryWarehouse, "write_staging", 3, bigquery_emulator.stop):
            assert not day.daemon.execute(victim, "slate_fanout_sensor")
    finally:
        bigquery_emulator.start()
    (run,) = [r for r in day.daemon.runs("staging_job") if r.tags.get("dagster/run_key") == victim.run_key]
    assert run.status == dg.DagsterRunStatus.FAILURE
    retried = step_events(day.instance, run.run_id, dg.DagsterEventType.STEP_UP_FOR_RETRY)
    (failed,) = step_events(day.instance, run.run_id, dg.DagsterEventType.STEP_FAILURE)
    assert len(retried) == 2  # bounded: the RetryPolicy's 3 attempts, then the run fails
    for message in [*retried, failed]:
        assert "BigQuery unavailable" in message and "failed 4 times" in message, message
    store, warehouse, _ = day.stores
    status = store.status(batch_id)
    assert status.missing and status.failed == 0  # the unstaged players did not report: nothing faked
    # the service is back: re-run the partition, then the day goes on by itself
    assert day.daemon.rerun("staging_job", victim.partition_key)
    assert store.status(batch_id).is_complete
    day.daemon.settle(store, batch_id)
    assert_same_day(day.snapshot(), local_baseline)


def test_gcs_down_fails_the_exports_naming_gcs_then_a_rerun_publishes(
    gcp_day, local_baseline, gcs_emulator, monkeypatch
):
    """The sink's retry deadline is cut from 30 s to 5 s here (the time only; the contract suite
    measures the 30 s one): the run fails naming GCS, the merge stays done, the re-run publishes."""
    day = gcp_day
    real_get = GcsExportSinkResource.get
    monkeypatch.setattr(
        GcsExportSinkResource,
        "get",
        lambda self: GcsSink(real_get(self).client, self.bucket, self.prefix, deadline_s=5.0),
    )
    batch_id = day.daemon.slate(DAY)
    for request in day.daemon.fan_out():
        assert day.daemon.execute(request, "slate_fanout_sensor")
    bucket = os.environ["NBA_ASSETS_EXPORT_BUCKET"]
    store, warehouse, _ = day.stores
    try:
        (request,) = day.daemon.tick("batch_completion_sensor")
        with on_nth_call(GcsSink, "write", 2, gcs_emulator.stop):
            assert not day.daemon.execute(request, "batch_completion_sensor")
    finally:
        gcs_emulator.start()
        gcs_emulator.client().create_bucket(bucket)  # the memory backend forgot it; GCS would not
    (run,) = day.daemon.runs("consolidation_job")
    (failed,) = step_events(day.instance, run.run_id, dg.DagsterEventType.STEP_FAILURE)
    assert f"GCS write of gs://{bucket}/v1/" in failed and "failed after retries" in failed, failed
    # that the sink's own deadline, not the storage client's 120 s default, bounds it: the contract suite's
    # test_gcs_outage_is_an_export_sink_error_naming_gcs (a 60 s test timeout)
    assert store.get_batch(batch_id).status == BatchState.CONSOLIDATED  # the merge itself was done
    # the day's date re-run: no second MERGE, the exports written
    assert day.daemon.rerun("consolidation_job", DAY)
    assert_same_day(day.snapshot(), local_baseline)
    assert warehouse.staged_rows(batch_id) == 0
