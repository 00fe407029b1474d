"""nba-assets backfill submits Dagster asset backfills that the real dagster-daemon carries out:
slates by the backfill, shards and consolidations by the sensors, grading in one ranged run."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from nba_assets.cli import main
from nba_assets.day_run import INSTANCE_YAML
from nba_assets_tests.emulators.process import ManagedProcess

ROOT = Path(__file__).resolve().parents[1]
FIRST, LAST = "2024-12-09", "2024-12-10"  # 17 and 43 players
# the queued run coordinator checks its queue every second instead of every 5 (the test's only knob)
FAST_QUEUE = "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n  config:\n    dequeue_interval_seconds: 1\n"


def test_backfill_picks_dates_from_the_box_scores_the_pipeline_reads(tmp_path, monkeypatch, capsys):
    """NBA_ASSETS_BOX_SCORES is where the pipeline's inputs come from; the date picking agrees.

    The file holds 2024-12-10 only, so a window of 2024-12-09 (a game day of the bundled sample)
    has nothing to backfill: an error before anything is submitted, not a day replayed from the
    wrong source.
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
    assert not (tmp_path / "dagster_home").exists()  # nothing submitted


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_cli_backfill_through_the_daemon_consolidates_once_and_grades(tmp_path, monkeypatch, capsys):
    env = {
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_SYSTEMS": "moving_average",
        "NBA_ASSETS_SHARDS": "2",
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").write_text(INSTANCE_YAML + FAST_QUEUE)
    with dg.DagsterInstance.get() as instance:  # the SQLite schema exists before two processes race to it
        instance.get_runs(limit=1)
    daemon = ManagedProcess(
        "dagster-daemon",
        [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", str(ROOT / "workspace.yaml")],
        port=0,
        env=env,
        log_path=tmp_path / "daemon.log",
        ready=lambda: True,
    )
    daemon.start()
    try:
        code = main(["backfill", "--from", FIRST, "--to", LAST, "--timeout-minutes", "8"])
        printed = capsys.readouterr().out
        assert code == 0, printed + (tmp_path / "daemon.log").read_text()[-3000:]
        with dg.DagsterInstance.get() as instance:
            runs = instance.get_runs()
            jobs = Counter(r.job_name for r in runs)
            # resume: every day already consolidated and graded, so nothing is submitted or run
            assert main(["backfill", "--from", FIRST, "--to", LAST, "-q"]) == 0
            assert len(instance.get_runs()) == len(runs)
    finally:
        daemon.stop()
    with dg.DagsterInstance.get() as instance:
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs), [
            (r.job_name, r.status) for r in runs
        ]
        # one consolidation per date, launched by the completion sensor (run key = batch id)
        consolidations = Counter(
            r.tags["dagster/partition"] for r in runs if r.job_name == "consolidation_job"
        )
        assert consolidations == {FIRST: 1, LAST: 1}
        assert all("dagster/sensor_name" in r.tags for r in runs if r.job_name in ("staging_job",))
        # the two asset backfills, COMPLETED in the Backfills tab; grading ranged: one run for both days
        backfills = instance.get_backfills()
        assert sorted(str(b.status.value) for b in backfills) == ["COMPLETED_SUCCESS"] * 2, backfills
        grading = [
            r for r in runs if r.tags.get("dagster/backfill") and "graded_results" in str(r.asset_selection)
        ]
        assert len(grading) == 1, jobs
        assert {FIRST, LAST} <= set(instance.get_materialized_partitions(dg.AssetKey("graded_results")))
    with duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True) as con:
        per_day = dict(
            con.execute(
                "select cast(game_date as varchar), count(distinct player_lookup) from player_prop_predictions "
                "group by 1"
            ).fetchall()
        )
        duplicates = con.execute(
            "select count(*) - count(distinct (game_date, game_id, player_lookup, system_id, line_key)) "
            "from player_prop_predictions"
        ).fetchone()[0]
    assert set(per_day) == {FIRST, LAST} and duplicates == 0, per_day


def test_grading_waits_for_the_sensors_not_for_the_slate_backfill():
    """The slate backfill is COMPLETED as soon as its slate runs end, before the sensors have staged
    and consolidated those days: grading submitted then would find no predictions."""
    from nba_assets.commands.backfill import _predicted
    from nba_assets.instance_backfills import Progress

    def seen(status: str, consolidated: set[str]) -> Progress:
        return Progress(status, 2, 0, slated={FIRST, LAST}, consolidated=consolidated, graded=set())

    assert not _predicted(seen("COMPLETED_SUCCESS", {FIRST}))
    assert not _predicted(seen("REQUESTED", {FIRST, LAST}))
    assert _predicted(seen("COMPLETED_SUCCESS", {FIRST, LAST}))
    # a date whose slate failed has no batch to wait for; the others still must be consolidated
    assert _predicted(Progress("COMPLETED_FAILED", 2, 1, {FIRST}, {FIRST}, set()))


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_ctrl_c_leaves_the_backfill_submitted_and_cancel_cancels_it(tmp_path, monkeypatch, capsys):
    """No daemon: the backfill is submitted to the instance, Ctrl-C while following leaves it there
    and names the command that cancels it; that command moves the record to cancelling."""
    import nba_assets.commands.backfill as command

    for key, value in {
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_SYSTEMS": "moving_average",
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }.items():
        monkeypatch.setenv(key, value)

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    real_sleep = command.time.sleep
    monkeypatch.setattr(command.time, "sleep", interrupt)  # the first pause of the progress loop
    assert main(["backfill", "--from", FIRST, "--to", FIRST]) == 130
    monkeypatch.setattr(command.time, "sleep", real_sleep)
    printed = capsys.readouterr().out
    with dg.DagsterInstance.get() as instance:
        (record,) = instance.get_backfills()
        assert str(record.status.value) == "REQUESTED"
        assert f"nba-assets backfill --cancel {record.backfill_id}" in " ".join(printed.split())
        assert main(["backfill", "--cancel", record.backfill_id]) == 0
        assert str(instance.get_backfill(record.backfill_id).status.value) in ("CANCELING", "CANCELED")
