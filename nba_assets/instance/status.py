"""The status report of a day, read from the instance and the profile's stores (``nba-assets status``)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from nba_assets import deadlines
from nba_assets.defs.status.report import day_report
from nba_assets.environment import profile
from nba_assets.instance.day_run import definitions_for


def gather(game_date, home: Path, profile_name: str | None = None) -> dict:
    """The report, from the instance at ``home`` and the profile's stores, opened read-only."""
    if not (home / "dagster.yaml").exists() and not (home / "storage").exists():
        raise FileNotFoundError(f"no Dagster instance at {home} (set DAGSTER_HOME or --dagster-home)")
    os.environ["DAGSTER_HOME"] = str(home.resolve())
    definitions = definitions_for(profile_name)
    wanted = ("batch_store", "export_sink", "nba_inputs", "operations")
    with (
        dg.DagsterInstance.get() as instance,
        dg.build_resources({k: definitions.resources[k] for k in wanted}) as res,
    ):
        store_resource = definitions.resources["batch_store"]
        sqlite_path = getattr(store_resource, "path", None)
        # the local store is a file: a missing one means no batch yet, and is not created here
        store = None if sqlite_path and not Path(sqlite_path).exists() else res.batch_store.get()
        game_day = len(res.nba_inputs.day(game_date).slate) > 0
        return day_report(
            instance,
            store,
            res.export_sink.get(),
            game_date,
            game_day=game_day,
            now=deadlines.now(),
            deadline=res.operations.freshness_deadline,
            profile=profile_name or profile(),
        )
