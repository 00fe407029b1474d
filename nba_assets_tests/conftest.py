"""Suite-wide fixtures. Emulator fixtures live in nba_assets_tests/emulators/ (one module each)."""

from __future__ import annotations

import importlib.util

pytest_plugins = [
    m
    for m in (
        "nba_assets_tests.emulators.firestore",
        "nba_assets_tests.emulators.bigquery",
        "nba_assets_tests.emulators.gcs",
        "nba_assets_tests.fixtures",
    )
    if importlib.util.find_spec(m) is not None
]
