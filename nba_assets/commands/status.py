"""nba-assets status: one date's batches, runs, checks, export pointers and freshness. Never writes."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from rich.table import Table

from nba_assets.commands.common import console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="what happened on a date (read-only)", description=__doc__)
    p.add_argument("date", nargs="?", help="game date YYYY-MM-DD (default: today in New York)")
    p.add_argument(
        "--json", action="store_true", help="print the report as JSON (schema: status/schema.json)"
    )
    p.add_argument(
        "--profile", choices=["local", "gcp"], help="storage profile (default $NBA_ASSETS_PROFILE or local)"
    )
    p.add_argument(
        "--dagster-home", type=Path, help="Dagster instance folder (default $DAGSTER_HOME or ./.dagster_home)"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from nba_assets.game_day import today

    try:
        game_date = date.fromisoformat(args.date) if args.date else today()
    except ValueError:
        raise ValueError(f"date {args.date!r} is not YYYY-MM-DD") from None
    home = args.dagster_home or Path(os.environ.get("DAGSTER_HOME") or ".dagster_home")
    from nba_assets.instance.status import gather

    report = gather(game_date, home, args.profile)
    if args.json:
        console.out(json.dumps(report, indent=2, sort_keys=True), highlight=False)
    else:
        show(report)
    return 1 if report["freshness"]["verdict"] in ("missing", "late") else 0


def show(report: dict) -> None:
    day = report["game_date"]
    fresh = report["freshness"]
    console.print(
        f"[bold]{day}[/bold] ({report['profile']} profile): "
        + ("game day" if report["game_day"] else "no games")
        + f"; freshness [bold]{fresh['verdict']}[/bold]"
    )
    if not report["batches"]:
        console.print("batches: none for this date")
    for b in report["batches"]:
        console.print(
            f"batch [bold]{b['batch_id']}[/bold] {b['state']}: expected {b['expected']}, done {b['done']} "
            f"({b['skipped']} skipped), failed {b['failed']}, missing {len(b['missing'])}, "
            f"stall re-runs {b['stall_retries']}",
            highlight=False,
        )
        if b["missing"]:
            more = f" (+{len(b['missing']) - 10} more)" if len(b["missing"]) > 10 else ""
            console.print(f"  missing: {', '.join(b['missing'][:10])}{more}", highlight=False)
        for p in b["failed_players"]:
            console.print(f"  failed  {p['player']}: {p['reason']}", highlight=False)
    runs = Table(title="runs")
    for column in ("run", "job", "partition", "status", "created", "tags"):
        runs.add_column(column, overflow="fold")
    for r in report["runs"]:
        tags = " ".join(f"{k}={v}" for k, v in r["tags"].items() if k != "batch_id")
        runs.add_row(r["run_id"][:8], r["job"], r["partition"], r["status"], r["created_at"], tags)
    console.print(runs if report["runs"] else "runs: none for this date")
    if report["checks"]:
        checks = Table(title="asset checks (newest evaluation)")
        for column in ("check", "result", "severity", "run"):
            checks.add_column(column, overflow="fold")
        for c in report["checks"]:
            checks.add_row(c["check"], "passed" if c["passed"] else "FAILED", c["severity"], c["run_id"][:8])
        console.print(checks)
    ex = report["exports"]
    console.print(
        f"exports: tonight -> {ex['tonight']['game_date'] or 'none'}, best-bets/latest -> "
        f"{ex['best_bets_latest']['game_date'] or 'none'}, this date's files: "
        f"predictions {'yes' if ex['predictions_file']['present'] else 'no'}, best bets "
        + (f"{ex['best_bets_picks']} picks" if ex["best_bets_file"]["present"] else "no"),
        highlight=False,
    )
    for asset in ("consolidated_predictions", "front_end_exports"):
        console.print(f"freshness: {fresh[asset]['note']}", highlight=False)
