"""The ExportSink protocol: where the front-end JSON files go (DESIGN §6, L13)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class ExportSinkError(Exception):
    """A write that did not happen; the previous file is untouched."""


@runtime_checkable
class ExportSink(Protocol):
    def write(self, path: str, data: bytes, *, cache_control: str = "public, max-age=300") -> None:
        """Replace ``path`` (e.g. ``v1/tonight/all-players.json``) atomically: readers see the old
        file or the new one, never a torn one."""
        ...

    def read(self, path: str) -> bytes | None:
        """The current bytes, or None when absent."""
        ...

    def list(self, prefix: str) -> list[str]:
        ...

    def location(self, path: str) -> str:
        """Where a person finds the file (a filesystem path or gs:// URL)."""
        ...
