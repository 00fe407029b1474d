"""A throw-away PostgreSQL server from Debian's `postgresql` package, on 127.0.0.1, in a temp dir.

initdb and postgres refuse to run as root, so under root both run as the package's `postgres`
user (setpriv, which execs: the server stays the leader of its own process group). Durability
is off (fsync, synchronous_commit): the data dies with the test.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nba_assets_tests.emulators.process import ManagedProcess, free_port, unavailable


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    db_name: str

    def env(self) -> dict[str, str]:
        """deploy/dagster.yaml's variables (trust auth: the password is not checked)."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": "unused",
            "DAGSTER_PG_DB": self.db_name,
        }


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _as_server_user(root: Path) -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        unavailable("running as root and there is no `postgres` user to run the server as")
    os.chown(root, account.pw_uid, account.pw_gid)
    return ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--init-groups"]


def _ready(bin_dir: Path, port: int) -> bool:
    probe = [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", "dagster", "-q"]
    return subprocess.run(probe, check=False).returncode == 0


@contextlib.contextmanager
def postgres_server(log_dir: Path) -> Iterator[Postgres]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        unavailable("Debian's postgresql is not installed (scripts/install-postgres)")
    root = Path(tempfile.mkdtemp(prefix="nba-assets-pg-"))  # under /tmp: reachable by `postgres`
    try:
        prefix = _as_server_user(root)
        data = root / "data"
        initdb = [
            *prefix,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "dagster",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ]
        subprocess.run(initdb, check=True, capture_output=True, cwd=root)
        port = free_port()
        server = ManagedProcess(
            "postgres",
            [
                *prefix,
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-k",
                str(root),
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            port,
            log_path=log_dir / "postgres.log",
            ready=lambda: _ready(bin_dir, port),
            timeout=60,
        )
        server.start()
        try:
            createdb = [
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "dagster",
                "dagster",
            ]
            subprocess.run(createdb, check=True, capture_output=True)
            yield Postgres("127.0.0.1", port, "dagster", "dagster")
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
