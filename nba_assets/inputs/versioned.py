"""Caches keyed by the data's version, so a long-running code server always sees today's data.

A cached value is reused only while every source it came from has the same version: a file's
(size, mtime_ns), a warehouse table's ``inputs_version``. A ``bq://`` source has no cheap version
here, so anything read from one is never cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
UNVERSIONED = None


def file_version(source: str | Path) -> tuple | None:
    """(path, size, mtime_ns) of a file; None for a ``bq://`` table or a missing file (never cached)."""
    text = str(source)
    if text.startswith("bq://"):
        return UNVERSIONED
    try:
        stat = Path(text).stat()
    except OSError:
        return UNVERSIONED
    return (text, stat.st_size, stat.st_mtime_ns)


def versions(sources: Iterable[str | Path]) -> tuple | None:
    out = []
    for source in sources:
        version = file_version(source)
        if version is UNVERSIONED:
            return UNVERSIONED
        out.append(version)
    return tuple(out)


class VersionedCache:
    """A small LRU of values keyed by (what, version); a None version bypasses the cache."""

    def __init__(self, size: int = 8) -> None:
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: Hashable | None, build: Callable[[], T]) -> T:
        if version is UNVERSIONED:
            self.misses += 1
            return build()
        full = (key, version)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return self._items[full]
        value = build()
        with self._lock:
            self.misses += 1
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
