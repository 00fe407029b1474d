"""Pieces the commands share: history sources, progress bars, writing a table."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from nba_assets.inputs.box_scores import load_box_scores
from nba_assets.inputs.bundled import bundled_box_scores

console = Console()


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
