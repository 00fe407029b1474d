"""nba-assets backfill over three real game days with two worker processes, then again (resume),
then the report over the same window: every day consolidated once and graded once."""

from __future__ import annotations

from collections import Counter

import dagster as dg
import duckdb
import pandas as pd
import pytest

from nba_assets.cli import main
from nba_assets.definitions import defs

FIRST, LAST = "2024-12-09", "2024-12-11"  # 17, 43 and 37 players
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_backfill_with_two_workers_then_resume_then_report(tmp_path, monkeypatch, capsys):
    for key, value in {
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_SYSTEMS": "moving_average",
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }.items():
        monkeypatch.setenv(key, value)
    args = ["backfill", "--from", FIRST, "--to", LAST, "--shards", "2", "--workers", "2"]
    assert main(args) == 0, capsys.readouterr()
    printed = capsys.readouterr().out
    assert "backfill" in printed and "3" in printed
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs), [
            (r.job_name, r.status) for r in runs
        ]
        jobs = Counter(r.job_name for r in runs)
        assert jobs["slate_job"] == 3 and jobs["grading_job"] == 3
        # Two workers' sensor ticks can race on one request (run_day ticks, then executes); a repeat
        # carries the same run key and is a no-op (staging is replaced per player, a consolidated
        # batch merges nothing), so count distinct requests, not runs.
        requests = {
            job: {r.tags["dagster/run_key"] for r in runs if r.job_name == job}
            for job in ("staging_job", "consolidation_job")
        }
        assert len(requests["consolidation_job"]) == 3 and 3 <= len(requests["staging_job"]) <= 6, requests
        graded = set(instance.get_materialized_partitions(dg.AssetKey("graded_results")))
        assert graded == {FIRST, "2024-12-10", LAST}
        before = len(runs)
        assert main([*args, "-q"]) == 0  # resume: every day already graded, nothing re-runs
        assert len(instance.get_runs()) == before
        # graded_results' backfill policy is single_run: the whole range re-graded in one run
        definitions = defs()
        regrade = dg.materialize(
            [definitions.resolve_assets_def("graded_results")],
            instance=instance,  # its resources come bound
            tags={"dagster/asset_partition_range_start": FIRST, "dagster/asset_partition_range_end": LAST},
        )
        assert regrade.success
        [event] = regrade.get_asset_materialization_events()[:1]
        assert event.materialization.metadata["days_graded"].value == 3
        assert graded <= set(instance.get_materialized_partitions(dg.AssetKey("graded_results")))
        # a consolidated day of a range whose box scores are not loaded is a failure, never skipped
        instance.report_runless_asset_event(
            dg.AssetMaterialization("consolidated_predictions", partition="2025-07-01")
        )
        early = dg.materialize(
            [definitions.resolve_assets_def("graded_results")],
            instance=instance,
            raise_on_error=False,
            tags={
                "dagster/asset_partition_range_start": "2025-06-30",
                "dagster/asset_partition_range_end": "2025-07-01",
            },
        )
        assert not early.success
        assert "no box scores for 2025-07-01 yet" in str(
            early.get_step_failure_events()[0].step_failure_data.error
        )
    with duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True) as con:
        duplicates = con.execute(
            "select count(*) - count(distinct (game_date, game_id, player_lookup, system_id, line_key)) "
            "from player_prop_predictions"
        ).fetchone()[0]
    assert duplicates == 0
    out = tmp_path / "report"
    assert main(["report", "--from", FIRST, "--to", LAST, "--out", str(out), "-q"]) == 0
    weekly = pd.read_csv(out / f"report_{FIRST}_{LAST}_weekly.csv")
    assert set(weekly["system_id"]) == {"moving_average"} and weekly["days"].sum() == 3
    assert (weekly["player_games"] > 0).all() and weekly["mae"].between(0, 20).all()
