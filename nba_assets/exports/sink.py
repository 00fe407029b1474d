"""The ExportSink protocol: where the front-end JSON files go (DESIGN §6, L13)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

# Decides, from the bytes currently published at a path (None when absent), whether to replace them.
Allowed = Callable[[bytes | None], bool]


class ExportSinkError(Exception):
    """A write that did not happen; the previous file is untouched."""


@runtime_checkable
class ExportSink(Protocol):
    def write(self, path: str, data: bytes, *, cache_control: str = "public, max-age=300") -> None:
        """Replace ``path`` (e.g. ``v1/tonight/all-players.json``) atomically: readers see the old
        file or the new one, never a torn one."""
        ...

    def write_if(
        self, path: str, data: bytes, allowed: Allowed, *, cache_control: str = "public, max-age=300"
    ) -> bool:
        """Replace ``path`` only if ``allowed(current bytes)``; read, decision and write are one atomic
        step against every other ``write_if`` of the same path (a racing writer cannot slip between
        them). Returns whether it wrote. The pointer files use it to never move back a day."""
        ...

    def delete_if(self, path: str, allowed: Allowed) -> bool:
        """Remove ``path`` only if ``allowed(current bytes)``, atomically against every ``write_if``
        of the same path, like ``write_if``. Returns whether it removed (False when absent). Publish
        uses it to clear ``tonight/`` of the files of players no longer on tonight's slate."""
        ...

    def read(self, path: str) -> bytes | None:
        """The current bytes, or None when absent."""
        ...

    def list(self, prefix: str) -> list[str]: ...

    def location(self, path: str) -> str:
        """Where a person finds the file (a filesystem path or gs:// URL)."""
        ...


class InvalidExportPath(ExportSinkError, ValueError):
    """A path that could escape the sink's root (``..``, absolute, backslashes) or is malformed."""


_FORBIDDEN_CHARS = ("\\", "\x00", ":")


def check_path(path: str) -> str:
    """The relative, ``/``-separated path every sink accepts; anything that could escape the root
    of a directory or a bucket prefix is refused before any I/O."""
    if not isinstance(path, str) or not path:
        raise InvalidExportPath(f"export path must be a non-empty string, got {path!r}")
    bad = [c for c in _FORBIDDEN_CHARS if c in path]
    if bad:
        raise InvalidExportPath(f"export path {path!r} contains {bad[0]!r}; use '/'-separated relative paths")
    if path.startswith("/"):
        raise InvalidExportPath(f"export path {path!r} is absolute; paths are relative to the sink's root")
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise InvalidExportPath(
            f"export path {path!r} has an empty, '.' or '..' segment (would escape or alias the root)"
        )
    if any(p.startswith(".") for p in parts):
        raise InvalidExportPath(
            f"export path {path!r} has a hidden segment; names starting with '.' are the sink's temp files"
        )
    return path
