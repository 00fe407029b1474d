"""Benchmark: backfill and grade the 2024-25 season, then time the UI's GraphQL with it in the instance.

    .venv/bin/python bench/bench_season.py [--season 2024-25] [--workers 2] [--shards 1] [--keep DIR]

1. ``nba-assets backfill --season S`` (one command, a real SQLite Dagster instance in a temp dir):
   wall time, days graded, Dagster runs created (by job and status).
2. ``nba-assets report --season S``: wall time.
3. A ``dagster-webserver`` on 127.0.0.1 over that instance: the GraphQL the asset page and the
   partitions page send (asset overview, partition health with every partition key, the asset
   graph's node list, the runs page), cold (first call) and warm (median of 3).

Writes the ``## Season backfill and UI`` section of bench/RESULTS.md (other sections untouched).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from results import RESULTS, write_section  # noqa: E402  (bench/ is the script's folder)

from nba_assets.defs.jobs import CONSOLIDATION_JOB, SLATE_JOB, STAGING_JOB  # noqa: E402
from nba_assets_tests.emulators.process import ManagedProcess, free_port  # noqa: E402

SECTION = "## Season backfill and UI"
BIN = Path(sys.executable).parent
TARGET_BACKFILL_S, TARGET_QUERY_S = 15 * 60, 2.0
ASSETS = ("slate", "staging_predictions", "consolidated_predictions", "graded_results")
STATUS_FRAGMENT = """
  ... on TimePartitionStatuses { ranges { status startKey endKey } }
  ... on DefaultPartitionStatuses { materializedPartitions materializingPartitions failedPartitions }"""
QUERIES = {
    "asset page": """query AssetPage($assetKey: AssetKeyInput!) { assetOrError(assetKey: $assetKey) { __typename
      ... on Asset { key { path } assetMaterializations(limit: 1) { runId timestamp partition metadataEntries { label } }
        definition { id description groupName partitionStats { numMaterialized numPartitions numFailed numMaterializing }
          assetChecksOrError { __typename ... on AssetChecks { checks { name
            executionForLatestMaterialization { status } } } } } } } }""",
    "partition status": """query PartitionHealth($assetKey: AssetKeyInput!) { assetNodeOrError(assetKey: $assetKey) {
      __typename ... on AssetNode { id partitionKeysByDimension { name type partitionKeys }
        partitionStats { numMaterialized numMaterializing numFailed numPartitions }
        assetPartitionStatuses { __typename STATUS
          ... on MultiPartitionStatuses { primaryDimensionName ranges { primaryDimStartKey primaryDimEndKey
            secondaryDim { __typename STATUS } } } } } } }""".replace("STATUS", STATUS_FRAGMENT),
}
GLOBAL_QUERIES = {
    "asset graph nodes": """query Graph { assetNodes { id assetKey { path } groupName isPartitioned
      partitionStats { numMaterialized numPartitions numFailed } } }""",
    "runs page (50)": """query Runs { runsOrError(limit: 50) { __typename ... on Runs { results { runId status jobName
      tags { key value } startTime endTime } } } }""",
}


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds (user + system of the command and its worker processes), result."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - started, cpu, done


def graphql(url: str, query: str, variables: dict | None = None) -> tuple[float, dict]:
    payload = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(url, data=payload, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        body = json.loads(response.read())
    seconds = time.perf_counter() - started
    text = json.dumps(body)
    if "errors" in body or '"PythonError"' in text:
        raise RuntimeError(f"GraphQL error: {text[:500]}")
    return seconds, body


def time_queries(url: str) -> list[dict]:
    rows = []
    cases = [
        (name, query, {"assetKey": {"path": [key]}}, key) for key in ASSETS for name, query in QUERIES.items()
    ]
    cases += [(name, query, None, "-") for name, query in GLOBAL_QUERIES.items()]
    for name, query, variables, asset in cases:
        cold, body = graphql(url, query, variables)
        warm = statistics.median(graphql(url, query, variables)[0] for _ in range(3))
        stats = re.search(
            r'"numMaterialized": (\d+), "numMaterializing": \d+, "numFailed": \d+, "numPartitions": (\d+)',
            json.dumps(body),
        )
        size = len(json.dumps(body))
        note = (
            f"{stats[1]}/{stats[2]} partitions materialized"
            if stats
            else "<1 KiB"
            if size < 1024
            else f"{size // 1024} KiB"
        )
        rows.append({"query": name, "asset": asset, "cold": cold, "warm": warm, "note": note})
    return rows


def instance_runs(dagster_home: Path) -> tuple[int, Counter, Counter, int]:
    """Runs, by job, by status, and how many repeated a (job, partition) (the same work launched twice)."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        keys = Counter(
            (r.job_name, r.tags.get("dagster/partition"))
            for r in runs
            if r.job_name in (STAGING_JOB, CONSOLIDATION_JOB) and "nba_assets/stall_retry" not in r.tags
        )
        repeats = sum(n - 1 for n in keys.values())
        return (
            len(runs),
            Counter(r.job_name for r in runs),
            Counter(str(r.status.value) for r in runs),
            repeats,
        )


def daemon_backfill(days: list[str], env: dict[str, str], work: Path) -> dict:
    """The same days through Dagster's own machinery: `dagster job backfill` of slate_job queues one
    run per date, and a real `dagster-daemon` launches them (a process per run), the fan-out
    sensor's shard runs and the completion sensor's consolidations. No grading (nothing triggers it)."""
    import shutil

    import dagster as dg

    from nba_assets.day_run import INSTANCE_YAML

    home, out = work / "daemon_home", work / "daemon_out"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(INSTANCE_YAML)
    if (work / "out" / "models").exists():  # the same trained points model as the main backfill
        shutil.copytree(work / "out" / "models", out / "models", dirs_exist_ok=True)
    env = {**env, "DAGSTER_HOME": str(home), "NBA_ASSETS_HOME": str(out)}
    workspace = str(ROOT / "workspace.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    with dg.DagsterInstance.get() as instance:  # create the SQLite schema before two processes race to
        instance.get_runs(limit=1)
    daemon = ManagedProcess(
        "dagster-daemon",
        [str(BIN / "dagster-daemon"), "run", "-w", workspace],
        0,
        env=env,
        log_path=work / "daemon.log",
        ready=lambda: True,
    )
    daemon.start()
    try:
        started = time.perf_counter()
        subprocess.run(
            [
                str(BIN / "dagster"),
                "job",
                "backfill",
                "-w",
                workspace,
                "-j",
                SLATE_JOB,
                "--partitions",
                ",".join(days),
                "--noprompt",
            ],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        with dg.DagsterInstance.get() as instance:
            deadline = time.monotonic() + 30 * 60
            while time.monotonic() < deadline:
                if daemon.proc is None or daemon.proc.poll() is not None:
                    raise RuntimeError(f"dagster-daemon exited; see {work / 'daemon.log'}")
                consolidations = instance.get_runs(dg.RunsFilter(job_name=CONSOLIDATION_JOB))
                done = [r for r in consolidations if r.status == dg.DagsterRunStatus.SUCCESS]
                if len(done) + sum(r.status == dg.DagsterRunStatus.FAILURE for r in consolidations) >= len(
                    days
                ):
                    break
                time.sleep(2)
            wall = time.perf_counter() - started
            runs = instance.get_runs()
    finally:
        daemon.stop()
    return {
        "days": len(days),
        "consolidated": len(done),
        "wall": wall,
        "runs": len(runs),
        "by_job": Counter(r.job_name for r in runs),
    }


def daemon_lines(daemon: dict, backfill_s: float, total_runs: int, graded) -> list[str]:
    per_day = daemon["wall"] / daemon["days"]
    season_days = int(graded[2]) if graded else 163
    in_process_per_day = backfill_s / season_days
    return [
        f"The same pipeline through Dagster's own backfill: `dagster job backfill -j slate_job` over the season's "
        f"first {daemon['days']} game days with a real `dagster-daemon` (queued run coordinator, a process per "
        "run, the sensors fanning out and consolidating; no grading, which nothing triggers):",
        "",
        "| path | days | wall s | s per day | runs | runs by job |",
        "|---|---|---|---|---|---|",
        f"| daemon + backfill daemon | {daemon['consolidated']}/{daemon['days']} consolidated | {daemon['wall']:.0f} | "
        f"{per_day:.1f} | {daemon['runs']} | {', '.join(f'{j} {n}' for j, n in sorted(daemon['by_job'].items()))} |",
        f"| `nba-assets backfill` (whole season, graded) | {season_days} | {backfill_s:.0f} | {in_process_per_day:.1f} | "
        f"{total_runs:,} | |",
        "",
        f"At {per_day:.1f} s a day the daemon path would take ~{per_day * season_days / 60:.0f} min for the season "
        "on this machine, before grading.",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--season", default="2024-25")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument(
        "--daemon-days",
        type=int,
        default=6,
        help="also run the season's first N game days through dagster-daemon (0: skip)",
    )
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temp dir)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-season-"))
    home, out = work / "dagster_home", work / "out"
    env = {
        **os.environ,
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(out),
        "DAGSTER_HOME": str(home),
    }
    print(f"working in {work}")
    load = os.getloadavg()[0]
    backfill_s, backfill_cpu, done = run(
        [
            str(BIN / "nba-assets"),
            "backfill",
            "--season",
            args.season,
            "--shards",
            str(args.shards),
            "--workers",
            str(args.workers),
            "-q",
        ],
        env,
    )
    print(f"backfill: {backfill_s:.0f} s wall, {backfill_cpu:.0f} s CPU, exit {done.returncode}")
    if done.returncode not in (0, 1):
        print(done.stderr[-3000:])
        return 1
    total, by_job, by_status, repeats = instance_runs(home)
    report_s, _, reported = run(
        [str(BIN / "nba-assets"), "report", "--season", args.season, "--out", str(work / "report")], env
    )
    graded = re.search(r"(\d+)/(\d+) game days graded", reported.stdout)
    port = free_port()
    server = ManagedProcess(
        "dagster-webserver",
        [
            str(BIN / "dagster-webserver"),
            "-w",
            str(ROOT / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        port,
        env=env,
        log_path=work / "webserver.log",
        timeout=180,
    )
    server.start()
    try:
        rows = time_queries(f"http://127.0.0.1:{port}/graphql")
    finally:
        server.stop()
    daemon = None
    if args.daemon_days:
        from nba_assets.inputs.bundled import bundled_box_scores
        from nba_assets.reports.season import season_window

        start, end = season_window(args.season)
        days = sorted({d.isoformat() for d in bundled_box_scores()["game_date"] if start <= d <= end})
        daemon = daemon_backfill(
            days[: args.daemon_days], {**env, "NBA_ASSETS_SHARDS": str(args.shards)}, work
        )
        print(f"daemon: {daemon}")
    worst = max(max(r["cold"], r["warm"]) for r in rows)
    days = f"{graded[1]}/{graded[2]}" if graded else "?"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python bench/bench_season.py --workers {args.workers} --shards {args.shards}` "
        f"({when}; Python {platform.python_version()}, {os.cpu_count()} cores shared with other work; "
        "local profile: SQLite Dagster instance, SQLite batch store, DuckDB warehouse).",
        "",
        f"Backfill = `nba-assets backfill --season {args.season} --workers {args.workers} --shards {args.shards}`: "
        "per game day run_day (slate, shard runs from the fan-out sensor, consolidation from the completion "
        "sensor) and one grading_job run, all executed through the instance in "
        f"{args.workers} worker processes; then `nba-assets report`.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| season backfill wall time | {backfill_s / 60:.1f} min ({backfill_s:.0f} s; load average "
        f"{load:.1f} at start) | <= 15 min {'(met)' if backfill_s <= TARGET_BACKFILL_S else '(missed)'} |",
        f"| season backfill CPU time (all processes) | {backfill_cpu / 60:.1f} min: {backfill_cpu / 120:.1f} min "
        "of wall time on 2 otherwise idle cores | |",
        f"| game days graded | {days} | all |",
        f"| Dagster runs created | {total:,} ({', '.join(f'{j} {n}' for j, n in sorted(by_job.items()))}) | |",
        f"| run status | {', '.join(f'{s} {n}' for s, n in sorted(by_status.items()))} | all SUCCESS |",
        f"| runs repeating a sensor run key (both workers ticked the completion sensor on one batch) | {repeats} "
        "(a repeated consolidation finds the batch consolidated and merges nothing) | 0 |",
        f"| `nba-assets report --season {args.season}` | {report_s:.1f} s | |",
        f"| slowest UI GraphQL query, season materialized | {worst:.2f} s | <= 2 s "
        f"{'(met)' if worst <= TARGET_QUERY_S else '(missed)'} |",
        "",
        *(daemon_lines(daemon, backfill_s, total, graded) if daemon else []),
        "| GraphQL query (dagster-webserver over HTTP) | asset | cold s | warm s (median of 3) | answer |",
        "|---|---|---|---|---|",
        *[f"| {r['query']} | {r['asset']} | {r['cold']:.3f} | {r['warm']:.3f} | {r['note']} |" for r in rows],
    ]
    write_section("\n".join(lines))
    print("\n".join(lines))
    print(f"written to {RESULTS} (section '{SECTION}')")
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
