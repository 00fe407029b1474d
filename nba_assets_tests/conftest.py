"""Suite-wide fixtures. Emulator fixtures live in nba_assets_tests/emulators/ (one module each)."""

from __future__ import annotations

import importlib.util

import pytest

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

SERVICES = ("browser", "postgres", "firestore", "bigquery", "gcs")


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Scheduling order for scripts/test's pytest-xdist workers (``--dist loadfile``, each module
    whole on one worker, so its module-scoped fixtures are built once); no effect on what any test
    does.

    Modules holding ``slow`` tests go first, then those starting a service (browser, database,
    emulators), then the rest, so the long daemon-driven modules run side by side and none is left
    for last while the other workers idle. (``--dist loadgroup`` would split modules finer, but with
    this pytest its ``xdist_group`` marks are not applied: every test went its own way.)
    """
    slow = {_module(item) for item in items if item.get_closest_marker("slow")}
    service = {_module(item) for item in items if any(item.get_closest_marker(m) for m in SERVICES)}
    items.sort(key=lambda item: 0 if _module(item) in slow else 1 if _module(item) in service else 2)
