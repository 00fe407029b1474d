"""One line refresh of a date, executed through a real Dagster instance (as ``run_day`` runs a day).

``lines_refresh_job`` re-ingests the lines and, for players whose line moved since their
predictions, opens a batch of just them; then the same fan-out and completion sensors the daemon
runs carry that batch to its shard runs and its one consolidation (and the exports after it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import dagster as dg

from nba_assets.defs.batches import slate_metadata
from nba_assets.defs.slate.schedules import REFRESH_RUN_CONFIG

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class RefreshResult:
    game_date: str
    batch_id: str = ""
    moved: list[str] = field(default_factory=list)
    runs: list[tuple[str, bool]] = field(default_factory=list)  # (job, success)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(success for _, success in self.runs)


def _run(defs, instance, job: str, request: dg.RunRequest, sensor: str | None, result: RefreshResult) -> bool:
    tags = dict(request.tags)
    if sensor and request.run_key:
        if instance.get_runs(dg.RunsFilter(tags={"dagster/run_key": request.run_key}), limit=1):
            return True  # the daemon (or an earlier call) already launched it
        tags.update({"dagster/run_key": request.run_key, "dagster/sensor_name": sensor})
    outcome = defs.resolve_job_def(job).execute_in_process(
        partition_key=request.partition_key,
        run_config={**(request.run_config or {}), **QUIET},
        tags=tags,
        instance=instance,
        raise_on_error=False,
    )
    result.runs.append((job, outcome.success))
    return outcome.success


def _tick(defs, instance, name: str, cursor: str | None) -> tuple[list[dg.RunRequest], str | None]:
    with dg.build_sensor_context(
        instance=instance, definitions=defs, cursor=cursor, sensor_name=name, resources=defs.resources
    ) as context:
        data = defs.resolve_sensor_def(name).evaluate_tick(context)
    return list(data.run_requests or []), data.cursor


def refresh_lines(defs: dg.Definitions, instance: dg.DagsterInstance, game_date: str) -> RefreshResult:
    started, result = time.perf_counter(), RefreshResult(game_date)
    records = instance.fetch_materializations(dg.AssetKey("slate"), limit=1).records
    fanout_cursor = f'{{"storage_id": {records[0].storage_id}}}' if records else None
    request = dg.RunRequest(partition_key=game_date, run_config=REFRESH_RUN_CONFIG)
    if not _run(defs, instance, "lines_refresh_job", request, None, result):
        return result
    metadata = slate_metadata(instance, game_date) or {}
    result.batch_id = str(metadata.get("batch_id", ""))
    result.moved = list(metadata.get("moved_players") or [])
    if result.moved:
        requests, _ = _tick(defs, instance, "slate_fanout_sensor", fanout_cursor)
        for request in requests:
            _run(defs, instance, "staging_job", request, "slate_fanout_sensor", result)
        requests, _ = _tick(defs, instance, "batch_completion_sensor", None)
        for request in requests:
            if request.partition_key == game_date and request.job_name == "consolidation_job":
                _run(defs, instance, "consolidation_job", request, "batch_completion_sensor", result)
    result.seconds = round(time.perf_counter() - started, 2)
    return result
