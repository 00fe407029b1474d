"""nba-assets predict: a slate file in, one row per player x system x line out."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from nba_assets.commands.common import (
    add_history_argument,
    console,
    load_history,
    matched_lines,
    progress,
    write_table,
)
from nba_assets.features.builder import walk_forward
from nba_assets.inputs.availability import OUT_STATUSES, load_availability
from nba_assets.inputs.slates import load_slate
from nba_assets.predictions import model_store, registry
from nba_assets.predictions.base import any_needs_history
from nba_assets.predictions.picks import Picker
from nba_assets.predictions.runner import expand_lines, outcomes, run_systems

COLUMNS = [
    "game_date",
    "player_lookup",
    "player_name",
    "system_id",
    "line",
    "predicted_points",
    "confidence",
    "recommendation",
    "edge",
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("predict", help="predict points for a slate file", description=__doc__)
    add_history_argument(p)
    p.add_argument(
        "--slate",
        required=True,
        type=Path,
        help="CSV: game_date, player_name, team, opponent, is_home[, line]",
    )
    p.add_argument(
        "--lines",
        type=Path,
        help="prop lines file: game_date, player_name, line[, bookmaker, over_price, under_price, home_team, away_team], or BettingPros' game_date, player_slug, line, price (names matched to the players)",
    )
    p.add_argument(
        "--availability",
        nargs="+",
        metavar="FILE",
        help="who is out (game_date, player, status): players listed out are not predicted and count "
        "as absent for their teammates' availability features",
    )
    p.add_argument("--out", required=True, type=Path, help="output CSV or .parquet")
    p.add_argument("--systems", nargs="+", choices=registry.available(), help="default: all")
    p.add_argument("--model-dir", type=Path, help="trained points model (gradient_boosting)")
    p.add_argument(
        "--suspicious-lines",
        choices=["reject", "warn", "allow"],
        default="warn",
        help="what to do when many players share one line (a placeholder such as 20.0)",
    )
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    slate, lines = load_slate(args.slate)
    history = load_history(args.history)
    if args.lines:
        players = pd.concat([history, slate], ignore_index=True)
        lines = matched_lines(args.lines, args.suspicious_lines, players, args.quiet)
    systems = registry.build_systems(args.systems, args.model_dir)
    listed_out = None
    if args.availability:
        listed = load_availability([str(p) for p in args.availability])
        listed_out = listed[listed["status"].isin(OUT_STATUSES)]
    with progress(args.quiet) as bar:
        task = bar.add_task("predicting", total=2 + len(systems))
        # One walk-forward pass for every date of the slate: features and learned history together.
        features, learned = walk_forward(history, slate, listed_out)
        if listed_out is not None:
            out_keys = set(zip(listed_out["game_date"], listed_out["player_lookup"], strict=True))
            is_out = [
                k in out_keys for k in zip(features["game_date"], features["player_lookup"], strict=True)
            ]
            features = features[~pd.Series(is_out, index=features.index)]
        if not any_needs_history(systems):
            learned = None
        bar.advance(task, 2)
        outputs = {}
        for system in systems:
            outputs.update(run_systems(features, [system], learned, upstream=outputs, lines=lines))
            bar.advance(task)
    picker = Picker.from_model_dir(model_store.version_dir(args.model_dir) if args.model_dir else None)
    rows = expand_lines(features, outputs, lines, {s.system_id: s.version for s in systems}, picker)
    rows = rows.rename(columns={"points_line": "line"})[COLUMNS]
    write_table(rows, args.out)
    skipped = [
        o
        for o in outcomes(features, outputs, rows.rename(columns={"line": "points_line"}))
        if o.status == "skipped"
    ]
    if not args.quiet:
        console.print(
            f"[green]wrote[/green] {len(rows):,} predictions for {rows['player_lookup'].nunique()} players "
            f"x {len(systems)} systems to [bold]{args.out}[/bold]"
            + (
                f"; {len(skipped)} skipped (e.g. {skipped[0].player_lookup}: {skipped[0].reason})"
                if skipped
                else ""
            )
        )
    return 0
