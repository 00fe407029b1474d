"""A backfill split over worker processes that share one Dagster instance and one set of stores.

Each worker runs ``backfill`` over every N-th date (interleaved, so the season's heavy and light
months spread evenly). The workers share the Dagster instance, the batch store and the warehouse,
all of which are safe for several processes (SQLite WAL, DuckDB's bounded lock retry); each
worker launches only its own dates' runs (see ``day_run.run_day``).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from nba_assets.backfill import BackfillDay, BackfillResult
from nba_assets.day_run import RunSummary

log = logging.getLogger(__name__)


def _worker(
    index: int,
    dagster_home: str,
    env: dict[str, str],
    dates: list[str],
    grade: bool,
    redo: bool,
    backfill_id: str,
    events: mp.Queue,
) -> None:
    os.environ.update(env)
    try:
        from nba_assets.backfill import backfill
        from nba_assets.day_run import prepare_home
        from nba_assets.definitions import defs

        instance = prepare_home(Path(dagster_home))
        backfill(
            defs(),
            instance,
            dates,
            grade=grade,
            redo=redo,
            backfill_id=backfill_id,
            on_day=lambda day: events.put(("day", asdict(day))),
        )
        events.put(("done", index))
    except BaseException:  # reported to the parent, which fails the backfill with it
        events.put(("error", f"worker {index}: {traceback.format_exc()}"))


def _day(payload: dict) -> BackfillDay:
    runs = [RunSummary(**r) for r in payload.pop("runs")]
    return BackfillDay(runs=runs, **payload)


def parallel_backfill(
    dagster_home: Path,
    dates: list[str],
    workers: int,
    *,
    grade: bool = True,
    redo: bool = False,
    on_day: Callable[[BackfillDay], None] = lambda day: None,
) -> BackfillResult:
    """``workers`` processes (spawned: no Dagster state is inherited) over interleaved dates."""
    result = BackfillResult(backfill_id=uuid.uuid4().hex[:8])
    context = mp.get_context("spawn")
    events: mp.Queue = context.Queue()
    env = {k: v for k, v in os.environ.items() if k.startswith(("NBA_ASSETS_", "DAGSTER_"))}
    started = time.perf_counter()
    processes = [
        context.Process(
            target=_worker,
            daemon=True,
            name=f"backfill-{i}",
            args=(i, str(dagster_home), env, dates[i::workers], grade, redo, result.backfill_id, events),
        )
        for i in range(workers)
        if dates[i::workers]
    ]
    for process in processes:
        process.start()
    running, errors = len(processes), []
    try:
        while running:
            try:
                kind, payload = events.get(timeout=5)
            except queue.Empty:
                if not any(p.is_alive() for p in processes):
                    errors.append("a worker died without reporting")
                    break
                continue
            if kind == "day":
                day = _day(payload)
                result.days.append(day)
                on_day(day)
            else:
                running -= 1
                if kind == "error":
                    errors.append(payload)
    finally:
        for process in processes:
            process.join(timeout=30 if not errors else 1)
            if process.is_alive():
                process.terminate()
    result.days.sort(key=lambda d: d.game_date)
    result.seconds = round(time.perf_counter() - started, 2)
    if errors:
        raise RuntimeError("backfill worker failed:\n" + "\n".join(errors))
    return result
