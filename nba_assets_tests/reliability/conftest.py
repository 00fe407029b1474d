"""Days on a real on-disk Dagster instance (child processes share it), and the undisturbed baseline.

The local day is built once per session and kept at three stages (slate run; every shard run;
consolidated): a test starts from a copy of the stage it needs, so eleven tests pay for one
day's runs. The last stage is the baseline every faulted day is compared with.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest

from nba_assets.instance.day_run import prepare_home
from nba_assets_tests.fixtures import SMALL_DATE
from nba_assets_tests.reliability.harness import SECRETS, Daemon, Snapshot, definitions, resources, snapshot

DAY = SMALL_DATE.isoformat()  # one game, 20 players
# A stalled batch is re-run after ~0.6 s of quiet (no forced partial within a test's lifetime); the
# consolidation lease keeps its 30-minute default, so no recovery here waits for it to expire.
KNOBS = {
    "NBA_ASSETS_SHARDS": "2",
    "NBA_ASSETS_SYSTEMS": "moving_average,matchup",
    "NBA_ASSETS_STALL_IDLE_MINUTES": "0.01",
    "NBA_ASSETS_STALL_DEADLINE_MINUTES": "60",
}
STAGES = ("slate", "shards", "consolidated")


def local_env(root: Path) -> dict[str, str]:
    return {"NBA_ASSETS_PROFILE": "local", "NBA_ASSETS_HOME": str(root / "out"), **KNOBS, **SECRETS}


def gcp_env(root: Path, firestore, bigquery, dataset: str, gcs, bucket: str, prefix: str) -> dict[str, str]:
    return {
        "NBA_ASSETS_PROFILE": "gcp",
        "NBA_ASSETS_GCP_PROJECT": bigquery.project,
        "NBA_ASSETS_BQ_DATASET": dataset,
        "NBA_ASSETS_BQ_ENDPOINT": bigquery.endpoint,
        "NBA_ASSETS_EXPORT_BUCKET": bucket,
        "NBA_ASSETS_FIRESTORE_PREFIX": prefix,
        "FIRESTORE_EMULATOR_HOST": firestore.host,
        **gcs.env,
        "NBA_ASSETS_HOME": str(root / "out"),
        **KNOBS,
        **SECRETS,
    }


@dataclass
class Day:
    """One environment: definitions, an on-disk instance, the daemon loop and the stores."""

    root: Path
    defs: dg.Definitions
    instance: dg.DagsterInstance
    daemon: Daemon
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _stores: tuple = ()

    @property
    def stores(self):
        """(batch store, warehouse, export sink), set up once for the test."""
        if not self._stores:
            self._stores = resources(self.defs, self._stack)
        return self._stores

    def close(self) -> None:
        self._stack.close()
        self.instance.dispose()

    def snapshot(self, game_date: str = DAY) -> Snapshot:
        _, warehouse, sink = self.stores
        return snapshot(warehouse, sink, game_date)


def open_day(root: Path, env: dict[str, str], mp: pytest.MonkeyPatch) -> Day:
    for key, value in env.items():
        mp.setenv(key, value)
    mp.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    instance = prepare_home(root / "dagster_home")
    loaded = definitions()
    return Day(root, loaded, instance, Daemon(loaded, instance))


@dataclass(frozen=True)
class LocalTemplates:
    """Copies of one undisturbed local day at each stage, and its outcome."""

    roots: dict[str, Path]
    baseline: Snapshot
    batch_id: str


@pytest.fixture(scope="session")
def local_templates(tmp_path_factory) -> LocalTemplates:
    root = tmp_path_factory.mktemp("undisturbed")
    roots: dict[str, Path] = {}

    def keep(stage: str, day: Day) -> None:
        day.close()  # every SQLite file closed before the copy
        roots[stage] = tmp_path_factory.mktemp(f"stage_{stage}")
        shutil.copytree(root, roots[stage], dirs_exist_ok=True)

    with pytest.MonkeyPatch.context() as mp:
        day = open_day(root, local_env(root), mp)
        batch_id = day.daemon.slate(DAY)
        keep("slate", day)
        day = open_day(root, local_env(root), mp)
        for request in day.daemon.fan_out():
            assert day.daemon.execute(request, "slate_fanout_sensor")
        keep("shards", day)
        day = open_day(root, local_env(root), mp)
        day.daemon.settle(day.stores[0], batch_id)
        baseline = day.snapshot()
        keep("consolidated", day)
    return LocalTemplates(roots, baseline, batch_id)


@pytest.fixture(scope="session")
def local_baseline(local_templates) -> Snapshot:
    """The undisturbed day on the local profile, with the same knobs."""
    return local_templates.baseline


@pytest.fixture()
def local_day_at(tmp_path, monkeypatch, local_templates) -> Iterator[Callable[[str], Day]]:
    """``local_day_at(stage)``: a private copy of the undisturbed day after ``stage`` ("new": nothing)."""
    opened: list[Day] = []

    def at(stage: str) -> Day:
        if stage != "new":
            shutil.copytree(local_templates.roots[stage], tmp_path, dirs_exist_ok=True)
        opened.append(open_day(tmp_path, local_env(tmp_path), monkeypatch))
        return opened[-1]

    yield at
    for day in opened:
        day.close()


@pytest.fixture()
def gcp_day(
    tmp_path, monkeypatch, firestore_emulator, bigquery_emulator, bigquery_dataset, gcs_emulator
) -> Iterator[Day]:
    """The GCP profile on the emulators: fresh Firestore prefix, dataset and bucket."""
    if not firestore_emulator.running:
        firestore_emulator.start()
    prefix = f"rel_{uuid.uuid4().hex[:10]}_"
    env = gcp_env(
        tmp_path,
        firestore_emulator,
        bigquery_emulator,
        bigquery_dataset,
        gcs_emulator,
        gcs_emulator.new_bucket(),
        prefix,
    )
    day = open_day(tmp_path, env, monkeypatch)
    yield day
    day.close()
