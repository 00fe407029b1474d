"""The real thing: `dagster-daemon` runs the sensors and launches the runs; we kill it mid-flight.

Schedule tick -> slate -> fan-out sensor -> shard runs (daemon killed while they are in flight,
then restarted) -> stall policy re-runs whatever the kill lost -> completion sensor -> exactly one
consolidation, every player in the table.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from nba_assets.batch_state.base import BatchState
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.instance.day_run import prepare_home
from nba_assets_tests.emulators.process import ManagedProcess
from nba_assets_tests.fixtures import SMALL_DATE
from nba_assets_tests.waiting import finished_ticks_after, wait_for

ROOT = Path(__file__).resolve().parents[2]
DAY = SMALL_DATE.isoformat()
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def runs_of(instance, job):
    return [r for r in instance.get_runs() if r.job_name == job]


def test_schedule_to_single_consolidation_through_the_daemon_with_a_kill(tmp_path, monkeypatch):
    env = {
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_SHARDS": "3",
        "NBA_ASSETS_SYSTEMS": "moving_average",
        "NBA_ASSETS_STALL_IDLE_MINUTES": "0.3",
        "NBA_ASSETS_STALL_DEADLINE_MINUTES": "3",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    instance = prepare_home(tmp_path / "dagster_home")
    from nba_assets.definitions import defs

    definitions = defs()
    # the 07:00 New York schedule tick of the game day
    schedule = definitions.resolve_schedule_def("daily_slate_schedule")
    tick_time = dt.datetime(2025, 2, 19, 7, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=tick_time,
        resources=definitions.resources,
        repository_def=definitions.get_repository_def(),
    ) as context:
        (request,) = schedule.evaluate_tick(context).run_requests
    definitions.resolve_job_def("slate_job").execute_in_process(
        partition_key=request.partition_key, tags=request.tags, instance=instance
    )
    daemon_bin = str(Path(sys.executable).with_name("dagster-daemon"))
    daemon = ManagedProcess(
        "dagster-daemon",
        [daemon_bin, "run", "-w", str(ROOT / "workspace.yaml")],
        port=0,
        env={**env, "DAGSTER_HOME": str(tmp_path / "dagster_home")},
        log_path=tmp_path / "daemon.log",
        ready=lambda: True,
    )
    daemon.start()
    try:
        wait_for(
            lambda: any(
                r.status in (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.SUCCESS)
                for r in runs_of(instance, "staging_job")
            ),
            180,
            "a shard run in flight",
        )
        daemon.stop()  # SIGKILL-grade stop of the whole group: daemon, code server, run workers (waited for)
        daemon.start()
        consolidation = wait_for(
            lambda: next(
                (
                    r
                    for r in runs_of(instance, "consolidation_job")
                    if r.status == dg.DagsterRunStatus.SUCCESS
                ),
                None,
            ),
            420,
            "the consolidation run",
        )
        ended = instance.get_run_record_by_id(consolidation.run_id).end_time
        # one more completed completion-sensor tick after the consolidation ended: it must launch nothing
        later = wait_for(
            lambda: finished_ticks_after(instance, "batch_completion_sensor", ended),
            120,
            "a completion-sensor tick after the consolidation",
        )
        assert all(not t.run_ids for t in later), [t.run_ids for t in later]
    finally:
        daemon.stop()
    assert len(runs_of(instance, "consolidation_job")) == 1, (tmp_path / "daemon.log").read_text()[-3000:]
    store = SqliteBatchStore(tmp_path / "out" / "batch_state.sqlite")
    (batch,) = [
        b
        for b in [
            store.get_batch(r.tags["nba_assets/batch_id"]) for r in runs_of(instance, "consolidation_job")
        ]
    ]
    status = store.status(batch.batch_id)
    # the docstring's promise: every player, so a PARTIAL batch (the stall policy giving up) fails here
    assert status.state == BatchState.CONSOLIDATED and status.is_complete, status
    assert (status.expected, status.done, status.failed, status.missing) == (20, 20, 0, ())
    with duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True) as con:
        players = con.execute(
            "select count(distinct player_lookup), count(*) - count(distinct (player_lookup, system_id, line_key)) "
            "from player_prop_predictions where game_date = ?",
            [DAY],
        ).fetchone()
    assert players == (status.succeeded, 0)
