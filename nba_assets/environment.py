"""The one environment helper: which profile runs, and where the local profile keeps its files.

Called inside ``@dg.definitions`` functions and commands, never at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

Profile = Literal["local", "gcp"]
PROFILES: tuple[Profile, ...] = ("local", "gcp")


def profile() -> Profile:
    """``NBA_ASSETS_PROFILE``: ``local`` (default, embedded: SQLite, DuckDB, a directory) or ``gcp``."""
    value = os.environ.get("NBA_ASSETS_PROFILE", "local").strip().lower() or "local"
    if value not in PROFILES:
        raise ValueError(f"NBA_ASSETS_PROFILE={value!r} is not one of {', '.join(PROFILES)}")
    return value  # type: ignore[return-value]


def local_root() -> Path:
    """``NBA_ASSETS_HOME`` (default ``./out``): batch store, DuckDB file, staging, exports, models."""
    return Path(os.environ.get("NBA_ASSETS_HOME", "out")).resolve()
