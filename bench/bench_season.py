"""Benchmark: a season (or a range) backfilled and graded through dagster-daemon, then the UI's GraphQL.

    .venv/bin/python bench/bench_season.py [--season 2024-25 | --from DATE --to DATE] [--shards 1]
        [--max-concurrent-runs 4] [--dequeue-seconds 1] [--no-ui] [--keep DIR]

1. A real ``dagster-daemon`` (queued run coordinator with the given knobs, default run launcher)
   on a fresh SQLite instance, and ``nba-assets backfill`` (the asset backfills it submits and
   follows): wall time, days graded, Dagster runs created (by job and status), beside the removed
   in-process engine's recorded figure.
2. ``nba-assets report`` over the same window: wall time.
3. A ``dagster-webserver`` on 127.0.0.1 over that instance: the GraphQL the asset page and the
   partitions page send, cold (first call) and warm (median of 3).

Writes the ``## Season backfill through the daemon, and UI`` section of bench/RESULTS.md.
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

from nba_assets.defs.jobs import CONSOLIDATION_JOB, STAGING_JOB  # noqa: E402
from nba_assets_tests.emulators.process import ManagedProcess, free_port  # noqa: E402

SECTION = "## Season backfill through the daemon, and UI"
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


def _step(run) -> str:
    """A run's step: its job, or for a backfill's asset-job run the assets it materializes."""
    if run.job_name != "__ASSET_JOB" or not run.asset_selection:
        return run.job_name
    return "+".join(sorted(k.to_user_string() for k in run.asset_selection))


def instance_runs(dagster_home: Path) -> tuple[int, Counter, Counter, int, int]:
    """Runs, by step, by status, how many repeated a (job, partition) (the same work launched twice),
    and how many MERGE materializations a date got beyond its first."""
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
        merges = instance.fetch_materializations(
            dg.AssetKey("consolidated_predictions"), limit=10_000
        ).records
        per_date = Counter(r.partition_key for r in merges)
        return (
            len(runs),
            Counter(_step(r) for r in runs),
            Counter(str(r.status.value) for r in runs),
            repeats,
            sum(n - 1 for n in per_date.values()),
        )


OLD_ENGINE = "12.6 min (759 s, 655 runs: the removed in-process pool of 2 workers, 2026-11-23)"


def start_daemon(home: Path, env: dict[str, str], work: Path, runs: int, dequeue: int) -> ManagedProcess:
    """A real dagster-daemon (queued run coordinator, default run launcher: a process per run)."""
    import yaml

    from nba_assets.instance.day_run import INSTANCE_YAML

    config = yaml.safe_load(INSTANCE_YAML)
    config["concurrency"]["runs"] = {"max_concurrent_runs": runs}
    config["run_coordinator"] = {
        "module": "dagster.core.run_coordinator",
        "class": "QueuedRunCoordinator",
        "config": {"dequeue_interval_seconds": dequeue},
    }
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    os.environ["DAGSTER_HOME"] = str(home)
    import dagster as dg

    with dg.DagsterInstance.get() as instance:  # the SQLite schema exists before processes race to it
        instance.get_runs(limit=1)
    daemon = ManagedProcess(
        "dagster-daemon",
        [str(BIN / "dagster-daemon"), "run", "-w", str(ROOT / "workspace.yaml")],
        0,
        env=env,
        log_path=work / "daemon.log",
        ready=lambda: True,
    )
    return daemon.start()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--season", default="2024-25")
    parser.add_argument("--from", dest="start", help="a shorter range instead of the whole season")
    parser.add_argument("--to", dest="end")
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument("--max-concurrent-runs", type=int, default=4)
    parser.add_argument("--dequeue-seconds", type=int, default=1)
    parser.add_argument("--no-ui", action="store_true", help="skip the UI GraphQL timings")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temp dir)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-season-"))
    home, out = work / "dagster_home", work / "out"
    env = {
        **os.environ,
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(out),
        "NBA_ASSETS_SHARDS": str(args.shards),
        "DAGSTER_HOME": str(home),
    }
    print(f"working in {work}")
    window = ["--from", args.start, "--to", args.end] if args.start else ["--season", args.season]
    label = f"{args.start}..{args.end}" if args.start else f"season {args.season}"
    load = os.getloadavg()[0]
    daemon = start_daemon(home, env, work, args.max_concurrent_runs, args.dequeue_seconds)
    try:
        backfill_s, backfill_cpu, done = run(
            [str(BIN / "nba-assets"), "backfill", *window, "--shards", str(args.shards), "-q"], env
        )
    finally:
        daemon.stop()
    load_end = os.getloadavg()[0]
    print(f"backfill: {backfill_s:.0f} s wall, {backfill_cpu:.0f} s CPU, exit {done.returncode}")
    if done.returncode not in (0, 1):
        print(done.stderr[-3000:])
        return 1
    total, by_job, by_status, repeats, remerged = instance_runs(home)
    report_s, _, reported = run(
        [str(BIN / "nba-assets"), "report", *window, "--out", str(work / "report")], env
    )
    graded = re.search(r"(\d+)/(\d+) game days graded", reported.stdout)
    rows = []
    if not args.no_ui:
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
    days = f"{graded[1]}/{graded[2]}" if graded else "?"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    knobs = f"--shards {args.shards} --max-concurrent-runs {args.max_concurrent_runs} --dequeue-seconds {args.dequeue_seconds}"
    command = f"`.venv/bin/python bench/bench_season.py {' '.join(window)} {knobs}`"
    target = "<= 15 min " + ("(met)" if backfill_s <= TARGET_BACKFILL_S else "(missed)")
    lines = [
        SECTION,
        "",
        f"Command: {command} ({when}; Python {platform.python_version()}, {os.cpu_count()} cores shared "
        "with other work; local profile: SQLite Dagster instance, SQLite batch store, DuckDB warehouse).",
        "",
        f"Backfill = `nba-assets backfill {' '.join(window)} --shards {args.shards}` with a real `dagster-daemon` "
        f"(queued run coordinator: max_concurrent_runs {args.max_concurrent_runs}, dequeue every "
        f"{args.dequeue_seconds} s; default run launcher, a process per run; the backfill daemon's fixed "
        "30 s loop): one asset backfill of the range, in ranged runs per contiguous range of game days "
        "(inputs and slates; staging per shard with one feature pass; consolidation, exports and "
        "grading); then `nba-assets report`.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| {label} backfill wall time | {backfill_s / 60:.1f} min ({backfill_s:.0f} s; load average "
        f"{load:.1f} at start, {load_end:.1f} at end{', niced' if os.nice(0) else ''}) | {target if not args.start else 'season: <= 15 min'} |",
        f"| old engine (removed), season | {OLD_ENGINE} | |",
        f"| CLI CPU time (the command and its dagster-graphql calls; the daemon's runs not counted) | "
        f"{backfill_cpu:.0f} s | |",
        f"| game days graded | {days} | all |",
        f"| Dagster runs created | {total:,} ({', '.join(f'{j} {n}' for j, n in sorted(by_job.items()))}) | |",
        f"| run status | {', '.join(f'{s} {n}' for s, n in sorted(by_status.items()))} | all SUCCESS |",
        f"| staging/consolidation runs repeating a (job, partition) | {repeats} | 0 |",
        f"| consolidated_predictions materializations beyond one per date | {remerged} | 0 |",
        f"| `nba-assets report` | {report_s:.1f} s | |",
        "",
    ]
    if rows:
        worst = max(max(r["cold"], r["warm"]) for r in rows)
        lines += [
            f"Slowest UI GraphQL query with these days materialized: {worst:.2f} s (target <= 2 s).",
            "",
            "| GraphQL query (dagster-webserver over HTTP) | asset | cold s | warm s (median of 3) | answer |",
            "|---|---|---|---|---|",
            *[
                f"| {r['query']} | {r['asset']} | {r['cold']:.3f} | {r['warm']:.3f} | {r['note']} |"
                for r in rows
            ],
        ]
    write_section("\n".join(lines))
    print("\n".join(lines))
    print(f"written to {RESULTS} (section '{SECTION}')")
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
