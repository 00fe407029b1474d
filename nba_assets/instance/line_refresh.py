"""One line refresh of a date, executed through a real Dagster instance (as ``run_day`` runs a day).

``lines_refresh_job`` re-ingests the lines and, for players whose line moved since their
predictions, opens a batch of just them; then the same fan-out and completion sensors the daemon
runs carry that batch to its shard runs and its one consolidation (and the exports after it).
Runs are executed and sensors evaluated by ``day_run``'s own ``execute`` and ``evaluate``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import dagster as dg

from nba_assets.defs.batches import slate_metadata
from nba_assets.defs.jobs import CONSOLIDATION_JOB, LINES_REFRESH_JOB
from nba_assets.defs.slate.schedules import REFRESH_RUN_CONFIG
from nba_assets.defs.slate.sensors import cursor_at_newest_slate
from nba_assets.instance.day_run import RunSummary, date_of, evaluate, execute


@dataclass
class RefreshResult:
    game_date: str
    batch_id: str = ""
    moved: list[str] = field(default_factory=list)
    runs: list[RunSummary] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(run.ok for run in self.runs)


def refresh_lines(defs: dg.Definitions, instance: dg.DagsterInstance, game_date: str) -> RefreshResult:
    started, result = time.perf_counter(), RefreshResult(game_date)
    fanout_cursor = cursor_at_newest_slate(instance)
    request = dg.RunRequest(partition_key=game_date, run_config=REFRESH_RUN_CONFIG)
    refresh = execute(defs, instance, LINES_REFRESH_JOB, request)
    result.runs.append(refresh)
    if not refresh.ok:
        return result
    metadata = slate_metadata(instance, game_date) or {}
    result.batch_id = str(metadata.get("batch_id", ""))
    result.moved = list(metadata.get("moved_players") or [])
    if result.moved:
        for request in evaluate(defs, instance, "slate_fanout_sensor", fanout_cursor):
            if date_of(request) == game_date:
                result.runs.append(execute(defs, instance, request.job_name, request))
        for request in evaluate(defs, instance, "batch_completion_sensor"):
            if date_of(request) == game_date and request.job_name == CONSOLIDATION_JOB:
                result.runs.append(execute(defs, instance, request.job_name, request))
    result.seconds = round(time.perf_counter() - started, 2)
    return result
