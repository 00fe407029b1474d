"""DuckDB-only properties: atomic Parquet staging that never opens the database, lock contention."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from datetime import date

import pyarrow.parquet as pq
import pytest

from nba_assets.naming import batch_id_for, staging_name
from nba_assets.warehouse.base import RetryableWarehouseError
from nba_assets.warehouse.local import DuckDBWarehouse
from nba_assets_tests.warehouse.factory import player_staging

D = date(2025, 2, 12)
B = batch_id_for(D, ["ja", "jb"])


def test_staging_is_one_atomic_file_per_player_and_never_opens_the_database(tmp_path, monkeypatch):
    wh = DuckDBWarehouse(tmp_path / "db" / "warehouse.duckdb", tmp_path / "staging")
    for player in ("ja", "jb", "ja"):
        wh.write_staging(B, player, player_staging(B, D, player, [24.5]))
    files = sorted(p.name for p in (tmp_path / "staging" / B).iterdir())
    assert files == sorted(f"{staging_name(B, p)}.parquet" for p in ("ja", "jb"))
    assert not (tmp_path / "db").exists()  # workers write files only (L14)

    def torn_write(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", torn_write)
    with pytest.raises(OSError, match="disk full"):
        wh.write_staging(B, "ja", player_staging(B, D, "ja", [30.5, 31.5]))
    monkeypatch.undo()
    assert sorted(p.name for p in (tmp_path / "staging" / B).iterdir()) == files  # no temp file left
    assert wh.staged_rows(B) == 10  # ja's previous file is intact


HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.readline()  # held until the test says so: no timing decides the outcome
"""


def hold_lock(path):
    """Another process (a second Dagster run worker) holding the DuckDB file open until released."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def release(holder) -> None:
    try:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()  # this test's own child, by its handle
            holder.wait(timeout=30)


class BusySeen(logging.Handler):
    """Set when the warehouse reports it met the lock and is retrying (its own debug record)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "busy" in record.getMessage():
            self.seen.set()


def test_a_second_process_waits_for_the_file_lock_with_a_bound(tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    wh = DuckDBWarehouse(db, tmp_path / "staging")
    wh.ensure_schema()
    wh.write_staging(B, "ja", player_staging(B, D, "ja", [24.5]))
    busy, logger = BusySeen(), logging.getLogger("nba_assets.warehouse.local")
    logger.addHandler(busy)
    monkeypatch.setattr(logger, "level", logging.DEBUG)
    holder = hold_lock(db)
    outcome: dict = {}
    reader = threading.Thread(
        target=lambda: outcome.update(
            rows=DuckDBWarehouse(db, tmp_path / "staging", lock_timeout=120).predictions_for(D).num_rows
        ),
        daemon=True,
    )
    try:
        reader.start()
        assert busy.seen.wait(60), "the reader never met the held lock"
        assert reader.is_alive() and outcome == {}  # it cannot have read while the lock is held
    finally:
        release(holder)
        logger.removeHandler(busy)
    reader.join(60)
    assert outcome == {"rows": 0}  # it waited its turn, then succeeded
    holder = hold_lock(db)
    try:
        with pytest.raises(RetryableWarehouseError, match="busy"):
            DuckDBWarehouse(db, tmp_path / "staging", lock_timeout=0.5).merge_staging(B, D)
    finally:
        release(holder)
