"""nba-assets train: fit the gradient-boosting points model on games before a date, save a version."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pandas as pd
from rich.table import Table

from nba_assets.commands.common import add_history_argument, console, load_history, progress
from nba_assets.features import build_features
from nba_assets.inputs.lines import load_lines
from nba_assets.predictions import line_calibration
from nba_assets.predictions.gradient_boosting import ROUNDS
from nba_assets.predictions.training import train_points_model


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train the gradient-boosting points model", description=__doc__)
    add_history_argument(p)
    p.add_argument(
        "--train-before",
        required=True,
        type=date.fromisoformat,
        metavar="DATE",
        help="train on games strictly before this date (YYYY-MM-DD)",
    )
    p.add_argument(
        "--out", required=True, type=Path, help="model root: writes <out>/<version>/ and <out>/latest"
    )
    p.add_argument("--rounds", type=int, default=ROUNDS, help=f"boosting rounds (default {ROUNDS})")
    p.add_argument(
        "--lines",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="real prop lines (files like prop_lines): their pairs with the hold-out's predictions before "
        "--train-before calibrate P(over) (stored beside the model); without them picks are uncalibrated",
    )
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    history = load_history(args.history)
    history = history[history["game_date"] < args.train_before]
    if history.empty:
        raise ValueError(f"no box scores before {args.train_before} in the history given")
    with progress(args.quiet) as bar:
        task = bar.add_task("features", total=2)
        features = build_features(history)
        bar.update(task, advance=1, description="training (model + hold-out calibration)")
        info = train_points_model(features, args.train_before, args.out, rounds=args.rounds)
        bar.advance(task)
    fitted = {}
    if args.lines:
        lines = pd.concat([load_lines(path) for path in args.lines], ignore_index=True)
        pairs = line_calibration.pairs_from(line_calibration.load_holdout(Path(info.path)), lines)
        fitted = line_calibration.save(pairs, args.train_before, Path(info.path))
    if not args.quiet:
        table = Table(title=f"points model {info.version}", show_header=False)
        for key, value in (
            ("saved to", info.path),
            ("training window", f"{info.train_start} .. {info.train_end}"),
            ("rows", f"{info.rows:,}"),
            ("features", str(len(info.features))),
            ("seed", str(info.seed)),
            ("seconds", f"{info.seconds:.1f}"),
            (
                "P(over) calibration",
                ", ".join(f"{k} {v.pairs:,} pairs" for k, v in fitted.items())
                + (
                    " (first-season: none from a season before --train-before's, so P(over) and EV"
                    " are stated and no pick is made; docs/picks.md)"
                    if any(v.first_season for v in fitted.values())
                    else ""
                )
                or "uncalibrated (no real lines given: --lines)",
            ),
        ):
            table.add_row(key, value)
        console.print(table)
    return 0
