"""Child-process bodies for the multi-process tests (importable under ``spawn``; no test imports)."""

from __future__ import annotations

import os
from pathlib import Path

from nba_assets.batch_state import CompletionStatus, RetryableStoreError

# The emulator shares 2 cores with everything else here: a slow reply is not what these tests are
# about (aborts and lost or double counts are), so allow generous per-call time.
PATIENT = {"retry_deadline": 60.0, "rpc_timeout": 30.0}


def make_store(backend: str, where: str):
    """A store built inside the child: nothing crosses the process boundary but a path or host."""
    if backend == "sqlite":
        from nba_assets.batch_state.local import SqliteBatchStore

        return SqliteBatchStore(Path(where))
    from nba_assets.batch_state.gcp import FirestoreBatchStore, firestore_client

    project, host = where.split("@")
    return FirestoreBatchStore(firestore_client(project, emulator_host=host), **PATIENT)


def record(backend: str, where: str, batch_id: str, players: list[str], start, errors) -> None:
    """Wait for the others, then record each player (succeeded, or skipped for every third)."""
    store = make_store(backend, where)
    start.wait()
    for i, player in enumerate(players):
        status = CompletionStatus.SKIPPED if i % 3 == 0 else CompletionStatus.SUCCEEDED
        try:
            store.record_completion(batch_id, player, status, run_id=f"pid-{os.getpid()}")
        except Exception as exc:  # reported to the parent, which asserts there were none
            errors.put(f"{player}: {exc!r}")


def write_forever(path: str, batch_id: str, players: list[str]) -> None:
    """Record completions in a tight loop until SIGKILLed (the SQLite crash test)."""
    store = make_store("sqlite", path)
    while True:
        for i, player in enumerate(players):
            status = CompletionStatus.FAILED if i % 2 else CompletionStatus.SUCCEEDED
            try:
                store.record_completion(batch_id, player, status, reason="loop")
            except RetryableStoreError:
                continue
