"""Asset backfills submitted to the Dagster instance, and what the CLI reads to follow them.

dagster 1.13 has no public Python call that submits an asset backfill (its backfill records are
private classes); the public routes are the UI and the GraphQL mutation ``launchPartitionBackfill``.
The CLI runs that mutation through the ``dagster-graphql`` command (the public package, executing
against the code location in-process, no webserver), so a CLI backfill is the same record the UI's
Backfills tab lists, cancels and re-executes. The ``dagster-daemon`` (or ``dagster dev``) launches
its runs: every asset of the graph for the range, a few ranged runs (one per contiguous range of
dates; per shard for staging), and the backfill owns its batches (docs/operations.md §7).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg

from nba_assets.defs.batches import BACKFILL_ENDED, BACKFILL_TAG, SHARDS_TAG, SLATE
from nba_assets.naming import shard_key

STAGING = "staging_predictions"
# a day end to end: inputs, the batch, its staging, its one MERGE and the front-end files
PREDICT_ASSETS = (
    "box_scores",
    "prop_lines",
    "slate",
    STAGING,
    "consolidated_predictions",
    "front_end_exports",
)
# grading_job's assets, after consolidation in the same backfill (or alone for days already predicted)
GRADE_ASSETS = ("graded_results", "results_export")
CONSOLIDATED = dg.AssetKey("consolidated_predictions")
GRADED = dg.AssetKey("graded_results")

LAUNCH = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on PartitionKeysNotFoundError { message }
    ... on InvalidSubsetError { message }
    ... on UnauthorizedError { message }
  }
}
"""
CANCEL = """
mutation($id: String!) {
  cancelPartitionBackfill(backfillId: $id) { __typename ... on PythonError { message } }
}
"""
WORKSPACE = Path(__file__).resolve().parents[2] / "workspace.yaml"


class BackfillError(RuntimeError):
    """The instance refused or failed a backfill request."""


def _graphql(query: str, variables: dict) -> dict:
    """One GraphQL document through the dagster-graphql CLI against this package's definitions."""
    # the project's workspace.yaml names the location as the daemon and the UI do; else the module
    location = ["-w", str(WORKSPACE)] if WORKSPACE.exists() else ["-m", "nba_assets.definitions"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "response.json"
        command = [str(Path(sys.executable).with_name("dagster-graphql")), *location]
        command += ["-t", query, "-v", json.dumps(variables), "-o", str(out)]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=300, env=os.environ.copy(), cwd=WORKSPACE.parent
        )
        if not out.exists():
            raise BackfillError(f"dagster-graphql exited {done.returncode}: {done.stderr.strip()[-500:]}")
        return json.loads(out.read_text())


def date_ranges(dates: list[str]) -> list[tuple[str, str]]:
    """Runs of consecutive calendar days: Dagster makes one ranged run per run of keys."""
    ranges: list[list[str]] = []
    for key in sorted(dates):
        if ranges and date.fromisoformat(key) - date.fromisoformat(ranges[-1][1]) == timedelta(days=1):
            ranges[-1][1] = key
        else:
            ranges.append([key, key])
    return [(a, b) for a, b in ranges]


def partitions_by_asset(assets: tuple[str, ...], dates: list[str], shards: int) -> list[dict]:
    """Each asset's partition ranges: the dates; for staging, the dates x the first ``shards`` shards
    (the slates of this backfill open batches of that many shards, tag ``SHARDS_TAG``)."""
    selection = []
    for name in assets:
        ranges = [
            {"start": f"{a}|{shard_key(0)}", "end": f"{b}|{shard_key(shards - 1)}"}
            if name == STAGING
            else {"start": a, "end": b}
            for a, b in date_ranges(dates)
        ]
        selection.append({"assetKey": {"path": [name]}, "partitions": {"ranges": ranges}})
    return selection


def submit(assets: tuple[str, ...], dates: list[str], title: str, shards: int) -> str:
    """An asset backfill of ``assets`` over ``dates``; returns its id (the UI's Backfills tab)."""
    params = {
        "partitionsByAssets": partitions_by_asset(assets, dates, shards),
        "title": title,
        "tags": [{"key": SHARDS_TAG, "value": str(shards)}],
    }
    answer = _graphql(LAUNCH, {"params": params})
    result = (answer.get("data") or {}).get("launchPartitionBackfill") or {}
    if result.get("__typename") != "LaunchBackfillSuccess":
        message = result.get("message") or answer.get("errors") or answer
        raise BackfillError(f"launchPartitionBackfill {result.get('__typename')}: {message}")
    return result["backfillId"]


def cancel(backfill_id: str) -> None:
    answer = _graphql(CANCEL, {"id": backfill_id})
    result = (answer.get("data") or {}).get("cancelPartitionBackfill") or {}
    if result.get("__typename") != "CancelBackfillSuccess":
        raise BackfillError(f"cancelPartitionBackfill {backfill_id}: {result or answer}")


@dataclass
class Progress:
    """One look at a backfill: its record's status, its runs, and the dates done downstream."""

    status: str
    runs: int
    failed_runs: int
    slated: set[str]
    consolidated: set[str]
    graded: set[str]

    @property
    def ended(self) -> bool:
        return self.status in BACKFILL_ENDED


def runs_since(instance: dg.DagsterInstance, started: datetime) -> int:
    """How many runs the instance created since ``started`` (the backfill's, for the summary)."""
    return instance.get_runs_count(dg.RunsFilter(created_after=started))


def look(instance: dg.DagsterInstance, backfill_id: str, dates: list[str]) -> Progress:
    record = instance.get_backfill(backfill_id)
    if record is None:
        raise BackfillError(f"backfill {backfill_id} is not in the instance at $DAGSTER_HOME")
    runs = instance.get_runs(dg.RunsFilter(tags={BACKFILL_TAG: backfill_id}))
    wanted = set(dates)

    def done(key: dg.AssetKey) -> set[str]:
        return wanted & set(instance.get_materialized_partitions(key))

    return Progress(
        status=str(record.status.value),
        runs=len(runs),
        failed_runs=sum(r.status == dg.DagsterRunStatus.FAILURE for r in runs),
        slated=done(SLATE),
        consolidated=done(CONSOLIDATED),
        graded=done(GRADED),
    )
