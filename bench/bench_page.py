"""The tonight page's load time for a 450-player day, in headless Chromium.

One command: `.venv/bin/python bench/bench_page.py [--runs 5] [--no-write-results]`. The day is
built as bench_run_day.py builds it: the real 2025-02-12 slate topped up to 450 players from real
rosters, every system, reference lines, through `nba-assets run-day` (one shard); the folder is then
served by `nba-assets serve`. Timed, each in a fresh browser context (cold cache): navigation to
the page rendered (every game, best bets, graded-record probe, schema check of each file), as the
page's own ``performance.now()`` at ready; then a player view (hash change to rendered). Baseline,
in the same page: fetching and parsing the same two files with no schema check and no rendering.
Figures go to bench/RESULTS.md, section ``## Tonight page``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from results import write_section  # noqa: E402
from slates import DAY, write_slate_csv  # noqa: E402

from nba_assets_tests.emulators.process import ManagedProcess, free_port  # noqa: E402
from nba_assets_tests.ui.front_page import CHROMIUM_ARGS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COMMAND = ".venv/bin/python bench/bench_page.py"
BASELINE_JS = """async () => {
  const t0 = performance.now();
  const files = await Promise.all(["v1/tonight/all-players.json", "v1/best-bets/latest.json"].map(
    (p) => fetch(p, {cache: "no-store"}).then((r) => r.text())));
  files.forEach((t) => JSON.parse(t));
  return performance.now() - t0;
}"""


def build_day(work: Path) -> tuple[Path, int]:
    slate = work / "slate.csv"
    players = write_slate_csv(slate)
    env = {
        **os.environ,
        "NBA_ASSETS_SLATES": str(slate),
        "NBA_ASSETS_MODEL_DIR": str(work / "models"),
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(work / "out"),
    }
    argv = [str(BIN / "nba-assets"), "run-day", str(DAY), "-q", "--shards", "1"]
    done = subprocess.run(
        [*argv, "--dagster-home", str(work / "home")], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"run-day failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return work / "out" / "exports", players


def measure(url: str, lookup: str, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {"page": [], "player": [], "baseline": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True
        )
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("document.documentElement.dataset.state === 'ready'", timeout=60_000)
            out["page"].append(float(page.evaluate("Number(document.documentElement.dataset.readyMs)")))
            started = page.evaluate("performance.now()")
            page.evaluate(f"location.hash = '#player/{lookup}'")
            page.wait_for_function(
                f"document.documentElement.dataset.player === '{lookup}' && document.documentElement.dataset.state === 'ready'",
                timeout=60_000,
            )
            out["player"].append(page.evaluate("performance.now()") - started)
            out["baseline"].append(page.evaluate(BASELINE_JS))
            context.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write-results", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-page-"))
    folder, players = build_day(work)
    index = folder / "v1" / "tonight" / "all-players.json"
    day = json.loads(index.read_text())
    lookup = day["games"][0]["players"][0]["player_lookup"]
    size = {
        "all-players": index.stat().st_size,
        "latest": (folder / "v1" / "best-bets" / "latest.json").stat().st_size,
        "page": (folder / "index.html").stat().st_size,
    }
    print(
        f"day {DAY}: {day['total_players']} players, {len(day['games'])} games, {len(day['systems'])} systems; "
        f"all-players.json {size['all-players'] / 1e6:.2f} MB, index.html {size['page'] / 1e3:.0f} kB"
    )
    port = free_port()
    server = ManagedProcess(
        "nba-assets-serve",
        [str(BIN / "nba-assets"), "serve", "--port", str(port), "--dir", str(folder)],
        port,
        log_path=work / "serve.log",
        ready=lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200,
        timeout=60,
    )
    server.start()
    try:
        t = measure(f"http://127.0.0.1:{port}/", lookup, args.runs)
    finally:
        server.stop()
    med = {k: statistics.median(v) for k, v in t.items()}
    print(f"page load to rendered (ms, cold, {args.runs} runs): {', '.join(f'{x:.0f}' for x in t['page'])}")
    print(
        f"median {med['page']:.0f} ms; player view {med['player']:.0f} ms; baseline fetch+parse {med['baseline']:.0f} ms"
    )
    if not args.no_write_results:
        stamp = subprocess.run(["date", "-u"], capture_output=True, text=True, check=True).stdout.strip()
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        version = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
        write_section(
            "\n".join(
                [
                    "## Tonight page",
                    "",
                    f"Command: `{COMMAND}`",
                    f"Date: {stamp}",
                    f"Environment: Python {sys.version.split()[0]}, {version} headless, {os.cpu_count()} cores "
                    f"shared (load average {load} at the end); files served by `nba-assets serve` on 127.0.0.1.",
                    "",
                    f"The day of `bench_run_day.py`: {day['total_players']} players of {DAY} ({len(day['games'])} games, "
                    f"real rosters), {len(day['systems'])} systems, reference lines, through `nba-assets run-day`: "
                    f"all-players.json {size['all-players'] / 1e6:.2f} MB, best-bets/latest.json "
                    f"{size['latest'] / 1e3:.0f} kB, index.html {size['page'] / 1e3:.0f} kB. Each load in a fresh browser "
                    "context (cold cache): navigation start to every game, best bets, the graded-record probe and "
                    "the schema check of each file done (the page's `performance.now()` when it marks itself ready).",
                    "",
                    "| measure | runs (ms) | median (ms) |",
                    "|---|---|---|",
                    f"| page load, 450-player day, to rendered | {', '.join(f'{x:.0f}' for x in t['page'])} | {med['page']:.0f} |",
                    f"| player view (hash change to rendered ladder) | {', '.join(f'{x:.0f}' for x in t['player'])} | {med['player']:.0f} |",
                    f"| baseline: fetch + JSON.parse of the same two files, no check, no render | {', '.join(f'{x:.0f}' for x in t['baseline'])} | {med['baseline']:.0f} |",
                ]
            )
        )
        print("written to bench/RESULTS.md (## Tonight page)")


if __name__ == "__main__":
    main()
