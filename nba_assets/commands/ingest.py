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


def ingest_range(definitions, instance, asset: str, days: list[date], on_date=lambda d, rows: None) -> dict:
    """One in-process materialization per date; stops at the first failure, naming it."""
    import dagster as dg

    job = definitions.resolve_implicit_job_def_def_for_assets([dg.AssetKey(asset)])
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    total: dict = {"dates": 0, "rows": 0, "unmatched": []}
    for day in days:
        outcome = job.execute_in_process(
            partition_key=day.isoformat(),
            instance=instance,
            asset_selection=[dg.AssetKey(asset)],
            run_config=quiet,
            raise_on_error=False,
        )
        if not outcome.success:
            failure = next((e for e in outcome.all_events if e.event_type_value == "STEP_FAILURE"), None)
            reason = failure.event_specific_data.error.message.strip() if failure else "run failed"
            reason = reason.split("Failure: ", 1)[-1]  # the message, not the exception's class path
            raise ValueError(f"{asset} {day}: {reason} (dates before it are ingested)")
        event = outcome.get_asset_materialization_events()[0].materialization
        rows = event.metadata.get("rows_on_date") or event.metadata.get("lines")
        count = int(rows.value) if rows is not None else 0
        total["dates"] += 1
        total["rows"] += count
        total["unmatched"] += _unmatched_names(event.metadata)
        on_date(day, count)
    return total


def _unmatched_names(metadata: dict) -> list[str]:
    """The lines whose name matched no player who could be in the game, one line each for the CLI
    (names of players absent from their game are counted in metadata, not printed)."""
    table = metadata.get("unmatched_players")
    records = getattr(getattr(table, "value", None), "records", None) or []
    return [
        f"{r.data['game_date']} {r.data['game']}: {r.data['name']!r} ({r.data['rows']} line(s))"
        for r in records
        if r.data.get("reason") != "did not play"
    ]


def run(args: argparse.Namespace) -> int:
    start = _parse(args.start, "--from")
    end = _parse(args.end, "--to") if args.end else start
    days = dates_between(start, end)
    if args.profile:
        os.environ["NBA_ASSETS_PROFILE"] = args.profile
    home = args.dagster_home or Path(os.environ.get("DAGSTER_HOME") or ".dagster_home")
    from nba_assets.day_run import prepare_home  # Dagster imports only for this command
    from nba_assets.definitions import defs

    instance, definitions, asset = prepare_home(home), defs(), ASSETS[args.what]
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
