"""What the reliability tests share: a run in a child process, the daemon's loop, and snapshots.

``Daemon`` does what ``dagster-daemon`` does with the two sensors, in this process: evaluate a
tick, drop requests whose run key already launched, run the rest through the instance with the
sensor's tags. Snapshots read the table and the exports back through the product's own
Warehouse and ExportSink, so the same comparison works on the local and the GCP profile.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg

from nba_assets.batch_state.base import BatchState, BatchStore
from nba_assets.defs.batches import current_batch_id, slate_metadata

ROOT = Path(__file__).resolve().parents[2]
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
VOLATILE_COLUMNS = ("created_at", "updated_at")  # differ between two separate fresh runs
BATCH_STORE_ENV = "NBA_RELIABILITY_BATCH_STORE"
# Look-alike secrets in the environment of every day run here (test_security greps for them).
SECRET = "sEcReT-7f3a9c2e-token"
SECRETS = {
    "GOOGLE_APPLICATION_CREDENTIALS": f"/var/secrets/{SECRET}/service-account.json",
    "DAGSTER_PG_PASSWORD": SECRET,
    "GCP_ACCESS_TOKEN": f"ya29.{SECRET}",
}
CHILD_LOGS: list[str] = []  # what the run workers printed, for the same search


def definitions() -> dg.Definitions:
    """The project's definitions; with ``NBA_RELIABILITY_BATCH_STORE=firestore`` (tests only) the local
    profile's batch store is swapped for Firestore (the emulator load test's mix)."""
    from nba_assets.definitions import defs

    loaded = defs()
    if os.environ.get(BATCH_STORE_ENV) != "firestore":
        return loaded
    from nba_assets.defs.storage import FirestoreBatchStoreResource

    store = FirestoreBatchStoreResource(
        project=os.environ["NBA_ASSETS_GCP_PROJECT"],
        collection_prefix=os.environ.get("NBA_ASSETS_FIRESTORE_PREFIX", ""),
    )
    return dg.Definitions(
        assets=loaded.assets,
        asset_checks=loaded.asset_checks,
        jobs=loaded.jobs,
        schedules=loaded.schedules,
        sensors=loaded.sensors,
        resources={**loaded.resources, "batch_store": store},
        executor=loaded.executor,
    )


def start_child(spec: dict) -> subprocess.Popen:
    """The job of ``spec`` in a fresh interpreter (see crash_runner), as a run worker gets it."""
    argv = [sys.executable, "-m", "nba_assets_tests.reliability.crash_runner", json.dumps(spec)]
    return subprocess.Popen(
        argv, cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_child(child: subprocess.Popen, timeout: float = 180.0) -> int:
    """Its return code (-9: killed by its crash point); any other failure is the test's error."""
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()  # this test's own child, by its pid
        child.communicate()
        raise
    CHILD_LOGS.append(stdout + stderr)
    if child.returncode not in (0, -9):
        raise AssertionError(f"child run failed ({child.returncode}):\n{stderr[-4000:]}")
    return child.returncode


def run_child(spec: dict, *, timeout: float = 180.0) -> int:
    return wait_child(start_child(spec), timeout)


def shard_spec(request: dg.RunRequest, sensor: str, point: str | None = None, nth: int = 1) -> dict:
    """The child's spec for a run the sensor requested, with the tags the daemon would set."""
    key = request.partition_key
    partition = dict(key.keys_by_dimension) if isinstance(key, dg.MultiPartitionKey) else key
    tags = {**request.tags, "dagster/run_key": request.run_key, "dagster/sensor_name": sensor}
    return {
        "job": request.job_name or "staging_job",
        "partition": partition,
        "point": point,
        "nth": nth,
        "run_config": request.run_config or {},
        "tags": tags,
    }


@dataclass
class Daemon:
    """The sensor daemon and run launcher, one tick at a time (no 30 s waits between ticks)."""

    defs: dg.Definitions
    instance: dg.DagsterInstance
    cursors: dict[str, str | None] = field(default_factory=dict)

    def tick(self, name: str) -> list[dg.RunRequest]:
        sensor = self.defs.resolve_sensor_def(name)
        with dg.build_sensor_context(
            instance=self.instance,
            definitions=self.defs,
            cursor=self.cursors.get(name),
            sensor_name=name,
            resources=self.defs.resources,
        ) as context:
            data = sensor.evaluate_tick(context)
        self.cursors[name] = data.cursor
        return [r for r in data.run_requests or [] if not self.launched(name, r.run_key)]

    def launched(self, sensor: str, run_key: str | None) -> bool:
        tags = {"dagster/run_key": run_key or "", "dagster/sensor_name": sensor}
        return bool(run_key) and bool(self.instance.get_runs(dg.RunsFilter(tags=tags), limit=1))

    def execute(self, request: dg.RunRequest, sensor: str | None, job: str | None = None) -> bool:
        tags = dict(request.tags)
        if sensor and request.run_key:
            tags.update({"dagster/run_key": request.run_key, "dagster/sensor_name": sensor})
        job = job or request.job_name or self.defs.resolve_sensor_def(sensor).job_name  # a one-job sensor
        result = self.defs.resolve_job_def(job).execute_in_process(
            partition_key=request.partition_key,
            run_config={**(request.run_config or {}), **QUIET},
            tags=tags,
            instance=self.instance,
            raise_on_error=False,
        )
        return result.success

    def slate(self, game_date: str) -> str:
        """The date's batch: opened by a slate run unless one already ran."""
        if not slate_metadata(self.instance, game_date):
            assert self.execute(dg.RunRequest(partition_key=game_date), None, "slate_job")
        return current_batch_id(self.instance, game_date)

    def fan_out(self) -> list[dg.RunRequest]:
        return self.tick("slate_fanout_sensor")

    def settle(self, store: BatchStore, batch_id: str, timeout: float = 60.0) -> list[str]:
        """Tick the completion sensor and launch what it asks until the batch is consolidated."""
        deadline, launched = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            for request in self.tick("batch_completion_sensor"):
                self.execute(request, "batch_completion_sensor")
                launched.append(f"{request.job_name}:{request.run_key}")
            if store.get_batch(batch_id).status in (BatchState.CONSOLIDATED, BatchState.PARTIAL):
                return launched
            time.sleep(0.3)
        raise AssertionError(f"batch {batch_id} not consolidated after {timeout}s; launched {launched}")

    def mark_dead(self, run: dg.DagsterRun) -> None:
        """What production's run monitoring does with a run whose worker is gone (an operator's
        force-terminate locally, where the default launcher cannot check workers): mark it failed
        and free the concurrency-pool slot it held (``free_slots_after_run_end_seconds``)."""
        self.instance.report_run_failed(
            run, "run worker gone (SIGKILL): marked failed as run monitoring does"
        )
        self.instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)

    def rerun(self, job: str, partition: str) -> bool:
        """What an operator does with a dead run: launch the partition again."""
        return self.execute(dg.RunRequest(partition_key=partition), None, job)

    def runs(self, job: str, status: dg.DagsterRunStatus | None = None) -> list[dg.DagsterRun]:
        return [
            r
            for r in self.instance.get_runs()
            if r.job_name == job and (status is None or r.status == status)
        ]


def resources(defs: dg.Definitions, stack: contextlib.ExitStack):
    """The profile's stores, as the pipeline builds them (resources set up until ``stack`` closes)."""
    keys = ("batch_store", "warehouse", "export_sink")
    return tuple(
        stack.enter_context(defs.resources[k].process_config_and_initialize_cm()).get() for k in keys
    )


@dataclass(frozen=True)
class Snapshot:
    """A day's outcome with what differs between two fresh runs removed."""

    rows: list[dict]
    exports: dict[str, object]

    @property
    def keys(self) -> list[tuple]:
        return [
            (r["game_date"], r["game_id"], r["player_lookup"], r["system_id"], r["line_key"])
            for r in self.rows
        ]

    @property
    def players(self) -> set[str]:
        return {r["player_lookup"] for r in self.rows if r["is_active"]}


def _strip(value: object) -> object:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "generated_at"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def snapshot(warehouse, sink, game_date: str) -> Snapshot:
    table = warehouse.predictions_for(date.fromisoformat(game_date), active_only=False)
    rows = [{k: v for k, v in r.items() if k not in VOLATILE_COLUMNS} for r in table.to_pylist()]
    rows.sort(key=lambda r: (r["player_lookup"], r["system_id"], r["game_id"], r["line_key"]))
    exports = {p: _strip(json.loads(sink.read(p))) for p in sink.list("v1/")}
    return Snapshot(rows, exports)


def assert_same_day(got: Snapshot, want: Snapshot) -> None:
    """Same rows (prediction_id included), no duplicate key, nobody lost, the same exports."""
    assert len(set(got.keys)) == len(got.keys), "duplicate merge key in the table"
    assert got.players == want.players, f"players lost or added: {sorted(got.players ^ want.players)}"
    assert got.rows == want.rows
    assert sorted(got.exports) == sorted(want.exports), sorted(set(got.exports) ^ set(want.exports))
    assert got.exports == want.exports


def files_with_secret(root: Path) -> list[str]:
    """Every file under ``root`` (SQLite event logs and runs, compute logs, DuckDB, staging, exports)."""
    needle = SECRET.encode()
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def instance_records_with_secret(instance: dg.DagsterInstance) -> list[str]:
    """Runs (tags, config) and every event of every run, as the instance API returns them."""
    found = []
    for run in instance.get_runs():
        texts = [json.dumps(run.tags), json.dumps(run.run_config, default=str)]
        texts += [repr(record) for record in instance.all_logs(run.run_id)]
        found += [run.run_id for text in texts if SECRET in text]
    return found


def assert_no_secret(root: Path, instance: dg.DagsterInstance, exports: dict) -> None:
    """Nothing of SECRETS in the files, the instance's records, the exports or the workers' output."""
    assert not files_with_secret(root)
    assert not instance_records_with_secret(instance)
    assert SECRET not in json.dumps(exports)
    assert not [log for log in CHILD_LOGS if SECRET in log]
