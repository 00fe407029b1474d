"""SqliteBatchStore: the local BatchStore, one SQLite file in WAL mode (DESIGN §4).

Tables mirror the Firestore layout (see ``_sqlite``); a completion is one idempotent upsert of the
player's row. Every thread and process gets its own connection and nothing is cached in memory
(L1). Completion rule: a later ``failed`` never replaces ``succeeded``/``skipped`` (a stale
redelivered failure must not undo a finished player); every other later report replaces the row.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from nba_assets.batch_state import _common as c
from nba_assets.batch_state import _sqlite as q
from nba_assets.batch_state.base import (
    CLOSED,
    DEFAULT_RETENTION,
    Batch,
    BatchState,
    BatchStatus,
    BatchStoreError,
    Completion,
    CompletionStatus,
    Lease,
)

log = logging.getLogger(__name__)


class SqliteBatchStore:
    """BatchStore on one SQLite file, safe across threads and processes (WAL + busy timeout)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: c.Clock | None = None,
        busy_timeout: float = 30.0,
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        self.path = Path(path)
        self.retention = c.check_retention(retention)
        self._clock = clock or c.utcnow
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:  # executescript commits any open transaction itself, so it brings its own BEGIN
            self._conn().executescript(f"BEGIN IMMEDIATE; {q.SCHEMA} COMMIT;")
        except sqlite3.OperationalError as exc:
            raise q.error(self.path, exc) from exc

    def __reduce__(self):  # a store crosses process boundaries as its path, never its connections
        return (functools.partial(type(self), retention=self.retention), (self.path,), None)

    def _conn(self) -> sqlite3.Connection:
        # One connection per thread and per process: sqlite3 connections must not cross either.
        if getattr(self._local, "pid", None) != os.getpid():
            self._local.db, self._local.pid = q.connect(self.path, self._busy_timeout), os.getpid()
        return self._local.db

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db = getattr(self._local, "db", None)
        if db is not None and self._local.pid == os.getpid():
            db.close()
        self._local.__dict__.clear()

    @contextlib.contextmanager
    def _tx(self, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction; BEGIN IMMEDIATE takes the write lock up front (no upgrade deadlock)."""
        db = self._conn()
        try:
            db.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise q.error(self.path, exc) from exc

    def _now(self) -> datetime:
        return c.as_utc(self._clock())

    def _batch(self, row: sqlite3.Row) -> Batch:
        return q.to_batch(row, self.retention)

    def _row(self, db: sqlite3.Connection, batch_id: str) -> sqlite3.Row:
        row = db.execute("SELECT * FROM batches WHERE batch_id = ?", (c.check_id(batch_id),)).fetchone()
        if row is None:
            raise BatchStoreError(f"unknown batch {batch_id}")
        return row

    def open_batch(
        self,
        batch_id: str,
        game_date: date,
        expected_players: dict[str, int],
        *,
        correlation_id: str = "",
        dataset_prefix: str = "",
    ) -> Batch:
        players = c.check_open(batch_id, game_date, expected_players)
        now = q.ts(self._now())
        with self._tx() as db:
            row = db.execute("SELECT * FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
            if row is not None:
                diff = c.player_difference(self._batch(row).expected_players, players)
                if diff:
                    raise BatchStoreError(f"batch {batch_id} re-opened with different players: {diff}")
                if row["status"] != BatchState.SUPERSEDED.value:
                    return self._batch(row)
                # The slate went back to this player set: it is the date's batch again.
                db.execute(
                    "UPDATE batches SET status = 'open', updated_at = ? WHERE batch_id = ?", (now, batch_id)
                )
            else:
                db.execute(
                    "INSERT INTO batches VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, 0, '{}')",
                    (
                        batch_id,
                        game_date.isoformat(),
                        json.dumps(c.player_docs(players)),
                        len(players),
                        now,
                        now,
                        correlation_id,
                        dataset_prefix,
                    ),
                )
            db.execute(
                "UPDATE batches SET status = 'superseded', updated_at = ? "
                "WHERE game_date = ? AND status = 'open' AND batch_id != ?",
                (now, game_date.isoformat(), batch_id),
            )
            log.info("opened batch %s for %s with %d players", batch_id, game_date, len(players))
            return self._batch(self._row(db, batch_id))

    def get_batch(self, batch_id: str) -> Batch:
        with self._tx(immediate=False) as db:
            return self._batch(self._row(db, batch_id))

    def record_completion(
        self,
        batch_id: str,
        player_lookup: str,
        status: CompletionStatus,
        *,
        predictions: int = 0,
        reason: str = "",
        run_id: str = "",
    ) -> Completion:
        status, key = c.completion_status(status), c.doc_id(player_lookup)
        values = {
            "batch_id": c.check_id(batch_id),
            "doc_id": key,
            "player_lookup": player_lookup,
            "status": status.value,
            "predictions": int(predictions),
            "reason": reason,
            "run_id": run_id,
            "reported_at": q.ts(self._now()),
        }
        # One statement is its own transaction: the player's row, never the batch row (L2, L3).
        db = self._conn()
        try:
            row = db.execute(
                "SELECT json_extract(expected_players, ?) IS NOT NULL FROM batches WHERE batch_id = ?",
                (f'$."{key}"', batch_id),
            ).fetchone()
            if row is None:
                raise BatchStoreError(f"completion for unknown batch {batch_id}")
            if not row[0]:
                raise BatchStoreError(f"player {player_lookup!r} is not in batch {batch_id}")
            db.execute(q.UPSERT, values)
            stored = db.execute(
                f"SELECT {q.COMPLETION_COLS} FROM completions WHERE batch_id = ? AND doc_id = ?",
                (batch_id, key),
            ).fetchone()
        except sqlite3.OperationalError as exc:
            raise q.error(self.path, exc) from exc
        return q.to_completion(stored)

    def completions(self, batch_id: str) -> list[Completion]:
        with self._tx(immediate=False) as db:
            self._row(db, batch_id)
            rows = db.execute(
                f"SELECT {q.COMPLETION_COLS} FROM completions WHERE batch_id = ? ORDER BY player_lookup",
                (batch_id,),
            ).fetchall()
        return [q.to_completion(r) for r in rows]

    def status(self, batch_id: str) -> BatchStatus:
        with self._tx(immediate=False) as db:  # one snapshot: counts and missing agree
            return q.read_status(db, self._row(db, batch_id))

    def open_batches(self) -> list[Batch]:
        with self._tx(immediate=False) as db:
            rows = db.execute(
                "SELECT * FROM batches WHERE status IN ('open', 'consolidating') ORDER BY game_date, batch_id"
            ).fetchall()
        return [self._batch(r) for r in rows]

    def batches_on(self, game_date: date) -> list[Batch]:
        with self._tx(immediate=False) as db:
            rows = db.execute(
                "SELECT * FROM batches WHERE game_date = ? ORDER BY created_at, batch_id",
                (game_date.isoformat(),),
            ).fetchall()
        return [self._batch(r) for r in rows]

    def note_stall_retry(self, batch_id: str) -> int:
        with self._tx() as db:
            self._row(db, batch_id)
            # updated_at moves too, so the stall clock restarts after a re-request.
            db.execute(
                "UPDATE batches SET stall_retries = stall_retries + 1, updated_at = ? WHERE batch_id = ?",
                (q.ts(self._now()), batch_id),
            )
            return self._row(db, batch_id)["stall_retries"]

    def claim_consolidation(
        self, game_date: date, batch_id: str, run_id: str, lease: timedelta
    ) -> Lease | None:
        now, key = self._now(), game_date.isoformat()
        until = now + c.check_lease(lease)
        with self._tx() as db:
            if self._row(db, batch_id)["game_date"] != key:
                raise BatchStoreError(f"batch {batch_id} does not belong to {key}")
            held = db.execute(
                "SELECT run_id, lease_until FROM consolidation_locks WHERE game_date = ?", (key,)
            ).fetchone()
            if held and held["run_id"] != run_id and q.dt(held["lease_until"]) > now:
                return None
            db.execute(
                "INSERT OR REPLACE INTO consolidation_locks VALUES (?, ?, ?, ?, ?)",
                (key, batch_id, run_id, q.ts(until), q.ts(now)),
            )
        return Lease(game_date, batch_id, run_id, until)

    def release_consolidation(self, game_date: date, run_id: str) -> None:
        with self._tx() as db:
            db.execute(
                "DELETE FROM consolidation_locks WHERE game_date = ? AND run_id = ?",
                (game_date.isoformat(), run_id),
            )

    def mark_consolidated(self, batch_id: str, result: dict[str, Any], *, partial: bool = False) -> Batch:
        state = BatchState.PARTIAL if partial else BatchState.CONSOLIDATED
        payload = json.dumps(c.check_json(result))
        with self._tx() as db:
            self._row(db, batch_id)
            db.execute(
                "UPDATE batches SET status = ?, consolidation = ?, updated_at = ? WHERE batch_id = ?",
                (state.value, payload, q.ts(self._now()), batch_id),
            )
            return self._batch(self._row(db, batch_id))

    def delete_batch(self, batch_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM batches WHERE batch_id = ?", (c.check_id(batch_id),))

    def expired_batches(self, now: datetime | None = None) -> list[Batch]:
        cutoff = q.ts((c.as_utc(now) if now else self._now()) - self.retention)
        with self._tx(immediate=False) as db:
            rows = db.execute(
                f"SELECT * FROM batches WHERE status IN ({_CLOSED_SQL}) AND updated_at <= ? "
                "ORDER BY updated_at, batch_id",
                (cutoff,),
            ).fetchall()
        return [self._batch(r) for r in rows]

    def delete_expired(self, batch_id: str, now: datetime | None = None) -> bool:
        cutoff = q.ts((c.as_utc(now) if now else self._now()) - self.retention)
        with self._tx() as db:  # the state test and the delete are one statement: never an open batch
            gone = db.execute(
                f"DELETE FROM batches WHERE batch_id = ? AND status IN ({_CLOSED_SQL}) AND updated_at <= ?",
                (c.check_id(batch_id), cutoff),
            ).rowcount
        if gone:
            log.info("deleted expired batch %s and its completions", batch_id)
        return bool(gone)


_CLOSED_SQL = ", ".join(f"'{state.value}'" for state in sorted(CLOSED))
