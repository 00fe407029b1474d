"""nba-assets ingest: load a date range of box scores or lines into the warehouse, through Dagster.

Each date is one materialization of ``box_scores`` (or ``prop_lines``) in the instance, so the UI
shows what was ingested and the same code runs as on the daily schedule: the configured feed
(``NBA_ASSETS_STATS_URL`` / ``ODDS_API_KEY``) or else the configured files. Dates already in the
warehouse are replaced, never duplicated. (The Odds API's event odds are for upcoming games: a
past date's lines come from files, or The Odds API's historical endpoints, which this does not call.)
"""

from __future__ import annotations

import argparse
import os
from datetime import date, timedelta
from pathlib import Path

from nba_assets.commands.common import console, progress

ASSETS = {"box-scores": "box_scores", "lines": "prop_lines"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="load a date range of box scores or lines into the warehouse",
                       description=__doc__)  # fmt: skip
    p.add_argument("what", choices=sorted(ASSETS), help="box-scores or lines")
    p.add_argument("--from", dest="start", required=True, help="first date YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="last date YYYY-MM-DD (default: --from)")
    p.add_argument(
        "--profile", choices=["local", "gcp"], help="storage profile (default $NBA_ASSETS_PROFILE)"
    )
    p.add_argument(
        "--dagster-home", type=Path, help="Dagster instance folder (default $DAGSTER_HOME or ./.dagster_home)"
    )
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(handler=run)


def _parse(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{flag} {text!r} is not YYYY-MM-DD") from None


def dates_between(start: date, end: date) -> list[date]:
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def run(args: argparse.Namespace) -> int:
    start = _parse(args.start, "--from")
    end = _parse(args.end, "--to") if args.end else start
    days = dates_between(start, end)
    home = args.dagster_home or Path(os.environ.get("DAGSTER_HOME") or ".dagster_home")
    from nba_assets.instance.day_run import (
        definitions_for,
        prepare_home,  # Dagster imports only for this command
    )
    from nba_assets.instance.ingest import ingest_range

    instance, definitions, asset = prepare_home(home), definitions_for(args.profile), ASSETS[args.what]
    with progress(args.quiet) as bar:
        task = bar.add_task(f"ingest {args.what}", total=len(days))

        def on_date(day: date, rows: int) -> None:
            bar.update(task, advance=1, description=f"ingest {args.what} {day} ({rows} rows)")

        total = ingest_range(definitions, instance, asset, days, on_date)
    if not args.quiet:
        console.print(
            f"ingested {args.what}: {total['rows']:,} rows over {total['dates']} dates ({start}..{end})"
        )
        if total["unmatched"]:
            console.print(
                f"{len(total['unmatched'])} book name(s) matched no player (lines kept, joined to no one):"
            )
            for text in total["unmatched"]:
                console.print(f"  unmatched: {text}", highlight=False)
    return 0
