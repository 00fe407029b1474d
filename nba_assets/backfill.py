"""Backfill a range of past game days through a real Dagster instance, then grade each day.

Each day is ``run_day`` (slate, the fan-out sensor's shard runs, the completion sensor's
consolidation: the runs the daemon would launch, with its run keys) followed by one
``grading_job`` run. Everything executes in this process through the instance, so the UI shows
every run and materialization afterwards, and nothing waits on daemon ticks (the backfill daemon
and the run queue would add ~2 s of process start per run; DESIGN §3, bench/RESULTS.md).

Resumable: a day whose ``graded_results`` partition is already materialized is skipped unless
``redo`` is set; re-running a consolidated day is a no-op past its slate run (L9, L11).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import dagster as dg

from nba_assets.day_run import RunSummary, execute, run_day
from nba_assets.defs.jobs import GRADING_JOB, POINTS_MODEL_JOB

log = logging.getLogger(__name__)
BACKFILL_TAG = "nba_assets/backfill"
GRADED = dg.AssetKey("graded_results")


@dataclass
class BackfillDay:
    game_date: str
    status: str  # graded | consolidated | failed | skipped
    runs: list[RunSummary] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""


@dataclass
class BackfillResult:
    backfill_id: str
    days: list[BackfillDay] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def runs(self) -> list[RunSummary]:
        return [r for d in self.days for r in d.runs]

    def count(self, status: str) -> int:
        return sum(d.status == status for d in self.days)


def game_days(history_dates: Iterable[date], start: date, end: date) -> list[str]:
    """Dates with box scores in [start, end]: a date without games has no slate to open."""
    return sorted({d.isoformat() for d in history_dates if start <= d <= end})


def _grade(defs: dg.Definitions, instance: dg.DagsterInstance, game_date: str, tags: dict[str, str]):
    return execute(defs, instance, GRADING_JOB, dg.RunRequest(partition_key=game_date, tags=tags))


def train_model(
    defs: dg.Definitions, instance: dg.DagsterInstance, before: str, tags: dict[str, str]
) -> RunSummary:
    """points_model trained on games strictly before the backfill's first date (no look-ahead)."""
    config = {"ops": {"points_model": {"config": {"train_before": before}}}}
    return execute(defs, instance, POINTS_MODEL_JOB, dg.RunRequest(run_config=config, tags=tags))


def _failure_message(instance: dg.DagsterInstance, run_id: str) -> str:
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        error = record.dagster_event.step_failure_data.error if record.dagster_event else None
        while error is not None and error.cause is not None:  # the user code's own exception
            error = error.cause
        if error:
            return " ".join(error.message.split())[:300]
    return "see the run's events in the UI"


def run_backfill_day(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    game_date: str,
    *,
    grade: bool,
    tags: dict[str, str],
) -> BackfillDay:
    """run_day, then (once the day is consolidated) one grading run."""
    started = time.perf_counter()
    outcome = run_day(defs, instance, game_date)
    merged = outcome.consolidated
    own_failure = [r for r in outcome.runs if not r.ok]
    day = BackfillDay(game_date, "consolidated" if merged else "failed", list(outcome.runs))
    if not merged:
        day.note = _failure_message(instance, own_failure[0].run_id) if own_failure else outcome.note
    elif grade:
        run = _grade(defs, instance, game_date, tags)
        day.runs.append(run)
        day.status = "graded" if run.status == "SUCCESS" else "failed"
        day.note = "" if run.status == "SUCCESS" else f"grading: {_failure_message(instance, run.run_id)}"
    day.seconds = round(time.perf_counter() - started, 2)
    return day


def backfill(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    dates: list[str],
    *,
    grade: bool = True,
    redo: bool = False,
    on_day: Callable[[BackfillDay], None] = lambda day: None,
    backfill_id: str | None = None,
) -> BackfillResult:
    """Every date in order; a failed day is recorded and the backfill moves on."""
    result = BackfillResult(backfill_id=backfill_id or uuid.uuid4().hex[:8])
    tags = {BACKFILL_TAG: result.backfill_id}
    done = set() if redo or not grade else set(instance.get_materialized_partitions(GRADED))
    started = time.perf_counter()
    for game_date in dates:
        if game_date in done:
            day = BackfillDay(game_date, "skipped", note="already graded")
        else:
            day = run_backfill_day(defs, instance, game_date, grade=grade, tags=tags)
        if day.status == "failed":
            log.warning("backfill %s: %s failed: %s", result.backfill_id, game_date, day.note)
        result.days.append(day)
        on_day(day)
    result.seconds = round(time.perf_counter() - started, 2)
    return result
