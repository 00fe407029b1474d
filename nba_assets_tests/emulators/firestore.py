"""The real Firestore emulator for tests (DESIGN §9), started once per session on 127.0.0.1.

``gcloud emulators firestore start`` runs with a throw-away ``CLOUDSDK_CONFIG`` in its own process
group (its Java child outlives the wrapper). ``FIRESTORE_EMULATOR_HOST`` is never set globally:
clients are built for the emulator's host explicitly. ``stop()`` keeps the data (an export,
re-imported by ``start()``) because a real Firestore outage loses nothing either.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import firestore

from nba_assets.batch_state.gcp import FirestoreBatchStore, firestore_client
from nba_assets_tests.emulators.process import ManagedProcess, free_port, unavailable

PROJECT = "nba-assets-test"


def _http(method: str, url: str, body: dict | None = None, timeout: float = 10.0) -> bytes:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.read()


def emulator_missing() -> str | None:
    """Why the emulator cannot run here, or None."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return "gcloud is not installed (the Firestore emulator comes with google-cloud-cli)"
    sdk_root = Path(gcloud).resolve().parent.parent
    if not (sdk_root / "platform" / "cloud-firestore-emulator").is_dir():
        return f"the cloud-firestore-emulator component is not installed under {sdk_root}"
    if shutil.which("java") is None:
        return "java is not installed (the Firestore emulator needs a JRE)"
    return None


class FirestoreEmulator:
    """One emulator process; ``host`` is ``127.0.0.1:PORT``."""

    def __init__(self, workdir: Path, project: str = PROJECT, port: int | None = None) -> None:
        self.project, self.port = project, port or free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.workdir = workdir
        self._exports = workdir / "exports"
        self._import: Path | None = None
        self._process: ManagedProcess | None = None

    @property
    def running(self) -> bool:
        return self._process is not None

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def _ready(self) -> bool:
        return _http("GET", self.url, timeout=1.0).strip() == b"Ok"

    def start(self) -> FirestoreEmulator:
        argv = ["gcloud", "emulators", "firestore", "start", f"--host-port={self.host}"]
        if self._import is not None:
            argv.append(f"--import-data={self._import}")
        env = {"CLOUDSDK_CONFIG": str(self.workdir / "gcloud-config"), "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"}
        self._process = ManagedProcess(
            "firestore-emulator",
            argv,
            self.port,
            env=env,
            log_path=self.workdir / "emulator.log",
            ready=self._ready,
        ).start()
        return self

    def stop(self, keep_data: bool = True) -> None:
        """Stop the whole process group; with ``keep_data`` the next ``start()`` restores the data."""
        if self._process is None:
            return
        self._import = self._export() if keep_data else None
        self._process.stop()
        self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def _export(self) -> Path:
        target = self._exports / uuid.uuid4().hex
        target.mkdir(parents=True)
        _http(
            "POST",
            f"{self.url}/emulator/v1/projects/{self.project}:export",
            {"database": f"projects/{self.project}/databases/(default)", "export_directory": str(target)},
        )
        return next(target.glob("*/*.overall_export_metadata"))

    def wipe(self) -> None:
        _http("DELETE", f"{self.url}/emulator/v1/projects/{self.project}/databases/(default)/documents")

    def client(self) -> firestore.Client:
        return firestore_client(self.project, emulator_host=self.host)

    def fresh_store(self, **kwargs) -> FirestoreBatchStore:
        """A store with its own client on an emptied emulator (restarted if a test left it down)."""
        if not self.running:
            self.start()
        self.wipe()
        return FirestoreBatchStore(self.client(), **kwargs)


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[FirestoreEmulator]:
    """The session's emulator; skipped with the reason where gcloud is missing (fails under CI)."""
    reason = emulator_missing()
    if reason:
        unavailable(reason)
    workdir = Path(tempfile.mkdtemp(prefix="firestore-emulator-"))
    emulator = FirestoreEmulator(workdir)
    try:
        emulator.start()
    except RuntimeError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        unavailable(f"the Firestore emulator did not start: {exc}")
    yield emulator
    emulator.stop(keep_data=False)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def firestore_store(firestore_emulator: FirestoreEmulator) -> Iterator[FirestoreBatchStore]:
    """A FirestoreBatchStore on an emptied emulator, with its own client (closed afterwards)."""
    store = firestore_emulator.fresh_store()
    yield store
    store.client.close()
