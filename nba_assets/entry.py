"""The ``nba-assets`` console script: the CLI as one short process, with the collector tuned for it.

A command builds large object graphs (Dagster's definitions, events and instance, pandas frames)
and exits: with the default thresholds the cyclic collector rescans them hundreds of times while
the modules import and once more, in full, at interpreter exit. Measured on run-day for a
450-player day: ~1 s at start-up and ~1 s at exit (bench/RESULTS.md, "run-day"). In-process
callers (tests, benchmarks) use ``nba_assets.cli.main`` and keep the interpreter's defaults.
"""

from __future__ import annotations

import gc
import sys

# generation-0 threshold up from 700: a few collections while importing instead of hundreds
GC_THRESHOLDS = (50_000, 20, 100)


def run() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    from nba_assets.cli import main  # after the thresholds: its imports are most of start-up

    code = main()
    # Everything still alive is freed by the process's exit: skip the collector's final full pass.
    # Files, connections and runs are closed by then (their context managers have exited).
    gc.freeze()
    sys.exit(code)
