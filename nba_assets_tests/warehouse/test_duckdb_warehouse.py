"""DuckDB-only properties: atomic Parquet staging that never opens the database, lock contention."""

from __future__ import annotations

import subprocess
import sys
import time
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
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_lock(path, seconds: float) -> subprocess.Popen:
    """Another process (a second Dagster run worker) holding the DuckDB file open."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_process_waits_for_the_file_lock_with_a_bound(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    wh = DuckDBWarehouse(db, tmp_path / "staging")
    wh.ensure_schema()
    wh.write_staging(B, "ja", player_staging(B, D, "ja", [24.5]))
    holder = hold_lock(db, 1.0)
    try:
        started = time.monotonic()
        assert DuckDBWarehouse(db, tmp_path / "staging", lock_timeout=20).predictions_for(D).num_rows == 0
        assert time.monotonic() - started > 0.3  # it waited its turn, then succeeded
    finally:
        holder.wait(timeout=30)
    holder = hold_lock(db, 5.0)
    try:
        with pytest.raises(RetryableWarehouseError, match="busy"):
            DuckDBWarehouse(db, tmp_path / "staging", lock_timeout=0.5).merge_staging(B, D)
    finally:
        holder.kill()
        holder.wait(timeout=30)
