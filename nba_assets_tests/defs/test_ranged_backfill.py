"""A backfill's ranged runs leave the same tables and files as the day-by-day path.

Day by day: ``run_day`` per date (slate, a staging run per shard from the fan-out sensor, the
completion sensor's one consolidation, the exports), then ``grading_job`` per date, as the live
schedules do. Ranged: one run per step over the three dates (the runs an asset backfill launches
with the ranged backfill policies): the inputs and slates, staging per shard with ONE feature pass,
consolidation and exports, grading. The predictions (ids, lines, values, active flags), the graded
results and every front-end file (but its ``generated_at``) must be equal.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb

from nba_assets.batch_state.base import BatchState
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.instance.day_run import run_day

DATES = ["2024-12-09", "2024-12-10", "2024-12-11"]  # 17, 43 and 37 players, consecutive
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def _tables(home: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        predictions = con.execute(
            "select * exclude (created_at, updated_at) from player_prop_predictions "
            "order by game_date, player_lookup, system_id, line_key"
        ).fetchall()
        results = con.execute(
            "select * from prediction_results order by game_date, player_lookup, system_id, line_key"
        ).fetchall()
    return {"predictions": predictions, "results": results}


def _without_generated_at(value):
    if isinstance(value, dict):
        return {k: _without_generated_at(v) for k, v in value.items() if k != "generated_at"}
    if isinstance(value, list):
        return [_without_generated_at(v) for v in value]
    return value


def _files(home: Path) -> dict[str, object]:
    root = home / "exports"
    return {
        str(p.relative_to(root)): _without_generated_at(json.loads(p.read_text()))
        for p in sorted(root.rglob("*.json"))
    }


def _ranged(definitions: dg.Definitions, instance: dg.DagsterInstance, job: str, start: str, end: str):
    result = definitions.resolve_job_def(job).execute_in_process(
        instance=instance, tags={RANGE_START: start, RANGE_END: end}, raise_on_error=False
    )
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return result


def test_ranged_backfill_equals_day_by_day(tmp_path, monkeypatch):
    from nba_assets.definitions import defs

    monkeypatch.setenv("NBA_ASSETS_PROFILE", "local")
    monkeypatch.setenv("NBA_ASSETS_SHARDS", "2")
    # similarity reads the learned history: the ranged run hands it the whole range's at once
    monkeypatch.setenv("NBA_ASSETS_SYSTEMS", "moving_average,matchup,similarity,ensemble")
    homes = {}
    for path in ("day_by_day", "ranged"):
        home = tmp_path / path / "out"
        monkeypatch.setenv("NBA_ASSETS_HOME", str(home))
        definitions = defs()
        (tmp_path / path / "dagster_home").mkdir(parents=True)
        with dg.instance_for_test(temp_dir=str(tmp_path / path / "dagster_home")) as instance:
            if path == "day_by_day":
                for day in DATES:
                    assert run_day(definitions, instance, day).consolidated
                    grading = definitions.resolve_job_def("grading_job")
                    assert grading.execute_in_process(partition_key=day, instance=instance).success
            else:
                first, last = DATES[0], DATES[-1]
                _ranged(definitions, instance, "slate_job", first, last)
                _ranged(definitions, instance, "staging_job", f"{first}|00", f"{last}|01")
                _ranged(definitions, instance, "consolidation_job", first, last)
                _ranged(definitions, instance, "grading_job", first, last)
                runs = instance.get_runs()
                assert len(runs) == 4  # one run per step for the whole range
                store = SqliteBatchStore(home / "batch_state.sqlite")
                for day in DATES:  # each date kept its own batch, consolidated once
                    from datetime import date

                    (batch,) = store.batches_on(date.fromisoformat(day))
                    assert batch.status == BatchState.CONSOLIDATED
        homes[path] = home
    day_by_day, ranged = _tables(homes["day_by_day"]), _tables(homes["ranged"])
    assert len(day_by_day["predictions"]) > 0 and len(day_by_day["results"]) > 0
    assert ranged["predictions"] == day_by_day["predictions"]
    assert ranged["results"] == day_by_day["results"]
    assert _files(homes["ranged"]) == _files(homes["day_by_day"])
