"""nba-assets run-day: the whole day through a real Dagster instance (slate, shards, consolidation)."""

from __future__ import annotations

import argparse
import os

from rich.table import Table

from nba_assets.commands.common import (
    add_dagster_arguments,
    cli_definitions,
    cli_profile,
    console,
    dagster_settings,
    game_date,
    print_error,
    progress,
)
from nba_assets.inputs.bundled import DEMO_DATE


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run-day", help="materialize one game day end to end", description=__doc__)
    p.add_argument(
        "date",
        nargs="?",
        default=DEMO_DATE,
        help=f"YYYY-MM-DD, today or tomorrow (America/New_York; default {DEMO_DATE})",
    )
    add_dagster_arguments(p)
    p.add_argument(
        "--force-partial", action="store_true", help="consolidate even if some players never reported"
    )
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    day = game_date(args.date)
    home = dagster_settings(args)
    from nba_assets.environment import local_root
    from nba_assets.instance.day_run import prepare_home, run_day  # Dagster imports only for this command

    instance = prepare_home(home)
    definitions = cli_definitions(args)
    with progress(args.quiet) as bar:
        task = bar.add_task(f"run-day {day}", total=2)

        def on_step(text: str, total: int) -> None:
            bar.update(task, description=f"run-day {day}: {text}")
            if text == "shards":
                bar.update(task, total=bar.tasks[0].total + total)
            else:
                bar.advance(task)

        result = run_day(
            definitions, instance, day, on_step=on_step, force_partial=args.force_partial, quiet=args.quiet
        )
    if not args.quiet:
        table = Table(title=f"Dagster runs for {day} (instance {os.environ['DAGSTER_HOME']})")
        for column in ("run id", "job", "partition", "status", "seconds"):
            table.add_column(column)
        for r in result.runs:
            table.add_row(r.run_id[:8], r.job, r.partition, r.status, f"{r.seconds:.2f}")
        console.print(table)
        for warning in (w for r in result.runs for w in r.warnings):
            console.print(f"[yellow]warning[/yellow] {warning}", highlight=False)
        if result.batch_id:
            console.print(f"batch [bold]{result.batch_id}[/bold]: " + (result.note or "consolidated"))
        if cli_profile(args) == "local":
            root = local_root()
            console.print(
                f"predictions table: [bold]{root / 'warehouse.duckdb'}[/bold] (player_prop_predictions)"
            )
            console.print(f"front-end files:   [bold]{root / 'exports' / 'v1'}[/bold]")
            console.print(
                "tonight page:      [bold].venv/bin/nba-assets serve[/bold] (http://127.0.0.1:8080/)"
            )
            console.print(f"batch store:       [bold]{root / 'batch_state.sqlite'}[/bold]")
        console.print(
            f"UI: DAGSTER_HOME={os.environ['DAGSTER_HOME']} .venv/bin/dagster dev  (shows these runs)"
        )
    if result.failed or not result.consolidated:
        # the last line says why, read from the failed run's step-failure event (no stack trace)
        print_error(f"run-day {day}: {result.note or result.failed.failure()}")
        return 1
    return 0
