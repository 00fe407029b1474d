"""A whole slate reporting at once, on both backends (DESIGN L1-L3).

The old coordinator's 450 workers did a read-modify-write on one batch document and hit 409
contention aborts; here every completion is its own document, so there is nothing to contend on.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from datetime import date

import pytest

from nba_assets.batch_state import CompletionStatus
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.naming import batch_id_for, shard_of
from nba_assets_tests.batch_state import workers

pytestmark = pytest.mark.timeout(180)

DAY = date(2025, 2, 3)
PLAYERS = [f"Player {i:03d} O'Neal-Jr." for i in range(450)]


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def backend(request, tmp_path):
    """(store, where): ``where`` is what another process needs to build its own store."""
    if request.param == "sqlite":
        path = tmp_path / "batches.sqlite"
        yield SqliteBatchStore(path), str(path)
        return
    emulator = request.getfixturevalue("firestore_emulator")
    store = emulator.fresh_store(**workers.PATIENT)
    yield store, f"{emulator.project}@{emulator.host}"
    store.client.close()


def open_slate(store) -> str:
    batch_id = batch_id_for(DAY, PLAYERS)
    store.open_batch(batch_id, DAY, {p: shard_of(p, 8) for p in PLAYERS})
    return batch_id


def all_at_once(store, batch_id: str, deliveries: int) -> list[Exception]:
    """One thread per player, released together; each delivers its completion ``deliveries`` times."""
    errors: list[Exception] = []
    gate = threading.Barrier(len(PLAYERS), timeout=60)  # never waits forever

    def report(i: int, player: str) -> None:
        gate.wait()
        for _ in range(deliveries):
            try:
                status = CompletionStatus.SKIPPED if i % 3 == 0 else CompletionStatus.SUCCEEDED
                store.record_completion(batch_id, player, status, predictions=5, run_id="shard")
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=report, args=(i, p), daemon=True) for i, p in enumerate(PLAYERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a completion hung"
    return errors


def assert_exact(status) -> None:
    assert (status.succeeded, status.skipped, status.failed) == (300, 150, 0)
    assert status.missing == () and status.is_complete


@pytest.mark.parametrize("deliveries", [1, 3])
def test_450_threads_record_at_once_with_exact_counts(backend, deliveries):
    store, where = backend
    batch_id = open_slate(store)
    assert all_at_once(store, batch_id, deliveries) == []
    assert_exact(store.status(batch_id))
    assert len(store.completions(batch_id)) == len(PLAYERS)
    # L1: a store built from nothing but the address (a fresh process) sees every completion
    assert_exact(workers.make_store(_kind(store), where).status(batch_id))


def _drain(errors, wait: float) -> list[str]:
    """Everything queued now (waiting up to ``wait`` seconds for the first item)."""
    found = []
    try:
        found.append(errors.get(timeout=wait) if wait else errors.get_nowait())
        while True:
            found.append(errors.get_nowait())
    except queue.Empty:
        return found


def _kind(store) -> str:
    return "sqlite" if isinstance(store, SqliteBatchStore) else "firestore"


def test_8_processes_record_overlapping_players_exactly(backend):
    """Each player reported by 3 of 8 processes at once: still exactly one completion each."""
    store, where = backend
    batch_id = open_slate(store)
    ctx = multiprocessing.get_context("spawn")
    # the barrier's timeout: a child that dies before it cannot leave the others waiting forever
    start, errors = ctx.Barrier(8, timeout=120), ctx.Queue()
    slices = [[p for i, p in enumerate(PLAYERS) if (i - k) % 8 in (0, 1, 2)] for k in range(8)]
    procs = [
        ctx.Process(target=workers.record, args=(_kind(store), where, batch_id, s, start, errors))
        for s in slices
    ]
    failures: list[str] = []
    try:
        for p in procs:
            p.start()
        # Drain while they run: a child that queued many errors cannot exit until they are read,
        # so joining first would hang past the timeout instead of failing.
        deadline = time.monotonic() + 150
        while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
            failures += _drain(errors, wait=0.5)
        assert not any(p.is_alive() for p in procs), "a recording process hung"
        for p in procs:
            p.join(timeout=10)
        failures += _drain(errors, wait=0)
    finally:
        for p in procs:  # this test's own children, by handle
            if p.is_alive():
                p.kill()
                p.join(timeout=10)
    assert [p.exitcode for p in procs] == [0] * 8
    assert failures == []
    status = store.status(batch_id)  # the parent never wrote a completion: all of it is in the store
    assert (status.succeeded + status.skipped, status.failed, status.missing) == (450, 0, ())
    assert len({c.run_id for c in store.completions(batch_id)}) > 1
