"""nba-assets backfill: past game days through a real Dagster instance, consolidated and graded."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from rich.table import Table

from nba_assets.commands.common import add_dagster_arguments, console, dagster_settings, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backfill", help="run and grade every game day of a date range or season", description=__doc__
    )
    p.add_argument("--season", help="season like 2024-25 (its game days in the box scores)")
    p.add_argument("--from", dest="start", type=date.fromisoformat, help="first date YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=date.fromisoformat, help="last date YYYY-MM-DD")
    add_dagster_arguments(p)
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        help="worker processes sharing the instance (default 2: one per core of a small machine)",
    )
    p.add_argument("--no-grade", action="store_true", help="consolidate only; grade later")
    p.add_argument("--redo", action="store_true", help="also re-run days already graded")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(handler=run)


def _window(args: argparse.Namespace) -> tuple[date, date]:
    from nba_assets.reports.season import season_window

    if args.season:
        start, end = season_window(args.season)
        return args.start or start, args.end or end
    if not (args.start and args.end):
        raise ValueError("give --season, or both --from and --to")
    return args.start, args.end


def run(args: argparse.Namespace) -> int:
    start, end = _window(args)
    if not 1 <= args.workers <= 8:
        raise ValueError(f"--workers {args.workers} must be between 1 and 8")
    home = dagster_settings(args)
    from nba_assets.backfill import BACKFILL_TAG, backfill, game_days, train_model
    from nba_assets.backfill_workers import parallel_backfill
    from nba_assets.day_run import prepare_home
    from nba_assets.definitions import defs
    from nba_assets.defs.settings import NbaInputsResource, PipelineSettings

    # the box scores the pipeline itself reads: $NBA_ASSETS_BOX_SCORES, else the bundled sample
    dates = game_days(NbaInputsResource.from_env().history()["game_date"], start, end)
    if not dates:
        raise ValueError(f"no game days between {start} and {end} in the box scores")
    instance = prepare_home(home)
    definitions = defs()
    with progress(args.quiet) as bar:
        task = bar.add_task(f"backfill {dates[0]} .. {dates[-1]}", total=len(dates))
        # trained once up front (run_day would also do it, but two workers would train it twice)
        if PipelineSettings.from_env().needs_model(date.fromisoformat(dates[0])):
            bar.update(task, description=f"training points_model on games before {dates[0]}")
            model = train_model(definitions, instance, dates[0], {BACKFILL_TAG: "model"})
            if model.status != "SUCCESS":
                raise RuntimeError(f"points_model training failed (run {model.run_id}); see it in the UI")

        def on_day(day) -> None:
            bar.update(task, advance=1, description=f"backfill {day.game_date}: {day.status}")

        if args.workers > 1:
            home = Path(os.environ["DAGSTER_HOME"])
            result = parallel_backfill(
                home, dates, args.workers, grade=not args.no_grade, redo=args.redo, on_day=on_day
            )
        else:
            result = backfill(
                definitions, instance, dates, grade=not args.no_grade, redo=args.redo, on_day=on_day
            )
    failed = [d for d in result.days if d.status == "failed"]
    if not args.quiet:
        table = Table(
            title=f"backfill {result.backfill_id}: {dates[0]} .. {dates[-1]} ({result.seconds:.0f} s)"
        )
        for column in ("days", "graded", "consolidated only", "skipped", "failed", "Dagster runs"):
            table.add_column(column)
        table.add_row(
            str(len(result.days)),
            str(result.count("graded")),
            str(result.count("consolidated")),
            str(result.count("skipped")),
            str(len(failed)),
            str(len(result.runs)),
        )
        console.print(table)
        for day in failed[:10]:
            console.print(f"[red]{day.game_date}[/red]: {day.note}")
        console.print(
            f"UI: DAGSTER_HOME={os.environ['DAGSTER_HOME']} .venv/bin/dagster dev; "
            f"then `nba-assets report --season ...`"
        )
    return 1 if failed else 0
