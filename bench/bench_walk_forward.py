"""Walk-forward engine: `nba-assets predict` on a 46-date slate vs `nba-assets evaluate` on those dates.

    .venv/bin/python bench/bench_walk_forward.py [--model-dir DIR] [--no-results]

The slate is 46 consecutive game dates of 2024-25 from ../shared/data/nba_player_logs (every player
who appeared, ~4,800 rows); the history is the ten seasons' files (each date sees only games
before it). Both commands run in-process through the CLI entry point, each loading the history
files itself, with one model trained on games before the first date (trained here unless
--model-dir is given; not timed). Prints both figures beside the figure before the walk-forward
engine (7 min 16 s, issue 17) and writes section "## Walk-forward predict" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd
from results import write_section
from rich.console import Console

from nba_assets.cli import main as cli
from nba_assets.features import build_features
from nba_assets.inputs.box_scores import load_box_scores
from nba_assets.inputs.bundled import shared_paths
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets.predictions.training import train_points_model

FIRST_DATE = date(2024, 12, 1)
DATES = 46
BEFORE = "7 min 16 s (436 s) for `predict`, 19 s for `evaluate` (issue 17, before the engine)"
SECTION = "## Walk-forward predict"
console = Console(width=140)


def timed(argv: list[str]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    code = cli(argv)
    if code != 0:
        raise SystemExit(f"nba-assets {' '.join(argv[:1])} exited {code}")
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model-dir", type=Path, help="a model trained before the first date")
    parser.add_argument("--no-results", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args()
    paths = shared_paths()
    if len(paths) < 10:
        console.print(f"[yellow]skipped:[/yellow] needs ten seasons in ../shared/data (found {len(paths)})")
        return 0
    box = load_box_scores(paths)
    days = sorted(d for d in box["game_date"].unique() if d >= FIRST_DATE)[:DATES]
    slate = pd.concat([slate_from_box_scores(box, d) for d in days], ignore_index=True)
    # The logs record the neutral-site NBA Cup final (2024-12-17) as a team playing itself, which
    # slate validation rightly rejects: those rows stay out of the slate (evaluate scores them).
    slate = slate[slate["team"] != slate["opponent"]]
    work = Path(tempfile.mkdtemp(prefix="bench_wf_"))
    slate_path = work / "slate.csv"
    slate.drop(columns=["player_lookup"]).to_csv(slate_path, index=False)
    model_dir = args.model_dir
    if model_dir is None:
        model_dir = work / "model"
        console.print(f"training a model on games before {days[0]} (not timed) ...")
        train_points_model(build_features(box[box["game_date"] < days[0]]), days[0], model_dir)
    del box
    history = ["--history", *map(str, paths)]
    predict = ["predict", *history, "--slate", str(slate_path), "--out", str(work / "p.parquet")]
    predict += ["--model-dir", str(model_dir), "-q"]
    evaluate = ["evaluate", *history, "--from", str(days[0]), "--to", str(days[-1])]
    evaluate += ["--model-dir", str(model_dir), "--out", str(work / "eval"), "-q"]
    p_wall, p_cpu = timed(predict)
    e_wall, e_cpu = timed(evaluate)
    rows = len(pd.read_parquet(work / "p.parquet"))
    ratio = p_wall / e_wall
    figures = [
        f"- slate: {len(days)} game dates {days[0]} .. {days[-1]}, {len(slate):,} player rows, "
        f"{rows:,} prediction rows (every system x line); history: {len(paths)} seasons",
        f"- `predict`: {p_wall:.1f} s wall ({p_cpu:.1f} s CPU); target <= 30 s: {'met' if p_wall <= 30 else 'NOT met'}",
        f"- `evaluate` over the same dates: {e_wall:.1f} s wall ({e_cpu:.1f} s CPU)",
        f"- predict / evaluate: {ratio:.2f}x; target <= 2x: {'met' if ratio <= 2 else 'NOT met'}",
        f"- before: {BEFORE}",
    ]
    for line in figures:
        console.print(line, highlight=False)
    if not args.no_results:
        stamp = subprocess.run(["date", "-u"], capture_output=True, text=True, check=False).stdout.strip()
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        write_section(
            "\n".join(
                [
                    SECTION,
                    "",
                    "Command: `.venv/bin/python bench/bench_walk_forward.py " + " ".join(sys.argv[1:]) + "`",
                    f"Date: {stamp}",
                    f"Environment: Python {sys.version.split()[0]}, 2 cores shared (load average {load} at the end).",
                    "",
                    "Both commands in-process through the CLI, each loading the ten seasons' files; one "
                    "model trained before the first date (not timed). One walk-forward pass builds every "
                    "date's features and the learned history (each date sees only games before it). "
                    "With the 2 cores shared and busy, CPU seconds say how much work a command does.",
                    "",
                    *figures,
                ]
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
