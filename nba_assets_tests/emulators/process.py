"""A child process in its own process group, waited for on a port, killed with its whole group.

The Firestore emulator's ``gcloud`` wrapper starts a Java child that outlives the wrapper, so
stopping means ``killpg``, never ``terminate()`` of the wrapper alone.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

_BLOCK = 400  # ports per pytest-xdist worker, below Linux's ephemeral range (32768-60999)
_handed_out: set[int] = set()


def _worker_index() -> int | None:
    """pytest-xdist's worker number (``gw3`` -> 3), or None outside xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A port nobody listens on. Under pytest-xdist each worker takes its ports from its own block
    (20000 + 400 x worker), never handing one out twice: two workers binding port 0 at the same time
    could otherwise both be given a port, closed, before either child had bound it."""
    index = _worker_index()
    if index is not None:
        start = 20000 + _BLOCK * (index % 30)
        for port in range(start, start + _BLOCK):
            if port not in _handed_out and _bindable(port):
                _handed_out.add(port)
                return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def unavailable(reason: str) -> None:
    """Skip locally where a tool is missing; under CI=true the suite must not skip, so fail."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


class ManagedProcess:
    def __init__(
        self,
        name: str,
        argv: list[str],
        port: int,
        *,
        env: dict[str, str] | None = None,
        log_path: Path,
        ready: Callable[[], bool] | None = None,
        timeout: float = 90.0,
    ) -> None:
        self.name, self.argv, self.port, self.log_path = name, argv, port, log_path
        self._env = {**os.environ, **(env or {})}
        self._ready = ready or (lambda: port_open(port))
        self._timeout = timeout
        self.proc: subprocess.Popen | None = None
        self._record: Path | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.proc = subprocess.Popen(
            self.argv, stdout=log, stderr=subprocess.STDOUT, env=self._env, start_new_session=True
        )
        atexit.register(self.stop)
        self._record_group()
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            with contextlib.suppress(Exception):
                if self._ready():
                    return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"{self.name} not ready on 127.0.0.1:{self.port} in {self._timeout}s; see {self.log_path}"
        )

    def _record_group(self) -> None:
        """scripts/test kills every recorded group on exit, even if pytest itself was killed.

        A group this object stopped is no longer recorded: its id is free for the system to reuse,
        and a kill of it at exit could hit another process group.
        """
        piddir = os.environ.get("NBA_ASSETS_PIDDIR")
        if piddir and self.proc is not None:
            self._record = Path(piddir, f"{self.name}-{self.proc.pid}")
            self._record.write_text(str(self.proc.pid))

    def stop(self) -> None:
        """SIGTERM the whole group, then SIGKILL whatever is left."""
        if self.proc is None:
            return
        pgid, gone = self.proc.pid, False
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, sig)
            try:
                self.proc.wait(timeout=10)
                # the leader is gone; make sure no child of the group survives it
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pgid, signal.SIGKILL)
                gone = True
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None
        if gone and self._record is not None:  # else the record stays for scripts/test's kill
            self._record.unlink(missing_ok=True)
            self._record = None

    def restart(self) -> None:
        """Stop and start again on the same port (outage tests)."""
        self.stop()
        deadline = time.monotonic() + 20
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.start()
