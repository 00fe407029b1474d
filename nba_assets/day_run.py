"""One game day end to end through a real Dagster instance, without waiting on daemon ticks.

The same runs the daemon would launch: the slate job, the fan-out sensor's shard runs, the
completion sensor's consolidation. Runs are tagged with the sensor's run key, so a daemon started
later sees them as already launched and never repeats them; `dagster dev` shows them afterwards.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg

log = logging.getLogger(__name__)
INSTANCE_YAML = """\
# Written by nba-assets run-day. A local SQLite instance; deploy/dagster.yaml is the production one.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1  # the consolidation pool: one MERGE per date at a time (L9)
"""


@dataclass
class RunSummary:
    run_id: str
    job: str
    partition: str
    status: str
    seconds: float


@dataclass
class DayResult:
    game_date: str
    runs: list[RunSummary] = field(default_factory=list)
    batch_id: str = ""
    consolidated: bool = False
    note: str = ""


def prepare_home(dagster_home: Path) -> dg.DagsterInstance:
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML)
    os.environ["DAGSTER_HOME"] = str(dagster_home.resolve())
    return dg.DagsterInstance.get()


def _execute(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    request: dg.RunRequest,
    job_name: str,
    sensor_name: str | None,
    result: DayResult,
) -> bool:
    tags = dict(request.tags)
    if sensor_name and request.run_key:
        # the tags the sensor daemon itself sets: its run-key dedupe then covers these runs too
        tags.update({"dagster/run_key": request.run_key, "dagster/sensor_name": sensor_name})
    started = time.perf_counter()
    # Dagster's console logger stays quiet here: the event log in the instance has everything.
    run_config = {**(request.run_config or {}), "loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    outcome = defs.resolve_job_def(job_name).execute_in_process(
        partition_key=request.partition_key,
        run_config=run_config,
        tags=tags,
        instance=instance,
        raise_on_error=False,
    )
    status = "SUCCESS" if outcome.success else "FAILURE"
    result.runs.append(
        RunSummary(
            outcome.run_id,
            job_name,
            str(request.partition_key),
            status,
            round(time.perf_counter() - started, 2),
        )
    )
    return outcome.success


def _already_launched(instance: dg.DagsterInstance, sensor: str, run_key: str | None) -> bool:
    if not run_key:
        return False
    runs = instance.get_runs(
        dg.RunsFilter(tags={"dagster/run_key": run_key, "dagster/sensor_name": sensor}), limit=1
    )
    return bool(runs)


def _tick(defs: dg.Definitions, instance: dg.DagsterInstance, name: str, cursors: dict[str, str | None]):
    sensor = defs.resolve_sensor_def(name)
    with dg.build_sensor_context(
        instance=instance,
        definitions=defs,
        cursor=cursors.get(name),
        sensor_name=name,
        resources=defs.resources,
    ) as context:
        data = sensor.evaluate_tick(context)
    cursors[name] = data.cursor
    return list(data.run_requests or [])


def run_day(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    game_date: str,
    *,
    on_step: Callable[[str, int], None] = lambda text, total: None,
    force_partial: bool = False,
) -> DayResult:
    """slate -> every shard -> the completion sensor's decision -> consolidation and exports."""
    result = DayResult(game_date)
    cursors: dict[str, str | None] = {}
    # Start the fan-out cursor at the present so only this run's slate event is fanned out.
    records = instance.fetch_materializations(dg.AssetKey("slate"), limit=1).records
    if records:
        cursors["slate_fanout_sensor"] = f'{{"storage_id": {records[0].storage_id}}}'
    settings = defs.resources["settings"]
    if settings.needs_model(date.fromisoformat(game_date)):
        # the gradient-boosting system needs a model trained on games before this day only
        on_step("points model", 0)
        train = dg.RunRequest(run_config={"ops": {"points_model": {"config": {"train_before": game_date}}}})
        _execute(defs, instance, train, "points_model_job", None, result)
    on_step("slate", 1)
    if not _execute(defs, instance, dg.RunRequest(partition_key=game_date), "slate_job", None, result):
        result.note = "the slate run failed"
        return result
    shard_requests = _tick(defs, instance, "slate_fanout_sensor", cursors)
    on_step("shards", len(shard_requests))
    for request in shard_requests:
        # the daemon's run-key dedupe, checked at launch: another worker may have run it since our tick
        if not _already_launched(instance, "slate_fanout_sensor", request.run_key):
            _execute(defs, instance, request, "staging_job", "slate_fanout_sensor", result)
        on_step("shard done", 0)
    from nba_assets.defs.batches import current_batch_id

    result.batch_id = current_batch_id(instance, game_date)
    on_step("consolidation", 1)
    # Every request of the tick runs, other dates' included: exactly what the daemon would launch.
    requests = _tick(defs, instance, "batch_completion_sensor", cursors)
    mine = [r for r in requests if r.partition_key == game_date and r.job_name == "consolidation_job"]
    if not mine and force_partial:
        from nba_assets.defs.batches import FORCED_PARTIAL_TAG

        mine = [
            dg.RunRequest(
                run_key=f"{result.batch_id}:partial",
                partition_key=game_date,
                job_name="consolidation_job",
                tags={FORCED_PARTIAL_TAG: "true"},
            )
        ]
        requests += mine
    ran = None
    for request in requests:
        if _already_launched(instance, "batch_completion_sensor", request.run_key):
            continue
        ok = _execute(defs, instance, request, request.job_name, "batch_completion_sensor", result)
        if request in mine:
            ran = result.consolidated = ok
    if not result.consolidated:
        result.consolidated = already_consolidated(instance, game_date, result.batch_id)
        result.note = (
            f"already consolidated (batch {result.batch_id})"
            if result.consolidated
            else "the consolidation run failed"
            if ran is False
            else "the consolidation was launched by another process"
            if mine
            else "batch incomplete: the completion sensor did not request a consolidation"
        )
    return result


def already_consolidated(instance: dg.DagsterInstance, game_date: str, batch_id: str | None) -> bool:
    """The date's newest consolidation merged this batch (a re-run of a finished day)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(
            asset_key=dg.AssetKey("consolidated_predictions"), asset_partitions=[game_date]
        ),
        limit=1,
    ).records
    materialization = records[0].asset_materialization if records else None
    recorded = materialization.metadata.get("batch_id") if materialization else None
    return bool(batch_id) and recorded is not None and recorded.value == batch_id
