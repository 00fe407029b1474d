"""nba-assets evaluate: backtest the systems over a date range, print and write the report."""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import date
from pathlib import Path

from rich import box
from rich.table import Table

from nba_assets.commands.common import add_history_argument, console, load_history, matched_lines, progress
from nba_assets.features import build_features
from nba_assets.inputs.lines import reference_lines
from nba_assets.predictions import model_store, registry
from nba_assets.predictions.evaluation import HEADLINE_MINUTES, Backtest, backtest, pick_table
from nba_assets.predictions.picks import EV_MARGIN, Picker
from nba_assets.predictions.training import train_points_model
from nba_assets.reports.backtest import LINES_NOTE, calibration_note, headline, write_report

LEARNED = {"gradient_boosting", "ensemble", "market_blend"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate", help="walk-forward backtest of the prediction systems", description=__doc__
    )
    add_history_argument(p)
    p.add_argument("--from", dest="start", required=True, type=date.fromisoformat, metavar="DATE")
    p.add_argument("--to", dest="end", required=True, type=date.fromisoformat, metavar="DATE")
    p.add_argument(
        "--systems",
        nargs="+",
        choices=registry.available(),
        help="default: all (the ensemble also runs the systems it blends)",
    )
    p.add_argument(
        "--lines",
        type=Path,
        help="prop lines file (any shape predict --lines takes; names matched to the box scores); default: reference stand-in lines",
    )
    p.add_argument(
        "--out", type=Path, default=Path("out/evaluation"), help="report directory (default out/evaluation)"
    )
    p.add_argument(
        "--model-dir",
        type=Path,
        help="trained points model (must predate --from); default: train one on the history before --from",
    )
    p.add_argument(
        "--ev-margin",
        type=float,
        default=EV_MARGIN,
        help=f"pick only where calibrated EV at the real price is at least this per unit staked (default {EV_MARGIN:g})",
    )
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.end < args.start:
        raise ValueError(f"--to {args.end} is before --from {args.start}")
    names = list(args.systems or registry.available())
    if "ensemble" in names:
        names = list(registry.available())
    if args.model_dir is not None and model_store.version_dir(args.model_dir) is None:
        raise ValueError(
            f"--model-dir {args.model_dir}: no trained model there (give the directory `train --out` "
            "wrote, or one of its version directories)"
        )
    history = load_history(args.history)
    history = history[history["game_date"] <= args.end]
    with progress(args.quiet) as bar:
        task = bar.add_task("features", total=None)
        features = build_features(history)
        model_dir = args.model_dir
        if model_dir is None and LEARNED & set(names):
            model_dir = args.out / "model"
            bar.update(task, description=f"training on games before {args.start}")
            train_points_model(features, args.start, model_dir)
        systems = registry.build_systems(names, model_dir)
        window = features[(features["game_date"] >= args.start) & (features["game_date"] <= args.end)]
        if args.lines:
            lines, source = matched_lines(args.lines, "warn", history, args.quiet), "files"
        else:
            lines, source = reference_lines(window), "reference"
        months = (args.end.year - args.start.year) * 12 + args.end.month - args.start.month + 1
        bar.update(task, description="backtest", total=months, completed=0)
        result = backtest(
            features,
            args.start,
            args.end,
            systems,
            lines,
            source,
            step=lambda label: bar.update(task, advance=1, description=f"backtest {label}"),
            picker=Picker.from_model_dir(
                model_store.version_dir(model_dir) if model_dir else None, args.ev_margin, lines
            ),
        )
    result.meta["model_dir"] = str(model_dir) if model_dir else None
    result.meta["ev_margin"] = args.ev_margin
    command = "nba-assets " + shlex.join(sys.argv[1:]) if sys.argv[1:] else ""
    paths = write_report(result, args.out, command)
    if not args.quiet:
        _print(result)
        console.print(f"[green]wrote[/green] {', '.join(p.name for p in paths)} to [bold]{args.out}[/bold]")
    return 0


def _print(result: Backtest) -> None:
    table = Table(
        title=f"Backtest {result.start} .. {result.end}: {len(result.scored):,} scored games; "
        f"rows..vs avg: players with >= {HEADLINE_MINUTES:g} min, 'all': every scored game",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("system", no_wrap=True)
    for column in ("rows", "MAE", "RMSE", "bias", "vs avg", "MAE all", "bias all"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in headline(result).itertuples(index=False):
        table.add_row(
            row.system,
            f"{row.rows:,}",
            f"{row.mae:.3f}",
            f"{row.rmse:.3f}",
            f"{row.bias:+.2f}",
            f"{row.vs_season_avg_pct:+.1f}%",
            f"{row.mae_all:.3f}",
            f"{row.bias_all:+.2f}",
        )
    console.print(table)
    overall = pick_table(result)
    note = LINES_NOTE.get(result.lines_source, result.lines_source).replace("**", "").replace("`", "")
    if overall.empty:
        console.print(f"No picks {note}.", highlight=False)
    else:
        picks = ", ".join(
            f"{r.system} {r.hit_rate:.1%} of {r.picks:,}, ROI {r.roi_pct:+.1f}% "
            f"(90% {r.roi_lo_pct:+.1f}..{r.roi_hi_pct:+.1f}), claimed EV {r.mean_ev_pct:+.1f}%"
            for r in overall.itertuples()
        )
        console.print(f"Picks by calibrated EV {note}: {picks}", highlight=False)
    if warning := calibration_note(result.meta.get("calibration")):
        console.print(f"[yellow]{warning}[/yellow]", highlight=False)
