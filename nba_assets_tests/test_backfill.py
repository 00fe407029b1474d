"""nba-assets backfill submits one Dagster asset backfill that the real dagster-daemon carries out
in ranged runs: inputs and slates, staging per shard, then consolidation, exports and grading;
the live-day sensors leave the backfill's batches to it."""

from __future__ import annotations

import os
import re
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pytest

from nba_assets.batch_state.base import BatchState, CompletionStatus
from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.cli import main
from nba_assets.defs.batches import OWNER
from nba_assets.instance.day_run import INSTANCE_YAML
from nba_assets.naming import batch_id_for
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
def test_cli_backfill_through_the_daemon_is_a_few_ranged_runs(tmp_path, monkeypatch, capsys):
    env = {
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_SYSTEMS": "moving_average",
        "NBA_ASSETS_SHARDS": "4",  # the code location's setting; the backfill's --shards 2 wins
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").write_text(INSTANCE_YAML + FAST_QUEUE)
    from nba_assets.instance.backfills import daemon_heartbeating

    with dg.DagsterInstance.get() as instance:  # the SQLite schema exists before two processes race to it
        instance.get_runs(limit=1)
        daemon = ManagedProcess(
            "dagster-daemon",
            [
                str(Path(sys.executable).with_name("dagster-daemon")),
                "run",
                "-w",
                str(ROOT / "workspace.yaml"),
            ],
            port=0,
            env=env,
            log_path=tmp_path / "daemon.log",
            ready=lambda: daemon_heartbeating(instance),  # running, as the command will see it
            timeout=180,
        )
        daemon.start()
    try:
        code = main(["backfill", "--from", FIRST, "--to", LAST, "--shards", "2", "--timeout-minutes", "8"])
        printed = capsys.readouterr().out
        assert code == 0, printed + (tmp_path / "daemon.log").read_text()[-3000:]
        assert "started dagster-daemon" not in printed  # the running daemon carried it: no second one
        with dg.DagsterInstance.get() as instance:
            runs = instance.get_runs()
            # resume: every day already consolidated and graded, so nothing is submitted or run
            assert main(["backfill", "--from", FIRST, "--to", LAST, "-q"]) == 0
            assert len(instance.get_runs()) == len(runs)
    finally:
        daemon.stop()
    with dg.DagsterInstance.get() as instance:
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs), [
            (r.asset_selection, r.status) for r in runs
        ]
        # one backfill, COMPLETED in the Backfills tab; every run is its, none from the live sensors
        (backfill,) = instance.get_backfills()
        assert str(backfill.status.value) == "COMPLETED_SUCCESS", backfill
        assert all(r.tags.get("dagster/backfill") == backfill.backfill_id for r in runs), [
            r.tags for r in runs
        ]
        steps = Counter(",".join(sorted(k.to_user_string() for k in r.asset_selection or [])) for r in runs)
        # both days in each run: inputs and slates; staging once per shard; merge, exports, grading
        assert steps == {
            "box_scores,prop_lines,slate": 1,
            "staging_predictions": 2,
            "consolidated_predictions,front_end_exports,graded_results,results_export": 1,
        }, steps
        # each date's batch merged once, and graded
        merges = instance.fetch_materializations(dg.AssetKey("consolidated_predictions"), limit=10).records
        assert sorted(r.partition_key for r in merges) == [FIRST, LAST]
        assert {FIRST, LAST} <= set(instance.get_materialized_partitions(dg.AssetKey("graded_results")))
    store = SqliteBatchStore(tmp_path / "out" / "batch_state.sqlite")
    for day in (FIRST, LAST):
        (batch,) = store.batches_on(date.fromisoformat(day))
        assert batch.status == BatchState.CONSOLIDATED and set(batch.expected_players.values()) == {0, 1}
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


def _requests(instance, sensor: str) -> list:
    from nba_assets.definitions import defs

    definitions = defs()
    with dg.build_sensor_context(
        instance=instance, definitions=definitions, resources=definitions.resources
    ) as context:
        return list(definitions.resolve_sensor_def(sensor).evaluate_tick(context).run_requests or [])


def test_backfill_ranges_follow_the_calendar_and_the_shards():
    """One ranged run per run of consecutive game days; staging covers the dates x the first N shards
    (a rectangle, so Dagster makes one run per shard and range, not one per date)."""
    from nba_assets.instance.backfills import date_ranges, partitions_by_asset

    days = ["2025-02-12", "2025-02-13", "2025-02-20", "2025-02-21", "2025-02-22"]  # the All-Star break
    assert date_ranges(days) == [("2025-02-12", "2025-02-13"), ("2025-02-20", "2025-02-22")]
    selection = partitions_by_asset(("slate", "staging_predictions"), days, 3)
    by_asset = {s["assetKey"]["path"][0]: s["partitions"]["ranges"] for s in selection}
    assert by_asset["slate"][1] == {"start": "2025-02-20", "end": "2025-02-22"}
    assert by_asset["staging_predictions"][0] == {"start": "2025-02-12|00", "end": "2025-02-13|02"}


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def daemon_pid(printed: str) -> int:
    match = re.search(r"started dagster-daemon for this backfill \(pid (\d+)", " ".join(printed.split()))
    assert match, printed
    return int(match.group(1))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_no_daemon_the_local_backfill_starts_one_for_its_duration_and_stops_it(tmp_path, monkeypatch, capsys):
    """A fresh local instance with no dagster-daemon: the command starts one in its own process
    group, the backfill completes through it, and the group is gone when the command returns."""
    env = {
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_SYSTEMS": "moving_average",
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").write_text(INSTANCE_YAML + FAST_QUEUE)
    started = time.monotonic()
    code = main(
        ["backfill", "--from", FIRST, "--to", FIRST, "--shards", "1", "--no-grade", "--timeout-minutes", "8"]
    )
    printed = capsys.readouterr().out
    log = tmp_path / "dagster_home" / "logs" / "backfill-daemon.log"
    assert code == 0, printed + (log.read_text()[-3000:] if log.exists() else "no daemon log")
    pgid = daemon_pid(printed)
    assert not group_alive(pgid), f"the daemon's process group {pgid} outlived the backfill"
    print(f"one-day backfill with its own daemon: {time.monotonic() - started:.0f} s")  # noqa: T201
    with dg.DagsterInstance.get() as instance:
        (backfill,) = instance.get_backfills()
        assert str(backfill.status.value) == "COMPLETED_SUCCESS", backfill
        assert FIRST in set(instance.get_materialized_partitions(dg.AssetKey("consolidated_predictions")))


@pytest.mark.timeout(120)  # the old command waited until killed: a wait fails here, not a clock reading
def test_no_daemon_outside_the_local_profile_fails_at_once_with_the_command(tmp_path, monkeypatch, capsys):
    """Where this command may not start a daemon (the gcp profile's instance has its own), no
    heartbeat fails at once, naming the exact command, and submits nothing."""
    for key, value in {
        "NBA_ASSETS_PROFILE": "gcp",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_SYSTEMS": "moving_average",
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["backfill", "--from", FIRST, "--to", FIRST, "-q"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "no dagster-daemon is heartbeating on the instance at" in err, err
    assert f"DAGSTER_HOME={tmp_path / 'dagster_home'} " in err and "dagster-daemon run -w " in err, err
    with dg.DagsterInstance.get() as instance:
        assert instance.get_backfills() == []


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_ctrl_c_leaves_the_backfill_submitted_and_cancel_cancels_it(tmp_path, monkeypatch, capsys):
    """No daemon: the command starts one and submits the backfill; Ctrl-C while following stops that
    daemon's whole process group, leaves the backfill submitted and names the command that cancels
    it; that command moves the record to cancelling."""
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

    # the first pause of the progress loop; only the command's own clock (patching time.sleep for
    # everyone also interrupted subprocess.run's wait for dagster-graphql, before the id was known)
    clock = SimpleNamespace(sleep=interrupt, monotonic=time.monotonic, time=time.time)
    monkeypatch.setattr(command, "time", clock)
    assert main(["backfill", "--from", FIRST, "--to", FIRST]) == 130
    monkeypatch.setattr(command, "time", time)
    printed = capsys.readouterr().out
    assert not group_alive(daemon_pid(printed)), "Ctrl-C left the started daemon running"
    with dg.DagsterInstance.get() as instance:
        (record,) = instance.get_backfills()
        assert str(record.status.value) == "REQUESTED"
        assert f"nba-assets backfill --cancel {record.backfill_id}" in " ".join(printed.split())
        # while it is in progress the backfill owns its batches: neither live sensor launches a run
        # for a complete batch its slate run opened (no second staging, no second consolidation)
        store = SqliteBatchStore(tmp_path / "out" / "batch_state.sqlite")
        batch_id = batch_id_for(date.fromisoformat(FIRST), ["a_player:0"])
        store.open_batch(batch_id, date.fromisoformat(FIRST), {"a_player": 0})
        store.record_completion(batch_id, "a_player", CompletionStatus.SUCCEEDED, predictions=1, run_id="r")
        metadata = {
            "batches": {FIRST: {"batch_id": batch_id, "shards": {"00": 1}}},
            OWNER: record.backfill_id,
        }
        instance.report_runless_asset_event(
            dg.AssetMaterialization("slate", partition=FIRST, metadata=metadata)
        )
        assert _requests(instance, "slate_fanout_sensor") == []
        assert _requests(instance, "batch_completion_sensor") == []
        assert main(["backfill", "--cancel", record.backfill_id]) == 0
        assert str(instance.get_backfill(record.backfill_id).status.value) in ("CANCELING", "CANCELED")
