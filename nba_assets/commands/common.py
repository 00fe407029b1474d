"""Pieces the commands share: history sources, progress bars, writing a table, Dagster settings."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from nba_assets import game_day
from nba_assets.inputs.box_scores import load_box_scores
from nba_assets.inputs.bundled import bundled_box_scores

console = Console()
errors = Console(stderr=True, soft_wrap=True)


def print_error(text: str) -> None:
    """A command's failure as the CLI's one ``error:`` line on stderr (as ``cli.main`` prints them)."""
    errors.print(f"[red]error:[/red] {' '.join(text.split())}", markup=True, highlight=False)


def add_history_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--history",
        nargs="+",
        metavar="PATH",
        help="box score files (CSV/Parquet, NBA stats export or canonical columns) or bq://project.dataset.table; "
        "default: the bundled 2023-24 and 2024-25 sample",
    )


def load_history(paths: list[str] | None) -> pd.DataFrame:
    return load_box_scores(paths) if paths else bundled_box_scores()


def matched_lines(path, on_suspicious: str, players: pd.DataFrame, quiet: bool) -> pd.DataFrame:
    """A lines file in any supported shape, names matched to ``players`` (box scores and slate rows);
    every name that matched no player who played is printed with its date and game."""
    from nba_assets.inputs.lines import read_lines

    loaded = read_lines(path, on_suspicious, players[["game_date", "player_lookup", "player_name", "team"]])
    unmatched = loaded.unmatched
    if not quiet and len(unmatched):
        unknown = unmatched[unmatched["reason"] != "did not play"]
        console.print(
            f"lines {path}: {len(unknown)} name(s) matched no player ({int(unknown['rows'].sum())} line(s)); "
            f"{len(unmatched) - len(unknown)} name(s) of players absent from their game"
        )
        for r in unknown.head(50).itertuples(index=False):
            console.print(
                f"  unmatched: {r.game_date} {r.game}: {r.player_name!r} ({r.rows} line(s))", highlight=False
            )
        if len(unknown) > 50:
            console.print(f"  ... and {len(unknown) - 50} more")
    return loaded.lines


def progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    )


def write_table(frame: pd.DataFrame, out: Path) -> Path:
    """CSV or Parquet by suffix, written to a temp file then renamed so a failure leaves no half file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    if out.suffix.lower() == ".parquet":
        frame.to_parquet(tmp, index=False)
    else:
        frame.to_csv(tmp, index=False)
    tmp.replace(out)
    return out


def game_date(text: str) -> str:
    """``today``, ``tomorrow`` (America/New_York, the game days' zone) or a YYYY-MM-DD date."""
    from nba_assets.inputs.bundled import DEMO_DATE

    if text in ("today", "tomorrow"):
        return (game_day.tomorrow() if text == "tomorrow" else game_day.today()).isoformat()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"date {text!r} is not YYYY-MM-DD, today or tomorrow (e.g. {DEMO_DATE})") from None


def dagster_settings(args: argparse.Namespace) -> Path:
    """Checks --shards against the settings field's own limit (``PipelineSettings.shard_count``);
    returns DAGSTER_HOME. --profile and --shards reach the definitions as arguments
    (:func:`cli_definitions`), never through the environment.
    """
    if args.shards is not None:
        from pydantic import ValidationError

        from nba_assets.defs.partitions import MAX_SHARDS
        from nba_assets.defs.settings import PipelineSettings

        try:
            PipelineSettings(shard_count=args.shards)
        except ValidationError:
            raise ValueError(f"--shards {args.shards} must be between 1 and {MAX_SHARDS}") from None
    return args.dagster_home or Path(os.environ.get("DAGSTER_HOME") or ".dagster_home")


def cli_profile(args: argparse.Namespace) -> str:
    """--profile, else $NBA_ASSETS_PROFILE, else local."""
    from nba_assets.environment import profile

    return args.profile or profile()


def cli_definitions(args: argparse.Namespace):
    """The definitions with this command's --profile and --shards (when given) as resource values."""
    from nba_assets.instance.day_run import definitions_for

    return definitions_for(args.profile, getattr(args, "shards", None))


def add_dagster_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", choices=["local", "gcp"], help="storage profile (default $NBA_ASSETS_PROFILE or local)"
    )
    parser.add_argument(
        "--shards", type=int, help="shards a day is split into (default $NBA_ASSETS_SHARDS or 4)"
    )
    parser.add_argument(
        "--dagster-home", type=Path, help="Dagster instance folder (default $DAGSTER_HOME or ./.dagster_home)"
    )
