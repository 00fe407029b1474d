"""The process-group records scripts/test kills at exit hold only groups still running: a group
stopped cleanly is forgotten, so a recycled id is never killed (it may be another user's)."""

from __future__ import annotations

import sys

from nba_assets_tests.emulators.process import ManagedProcess


def test_a_stopped_group_leaves_no_record_and_a_running_one_does(tmp_path, monkeypatch):
    monkeypatch.setenv("NBA_ASSETS_PIDDIR", str(tmp_path / "pids"))
    (tmp_path / "pids").mkdir()
    sleeper = ManagedProcess(
        "sleeper",
        [sys.executable, "-c", "import time; time.sleep(60)"],
        0,
        log_path=tmp_path / "sleeper.log",
        ready=lambda: True,
    )
    try:
        sleeper.start()
        (record,) = (tmp_path / "pids").iterdir()
        assert record.read_text() == str(sleeper.proc.pid)
    finally:
        sleeper.stop()
    assert list((tmp_path / "pids").iterdir()) == []
