"""The whole asset graph as a checked-in text file, so every change to it shows as a reviewed diff.

Asset keys, groups, kinds, deps (with their partition mappings), partitions, backfill policies,
pools, checks (and which block), jobs (and the assets they select), schedules and sensors.
After an intended change, regenerate and review the diff of ``graph_snapshot.json``::

    NBA_ASSETS_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest -q nba_assets_tests/defs/test_graph_snapshot.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

SNAPSHOT = Path(__file__).with_name("graph_snapshot.json")


def _text(value: object) -> str | None:
    return None if value is None else " ".join(str(value).split())


def graph_snapshot(defs: dg.Definitions) -> dict[str, object]:
    graph = defs.resolve_asset_graph()
    assets: dict[str, object] = {}
    for spec in sorted(defs.resolve_all_asset_specs(), key=lambda s: s.key.to_user_string()):
        definition = defs.resolve_assets_def(spec.key)
        assets[spec.key.to_user_string()] = {
            "group": spec.group_name,
            "kinds": sorted(spec.kinds),
            "deps": {
                dep.asset_key.to_user_string(): _text(dep.partition_mapping)
                for dep in sorted(spec.deps, key=lambda d: d.asset_key.to_user_string())
            },
            "partitions": _text(spec.partitions_def),
            "backfill_policy": _text(definition.backfill_policy),
            "pool": _text(next(iter(definition.node_def.pools), None)) if definition.is_executable else None,
            "automation_condition": _text(spec.automation_condition),
        }
    checks: dict[str, object] = {}
    for key in sorted(defs.resolve_all_asset_keys(), key=lambda k: k.to_user_string()):
        for spec in defs.resolve_assets_def(key).check_specs:
            checks[spec.name] = {"asset": spec.asset_key.to_user_string(), "blocking": spec.blocking}
    for check_def in defs.asset_checks or []:
        for spec in check_def.check_specs:
            checks[spec.name] = {"asset": spec.asset_key.to_user_string(), "blocking": spec.blocking}
    jobs = {
        job.name: sorted(k.to_user_string() for k in job.selection.resolve(graph))
        for job in sorted(defs.jobs or [], key=lambda j: j.name)
        if hasattr(job, "selection")  # the asset jobs (define_asset_job)
    }
    schedules = {
        s.name: {
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "job": s.job_name,
            "default_status": str(s.default_status),
        }
        for s in sorted(defs.schedules or [], key=lambda s: s.name)
    }
    sensors = {
        s.name: {
            "type": type(s).__name__,
            "jobs": sorted(t.job_name for t in s.targets),
            "minimum_interval_seconds": s.minimum_interval_seconds,
            "default_status": str(s.default_status),
        }
        for s in sorted(defs.sensors or [], key=lambda s: s.name)
    }
    return {
        "assets": assets,
        "checks": dict(sorted(checks.items())),
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
    }


def test_graph_matches_the_checked_in_snapshot(definitions):
    current = json.dumps(graph_snapshot(definitions), indent=2, sort_keys=True) + "\n"
    if os.environ.get("NBA_ASSETS_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(current)
    assert SNAPSHOT.exists(), f"no {SNAPSHOT.name}: run with NBA_ASSETS_UPDATE_SNAPSHOT=1 and review it"
    assert current == SNAPSHOT.read_text(), (
        f"the asset graph changed: if intended, regenerate {SNAPSHOT.name} with "
        "NBA_ASSETS_UPDATE_SNAPSHOT=1 and review its diff"
    )
