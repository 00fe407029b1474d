"""batch_completion_sensor decisions against a real SQLite BatchStore and a real Dagster instance."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest

from nba_assets.batch_state.base import CompletionStatus
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.defs.batches import FORCED_PARTIAL_TAG, record_stall_retry
from nba_assets.defs.settings import PipelineSettings
from nba_assets.defs.storage import SqliteBatchStoreResource
from nba_assets.naming import batch_id_for

DAY = date(2025, 2, 12)
PLAYERS = {"jalenbrunson": 0, "joshhart": 1, "mikalbridges": 1, "karlanthonytowns": 2}


@pytest.fixture()
def store_path(tmp_path):
    return str(tmp_path / "batch.sqlite")


@pytest.fixture()
def store(store_path):
    return SqliteBatchStore(store_path)


def tick(definitions, instance, store_path, cursor=None, idle=30.0, deadline=120.0):
    resources = {
        **definitions.resources,
        "batch_store": SqliteBatchStoreResource(path=store_path),
        "settings": PipelineSettings(stall_idle_minutes=idle, stall_deadline_minutes=deadline),
    }
    sensor = definitions.resolve_sensor_def("batch_completion_sensor")
    # as a context manager: the resources it sets up are torn down (and the instance context reset)
    with dg.build_sensor_context(
        instance=instance, definitions=definitions, resources=resources, cursor=cursor
    ) as context:
        return sensor.evaluate_tick(context)


def open_batch(store, players=PLAYERS, day=DAY):
    batch_id = batch_id_for(day, list(players))
    store.open_batch(batch_id, day, dict(players))
    return batch_id


def test_complete_batch_requests_exactly_one_consolidation_keyed_by_batch(
    definitions, instance, store, store_path
):
    batch_id = open_batch(store)
    for player in PLAYERS:
        store.record_completion(batch_id, player, CompletionStatus.SUCCEEDED, predictions=5, run_id="r")
    first = tick(definitions, instance, store_path)
    assert [(r.run_key, r.partition_key, r.job_name) for r in first.run_requests] == [
        (batch_id, "2025-02-12", "consolidation_job")
    ]
    # the same tick evaluated again asks for the same run key: Dagster launches it once
    again = tick(definitions, instance, store_path, cursor=first.cursor)
    assert [r.run_key for r in again.run_requests] == [batch_id]


def test_skipped_players_count_as_done(definitions, instance, store, store_path):
    batch_id = open_batch(store)
    for i, player in enumerate(PLAYERS):
        status = CompletionStatus.SKIPPED if i % 2 else CompletionStatus.SUCCEEDED
        store.record_completion(batch_id, player, status, reason="no line" if i % 2 else "", run_id="r")
    assert [r.run_key for r in tick(definitions, instance, store_path).run_requests] == [batch_id]


def test_incomplete_batch_waits(definitions, instance, store, store_path):
    batch_id = open_batch(store)
    store.record_completion(batch_id, "jalenbrunson", CompletionStatus.SUCCEEDED, predictions=5, run_id="r")
    result = tick(definitions, instance, store_path)
    assert not result.run_requests


def test_stalled_batch_reruns_missing_players_once_then_forces_partial(
    definitions, instance, store, store_path
):
    batch_id = open_batch(store)
    store.record_completion(batch_id, "jalenbrunson", CompletionStatus.SUCCEEDED, predictions=5, run_id="r")
    store.record_completion(batch_id, "joshhart", CompletionStatus.FAILED, reason="boom", run_id="r")
    retry = tick(definitions, instance, store_path, idle=0, deadline=60)
    reruns = {
        r.partition_key: r.run_config["ops"]["staging_predictions"]["config"]["players"]
        for r in retry.run_requests
    }
    assert reruns == {"2025-02-12|01": ["joshhart", "mikalbridges"], "2025-02-12|02": ["karlanthonytowns"]}
    assert all(
        r.job_name == "staging_job" and r.run_key.startswith(f"{batch_id}:retry1:")
        for r in retry.run_requests
    )
    # the tick wrote nothing: the same tick again asks for the same run keys (Dagster launches once)
    assert store.get_batch(batch_id).stall_retries == 0
    again = tick(definitions, instance, store_path, idle=0, deadline=60)
    assert [r.run_key for r in again.run_requests] == [r.run_key for r in retry.run_requests]
    # the re-runs start and record themselves (stall_retries=1, once for the batch)
    assert [record_stall_retry(store, store.get_batch(batch_id), r.tags) for r in retry.run_requests] == [
        True,
        False,
    ]
    # the re-run happened (stall_retries=1); before the deadline nothing more is asked
    assert not tick(definitions, instance, store_path, idle=0, deadline=60).run_requests
    partial = tick(definitions, instance, store_path, idle=0, deadline=0)
    assert [(r.run_key, r.tags.get(FORCED_PARTIAL_TAG)) for r in partial.run_requests] == [
        (f"{batch_id}:partial", "true")
    ]


def test_a_stall_rerun_that_never_starts_still_ends_in_the_forced_partial(
    definitions, instance, store, store_path
):
    """The re-run is requested but never starts (a queue that never frees it, a launch that fails): it records nothing in
    the batch store, yet Dagster holds the run, so the policy counts the re-run from its request and
    forces the partial at the deadline instead of re-asking forever (a batch stalled for good)."""
    batch_id = open_batch(store)
    retry = tick(definitions, instance, store_path, idle=0, deadline=60)
    request = retry.run_requests[0]
    instance.create_run_for_job(
        definitions.resolve_job_def("staging_job"),
        run_config=request.run_config,
        tags=dict(request.tags),
        status=dg.DagsterRunStatus.NOT_STARTED,
    )
    assert store.get_batch(batch_id).stall_retries == 0  # it never ran
    assert not tick(definitions, instance, store_path, idle=0, deadline=60).run_requests
    partial = tick(definitions, instance, store_path, idle=0, deadline=0)
    assert [(r.run_key, r.tags.get(FORCED_PARTIAL_TAG)) for r in partial.run_requests] == [
        (f"{batch_id}:partial", "true")
    ]


def test_empty_slate_is_consolidated_at_once(definitions, instance, store, store_path):
    batch_id = open_batch(store, players={}, day=date(2025, 2, 16))
    requests = tick(definitions, instance, store_path).run_requests
    assert [(r.run_key, r.partition_key) for r in requests] == [(batch_id, "2025-02-16")]


def test_consolidated_batches_are_not_read_again(definitions, instance, store, store_path):
    batch_id = open_batch(store)
    for player in PLAYERS:
        store.record_completion(batch_id, player, CompletionStatus.SUCCEEDED, predictions=5, run_id="r")
    store.mark_consolidated(batch_id, {"inserted": 20})
    result = tick(definitions, instance, store_path)
    assert not result.run_requests and "no open batches" in (result.skip_message or "")


def _ranged_slate(instance, batch_id: str, owner: str) -> None:
    """A ranged slate run's materialization of DAY: every date's batch under ``batches``."""
    metadata = {
        "batches": {DAY.isoformat(): {"batch_id": batch_id, "shards": {"00": 4}}},
        "batch_owner": owner,
    }
    instance.report_runless_asset_event(
        dg.AssetMaterialization("slate", partition=DAY.isoformat(), metadata=metadata)
    )


def test_a_batch_whose_backfill_has_ended_gets_the_policy(definitions, instance, store, store_path):
    """A backfill owns the batches its ranged runs stage; once it is over (here: no such backfill in
    the instance), a batch it left open is the sensor's again, so L5 still holds for it."""
    batch_id = open_batch(store)
    for player in PLAYERS:
        store.record_completion(batch_id, player, CompletionStatus.SUCCEEDED, predictions=5, run_id="r")
    _ranged_slate(instance, batch_id, owner="a-backfill-long-gone")
    result = tick(definitions, instance, store_path)
    assert [(r.run_key, r.partition_key) for r in result.run_requests] == [(batch_id, DAY.isoformat())]
