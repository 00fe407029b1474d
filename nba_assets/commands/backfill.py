"""nba-assets backfill: past game days as one Dagster asset backfill, followed until it ends.

One backfill in the UI's Backfills tab: the days' inputs, slates, staging, consolidation, exports
and grading, in a few ranged runs (one per contiguous range of dates and step; per shard for
staging). The backfill stages and consolidates the batches its slates open; the live-day sensors
leave them to it. A ``dagster-daemon`` carries it out: the one heartbeating on DAGSTER_HOME
(``dagster dev`` runs one), else, on the local profile, one this command starts and stops.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from datetime import UTC, date, datetime

from rich.table import Table

from nba_assets.commands.common import (
    add_dagster_arguments,
    cli_definitions,
    cli_profile,
    console,
    dagster_settings,
    progress,
)

POLL_SECONDS = 5.0  # each look reads the runs and three assets' partitions: light on the instance
# a daemon that was heartbeating and has been silent this long has stopped: say so, do not wait on
DAEMON_GONE_SECONDS = 300


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backfill", help="predict, consolidate and grade every game day of a range", description=__doc__
    )
    p.add_argument("--season", help="season like 2024-25 (its game days in the box scores)")
    p.add_argument("--from", dest="start", type=date.fromisoformat, help="first date YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=date.fromisoformat, help="last date YYYY-MM-DD")
    add_dagster_arguments(p)
    p.add_argument("--no-grade", action="store_true", help="consolidate only; grade later")
    p.add_argument(
        "--redo",
        action="store_true",
        help="also backfill days already consolidated or graded (re-grades them)",
    )
    p.add_argument("--timeout-minutes", type=float, default=180, help="stop following after this long")
    p.add_argument("--cancel", metavar="BACKFILL_ID", help="cancel a backfill (as the UI's Cancel does)")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(handler=run)


def game_days(history_dates, start: date, end: date) -> list[str]:
    """Dates with box scores in [start, end]: a date without games has no slate to open."""
    return sorted({d.isoformat() for d in history_dates if start <= d <= end})


def _window(args: argparse.Namespace) -> tuple[date, date]:
    from nba_assets.reports.season import season_window

    if args.season:
        start, end = season_window(args.season)
        return args.start or start, args.end or end
    if not (args.start and args.end):
        raise ValueError("give --season, or both --from and --to")
    return args.start, args.end


def _follow(instance, backfill_id: str, dates: list[str], bar, what: str, deadline: float, daemon):
    """Poll the backfill record and the dates done until the backfill ends; bounded by ``deadline``
    and by the daemon carrying it out (``daemon``: the one this command started, or None)."""
    from nba_assets.instance.backfills import BackfillError, daemon_heartbeating, look

    task = bar.add_task(f"{what} (backfill {backfill_id})", total=len(dates))
    while True:
        seen = look(instance, backfill_id, dates)
        count = len(seen.graded if what == "grade" else seen.consolidated)
        bar.update(
            task,
            completed=count,
            description=f"{what}: backfill {backfill_id} {seen.status}, {seen.runs} runs, "
            f"{len(seen.graded)} graded",
        )
        if seen.ended:
            return seen
        stopped = (
            daemon.poll() is not None if daemon else not daemon_heartbeating(instance, DAEMON_GONE_SECONDS)
        )
        if stopped:
            raise BackfillError(
                f"backfill {backfill_id} is {seen.status} but its dagster-daemon stopped; it resumes when "
                f"one runs on this DAGSTER_HOME (or `nba-assets backfill --cancel {backfill_id}`)"
            )
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"backfill {backfill_id} still {seen.status} at the --timeout-minutes bound; it keeps "
                f"running (Backfills tab, or `nba-assets backfill --cancel {backfill_id}`)"
            )
        time.sleep(POLL_SECONDS)


def run(args: argparse.Namespace) -> int:
    from nba_assets.instance import backfills

    if args.cancel:
        dagster_settings(args)
        backfills.cancel(args.cancel)
        console.print(f"backfill {args.cancel}: cancel requested (the daemon stops launching its runs)")
        return 0
    start, end = _window(args)
    home = dagster_settings(args)
    from nba_assets.defs.env import resolved
    from nba_assets.defs.jobs import POINTS_MODEL_JOB
    from nba_assets.instance.day_run import execute, prepare_home, run_request

    # the box scores the pipeline itself reads: $NBA_ASSETS_BOX_SCORES, else the bundled sample
    definitions = cli_definitions(args)
    nba_inputs, settings = (resolved(definitions.resources[k]) for k in ("nba_inputs", "settings"))
    dates = game_days(nba_inputs.history()["game_date"], start, end)
    if not dates:
        raise ValueError(f"no game days between {start} and {end} in the box scores")
    instance = prepare_home(home)
    started, deadline = time.time(), time.monotonic() + args.timeout_minutes * 60
    consolidated = set(instance.get_materialized_partitions(backfills.CONSOLIDATED))
    graded = set(instance.get_materialized_partitions(backfills.GRADED))
    to_predict = [d for d in dates if args.redo or d not in consolidated]
    ids: list[str] = []
    current = ""
    grading = () if args.no_grade else backfills.GRADE_ASSETS
    ungraded = [d for d in dates if d in consolidated and d not in graded]
    # a daemon for the backfill's duration (started here on the local profile); none if nothing to do
    daemon = (
        backfills.daemon_for_backfill(
            instance,
            may_start=cli_profile(args) == "local",
            log_path=home / "logs" / "backfill-daemon.log",
            say=lambda text: None if args.quiet else console.print(text, highlight=False),
        )
        if to_predict or (grading and ungraded)
        else contextlib.nullcontext()
    )
    try:
        with daemon as own_daemon, progress(args.quiet) as bar:
            if to_predict and settings.needs_model(date.fromisoformat(to_predict[0])):
                # trained on games strictly before the first date (no look-ahead), once, up front
                config = {"ops": {"points_model": {"config": {"train_before": to_predict[0]}}}}
                model = execute(definitions, instance, POINTS_MODEL_JOB, run_request(run_config=config))
                if not model.ok:
                    raise RuntimeError(f"points_model training failed (run {model.run_id}); see it in the UI")
            shards = settings.shard_count
            if to_predict:
                title = f"nba-assets predict {to_predict[0]}..{to_predict[-1]}"
                current = backfills.submit(backfills.PREDICT_ASSETS + grading, to_predict, title, shards)
                ids.append(current)
                _follow(instance, current, to_predict, bar, "predict", deadline, own_daemon)
            # days predicted before but never graded (an earlier --no-grade, a failed grading run)
            consolidated = set(instance.get_materialized_partitions(backfills.CONSOLIDATED))
            graded = set(instance.get_materialized_partitions(backfills.GRADED))
            to_grade = [d for d in dates if d in consolidated and d not in graded and d not in to_predict]
            if to_grade and grading:
                title = f"nba-assets grade {to_grade[0]}..{to_grade[-1]}"
                current = backfills.submit(grading, to_grade, title, shards)
                ids.append(current)
                _follow(instance, current, to_grade, bar, "grade", deadline, own_daemon)
    except KeyboardInterrupt:
        if current:
            console.print(
                f"backfill {current} stays submitted: a dagster-daemon on this DAGSTER_HOME carries it on "
                f"(one this command started is stopped with it); follow or cancel it in the UI's Backfills "
                f"tab, or `nba-assets backfill --cancel {current}`"
            )
        return 130
    consolidated = set(dates) & set(instance.get_materialized_partitions(backfills.CONSOLIDATED))
    graded = set(dates) & set(instance.get_materialized_partitions(backfills.GRADED))
    statuses = [str(instance.get_backfill(i).status.value) for i in ids]
    runs = backfills.runs_since(instance, datetime.fromtimestamp(started, UTC))
    failed = [d for d in dates if d not in consolidated or (not args.no_grade and d not in graded)]
    bad = [s for s in statuses if s not in ("COMPLETED", "COMPLETED_SUCCESS")]
    if not args.quiet:
        table = Table(title=f"backfill {dates[0]} .. {dates[-1]} ({time.time() - started:.0f} s)")
        for column in ("days", "consolidated", "graded", "not done", "backfills", "Dagster runs"):
            table.add_column(column)
        table.add_row(
            str(len(dates)),
            str(len(consolidated)),
            str(len(graded)),
            str(len(failed)),
            ", ".join(f"{i} {s}" for i, s in zip(ids, statuses, strict=True)) or "none needed",
            str(runs),
        )
        console.print(table)
        if failed:
            console.print(f"[red]not done[/red]: {', '.join(failed[:10])}; see the runs in the UI")
        console.print(f"UI: DAGSTER_HOME={os.environ['DAGSTER_HOME']} dagster dev (Backfills tab)")
    return 1 if failed or bad else 0
