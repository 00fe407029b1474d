"""Calibrated P(over) and picks against real books: the issue-24 targets, one command.

    nice -n 15 .venv/bin/python bench/bench_real_lines.py [--only dev|2022-23|2024-25] [--no-results]

Writes the real line files as prop_lines CSVs (bench/real_lines.py), trains one model per target on
the seasons before it (``nba-assets train --train-before``; reused when out/real-lines/models-<cut>
exists), then ``nba-assets evaluate --lines`` over the target window. Each line file given holds
the real lines before the window too: the model's hold-out predictions joined with them are the
calibration's first pairs, and the window's own earlier months are added month by month.

- dev (choices are made here): 2021-22 BettingPros lines, model trained before 2021-10-01.
- 2022-23 (reported once): BettingPros lines, model trained before 2022-10-01.
- 2024-25 (reported once): PrizePicks/Underdog lines (-137 a side), model trained before 2024-10-01.

Prints per target: MAE on real-line rows beside the line's, picks (hit rate, ROI and its bootstrap
90% interval, mean claimed EV), the reliability buckets and whether the targets hold, every stated
EV against its return, the every-OVER / every-UNDER baselines and the under-price sensitivity; writes the
section "## Real lines: calibration and picks" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from results import write_section

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out/real-lines"
HISTORY = sorted(str(p) for p in Path("/work/shared/data/nba_player_logs").glob("player_logs_*.csv"))
SYSTEMS = ["gradient_boosting", "moving_average"]
SECTION = "## Real lines: calibration and picks"
# evaluate's tables the bench prints per target, each under its title (none: the table speaks)
TABLES = {
    "line_mae": "",
    "picks": "",
    "picks_by_side": "",
    "picks_by_ev": "",
    "over_calibration": "",
    "stated_ev": "Every stated EV (each calibrated line's better side) against what betting it returned:",
    "baselines": "Baselines, every OVER / every UNDER at the same prices:",
    "under_price_sensitivity": "UNDER picks on a completed under price, re-priced at a -115/-115 margin:",
}


@dataclass(frozen=True)
class Target:
    name: str
    cut: str
    start: str
    end: str
    lines: tuple[str, ...]  # files under out/real-lines/lines


TARGETS = (
    Target(
        "dev",
        "2021-10-01",
        "2021-10-19",
        "2022-06-30",
        ("bettingpros_2020-21.csv", "bettingpros_2021-22.csv"),
    ),
    Target(
        "2022-23",
        "2022-10-01",
        "2022-10-18",
        "2023-06-30",
        ("bettingpros_2020-21.csv", "bettingpros_2021-22.csv", "bettingpros_2022-23.csv"),
    ),
    Target(
        "2024-25",
        "2024-10-01",
        "2024-10-22",
        "2025-01-12",
        (
            "bettingpros_2020-21.csv",
            "bettingpros_2021-22.csv",
            "bettingpros_2022-23.csv",
            "fantasy_apps_2024-25.csv",
        ),
    ),
)


def cli(*argv: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv/bin/nba-assets"), *argv], check=True, cwd=ROOT)
    return time.perf_counter() - started


def run(target: Target) -> dict:
    models = OUT / f"models-{target.cut}"
    seconds = {}
    if not models.is_dir():
        seconds["train"] = cli(
            "train", "--history", *HISTORY, "--train-before", target.cut, "--out", str(models), "-q"
        )
    lines = OUT / f"lines-{target.name}.csv"
    pd.concat([pd.read_csv(OUT / "lines" / f) for f in target.lines]).to_csv(lines, index=False)
    out = OUT / f"eval-{target.name}"
    seconds["evaluate"] = cli(
        "evaluate", "--history", *HISTORY, "--from", target.start, "--to", target.end, "--lines", str(lines),
        "--model-dir", str(models), "--systems", *SYSTEMS, "--out", str(out), "-q",
    )  # fmt: skip
    tables = {n: pd.read_csv(out / f"{n}.csv") for n in TABLES}
    return {"target": target, "seconds": seconds, **tables}


def md(frame: pd.DataFrame) -> str:
    def cell(v: object) -> str:
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns)
    return (
        head
        + "\n"
        + "\n".join("| " + " | ".join(cell(v) for v in r) + " |" for r in frame.itertuples(index=False))
    )


def verdict(result: dict) -> list[str]:
    rel, picks, mae = result["over_calibration"], result["picks"], result["line_mae"]
    out = []
    for system in SYSTEMS:
        mine = rel[(rel["system"] == system) & (rel["rows"] >= 200)]
        worst = mine["gap"].abs().max() if not mine.empty else float("nan")
        row = picks[picks["system"] == system]
        gap = float(row["ev_gap_pts"].iloc[0]) if not row.empty else float("nan")
        n = int(row["picks"].iloc[0]) if not row.empty else 0
        hit = float(row["hit_rate"].iloc[0]) if not row.empty else float("nan")
        roi_lo = float(row["roi_lo_pct"].iloc[0]) if not row.empty else float("nan")
        m = mae[mae["system"] == system]
        out.append(
            f"- {system}: reliability buckets >= 200 rows: {len(mine)}, worst |gap| {worst:.3f} "
            f"({'holds' if worst <= 0.03 else 'MISSED'}); claimed EV - realised ROI: {gap:+.1f} pts "
            f"({'holds' if abs(gap) <= 2 else 'MISSED'} on {n:,} picks); "
            f"MAE {m['mae'].mean():.2f} vs the line's {m['line_mae'].mean():.2f} "
            f"({'below' if m['mae'].mean() < m['line_mae'].mean() else 'not below'}); "
            f">= 55% on >= 1,000 picks with ROI interval > 0: "
            f"{'met' if n >= 1000 and hit >= 0.55 and roi_lo > 0 else 'not met'}"
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=[t.name for t in TARGETS])
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    subprocess.run(
        [sys.executable, str(ROOT / "bench/real_lines.py"), "--out", str(OUT / "lines")], check=True
    )
    parts = [
        SECTION,
        "",
        f"Command: `nice -n 15 .venv/bin/python bench/bench_real_lines.py` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
    ]
    for target in TARGETS:
        if args.only and target.name != args.only:
            continue
        result = run(target)
        lines = [
            f"### {target.name}: {target.start} .. {target.end}, model trained before {target.cut}",
            "",
            f"Lines: {', '.join(target.lines)}; seconds: {result['seconds']}",
            "",
            *verdict(result),
            "",
        ]
        for name, title in TABLES.items():
            lines += [title, ""] if title else []
            lines += [md(result[name]), ""]
        print("\n".join(lines), flush=True)
        parts += lines
    if not args.no_results:
        write_section("\n".join(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
