"""Batch store benchmark: the per-player-document design against the old coordinator's hot document.

Run: ``.venv/bin/python bench/bench_batch_store.py`` (starts its own Firestore emulator on
127.0.0.1 and stops it by process group; SQLite in a temp directory). Prints a table and rewrites
the ``## Batch store`` section of ``bench/RESULTS.md``.

The baseline reproduces the old coordinator (DESIGN L2): every worker runs a transaction that
reads the ONE batch document and writes an ``Increment`` of its counter plus its player's entry.
It exists only here.
"""

from __future__ import annotations

import collections
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from google.cloud import firestore
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results import write_section  # noqa: E402  (bench/ is the script's folder)

from nba_assets.batch_state import CompletionStatus  # noqa: E402
from nba_assets.batch_state import _firestore_docs as docs  # noqa: E402
from nba_assets.batch_state.base import statuses  # noqa: E402
from nba_assets.batch_state.local import SqliteBatchStore  # noqa: E402
from nba_assets.naming import batch_id_for, safe_key, shard_of  # noqa: E402
from nba_assets_tests.emulators.firestore import FirestoreEmulator, emulator_missing  # noqa: E402

N = 450
OPEN_BATCHES = 30
DONE_PER_BATCH = 420  # the rest stay missing, so status() also lists ids
PLAYERS = [f"Player {i:03d}" for i in range(N)]
OK = CompletionStatus.SUCCEEDED


@dataclass
class Load:
    backend: str
    design: str
    wall_s: float
    recorded: int
    errors: int
    aborted_attempts: int


def all_at_once(work) -> tuple[float, list[str]]:
    """Run ``work(i)`` for every player in its own thread, released together."""
    gate, errors = threading.Barrier(N), []

    def run(i: int) -> None:
        gate.wait()
        try:
            work(i)
        except Exception as exc:  # counted, shown by kind
            errors.append(f"{type(exc).__name__}: {str(exc)[:80]}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    started = time.perf_counter()  # the gate opens when the last thread arrives
    for t in threads:
        t.join()
    return time.perf_counter() - started, errors


def new_design(backend: str, store) -> Load:
    day = date(2025, 1, 2)
    batch_id = batch_id_for(day, PLAYERS)
    store.open_batch(batch_id, day, {p: shard_of(p, 8) for p in PLAYERS})
    wall, errors = all_at_once(lambda i: store.record_completion(batch_id, PLAYERS[i], OK, predictions=5))
    return Load(backend, "per-player documents (new)", wall, store.status(batch_id).done, len(errors), 0)


def baseline_firestore(client: firestore.Client) -> Load:
    ref = client.collection("bench_old_coordinator").document("batch")
    ref.set({"completed": 0, "players": {}})
    attempts, lock = collections.Counter(), threading.Lock()

    def work(i: int) -> None:
        @firestore.transactional
        def report(txn) -> None:
            with lock:
                attempts["n"] += 1
            ref.get(transaction=txn)  # the read-modify-write of the old coordinator
            txn.update(ref, {"completed": firestore.Increment(1), f"players.p{i}": OK.value})

        report(client.transaction())

    wall, errors = all_at_once(work)
    recorded = ref.get().get("completed")
    return Load(
        "emulator", "one-document transaction (old)", wall, recorded, len(errors), attempts["n"] - recorded
    )


def baseline_sqlite(path: Path) -> Load:
    setup = sqlite3.connect(path)
    setup.executescript(
        "CREATE TABLE old_batch (id INTEGER PRIMARY KEY, completed INTEGER, players TEXT);"
        "INSERT INTO old_batch VALUES (1, 0, '{}');"
    )
    setup.commit()
    attempts, lock = collections.Counter(), threading.Lock()

    def work(i: int) -> None:
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        for attempt in range(5):  # the transactional retry budget of the Firestore client
            with lock:
                attempts["n"] += 1
            try:
                db.execute("BEGIN")  # deferred: read first, upgrade to write later, like an RMW
                completed, players = db.execute("SELECT completed, players FROM old_batch").fetchone()
                db.execute(
                    "UPDATE old_batch SET completed = ?, players = json_set(?, ?, ?)",
                    (completed + 1, players, f"$.p{i}", OK.value),
                )
                db.execute("COMMIT")
                return
            except sqlite3.OperationalError:
                db.execute("ROLLBACK")
                if attempt == 4:
                    raise

    wall, errors = all_at_once(work)
    recorded = setup.execute("SELECT completed FROM old_batch").fetchone()[0]
    return Load("sqlite", "one-row transaction (old)", wall, recorded, len(errors), attempts["n"] - recorded)


def populate(store, bulk_client: firestore.Client | None) -> None:
    """30 open batches (30 dates) of 450 players, 420 reported in each."""
    for k in range(OPEN_BATCHES):
        day = date(2025, 2, 1) + timedelta(days=k)
        batch_id = batch_id_for(day, PLAYERS)
        store.open_batch(batch_id, day, {p: shard_of(p, 8) for p in PLAYERS})
        if bulk_client is None:
            for p in PLAYERS[:DONE_PER_BATCH]:
                store.record_completion(batch_id, p, OK, predictions=5)
            continue
        # set-up only: the store's own document format, written 420 at a time
        coll = bulk_client.collection("prediction_batches").document(batch_id).collection("completions")
        writes, now = bulk_client.batch(), datetime.now(UTC)
        for p in PLAYERS[:DONE_PER_BATCH]:
            writes.set(coll.document(safe_key(p)), docs.completion_doc(p, OK, 5, "", "bench", now))
        writes.commit()


def latency(backend: str, store) -> list[tuple[str, str, float, float, int]]:
    def timed(fn, repeat: int) -> list[float]:
        out = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t) * 1000)
        return out

    batches = store.open_batches()
    assert len(batches) == OPEN_BATCHES, len(batches)
    status = [ms for b in batches for ms in timed(lambda b=b: store.status(b.batch_id), 1)]
    rows = [
        ("status(batch)", status),
        ("open_batches()", timed(store.open_batches, 10)),
        (
            "sensor tick: open_batches + 30 x status, serial",
            timed(lambda: [store.status(b.batch_id) for b in store.open_batches()], 3),
        ),
        (
            "sensor tick: open_batches + statuses() (8 threads, as the sensor reads)",
            timed(lambda: statuses(store, [b.batch_id for b in store.open_batches()]), 3),
        ),
    ]
    return [(backend, op, statistics.median(ms), max(ms), len(ms)) for op, ms in rows]


def render(loads: list[Load], lat: list[tuple], when: str) -> str:
    console = Console()
    t1 = Table(title=f"{N} concurrent completions (threads released together)")
    heads = ["backend", "design", "wall s", "recorded", "errors", "aborted attempts", "old wall / new wall"]
    for col in heads:
        t1.add_column(col)
    old_wall = {ld.backend: ld.wall_s for ld in loads if "old" in ld.design}
    md = ["| " + " | ".join(heads) + " |", "|---" * len(heads) + "|"]
    for ld in loads:
        speed = "baseline" if "old" in ld.design else f"{old_wall[ld.backend] / ld.wall_s:.1f}x"
        cells = [
            ld.backend,
            ld.design,
            f"{ld.wall_s:.2f}",
            f"{ld.recorded}/{N}",
            str(ld.errors),
            str(ld.aborted_attempts),
            speed,
        ]
        t1.add_row(*cells)
        md.append("| " + " | ".join(cells) + " |")
    t2 = Table(
        title=f"Sensor reads with {OPEN_BATCHES} open batches of {N} players ({DONE_PER_BATCH} reported each)"
    )
    for col in ("backend", "operation", "p50 ms", "max ms", "calls"):
        t2.add_column(col)
    md += ["", "| backend | operation | p50 ms | max ms | calls |", "|---" * 5 + "|"]
    for backend, op, p50, worst, n in lat:
        cells = [backend, op, f"{p50:.1f}", f"{worst:.1f}", str(n)]
        t2.add_row(*cells)
        md.append("| " + " | ".join(cells) + " |")
    console.print(t1, t2)
    env = (
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"google-cloud-firestore {firestore.__version__}, Firestore emulator from gcloud, 2 cores shared"
    )
    return "\n".join(
        [
            "## Batch store",
            "",
            "Command: `.venv/bin/python bench/bench_batch_store.py`",
            f"Date: {when}",
            f"Environment: Python {env}.",
            "",
            "Old = the coordinator's transactional read-modify-write of one batch document (Increment),",
            "retried up to 5 attempts per completion as the Firestore client does; new = one",
            "`completions/{player}` document per player written with a plain `set` (SQLite: one upsert).",
            "The old design's wall time ends when every worker has given up or committed: it records only",
            "a handful of the 450. SQLite serialises writers either way, so there the gain is 0 aborts, not",
            "speed. Emulator latencies are those of the Java emulator on a shared, loaded 2-core machine",
            f"(load average at the end: {os.getloadavg()[0]:.1f}); they scale with documents scanned.",
            "",
            *md,
            "",
        ]
    )


def main() -> int:
    if reason := emulator_missing():
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    when = subprocess.run(["date", "-u"], capture_output=True, text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-batch-store-") as tmp:
        emulator = FirestoreEmulator(Path(tmp) / "firestore").start()
        try:
            sqlite_store = SqliteBatchStore(Path(tmp) / "new.sqlite")
            loads = [new_design("sqlite", sqlite_store), baseline_sqlite(Path(tmp) / "old.sqlite")]
            fs_store = emulator.fresh_store()
            loads += [new_design("emulator", fs_store), baseline_firestore(fs_store.client)]
            for store in (sqlite_store, fs_store):
                for batch in store.open_batches():
                    store.delete_batch(batch.batch_id)
            populate(sqlite_store, None)
            populate(fs_store, fs_store.client)
            lat = latency("sqlite", sqlite_store) + latency("emulator", fs_store)
        finally:
            emulator.stop(keep_data=False)
    results_path = write_section(render(loads, lat, when))
    print(f"written to {results_path} (section '## Batch store')")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
