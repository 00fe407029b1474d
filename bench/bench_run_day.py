"""run-day for a 450-player slate (5 systems, up to 5 lines each) on the local profile.

One command: `.venv/bin/python bench/bench_run_day.py`. Prints, for each shard count, the wall time
from start to consolidated table, the Dagster runs created and the peak RSS; the same day through
`dagster-daemon` (schedule tick to consolidated); the completion-sensor tick with 30 open batches;
and, as the baseline measured in the same run, `nba-assets predict` on the same slate (the same
prediction work without Dagster, staging or consolidation).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))
from results import write_section  # noqa: E402
from slates import DAY, write_slate_csv  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
console = Console()


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall s, peak RSS MB of that one child, output); wait4 gives the child's own rusage."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, text=True
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed:\n{text[-3000:]}")
    return wall, usage.ru_maxrss / 1024, text


def runs_in(home: Path) -> int:
    os.environ["DAGSTER_HOME"] = str(home)
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        return len(instance.get_runs())


def step_seconds(home: Path) -> str:
    """Where a run-day's runs spent their time: each run's wall and its steps', from the events."""
    import dagster as dg

    parts = []
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for run in reversed(instance.get_runs()):  # oldest first
            events = instance.all_logs(run.run_id)
            started, steps = {}, []
            for event in events:
                kind = event.dagster_event.event_type_value if event.dagster_event else ""
                if kind == "STEP_START":
                    started[event.step_key] = event.timestamp
                elif kind == "STEP_SUCCESS" and event.step_key in started:
                    steps.append(f"{event.step_key} {event.timestamp - started[event.step_key]:.2f}")
            total = events[-1].timestamp - events[0].timestamp
            parts.append(f"{run.job_name} {total:.2f} s ({', '.join(steps)})")
    return "; ".join(parts)


def daemon_day(work: Path, env: dict[str, str]) -> float:
    """Schedule tick -> slate -> daemon fan-out -> shard runs -> sensor -> consolidated."""
    import dagster as dg

    from nba_assets.defs.jobs import CONSOLIDATION_JOB, SLATE_JOB
    from nba_assets.instance.day_run import QUIET, prepare_home
    from nba_assets_tests.emulators.process import ManagedProcess

    os.environ.update(env)
    instance = prepare_home(work / "dagster_home")
    from nba_assets.definitions import defs

    definitions = defs()
    schedule = definitions.resolve_schedule_def("daily_slate_schedule")
    tick = dt.datetime(DAY.year, DAY.month, DAY.day, 7, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    context = dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=tick,
        resources=definitions.resources,
        repository_def=definitions.get_repository_def(),
    )
    daemon = ManagedProcess(
        "dagster-daemon",
        [str(BIN / "dagster-daemon"), "run", "-w", str(ROOT / "workspace.yaml")],
        0,
        env={**env, "DAGSTER_HOME": str(work / "dagster_home")},
        log_path=work / "daemon.log",
        ready=lambda: True,
    )
    daemon.start()
    started = time.perf_counter()
    try:
        (request,) = schedule.evaluate_tick(context).run_requests
        definitions.resolve_job_def(SLATE_JOB).execute_in_process(
            partition_key=request.partition_key, instance=instance, run_config=QUIET
        )
        while time.perf_counter() - started < 900:
            done = [
                r
                for r in instance.get_runs()
                if r.job_name == CONSOLIDATION_JOB and r.status == dg.DagsterRunStatus.SUCCESS
            ]
            if done:
                return time.perf_counter() - started
            time.sleep(1)
        raise SystemExit("daemon path did not consolidate within 15 min")
    finally:
        daemon.stop()


def sensor_tick_30_batches(work: Path) -> float:
    """The completion sensor over 30 open batches of 450 players (SQLite store), median of 5 ticks."""
    import dagster as dg

    from nba_assets.batch_state.base import CompletionStatus
    from nba_assets.batch_state.local import SqliteBatchStore
    from nba_assets.defs.storage import SqliteBatchStoreResource
    from nba_assets.naming import batch_id_for

    path = work / "tick.sqlite"
    store = SqliteBatchStore(path)
    for i in range(30):
        day = DAY - dt.timedelta(days=i)
        players = {f"player{p:03d}": p % 8 for p in range(450)}
        bid = batch_id_for(day, list(players))
        store.open_batch(bid, day, players)
        for p in list(players)[: 300 + i]:
            store.record_completion(bid, p, CompletionStatus.SUCCEEDED, predictions=25, run_id="bench")
    from nba_assets.definitions import defs

    definitions = defs()
    sensor = definitions.resolve_sensor_def("batch_completion_sensor")
    times = []
    with dg.instance_for_test() as instance:
        for _ in range(5):
            with dg.build_sensor_context(
                instance=instance,
                definitions=definitions,
                resources={**definitions.resources, "batch_store": SqliteBatchStoreResource(path=str(path))},
            ) as ctx:
                started = time.perf_counter()
                sensor.evaluate_tick(ctx)
                times.append(time.perf_counter() - started)
    return sorted(times)[2]


# What a run-day costs before it does any of the day's work, measured in one fresh process the way
# run-day starts: its imports, the code location's definitions, a fresh SQLite instance, and three
# in-process runs of a one-asset no-op job (the per-run cost of Dagster's run and event storage).
FLOOR_CHILD = """
import json, sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
import dagster as dg
import nba_assets.cli, nba_assets.instance.day_run
from nba_assets.instance.day_run import QUIET, prepare_home
t1 = time.perf_counter()
from nba_assets.definitions import defs
defs()
t2 = time.perf_counter()
instance = prepare_home(Path(tempfile.mkdtemp()) / "home")
t3 = time.perf_counter()
@dg.asset
def noop() -> None: ...
job = dg.Definitions(assets=[noop], jobs=[dg.define_asset_job("noop_job")]).resolve_job_def("noop_job")
runs = []
for _ in range(3):
    started = time.perf_counter()
    job.execute_in_process(instance=instance, run_config=QUIET)
    runs.append(time.perf_counter() - started)
print(json.dumps({"imports": t1 - t0, "definitions": t2 - t1, "fresh instance": t3 - t2,
                  "one no-op run (median of 3)": sorted(runs)[1]}))
"""


def floor(env: dict[str, str]) -> dict[str, float]:
    """The fixed costs of one run-day process (see FLOOR_CHILD), in seconds."""
    import json

    _, _, text = timed([sys.executable, "-c", FLOOR_CHILD], env)
    return json.loads(text.strip().splitlines()[-1])


def main() -> None:
    import logging

    logging.getLogger("dagster").setLevel(logging.WARNING)  # the sensors' per-batch lines
    work = Path(tempfile.mkdtemp(prefix="bench-run-day-"))
    slate = work / "slate.csv"
    players = write_slate_csv(slate)
    models = work / "models"
    base_env = {
        "NBA_ASSETS_SLATES": str(slate),
        "NBA_ASSETS_MODEL_DIR": str(models),
        "NBA_ASSETS_PROFILE": "local",
    }
    console.print(
        f"slate: {players} players of {DAY} (real rosters), 5 systems, reference lines (5 per player)"
    )
    # the model is trained once, before the timings (the weekly points_model asset's job)
    env = {**base_env, "NBA_ASSETS_HOME": str(work / "train")}
    train_wall, _, _ = timed(
        [
            str(BIN / "nba-assets"),
            "run-day",
            str(DAY),
            "-q",
            "--shards",
            "1",
            "--dagster-home",
            str(work / "train_home"),
        ],
        env,
    )
    table = Table(title=f"run-day {DAY}, {players} players, local profile")
    for column in ("variant", "wall s", "Dagster runs", "peak RSS MB"):
        table.add_column(column)
    baseline, rss, _ = timed(
        [
            str(BIN / "nba-assets"),
            "predict",
            "--slate",
            str(slate),
            "--model-dir",
            str(models),
            "--out",
            str(work / "predict.csv"),
            "-q",
        ],
        base_env,
    )
    rows = [
        (
            "baseline: `nba-assets predict` on the same slate (no Dagster, no staging, no MERGE)",
            f"{baseline:.1f}",
            "0",
            f"{rss:.0f}",
        )
    ]
    best = None
    for shards in (1, 2, 4, 8):
        home = work / f"home{shards}"
        env = {**base_env, "NBA_ASSETS_HOME": str(work / f"out{shards}")}
        wall, rss, _ = timed(
            [
                str(BIN / "nba-assets"),
                "run-day",
                str(DAY),
                "-q",
                "--shards",
                str(shards),
                "--dagster-home",
                str(home),
            ],
            env,
        )
        rows.append((f"`run-day --shards {shards}`", f"{wall:.1f}", str(runs_in(home)), f"{rss:.0f}"))
        best = min(best or (wall, shards), (wall, shards))
        if shards == 1:
            steps = step_seconds(home)
            console.print(f"--shards 1, from the runs' events: {steps}")
    daemon_wall = daemon_day(
        work / "daemon",
        {**base_env, "NBA_ASSETS_HOME": str(work / "daemon_out"), "NBA_ASSETS_SHARDS": str(best[1])},
    )
    rows.append(
        (
            f"`dagster-daemon`: schedule tick -> consolidated (--shards {best[1]}; runs launched as subprocesses)",
            f"{daemon_wall:.1f}",
            "-",
            "-",
        )
    )
    for row in rows:
        table.add_row(*row)
    console.print(table)
    tick = sensor_tick_30_batches(work)
    console.print(f"completion sensor tick, 30 open batches x 450 players (SQLite): {tick * 1000:.0f} ms")
    fixed = floor(base_env)
    three_runs = 3 * fixed["one no-op run (median of 3)"]
    before_work = fixed["imports"] + fixed["definitions"] + fixed["fresh instance"] + three_runs
    console.print(
        "before any of the day's work: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in fixed.items())
        + f"; with 3 runs {before_work:.1f} s"
    )
    verdict = f"best shard count {best[1]}: {best[0]:.1f} s (issue 14's target <= 5 s)"
    console.print(f"first run-day incl. training the points model: {train_wall:.1f} s; {verdict}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    written = write_section(
        "\n".join(
            [
                "## run-day (the Dagster graph)",
                "",
                "Command: `.venv/bin/python bench/bench_run_day.py`",
                f"Date: {dt.datetime.now(dt.UTC):%a %b %d %H:%M UTC %Y} (2 cores; load average at the end {load})",
                "",
                f"A {players}-player slate of {DAY} built from the real rosters of the day's teams (bench/slates.py), all 5",
                "systems, reference lines with alternates (up to 5 a player), local profile (SQLite batch store, DuckDB +",
                "Parquet staging, directory exports); the points model trained once beforehand. Wall time is from the",
                "command's start to the consolidated table and published exports; peak RSS of the command's process.",
                "",
                "| variant | wall s | Dagster runs | peak RSS MB |",
                "|---|---|---|---|",
                *[f"| {' | '.join(row)} |" for row in rows],
                "",
                f"- {verdict}.",
                f"- The first run-day of a fresh checkout also trains the points model on games before the date: {train_wall:.1f} s.",
                f"- Completion-sensor tick with 30 open batches of 450 players (SQLite store): {tick * 1000:.0f} ms (median of 5).",
                f"- `--shards 1`, each run's wall and its steps' from the runs' events: {steps}.",
                "- Fixed costs of one run-day process before any of the day's work (a fresh process: "
                + ", ".join(f"{k} {v:.2f} s" for k, v in fixed.items())
                + f"): {before_work:.1f} s with the 3 runs of `--shards 1`.",
            ]
        )
    )
    console.print(f"written to {written}")


if __name__ == "__main__":
    main()
