"""SQL and row mapping of SqliteBatchStore: tables that mirror the Firestore layout (DESIGN §4).

``batches`` holds one row per batch document (expected players as the same JSON map, keyed by
document id), ``completions`` one row per player keyed (batch_id, doc_id), and
``consolidation_locks`` one row per game date.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

from nba_assets.batch_state import _common as c
from nba_assets.batch_state.base import (
    CLOSED,
    Batch,
    BatchState,
    BatchStatus,
    BatchStoreError,
    Completion,
    CompletionStatus,
    RetryableStoreError,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
  batch_id TEXT PRIMARY KEY, game_date TEXT NOT NULL, expected_players TEXT NOT NULL,
  expected_count INTEGER NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL, correlation_id TEXT NOT NULL, dataset_prefix TEXT NOT NULL,
  stall_retries INTEGER NOT NULL DEFAULT 0, consolidation TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS batches_status ON batches (status, game_date);
CREATE TABLE IF NOT EXISTS completions (
  batch_id TEXT NOT NULL REFERENCES batches (batch_id) ON DELETE CASCADE, doc_id TEXT NOT NULL,
  player_lookup TEXT NOT NULL, status TEXT NOT NULL, predictions INTEGER NOT NULL,
  reason TEXT NOT NULL, run_id TEXT NOT NULL, reported_at TEXT NOT NULL,
  PRIMARY KEY (batch_id, doc_id));
CREATE INDEX IF NOT EXISTS completions_reported ON completions (batch_id, reported_at);
CREATE TABLE IF NOT EXISTS consolidation_locks (
  game_date TEXT PRIMARY KEY, batch_id TEXT NOT NULL, run_id TEXT NOT NULL,
  lease_until TEXT NOT NULL, claimed_at TEXT NOT NULL);
"""
UPSERT = """
INSERT INTO completions VALUES (:batch_id, :doc_id, :player_lookup, :status, :predictions,
  :reason, :run_id, :reported_at)
ON CONFLICT (batch_id, doc_id) DO UPDATE SET status = excluded.status,
  predictions = excluded.predictions, reason = excluded.reason, run_id = excluded.run_id,
  reported_at = excluded.reported_at
WHERE completions.status = 'failed' OR excluded.status != 'failed'
"""
COMPLETION_COLS = "player_lookup, status, predictions, reason, run_id, reported_at"


def ts(value: datetime) -> str:
    # One fixed-width UTC format, so MAX() and ORDER BY on the text are chronological.
    return c.as_utc(value).isoformat(timespec="microseconds")


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def to_completion(row: sqlite3.Row) -> Completion:
    return Completion(
        row["player_lookup"],
        CompletionStatus(row["status"]),
        row["predictions"],
        row["reason"],
        row["run_id"],
        dt(row["reported_at"]),
    )


def to_batch(row: sqlite3.Row, retention: timedelta) -> Batch:
    status = BatchState(row["status"])
    return Batch(
        batch_id=row["batch_id"],
        game_date=date.fromisoformat(row["game_date"]),
        expected_players=c.players_from_docs(json.loads(row["expected_players"])),
        status=status,
        created_at=dt(row["created_at"]),
        updated_at=dt(row["updated_at"]),
        correlation_id=row["correlation_id"],
        dataset_prefix=row["dataset_prefix"],
        stall_retries=row["stall_retries"],
        consolidation=json.loads(row["consolidation"]),
        # not stored: a closed batch expires its retention after its last change (the close)
        expire_at=dt(row["updated_at"]) + retention if status in CLOSED else None,
    )


def connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are explicit BEGIN [IMMEDIATE] ... COMMIT."""
    db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL loses nothing when a process is killed
    db.execute("PRAGMA foreign_keys=ON")
    return db


def error(path: Path, exc: sqlite3.OperationalError) -> BatchStoreError:
    """Lock timeouts and I/O trouble may pass on retry; anything else is a bug to surface."""
    text = str(exc).lower()
    if any(word in text for word in ("locked", "busy", "i/o", "unable to open")):
        return RetryableStoreError(f"SQLite batch store {path} unavailable: {exc}")
    return BatchStoreError(f"SQLite batch store {path}: {exc}")


def read_status(db: sqlite3.Connection, row: sqlite3.Row) -> BatchStatus:
    """Counts by status, missing players and last activity, in the caller's read transaction."""
    batch_id = row["batch_id"]
    counts = dict(
        db.execute(
            "SELECT status, COUNT(*) FROM completions WHERE batch_id = ? GROUP BY status", (batch_id,)
        ).fetchall()
    )
    latest = db.execute(
        "SELECT MAX(reported_at) FROM completions WHERE batch_id = ?", (batch_id,)
    ).fetchone()[0]
    missing = [
        r[0]
        for r in db.execute(
            "SELECT json_extract(e.value, '$.player_lookup') AS p FROM batches b, "
            "json_each(b.expected_players) e WHERE b.batch_id = ? AND NOT EXISTS (SELECT 1 FROM "
            "completions x WHERE x.batch_id = b.batch_id AND x.doc_id = e.key) ORDER BY p",
            (batch_id,),
        )
    ]
    return BatchStatus(
        batch_id=batch_id,
        game_date=date.fromisoformat(row["game_date"]),
        state=BatchState(row["status"]),
        expected=row["expected_count"],
        succeeded=counts.get("succeeded", 0),
        skipped=counts.get("skipped", 0),
        failed=counts.get("failed", 0),
        missing=tuple(missing),
        last_activity=dt(max(row["updated_at"], latest or "")),
        stall_retries=row["stall_retries"],
    )
