"""nba-assets report: a season's graded results as Markdown, a weekly CSV and a PNG plot."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from rich.table import Table

from nba_assets.commands.common import add_history_argument, console, load_history


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="hit rate and MAE per system over a season", description=__doc__)
    p.add_argument(
        "--season", default="2024-25", help="season like 2024-25 (July 1 to June 30; default 2024-25)"
    )
    p.add_argument(
        "--from", dest="start", type=date.fromisoformat, help="first date (overrides the season's)"
    )
    p.add_argument("--to", dest="end", type=date.fromisoformat, help="last date (overrides the season's)")
    p.add_argument("--out", type=Path, help="output folder (default $NBA_ASSETS_HOME/reports)")
    p.add_argument(
        "--profile", choices=["local", "gcp"], help="warehouse profile (default $NBA_ASSETS_PROFILE or local)"
    )
    add_history_argument(p)
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(handler=run)


def game_days(history_paths: list[str] | None, window: tuple[date, date]) -> list[date]:
    """The window's dates with box scores: only those can have graded results."""
    history = load_history(history_paths)
    days = sorted(set(history["game_date"]))
    return [d for d in days if window[0] <= d <= window[1]]


def run(args: argparse.Namespace) -> int:
    from nba_assets.reports.season import load_results, season_window, write_report

    season = season_window(args.season)
    window = (args.start or season[0], args.end or season[1])
    if window[0] > window[1]:
        raise ValueError(f"--from {window[0]} is after --to {window[1]}")
    custom = args.start is not None or args.end is not None
    name = f"report_{window[0]}_{window[1]}" if custom else f"season_{args.season}"
    title = (
        f"Predictions graded {window[0]} .. {window[1]}"
        if custom
        else f"Season {args.season}: graded predictions"
    )
    from nba_assets.defs.resources import resources_for  # the same warehouse the pipeline writes
    from nba_assets.environment import local_root, profile

    warehouse = resources_for(args.profile or profile())["warehouse"].process_config_and_initialize().get()
    warehouse.ensure_schema()  # idempotent; a fresh warehouse then reports "nothing graded yet"
    days = game_days(args.history, window)
    if not days:
        raise ValueError(f"no game days between {window[0]} and {window[1]} in the box scores")
    results, missing = load_results(warehouse, days)
    files = write_report(results, missing, args.out or local_root() / "reports", name, title, window)
    if not args.quiet:
        from nba_assets.reports.season import system_summary

        table = Table(title=title)
        for column in ("system", "player-games", "MAE", "bets", "hit rate"):
            table.add_column(column)
        for row in system_summary(results).itertuples(index=False):
            rate = "–" if row.decided == 0 else f"{row.hit_rate:.1%}"
            table.add_row(row.system_id, f"{row.player_games:,}", f"{row.mae:.2f}", f"{row.decided:,}", rate)
        console.print(table)
        console.print(
            f"{len(days) - len(missing)}/{len(days)} game days graded"
            + (f"; missing e.g. {missing[0]}" if missing else "")
        )
        for path in (files.markdown, files.csv, files.plot):
            console.print(f"wrote [bold]{path}[/bold]")
    return 0 if not results.empty else 1
