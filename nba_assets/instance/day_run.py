"""One game day end to end through a real Dagster instance, without waiting on daemon ticks.

The runs the daemon would launch: the slate job, then the requests of the fan-out sensor and of
the completion sensor, each sensor evaluated with ``dg.build_sensor_context`` and each request
executed in this process against the instance, so `dagster dev` shows the same runs afterwards.
The runs carry each request's partition, run config and tags (the batch id, a stall re-run's or
a forced partial's tag) but no run key: ``execute_in_process`` records none, so Dagster's run-key
bookkeeping does not know them. What keeps a daemon started later from repeating them is the batch
store: a sensor requests nothing for a batch that is no longer open.

Side effects on the process, by design of a one-shot command: ``prepare_home`` sets
``DAGSTER_HOME`` (Dagster's own way to name the instance) and a quiet run silences Dagster's
console logger for the runs and the ticks (the instance still records every event).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg

from nba_assets.batch_state.base import MERGED
from nba_assets.defs.alerts.messages import clip, error_text
from nba_assets.defs.batches import STALL_RETRY_TAG, current_batch_id
from nba_assets.defs.consolidation.sensors import consolidation_request
from nba_assets.defs.env import resolved
from nba_assets.defs.jobs import CONSOLIDATION_JOB, POINTS_MODEL_JOB, SLATE_JOB
from nba_assets.defs.slate.sensors import cursor_at_newest_slate

INSTANCE_YAML = """\
# Written by nba-assets run-day. A local SQLite instance; deploy/dagster.yaml is the production one.
telemetry:
  enabled: false
nux:
  enabled: false  # no onboarding pop-up in `dagster dev`
concurrency:
  pools:
    default_limit: 1  # the consolidation pool: one MERGE at a time, whatever the date (global; L9)
"""
# Dagster's console logger is silent in a one-shot command: the instance keeps every event (the
# UI shows them), and run-day prints from those events what the person at the terminal needs: the
# ops' warnings, and a failed step with its error in one line instead of a stack trace.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class RunSummary:
    run_id: str
    job: str
    partition: str
    status: str
    seconds: float
    error: str = ""  # a failed run: its first failed step and that step's error, one line
    warnings: list[str] = field(default_factory=list)  # the ops' own warnings, in order

    @property
    def ok(self) -> bool:
        return self.status == "SUCCESS"

    def failure(self) -> str:
        """``slate_job run 1a2b3c4d failed at step prop_lines: InputValidationError: ...``"""
        return f"{self.job} run {self.run_id[:8]} failed" + (f" at {self.error}" if self.error else "")


@dataclass
class DayResult:
    game_date: str
    runs: list[RunSummary] = field(default_factory=list)
    batch_id: str = ""
    consolidated: bool = False
    note: str = ""

    @property
    def failed(self) -> RunSummary | None:
        return next((r for r in self.runs if not r.ok), None)


def definitions_for(profile_name: str | None = None, shard_count: int | None = None) -> dg.Definitions:
    """The code location's definitions with a command's ``--profile`` and ``--shards`` as the
    resources' own values (nothing is written to the environment)."""
    from nba_assets.definitions import defs
    from nba_assets.defs.resources import resources_for
    from nba_assets.defs.settings import PipelineSettings

    base = defs()
    resources = dict(base.resources or {})
    if profile_name is not None:
        resources.update(resources_for(profile_name))
    if shard_count is not None:
        resources["settings"] = PipelineSettings.from_env(shard_count=shard_count)
    return dg.Definitions(
        assets=base.assets,
        asset_checks=base.asset_checks,
        schedules=base.schedules,
        sensors=base.sensors,
        jobs=base.jobs,
        resources=resources,
        executor=base.executor,
        loggers=base.loggers,
        metadata=base.metadata,
    )


def prepare_home(dagster_home: Path) -> dg.DagsterInstance:
    """The instance under ``dagster_home``; writes a local dagster.yaml unless one is there."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML)
    os.environ["DAGSTER_HOME"] = str(dagster_home.resolve())
    return dg.DagsterInstance.get()


def run_request(**fields) -> dg.RunRequest:
    """A request for :func:`execute` (partition_key, run_config, tags), for a command building one."""
    return dg.RunRequest(**fields)


def execute(
    defs: dg.Definitions, instance: dg.DagsterInstance, job_name: str, request: dg.RunRequest
) -> RunSummary:
    """One run of the job for the request (partition, config, tags) in this process, summarised."""
    started = time.perf_counter()
    outcome = defs.resolve_job_def(job_name).execute_in_process(
        partition_key=request.partition_key,
        run_config={**(request.run_config or {}), **QUIET},
        tags=dict(request.tags),
        instance=instance,
        raise_on_error=False,
    )
    summary = RunSummary(
        outcome.run_id,
        job_name,
        str(request.partition_key or ""),
        "SUCCESS" if outcome.success else "FAILURE",
        round(time.perf_counter() - started, 2),
    )
    read_events(instance, summary)
    return summary


def read_events(instance: dg.DagsterInstance, summary: RunSummary) -> None:
    """The run's warnings and, when it failed, its first failed step's error, from its stored events."""
    for entry in instance.all_logs(summary.run_id):
        event = entry.dagster_event
        if event is None and entry.level == logging.WARNING:
            summary.warnings.append(f"{entry.step_key or summary.job}: {entry.user_message}")
        elif event is not None and event.event_type == dg.DagsterEventType.STEP_FAILURE and not summary.error:
            summary.error = f"step {event.step_key}: {error_text(event.step_failure_data.error)}"
        elif event is not None and event.event_type == dg.DagsterEventType.RUN_FAILURE and not summary.error:
            summary.error = clip(event.message or "", 400)  # failed before any step (resources, config)


def evaluate(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    name: str,
    cursor: str | None = None,
    *,
    quiet: bool = False,
) -> list[dg.RunRequest]:
    """One tick of the sensor, as the daemon would evaluate it (with the definitions' resources)."""
    with (
        dg.build_sensor_context(
            instance=instance, definitions=defs, cursor=cursor, sensor_name=name, resources=defs.resources
        ) as context,
        _tick_console(quiet),
    ):
        data = defs.resolve_sensor_def(name).evaluate_tick(context)
    return list(data.run_requests or [])


@contextlib.contextmanager
def _tick_console(quiet: bool) -> Iterator[None]:
    """A quiet run keeps the tick's INFO lines off the terminal. Dagster gives a tick evaluated
    outside the daemon its own console logger at INFO and stores nothing of it (the daemon's ticks
    keep their logs), so the tick's records below WARNING are dropped for its duration only: the
    runs' own events, INFO included, still reach the instance."""
    if not quiet:
        yield
        return
    before = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(before)


def is_merged(defs: dg.Definitions, batch_id: str) -> bool:
    """The batch store's record: the batch is consolidated (or partial), whichever run merged it."""
    # built as Dagster builds it for a run: EnvVar fields (the GCP profile's) resolved
    with dg.build_resources({"batch_store": defs.resources["batch_store"]}) as resources:
        return resources.batch_store.get().get_batch(batch_id).status in MERGED


def date_of(request: dg.RunRequest) -> str:
    key = request.partition_key
    return key.keys_by_dimension["date"] if isinstance(key, dg.MultiPartitionKey) else str(key)


def run_day(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    game_date: str,
    *,
    on_step: Callable[[str, int], None] = lambda text, total: None,
    force_partial: bool = False,
    quiet: bool = False,
) -> DayResult:
    """slate -> every shard -> the completion sensor's decision -> consolidation and exports."""
    result = DayResult(game_date)
    settings = resolved(defs.resources["settings"])  # its EnvVar fields read, as a run reads them
    if settings.needs_model(date.fromisoformat(game_date)):
        # the gradient-boosting system needs a model trained on games before this day only
        on_step("points model", 0)
        config = {"ops": {"points_model": {"config": {"train_before": game_date}}}}
        result.runs.append(execute(defs, instance, POINTS_MODEL_JOB, dg.RunRequest(run_config=config)))
    # the fan-out reads slate events after this one: only this run's slate is fanned out
    cursor = cursor_at_newest_slate(instance)
    on_step("slate", 1)
    slate_run = execute(defs, instance, SLATE_JOB, dg.RunRequest(partition_key=game_date))
    result.runs.append(slate_run)
    if not slate_run.ok:
        result.note = slate_run.failure()
        return result
    result.batch_id = current_batch_id(instance, game_date)
    shard_requests = [
        r
        for r in evaluate(defs, instance, "slate_fanout_sensor", cursor, quiet=quiet)
        if date_of(r) == game_date
    ]
    on_step("shards", len(shard_requests))
    for request in shard_requests:
        result.runs.append(execute(defs, instance, request.job_name, request))
        on_step("shard done", 0)
    on_step("consolidation", 1)
    # This date's requests, and any stall re-run: the sensor recorded that re-run in the store when
    # it asked for it, so leaving it out would lose it. Another date's consolidation is left to that
    # date's own run-day or to the daemon (two processes merging one date would race for its lease).
    requests = [
        r
        for r in evaluate(defs, instance, "batch_completion_sensor", quiet=quiet)
        if date_of(r) == game_date or STALL_RETRY_TAG in r.tags
    ]
    merging = any(r.job_name == CONSOLIDATION_JOB and date_of(r) == game_date for r in requests)
    if force_partial and not merging and not is_merged(defs, result.batch_id):
        requests.append(consolidation_request(result.batch_id, game_date, partial=True))
    for request in requests:
        result.runs.append(execute(defs, instance, request.job_name, request))
    result.consolidated = is_merged(defs, result.batch_id)
    if not result.consolidated:
        result.note = (
            result.failed.failure()
            if result.failed
            else "batch incomplete: the completion sensor did not request a consolidation"
        )
    elif not any(r.job == CONSOLIDATION_JOB for r in result.runs):
        result.note = f"already consolidated (batch {result.batch_id})"
    return result
