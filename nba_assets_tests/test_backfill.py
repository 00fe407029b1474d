"""nba-assets backfill over three real game days with two worker processes, then again (resume),
then the report over the same window: every day consolidated once and graded once."""

from __future__ import annotations

import re
from collections import Counter

import dagster as dg
import duckdb
import pandas as pd
import pytest

from nba_assets.cli import main
from nba_assets.definitions import defs

FIRST, LAST = "2024-12-09", "2024-12-11"  # 17, 43 and 37 players


def test_backfill_picks_dates_from_the_box_scores_the_pipeline_reads(tmp_path, monkeypatch, capsys):
    """NBA_ASSETS_BOX_SCORES is where the pipeline's inputs come from; the date picking agrees.

    The file holds 2024-12-10 only, so a window of 2024-12-09 (a game day of the bundled sample)
    has nothing to backfill: an error before any run, not a day replayed from the wrong source.
    """
    from nba_assets.inputs.bundled import bundled_box_scores

    history = bundled_box_scores()
    box_scores = tmp_path / "box_scores.csv"
    history[history["game_date"].astype(str) == "2024-12-10"].to_csv(box_scores, index=False)
    for key, value in {
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_BOX_SCORES": str(box_scores),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["backfill", "--from", FIRST, "--to", FIRST, "-q"]) == 2
    assert f"no game days between {FIRST} and {FIRST}" in capsys.readouterr().err
    assert not (tmp_path / "dagster_home").exists()  # nothing ran


@pytest.mark.slow
@pytest.mark.timeout(300)
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
    # the summary row: 3 days, 3 graded, 0 consolidated only, 0 skipped, 0 failed, then the run count
    counts = re.search(r"│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│", printed)
    assert counts, printed
    days, graded, consolidated_only, skipped, failed, runs_total = map(int, counts.groups())
    assert (days, graded, consolidated_only, skipped, failed) == (3, 3, 0, 0, 0), printed
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs), [
            (r.job_name, r.status) for r in runs
        ]
        jobs = Counter(r.job_name for r in runs)
        assert jobs["slate_job"] == 3 and jobs["grading_job"] == 3
        assert len(runs) == runs_total
        # each worker runs only its own dates' requests: one consolidation per day, one run per shard
        partitions = {
            job: Counter(r.tags["dagster/partition"] for r in runs if r.job_name == job)
            for job in ("staging_job", "consolidation_job")
        }
        assert set(partitions["consolidation_job"].values()) == {1}, partitions
        assert len(partitions["consolidation_job"]) == 3 and set(partitions["staging_job"].values()) == {1}
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
