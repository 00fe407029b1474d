"""ExportSink on a local directory: each file replaced atomically by rename (DESIGN §4, L13).

Conditional replacement (``write_if``) holds an exclusive ``flock`` on a per-path lock file across
read, decision and rename, so two publishers (threads or processes) deciding on the same pointer
file are serialised: the one that decides second sees what the first wrote.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from nba_assets.exports.sink import Allowed, ExportSinkError, check_path

_TMP_PREFIX = "."  # temp files are hidden, so list() and a web server's index skip them
_FILE_MODE = 0o644  # mkstemp makes 0600; a front-end served from this directory must read the files
# Lock files mirror the export paths under a hidden directory: list() and web servers skip it.
_LOCK_DIR = f"{_TMP_PREFIX}locks"


class DirectorySink:
    """Files under ``root``; a reader sees the old bytes or the new ones, never a torn file."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def _target(self, path: str) -> Path:
        target = (self.root / check_path(path)).resolve()
        # check_path already refuses '..'; this also catches a symlinked directory pointing outside
        if not target.is_relative_to(self.root):
            raise ExportSinkError(f"export path {path!r} resolves outside {self.root}")
        return target

    def write(self, path: str, data: bytes, *, cache_control: str = "public, max-age=300") -> None:
        """Temp file in the same directory, fsync, os.replace.

        The fsync before the rename is what rules out a torn or empty file after a crash; the
        directory itself is not fsynced, so a crash may at worst bring back the previous (good)
        version. ``cache_control`` means nothing on a filesystem; whatever serves it sets it.
        """
        target = self._target(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                dir=target.parent, prefix=f"{_TMP_PREFIX}{target.name}.", suffix=".tmp"
            )
        except OSError as exc:
            raise ExportSinkError(f"cannot create {target.parent}: {exc}") from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, _FILE_MODE)
            os.replace(tmp, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise ExportSinkError(f"writing {target} failed, previous file kept: {exc}") from exc

    def write_if(
        self, path: str, data: bytes, allowed: Allowed, *, cache_control: str = "public, max-age=300"
    ) -> bool:
        """Under the path's lock: read, ask ``allowed``, write (or not). Returns whether it wrote."""
        with self._locked(path):
            if not allowed(self.read(path)):
                return False
            self.write(path, data, cache_control=cache_control)
            return True

    def delete_if(self, path: str, allowed: Allowed) -> bool:
        """Under the path's lock (the one ``write_if`` takes): read, ask ``allowed``, unlink."""
        target = self._target(path)
        with self._locked(path):
            current = self.read(path)
            if current is None or not allowed(current):
                return False
            try:
                os.unlink(target)
            except FileNotFoundError:
                return False
            except OSError as exc:
                raise ExportSinkError(f"removing {target} failed, file kept: {exc}") from exc
            return True

    @contextlib.contextmanager
    def _locked(self, path: str) -> Iterator[None]:
        """An exclusive flock: per open file, so it excludes other threads as well as other processes."""
        lock = self.root / _LOCK_DIR / f"{check_path(path)}.lock"
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise ExportSinkError(f"cannot open the lock file {lock}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def read(self, path: str) -> bytes | None:
        target = self._target(path)
        try:
            return target.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ExportSinkError(f"reading {target} failed: {exc}") from exc

    def list(self, prefix: str = "") -> list[str]:
        """Relative paths starting with ``prefix`` (a string prefix, like GCS), temp files excluded."""
        base = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not base.is_dir():
            return []
        found = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(_TMP_PREFIX)]
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                if name.startswith(_TMP_PREFIX):
                    continue
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                if rel.startswith(prefix):
                    found.append(rel)
        return sorted(found)

    def location(self, path: str) -> str:
        return str(self._target(path))

    def __repr__(self) -> str:
        return f"DirectorySink({str(self.root)!r})"
