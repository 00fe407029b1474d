"""Backends failing mid-batch: the caller gets a clear retryable error, and a retry loses nothing
and counts nothing twice (DESIGN L1, L3)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from datetime import date

import pytest

from nba_assets.batch_state import CompletionStatus, RetryableStoreError
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.naming import batch_id_for
from nba_assets_tests.batch_state import workers
from nba_assets_tests.waiting import wait_for

DAY = date(2025, 3, 4)
PLAYERS = [f"Player {i:03d}" for i in range(120)]
OK = CompletionStatus.SUCCEEDED


def retrying(call, attempts: int = 60, pause: float = 0.5):
    """What a caller (a Dagster retry policy) does with a RetryableStoreError: try again later."""
    for _ in range(attempts - 1):
        try:
            return call()
        except RetryableStoreError:
            time.sleep(pause)
    return call()


@pytest.mark.firestore
@pytest.mark.timeout(150)
def test_firestore_outage_mid_batch_then_retry(firestore_emulator):
    store = firestore_emulator.fresh_store(retry_deadline=1.5, rpc_timeout=1.0)
    batch_id = batch_id_for(DAY, PLAYERS)
    store.open_batch(batch_id, DAY, dict.fromkeys(PLAYERS, 0))
    for player in PLAYERS[:60]:
        store.record_completion(batch_id, player, OK, run_id="before")
    firestore_emulator.stop()  # an outage: the data stays, the service is gone
    try:
        with pytest.raises(RetryableStoreError, match=rf"Firestore unavailable at {firestore_emulator.host}"):
            store.record_completion(batch_id, PLAYERS[60], OK, run_id="during")
        with pytest.raises(RetryableStoreError, match="Firestore unavailable"):
            store.status(batch_id)
    finally:
        firestore_emulator.start()
    # the shard run is retried from the start: players already done are delivered again
    for player in PLAYERS:
        retrying(lambda p=player: store.record_completion(batch_id, p, OK, run_id="after"))
    status = store.status(batch_id)
    assert (status.succeeded, status.failed, status.missing, status.is_complete) == (120, 0, (), True)
    completions = store.completions(batch_id)
    assert sorted(c.player_lookup for c in completions) == sorted(PLAYERS)  # nothing twice, nothing lost
    store.client.close()


def test_sqlite_lock_timeout_is_a_retryable_error_naming_the_file(tmp_path):
    path = tmp_path / "batches.sqlite"
    store = SqliteBatchStore(path, busy_timeout=0.2)
    batch_id = batch_id_for(DAY, PLAYERS)
    store.open_batch(batch_id, DAY, dict.fromkeys(PLAYERS, 0))
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(RetryableStoreError, match=rf"SQLite batch store {path}.*locked"):
            store.record_completion(batch_id, PLAYERS[0], OK)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    store.record_completion(batch_id, PLAYERS[0], OK)
    assert store.status(batch_id).succeeded == 1


@pytest.mark.timeout(120)
def test_sqlite_writer_killed_mid_write_leaves_a_consistent_store(tmp_path):
    path = tmp_path / "batches.sqlite"
    store = SqliteBatchStore(path)
    batch_id = batch_id_for(DAY, PLAYERS)
    store.open_batch(batch_id, DAY, dict.fromkeys(PLAYERS, 0))
    ctx = multiprocessing.get_context("spawn")
    for delay in (0.05, 0.13, 0.31):  # three kills at different points of the write loop
        writer = ctx.Process(target=workers.write_forever, args=(str(path), batch_id, PLAYERS))
        writer.start()
        wait_for(lambda: store.status(batch_id).reported, 60, "the writer's first completion", step=0.02)
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        writer.join(timeout=10)
        assert writer.exitcode == -signal.SIGKILL
        check = SqliteBatchStore(path)  # what the next process sees
        assert check._conn().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        status = check.status(batch_id)
        assert status.reported + len(status.missing) == len(PLAYERS)
        assert len(check.completions(batch_id)) == status.reported
    for player in PLAYERS:  # the retry: every player reported again
        store.record_completion(batch_id, player, OK)
    status = SqliteBatchStore(path).status(batch_id)
    assert (status.succeeded, status.failed, status.missing, status.is_complete) == (120, 0, (), True)
