"""Polling for what a daemon or a child process does in its own time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float, what: str, step: float = 1.0) -> T:
    """The first truthy value of ``predicate`` within ``timeout`` seconds; otherwise fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(step)
    return value


def finished_ticks_after(instance, sensor_name: str, after: float) -> list:
    """The sensor's ticks that started after ``after`` (epoch seconds) and have finished."""
    states = [s for s in instance.all_instigator_state() if s.name == sensor_name]
    ticks = [
        t
        for s in states
        for t in instance.get_ticks(s.instigator_origin_id, s.selector_id, after=after, limit=20)
    ]
    return [t for t in ticks if t.status.value != "STARTED"]


def wait_for_ticks(instance, sensor_names, after: float, timeout: float) -> None:
    """Each named sensor has finished a tick that started after ``after``: a quiet window measured in
    the daemon's own evaluations, not in seconds that a loaded machine may stretch past a tick."""
    for name in sensor_names:
        wait_for(lambda n=name: finished_ticks_after(instance, n, after), timeout, f"a {name} tick")
