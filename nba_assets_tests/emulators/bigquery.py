"""The BigQuery emulator (``bqemulator``) for tests (DESIGN §9), started once per session on 127.0.0.1.

It lives in its own venv (``.venv-bqemu``, made by ``scripts/install-bqemulator``) because it pins
DuckDB 1.5.5. It runs ``--persistent`` in a temp dir so that ``stop()`` + ``start()`` (an outage)
keeps the data, as a real BigQuery outage would. Each test gets its own dataset.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import bigquery

from nba_assets.warehouse.gcp import BigQueryWarehouse, bigquery_client
from nba_assets_tests.emulators.process import ManagedProcess, free_port, unavailable

PROJECT = "nba-assets-test"
ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "scripts" / "install-bqemulator"
VENV = Path(os.environ.get("BQEMU_VENV", ROOT / ".venv-bqemu"))


def emulator_binary() -> Path:
    """The emulator's entry point, installing it first if the venv is missing (or skip/fail)."""
    binary = VENV / "bin" / "bqemulator"
    if not binary.exists():
        try:
            subprocess.run(
                ["bash", str(INSTALL)],
                check=True,
                capture_output=True,
                text=True,
                timeout=900,
                env={**os.environ, "BQEMU_VENV": str(VENV)},
            )
        except (OSError, subprocess.SubprocessError) as exc:
            detail = getattr(exc, "stderr", "") or ""
            unavailable(f"{INSTALL.name} failed, so bqemulator is not available: {exc} {detail[-2000:]}")
    return binary


class BigQueryEmulator:
    """One emulator process; ``endpoint`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, binary: Path, workdir: Path, project: str = PROJECT) -> None:
        self.binary, self.workdir, self.project = binary, workdir, project
        self.port, self.grpc_port = free_port(), free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._process: ManagedProcess | None = None

    @property
    def running(self) -> bool:
        return self._process is not None

    def _ready(self) -> bool:
        url = f"{self.endpoint}/bigquery/v2/projects/{self.project}/datasets"
        with urllib.request.urlopen(url, timeout=1.0) as resp:
            return resp.status == 200

    def start(self) -> BigQueryEmulator:
        argv = [
            str(self.binary),
            "start",
            "--rest-host",
            "127.0.0.1",
            "--rest-port",
            str(self.port),
            "--grpc-host",
            "127.0.0.1",
            "--grpc-port",
            str(self.grpc_port),
            "--project",
            self.project,
            "--persistent",
            "--data-dir",
            str(self.workdir / "data"),
            "--log-level",
            "warning",
        ]
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        self._process = ManagedProcess(
            "bqemulator",
            argv,
            self.port,
            log_path=self.workdir / "emulator.log",
            ready=self._ready,
            timeout=60,
        ).start()
        return self

    def stop(self) -> None:
        """Stop the whole process group (the data stays for the next ``start()``)."""
        if self._process is not None:
            self._process.stop()
            self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self) -> bigquery.Client:
        return bigquery_client(self.project, self.endpoint)

    def warehouse(self, dataset: str, **kwargs) -> BigQueryWarehouse:
        return BigQueryWarehouse(self.client(), dataset, **kwargs)


@pytest.fixture(scope="session")
def bigquery_emulator() -> Iterator[BigQueryEmulator]:
    """The session's emulator; skipped with the reason where it cannot be installed (fails under CI)."""
    binary = emulator_binary()
    workdir = Path(tempfile.mkdtemp(prefix="bqemulator-"))
    emulator = BigQueryEmulator(binary, workdir)
    try:
        emulator.start()
    except RuntimeError as exc:
        log = (
            (workdir / "emulator.log").read_text(errors="replace")[-2000:]
            if (workdir / "emulator.log").exists()
            else ""
        )
        shutil.rmtree(workdir, ignore_errors=True)
        unavailable(f"bqemulator did not start: {exc}\n{log}")
    yield emulator
    emulator.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def bigquery_dataset(bigquery_emulator: BigQueryEmulator) -> Iterator[str]:
    """A fresh dataset name for one test, deleted with its tables afterwards."""
    if not bigquery_emulator.running:  # an outage test failed before starting it again
        bigquery_emulator.start()
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    if bigquery_emulator.running:
        client = bigquery_emulator.client()
        client.delete_dataset(f"{bigquery_emulator.project}.{name}", delete_contents=True, not_found_ok=True)
        client.close()
