"""Benchmark: the one MERGE per batch on DuckDB and on bqemulator, 50 / 450 / 2,000 players x 25 rows.

    .venv/bin/python bench/bench_merge.py [--sizes 50,450,2000] [--repeats 3] [--no-bigquery]

Times the MERGE (statistics + MERGE + counts, as ``merge_staging`` runs it) of a first run (all
rows inserted) and of a re-run of the same day (all rows updated in place), reports the growth
ratio 2,000/450 and the DML statements per batch, and writes the ``## Warehouse MERGE`` section
of bench/RESULTS.md. Staging writes are not timed (workers write them in parallel).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from results import RESULTS, write_section
from rich.console import Console
from rich.table import Table

from nba_assets.naming import batch_id_for
from nba_assets.warehouse.local import DuckDBWarehouse
from nba_assets_tests.emulators.bigquery import INSTALL, VENV, BigQueryEmulator
from nba_assets_tests.warehouse.factory import bulk_lines, later, player_staging

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Warehouse MERGE"
DAY = date(2025, 2, 12)
ROWS_PER_PLAYER = 25


def stage_all(wh, players: list[str], batch_id: str, minutes: int, workers: int) -> None:
    lines = bulk_lines(ROWS_PER_PLAYER)

    def one(player: str) -> None:
        wh.write_staging(
            batch_id, player, player_staging(batch_id, DAY, player, lines, staged_at=later(minutes))
        )

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, players))


def timed_merges(make_wh, n_players: int, workers: int) -> dict:
    """First MERGE (inserts) and re-run MERGE (updates) of one batch of n_players."""
    wh = make_wh()
    wh.ensure_schema()
    players = [f"player{i:04d}" for i in range(n_players)]
    batch_id = batch_id_for(DAY, players)
    stage_all(wh, players, batch_id, 0, workers)
    out = {}
    for label in ("first", "rerun"):
        dml_before = wh.dml_statements
        started, cpu = time.perf_counter(), time.process_time()
        result = wh.merge_staging(batch_id, DAY)
        out[label] = time.perf_counter() - started
        out[f"{label}_cpu"] = time.process_time() - cpu  # this process only (DuckDB runs in it)
        out[f"{label}_dml"] = wh.dml_statements - dml_before
        expected = (n_players * ROWS_PER_PLAYER, 0) if label == "first" else (0, n_players * ROWS_PER_PLAYER)
        assert (result.inserted, result.updated) == expected, result
        assert result.dml_statements == 1
    assert wh.verify(batch_id, DAY).ok
    return out


def run_backend(
    name: str, make_wh, sizes: list[int], repeats: int, workers: int, console: Console
) -> list[dict]:
    rows = []
    for n in sizes:
        runs = [timed_merges(make_wh, n, workers) for _ in range(repeats)]
        row = {
            "backend": name,
            "players": n,
            "rows": n * ROWS_PER_PLAYER,
            "repeats": repeats,
            "first": statistics.median(r["first"] for r in runs),
            "rerun": statistics.median(r["rerun"] for r in runs),
            "cpu": statistics.median(r["first_cpu"] for r in runs),
            "dml": max(max(r["first_dml"], r["rerun_dml"]) for r in runs),
        }
        console.log(f"{name} {n} players: first {row['first']:.3f}s, re-run {row['rerun']:.3f}s")
        rows.append(row)
    return rows


def duckdb_factory(tmp: Path):
    counter = iter(range(10**6))

    def make() -> DuckDBWarehouse:
        run = tmp / f"duckdb-{next(counter)}"
        return DuckDBWarehouse(run / "warehouse.duckdb", run / "staging")

    return make


def with_emulator(tmp: Path, fn):
    binary = VENV / "bin" / "bqemulator"
    if not binary.exists():
        subprocess.run(["bash", str(INSTALL)], check=True)
    emulator = BigQueryEmulator(binary, tmp / "bqemulator").start()
    counter = iter(range(10**6))
    try:
        return fn(lambda: emulator.warehouse(f"bench_{next(counter)}"))
    finally:
        emulator.stop()


def ratio(rows: list[dict], backend: str, key: str) -> str:
    by = {r["players"]: r[key] for r in rows if r["backend"] == backend}
    return f"{by[2000] / by[450]:.2f}" if 2000 in by and 450 in by and by[450] else "n/a"


def target(rows: list[dict]) -> str:
    at_450 = [r["first"] for r in rows if r["backend"] == "duckdb" and r["players"] == 450]
    if not at_450:
        return "- target DuckDB <= 1 s for 450 players: not measured in this run"
    verdict = "met" if at_450[0] <= 1.0 else "NOT met"
    return f"- target DuckDB <= 1 s for 450 players: {verdict} (first MERGE {at_450[0]:.3f} s)"


def render(rows: list[dict], args: argparse.Namespace) -> tuple[Table, str]:
    table = Table(title=f"MERGE of a batch, {ROWS_PER_PLAYER} rows per player")
    for col in (
        "backend",
        "players",
        "rows",
        "first MERGE s",
        "re-run MERGE s",
        "client CPU s",
        "DML / batch",
    ):
        table.add_column(col, justify="right")
    md = [
        "| backend | players | rows | first MERGE (s) | re-run MERGE (s) | client CPU, first (s) "
        "| DML statements / batch |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cells = (
            r["backend"],
            str(r["players"]),
            f"{r['rows']:,}",
            f"{r['first']:.3f}",
            f"{r['rerun']:.3f}",
            f"{r['cpu']:.3f}",
            str(r["dml"]),
        )
        table.add_row(*cells)
        md.append("| " + " | ".join(cells) + " |")
    backends = sorted({r["backend"] for r in rows})
    notes = [
        f"- ratio 2,000/450 ({b}): first {ratio(rows, b, 'first')}, re-run {ratio(rows, b, 'rerun')} "
        f"(players x{2000 / 450:.2f})"
        for b in backends
    ]
    stamp = datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")  # the `date -u` format
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = "\n".join(
        [
            SECTION,
            "",
            f"Command: `.venv/bin/python bench/bench_merge.py{args.cmdline}`",
            f"Date: {stamp}",
            f"Environment: Python {platform.python_version()}, DuckDB {duckdb.__version__}, bqemulator 1.4.0 "
            f"(its own venv, DuckDB 1.5.5), 2 cores shared (load average {load} at the end); median of "
            f"{args.repeats} runs (DuckDB), {args.bq_repeats} (emulator).",
            "",
            "A run stages every player (not timed), then times `merge_staging` twice: the first MERGE "
            "inserts every row, the re-run updates every row in place. Each is the statistics query, "
            "the one MERGE (deactivation included, `WHEN NOT MATCHED BY SOURCE`) and the counts query; "
            "there is no separate UPDATE, so a batch is exactly 1 DML statement. "
            "Client CPU is this process's CPU time (DuckDB's work; for the emulator only the client's), "
            "a figure less sensitive than wall time to other load on the 2 shared cores.",
            "",
            *md,
            "",
            *notes,
            target(rows),
            "",
        ]
    )
    return table, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,450,2000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bq-repeats", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4, help="threads writing staging (not timed)")
    parser.add_argument("--no-bigquery", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not touch bench/RESULTS.md")
    args = parser.parse_args()
    defaults = {"sizes": "50,450,2000", "repeats": 3, "bq_repeats": 1, "workers": 4, "no_bigquery": False}
    args.cmdline = "".join(
        f" --{k.replace('_', '-')}" + ("" if isinstance(v, bool) else f" {v}")
        for k, v in vars(args).items()
        if k in defaults and v != defaults[k]
    )
    sizes = [int(s) for s in args.sizes.split(",")]
    console = Console()
    with tempfile.TemporaryDirectory(prefix="bench-merge-") as tmp:
        rows = run_backend("duckdb", duckdb_factory(Path(tmp)), sizes, args.repeats, args.workers, console)
        if not args.no_bigquery:
            rows += with_emulator(
                Path(tmp),
                lambda make: run_backend("bqemulator", make, sizes, args.bq_repeats, args.workers, console),
            )
    table, text = render(rows, args)
    console.print(table)
    for line in text.splitlines():
        if line.startswith("- ratio"):
            console.print(line)
    if not args.no_write:
        write_section(text)
        console.print(f"wrote {SECTION!r} in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
