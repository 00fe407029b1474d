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

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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


# The daemons carrying out a backfill: the backfill daemon, and the run queue's when the instance
# queues runs. Each writes a heartbeat every 30 s; four missed ones mean no daemon is running.
BACKFILL_DAEMONS = ("BACKFILL", "QUEUED_RUN_COORDINATOR")
HEARTBEAT_SECONDS = 120
DAEMON_START_SECONDS = 120  # loading the code location and a first heartbeat, on a loaded machine


class BackfillError(RuntimeError):
    """The instance refused or failed a backfill request."""


def _location() -> list[str]:
    # the project's workspace.yaml names the location as the daemon and the UI do; else the module
    return ["-w", str(WORKSPACE)] if WORKSPACE.exists() else ["-m", "nba_assets.definitions"]


def daemon_command() -> list[str]:
    """The ``dagster-daemon run`` that carries out this project's backfills."""
    return [str(Path(sys.executable).with_name("dagster-daemon")), "run", *_location()]


def daemon_heartbeating(instance: dg.DagsterInstance, within: float = HEARTBEAT_SECONDS) -> bool:
    """A dagster-daemon (or ``dagster dev``) is running on this instance: every daemon a backfill
    needs wrote a heartbeat to the instance within ``within`` seconds."""
    needed = [d for d in BACKFILL_DAEMONS if d in instance.get_required_daemon_types()]
    beats = instance.get_daemon_heartbeats()
    return all(d in beats and time.time() - beats[d].timestamp <= within for d in needed)


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the daemon's whole process group (its code server and run workers), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # no child outlives the leader
    until = time.monotonic() + 10  # killed children take a moment to be gone
    while time.monotonic() < until:
        try:
            os.killpg(proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.1)


@contextlib.contextmanager
def daemon_for_backfill(
    instance: dg.DagsterInstance, *, may_start: bool, log_path: Path, say=print
) -> Iterator[subprocess.Popen | None]:
    """A daemon for the backfill's duration: the one already heartbeating on this instance, else
    (``may_start``: the local profile) a ``dagster-daemon run`` started here in its own process
    group and stopped with that group when the block ends, Ctrl-C included. Otherwise it fails at
    once with the command to run: a backfill never waits on a daemon that is not there."""
    home = os.environ.get("DAGSTER_HOME", "")
    command = f"DAGSTER_HOME={home} {' '.join(daemon_command())}"
    if daemon_heartbeating(instance):
        yield None
        return
    if not may_start:
        raise BackfillError(
            f"no dagster-daemon is heartbeating on the instance at {home}; start one ({command}, "
            "or dagster dev), then run this command again"
        )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            daemon_command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
            cwd=WORKSPACE.parent,
            start_new_session=True,  # its own process group: Ctrl-C reaches us, we stop the group
        )
    try:
        say(
            f"started dagster-daemon for this backfill (pid {proc.pid}, log {log_path}); it stops when the backfill ends"
        )
        deadline = time.monotonic() + DAEMON_START_SECONDS
        while not daemon_heartbeating(instance, within=DAEMON_START_SECONDS):
            if proc.poll() is not None or time.monotonic() > deadline:
                state = f"exited {proc.returncode}" if proc.poll() is not None else "no heartbeat"
                raise BackfillError(
                    f"the dagster-daemon started for this backfill failed ({state} after "
                    f"{DAEMON_START_SECONDS} s at most; log {log_path}); start one yourself: {command}"
                )
            time.sleep(1)
        yield proc
    finally:
        _stop_group(proc)


def _graphql(query: str, variables: dict) -> dict:
    """One GraphQL document through the dagster-graphql CLI against this package's definitions."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "response.json"
        command = [str(Path(sys.executable).with_name("dagster-graphql")), *_location()]
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
