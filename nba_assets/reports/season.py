"""A season of graded results: hit rate and MAE per system, overall and by week.

Input is the ``prediction_results`` rows (RESULTS_SCHEMA) of the season's game days, read with
``Warehouse.results_for(date)``. Output: a Markdown summary, a weekly CSV and a PNG plot.

- MAE is over player-games: a player with three lines has three graded rows per system but one
  prediction, so the error counts once.
- Hit rate is over decided bets: rows whose ``hit`` is not null (OVER/UNDER with a line and no
  push); PASS and NO_LINE rows are not bets.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from nba_assets.predictions.odds import BREAK_EVEN
from nba_assets.rows import RESULTS_SCHEMA
from nba_assets.warehouse.base import Warehouse

log = logging.getLogger(__name__)
WEEKLY_COLUMNS = ["week_start", "system_id", "days", "player_games", "mae", "decided", "hits", "hit_rate"]
PLAYER_GAME = ["game_date", "game_id", "player_lookup", "system_id"]


@dataclass(frozen=True)
class ReportFiles:
    markdown: Path
    csv: Path
    plot: Path


def season_window(season: str) -> tuple[date, date]:
    """``2024-25`` -> 2024-07-01 .. 2025-06-30: the regular season and the playoffs."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", season.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"season {season!r} is not like 2024-25")
    start = int(match[1])
    return date(start, 7, 1), date(start + 1, 6, 30)


def load_results(warehouse: Warehouse, dates: Iterable[date]) -> tuple[pd.DataFrame, list[date]]:
    """The graded rows of every date, and the dates that had none."""
    tables, missing = [], []
    for day in dates:
        table = warehouse.results_for(day)
        (tables if table.num_rows else missing).append(table if table.num_rows else day)
    if not tables:
        return RESULTS_SCHEMA.empty_table().to_pandas(), missing
    return pa.concat_tables(tables).to_pandas(), missing


def _week_start(dates: pd.Series) -> pd.Series:
    days = pd.to_datetime(dates)
    return (days - pd.to_timedelta(days.dt.weekday, unit="D")).dt.date


def _aggregate(results: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """player_games, mae, decided, hits, hit_rate (and days) per group of ``by``."""
    games = results.drop_duplicates(PLAYER_GAME)
    errors = games.groupby(by, sort=True).agg(
        days=("game_date", "nunique"), player_games=("abs_error", "size"), mae=("abs_error", "mean")
    )
    decided = results[results["hit"].notna()].assign(hit=lambda f: f["hit"].astype(bool))
    bets = decided.groupby(by, sort=True).agg(decided=("hit", "size"), hits=("hit", "sum"))
    out = errors.join(bets, how="left").fillna({"decided": 0, "hits": 0})
    out[["decided", "hits"]] = out[["decided", "hits"]].astype(int)
    out["hit_rate"] = (out["hits"] / out["decided"]).where(out["decided"] > 0)
    return out.reset_index()


def weekly_summary(results: pd.DataFrame) -> pd.DataFrame:
    """One row per (week starting Monday, system)."""
    if results.empty:
        return pd.DataFrame(columns=WEEKLY_COLUMNS)
    frame = results.assign(week_start=_week_start(results["game_date"]))
    return _aggregate(frame, ["week_start", "system_id"])[WEEKLY_COLUMNS]


def system_summary(results: pd.DataFrame) -> pd.DataFrame:
    """One row per system over the whole window, best MAE first."""
    if results.empty:
        return pd.DataFrame(columns=["system_id", *WEEKLY_COLUMNS[2:]])
    return _aggregate(results, ["system_id"]).sort_values(["mae", "system_id"]).reset_index(drop=True)


def _fmt(value: object, kind: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if kind == "pct":
        return f"{float(value):.1%}"
    if kind == "float":
        return f"{float(value):.2f}"
    return f"{int(value):,}" if kind == "int" else str(value)


def _table(frame: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> list[str]:
    header = [label for label, _ in columns.values()]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in frame.itertuples(index=False):
        cells = [_fmt(getattr(row, name), kind) for name, (_, kind) in columns.items()]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_markdown(
    title: str,
    window: tuple[date, date],
    results: pd.DataFrame,
    weekly: pd.DataFrame,
    missing: list[date],
    plot_name: str,
) -> str:
    """The summary: per-system table, weekly hit rate per system, the plot, and what is missing."""
    systems = system_summary(results)
    graded_days = results["game_date"].nunique() if not results.empty else 0
    lines = [
        f"# {title}",
        "",
        f"Window {window[0]} .. {window[1]}; generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        f"{graded_days} graded game days, {len(results):,} graded rows "
        f"({results.drop_duplicates(PLAYER_GAME[:3]).shape[0]:,} player-games x "
        f"{results['system_id'].nunique()} systems).",
        "",
        "MAE is the mean absolute error of predicted points per player-game; hit rate is hits over "
        f"decided bets (OVER/UNDER with a line, pushes excluded); break-even at -110 is {BREAK_EVEN:.1%}. "
        "Lines are those the pipeline ran with: without line files, reference stand-ins (see `prop_lines`).",
        "",
        "## By system",
        "",
        *_table(
            systems,
            {
                "system_id": ("system", "str"),
                "days": ("days", "int"),
                "player_games": ("player-games", "int"),
                "mae": ("MAE", "float"),
                "decided": ("bets", "int"),
                "hits": ("hits", "int"),
                "hit_rate": ("hit rate", "pct"),
            },
        ),
        "",
        f"![hit rate and MAE by week]({plot_name})",
        "",
    ]
    if not weekly.empty:
        pivot = weekly.pivot(index="week_start", columns="system_id", values="hit_rate").reset_index()
        mae = weekly.pivot(index="week_start", columns="system_id", values="mae").reset_index()
        names = [c for c in pivot.columns if c != "week_start"]
        lines += [
            "## Hit rate by week",
            "",
            *_table(pivot, {"week_start": ("week of", "str"), **{n: (n, "pct") for n in names}}),
            "",
            "## MAE by week",
            "",
            *_table(mae, {"week_start": ("week of", "str"), **{n: (n, "float") for n in names}}),
            "",
        ]
    if missing:
        shown = ", ".join(d.isoformat() for d in missing[:10]) + (" …" if len(missing) > 10 else "")
        lines += [
            "## Not graded",
            "",
            f"{len(missing)} game days have no graded results: {shown}.",
            "Backfill them (`nba-assets backfill`) and report again.",
            "",
        ]
    return "\n".join(lines)


def write_report(
    results: pd.DataFrame,
    missing: list[date],
    out_dir: Path,
    name: str,
    title: str,
    window: tuple[date, date],
) -> ReportFiles:
    """``<name>.md``, ``<name>_weekly.csv`` and ``<name>.png`` in ``out_dir``, each written atomically."""
    from nba_assets.reports.plot import plot_weekly

    out_dir.mkdir(parents=True, exist_ok=True)
    weekly = weekly_summary(results)
    files = ReportFiles(out_dir / f"{name}.md", out_dir / f"{name}_weekly.csv", out_dir / f"{name}.png")
    _atomic(files.csv, lambda tmp: weekly.to_csv(tmp, index=False, float_format="%.4f"))
    _atomic(files.plot, lambda tmp: plot_weekly(weekly, tmp, title))
    markdown = render_markdown(title, window, results, weekly, missing, files.plot.name)
    _atomic(files.markdown, lambda tmp: tmp.write_text(markdown, encoding="utf-8"))
    log.info("season report %s: %d rows, %d weeks", name, len(results), weekly["week_start"].nunique())
    return files


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    tmp.replace(path)
