"""deploy/dagster.yaml for real: Postgres storage, the queued run coordinator, the consolidation pool.

A real PostgreSQL (Debian's) and a real `dagster-daemon`. The instance is deploy/dagster.yaml
with two changes only: compute logs on local disk instead of GCS, and a 1 s dequeue interval to
keep the test short. One day runs end to end through it (run_day). Then two other dates are
staged completely but not consolidated, and the daemon is started: its completion sensor asks
for both consolidations in one tick, the queue holds them, and the `consolidation` pool (limit 1,
run granularity) must run them one after the other, never overlapping.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from nba_assets_tests.emulators.postgres import postgres_server
from nba_assets_tests.emulators.process import ManagedProcess
from nba_assets_tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
DAY, FIRST, SECOND = "2025-02-19", "2024-11-14", "2025-01-26"  # one game (20 players) each
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(360)]


def instance_yaml() -> str:
    config = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())
    config["compute_logs"] = {
        "module": "dagster.core.storage.local_compute_log_manager",
        "class": "LocalComputeLogManager",
        "config": {"base_dir": {"env": "DAGSTER_HOME"}},
    }
    config["run_coordinator"]["config"]["dequeue_interval_seconds"] = 1
    return yaml.safe_dump(config, sort_keys=False)


def stage_without_consolidating(defs: dg.Definitions, instance: dg.DagsterInstance, game_date: str) -> None:
    """slate + every shard, tagged as the fan-out sensor tags them, so the daemon repeats none."""
    from nba_assets.defs.batches import slate_metadata
    from nba_assets.defs.slate.sensors import fanout_requests

    assert (
        defs.resolve_job_def("slate_job")
        .execute_in_process(partition_key=game_date, instance=instance)
        .success
    )
    for request in fanout_requests(game_date, slate_metadata(instance, game_date)):
        tags = {
            **request.tags,
            "dagster/run_key": request.run_key,
            "dagster/sensor_name": "slate_fanout_sensor",
        }
        run = defs.resolve_job_def("staging_job").execute_in_process(
            partition_key=request.partition_key, tags=tags, instance=instance
        )
        assert run.success


def test_postgres_instance_queue_and_consolidation_pool(tmp_path, monkeypatch):
    with postgres_server(tmp_path) as pg:
        env = {
            **pg.env(),
            "NBA_ASSETS_PROFILE": "local",
            "NBA_ASSETS_HOME": str(tmp_path / "out"),
            "NBA_ASSETS_SHARDS": "2",
            "NBA_ASSETS_SYSTEMS": "moving_average",  # the storage is under test
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        (tmp_path / "dagster_home").mkdir()
        (tmp_path / "dagster_home" / "dagster.yaml").write_text(instance_yaml())
        from nba_assets.definitions import defs
        from nba_assets.instance.day_run import prepare_home, run_day

        instance = prepare_home(tmp_path / "dagster_home")  # keeps our dagster.yaml
        try:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
            definitions = defs()
            day = run_day(definitions, instance, DAY)
            assert day.consolidated and all(r.status == "SUCCESS" for r in day.runs)
            assert {r.run_id for r in day.runs} <= {r.run_id for r in instance.get_runs()}
            for game_date in (FIRST, SECOND):
                stage_without_consolidating(definitions, instance, game_date)
            # The operator's one-time step (docs/operations.md). `default_limit` alone is applied
            # lazily: the queue's first pass over two fresh consolidation runs would launch both.
            dagster = str(Path(sys.executable).with_name("dagster"))
            subprocess.run(
                [dagster, "instance", "concurrency", "set", "consolidation", "1"],
                check=True,
                capture_output=True,
            )
            daemon = ManagedProcess(
                "dagster-daemon",
                [
                    str(Path(sys.executable).with_name("dagster-daemon")),
                    "run",
                    "-w",
                    str(ROOT / "workspace.yaml"),
                ],
                port=0,
                env=env,
                log_path=tmp_path / "daemon.log",
                ready=lambda: True,
            )
            daemon.start()
            try:

                def both_done():
                    records = instance.get_run_records(dg.RunsFilter(job_name="consolidation_job"))
                    mine = [
                        r for r in records if r.dagster_run.tags.get("dagster/partition") in (FIRST, SECOND)
                    ]
                    return mine if len(mine) == 2 and all(r.dagster_run.is_finished for r in mine) else None

                records = wait_for(both_done, 240, "the daemon's two consolidation runs")
            finally:
                daemon.stop()
            log = (tmp_path / "daemon.log").read_text()[-3000:]
            assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in records), log
            first, second = sorted(records, key=lambda r: r.start_time)
            # both were requested in one sensor tick and queued together; the pool let one run at a time
            assert {r.dagster_run.tags["dagster/sensor_name"] for r in records} == {"batch_completion_sensor"}
            for record in records:
                assert instance.all_logs(record.dagster_run.run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED)
            assert first.end_time <= second.start_time, (first.start_time, first.end_time, second.start_time)
            info = instance.event_log_storage.get_concurrency_info("consolidation")
            assert info.slot_count == 1 and not info.claimed_slots
        finally:
            instance.dispose()
    with duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True) as con:
        dates = con.execute(
            "select distinct cast(game_date as varchar) from player_prop_predictions order by 1"
        ).fetchall()
    assert [d[0] for d in dates] == sorted([DAY, FIRST, SECOND])
