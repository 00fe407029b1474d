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
    """Scheduling hints for scripts/test's pytest-xdist workers (``--dist loadgroup``); no effect on
    what any test does.

    Modules holding ``slow`` tests go first, then those starting a service (browser, database,
    emulators), then the rest. Each test of a slow module is scheduled on its own, so that
    the long daemon-driven tests run side by side and none is left for last while the other workers
    idle. Every other module is one ``xdist_group``: its tests run on one worker, in order, and its
    module-scoped fixtures are built once.
    """
    slow = {_module(item) for item in items if item.get_closest_marker("slow")}
    service = {_module(item) for item in items if any(item.get_closest_marker(m) for m in SERVICES)}
    items.sort(key=lambda item: 0 if _module(item) in slow else 1 if _module(item) in service else 2)
    for item in items:
        if _module(item) not in slow and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(_module(item)))
