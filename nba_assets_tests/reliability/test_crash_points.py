"""SIGKILL at every step of a day, then the normal mechanisms: the result equals an undisturbed run.

A run worker is killed (no product hook: a monkeypatch in the child process) at each step:
after a player's staging write before its completion; after the shard's completions before its
materialization (so before any sensor sees the run end); during the MERGE (uncommitted on
DuckDB; submitted and abandoned on BigQuery); after the MERGE before verification; after
verification before clean-up; after the batch is marked consolidated before staging is
dropped; while the export files are being written. The killed run stays STARTED in the
instance (nothing marks a SIGKILLed worker here). Recovery uses only what production has: the
completion sensor's stall policy re-runs the missing players; a dead consolidation run is marked
failed (run monitoring does that in production, an operator's "Terminate" locally) and the date
re-run, as the run retry does. Each case ends with the same table rows (prediction_id included)
and export files as an undisturbed run, no duplicate key, no player lost, and exactly one
successful consolidation (L1, L5, L8, L9, L11, L13).
"""

from __future__ import annotations

import dagster as dg
import pytest

from nba_assets.batch_state.base import BatchState
from nba_assets_tests.reliability.conftest import DAY
from nba_assets_tests.reliability.harness import assert_no_secret, assert_same_day, run_child, shard_spec

pytestmark = pytest.mark.timeout(240)
STAGING_POINTS = ["after_staging_write", "after_completions"]
CONSOLIDATION_POINTS = [
    "during_merge",
    "after_merge",
    "after_verify",
    "after_mark_consolidated",
    "during_export",
]
SUCCESS, STARTED = dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.STARTED
NTH = {"after_staging_write": 3, "during_export": 3}  # die at the 3rd call; elsewhere at the first


def crash_in_staging(day, point: str) -> str:
    """After the slate, the fan-out's first shard run dies at ``point``; the other shards finish."""
    batch_id = day.daemon.slate(DAY)
    victim, *others = day.daemon.fan_out()
    assert run_child(shard_spec(victim, "slate_fanout_sensor", point, NTH.get(point, 1))) == -9
    for request in others:
        assert day.daemon.execute(request, "slate_fanout_sensor")
    store, warehouse, _ = day.stores
    status = store.status(batch_id)
    victim_shard = int(victim.partition_key.keys_by_dimension["shard"])
    in_shard = {p for p, s in store.get_batch(batch_id).expected_players.items() if s == victim_shard}
    if point == "after_staging_write":
        # The 3rd write to return killed the run. Writes run in parallel (STAGING_WRITERS) and a
        # completion is recorded only once its own write has returned, so at most two players of
        # the shard are recorded (0-2, by which writes returned first), each with its rows staged.
        recorded = in_shard - set(status.missing)
        assert set(status.missing) <= in_shard and len(recorded) <= NTH[point] - 1
        assert recorded <= set(warehouse.staged_players(batch_id))
        assert not status.is_complete
    else:  # every completion recorded, yet the run never reported back
        assert status.is_complete
    assert [
        r.status for r in day.daemon.runs("staging_job") if r.tags.get("dagster/run_key") == victim.run_key
    ] == [STARTED]
    # the normal mechanism: the completion sensor, whose stall policy re-runs the missing players
    launched = day.daemon.settle(store, batch_id)
    retried = [x for x in launched if x.startswith("staging_job:")]
    assert len(retried) == (1 if point == "after_staging_write" else 0), launched
    return batch_id


def crash_in_consolidation(day, point: str) -> str:
    """Every shard done; the sensor's consolidation run dies at ``point``; the date is re-run."""
    batch_id = day.daemon.slate(DAY)
    for request in day.daemon.fan_out():
        assert day.daemon.execute(request, "slate_fanout_sensor")
    (request,) = day.daemon.tick("batch_completion_sensor")
    assert (
        run_child(shard_spec(request, "batch_completion_sensor", point, NTH.get(point, 1)), timeout=240) == -9
    )
    store, warehouse, sink = day.stores
    batch = store.get_batch(batch_id)
    staged = warehouse.staged_rows(batch_id)
    if point == "during_export":
        assert batch.status == BatchState.CONSOLIDATED and staged == 0
        assert len(sink.list("v1/")) > 0 and not sink.read("v1/tonight/all-players.json")
    elif point == "after_mark_consolidated":  # recorded, staging still there, nothing exported
        assert batch.status == BatchState.CONSOLIDATED and staged > 0 and not sink.list("v1/")
    else:
        assert batch.status == BatchState.OPEN and staged > 0 and not sink.list("v1/")
    # the sensor never launches a second consolidation of the batch (run_key = batch id, L9)
    assert day.daemon.tick("batch_completion_sensor") == []
    (dead,) = day.daemon.runs("consolidation_job", STARTED)  # as SIGKILL leaves it
    day.daemon.mark_dead(dead)
    # the run retry: the dead run's lease (30 min) is taken over, not waited out
    assert day.daemon.rerun("consolidation_job", DAY)
    assert warehouse.staged_rows(batch_id) == 0  # nothing left behind
    return batch_id


def check_outcome(day, batch_id: str, baseline) -> None:
    store, warehouse, _ = day.stores
    status = store.status(batch_id)
    assert status.state == BatchState.CONSOLIDATED and status.is_complete and status.expected == 20
    assert len(day.daemon.runs("consolidation_job", SUCCESS)) == 1
    assert warehouse.duplicate_keys(status.game_date) == 0
    got = day.snapshot()
    assert_same_day(got, baseline)
    assert_no_secret(day.root, day.instance, got.exports)  # the runs and the workers had SECRETS set


def on_the_emulators(test):
    """Firestore, BigQuery and GCS emulators for one whole day run."""
    for mark in (
        pytest.mark.firestore,
        pytest.mark.bigquery,
        pytest.mark.gcs,
        pytest.mark.slow,
        pytest.mark.timeout(420),
    ):
        test = mark(test)
    return test


@pytest.mark.parametrize("point", STAGING_POINTS)
def test_crash_in_a_shard_run_local(local_day_at, local_baseline, point):
    day = local_day_at("slate")
    check_outcome(day, crash_in_staging(day, point), local_baseline)


@pytest.mark.parametrize("point", CONSOLIDATION_POINTS)
def test_crash_in_the_consolidation_local(local_day_at, local_baseline, point):
    day = local_day_at("shards")
    check_outcome(day, crash_in_consolidation(day, point), local_baseline)


@on_the_emulators
def test_crash_after_staging_write_on_the_emulators(gcp_day, local_baseline):
    """Firestore completions, BigQuery load jobs: the same recovery, the same rows as locally."""
    check_outcome(gcp_day, crash_in_staging(gcp_day, "after_staging_write"), local_baseline)


@on_the_emulators
def test_crash_during_merge_on_the_emulators(gcp_day, local_baseline):
    """The MERGE job was submitted and its client died: the re-run's MERGE leaves one row per key."""
    check_outcome(gcp_day, crash_in_consolidation(gcp_day, "during_merge"), local_baseline)
