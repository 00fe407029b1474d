"""Alerts through the real `dagster-daemon`: each incident is exactly one message to the webhook.

The day is prepared in-process (slate, shard runs tagged with the fan-out sensor's run keys, so the
daemon never repeats them); then the daemon's own sensors consolidate, apply the stall policy and
alert. Alerts go to a pytest-httpserver webhook on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
from werkzeug import Response

from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.defs.batches import current_batch_id
from nba_assets.inputs.bundled import DEMO_DATE
from nba_assets.instance.day_run import prepare_home
from nba_assets_tests.emulators.process import ManagedProcess
from nba_assets_tests.fixtures import SMALL_DATE
from nba_assets_tests.waiting import wait_for, wait_for_ticks

ROOT = Path(__file__).resolve().parents[2]
DAY = SMALL_DATE.isoformat()
# after the awaited alert, one more finished tick of every 30-s alert sensor: nothing more may be sent
ALERT_SENSORS = ("run_failure_alert_sensor", "check_failure_alert_sensor", "stall_policy_alert_sensor")
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
# the stall policy's re-runs stay queued forever: the batch can only end as a forced partial
HELD_RERUNS = """
concurrency:
  runs:
    tag_concurrency_limits:
      - key: nba_assets/stall_retry
        limit: 0
"""


class Webhook:
    def __init__(self, httpserver) -> None:
        self.bodies: list[dict] = []
        self._lock = threading.Lock()

        def handler(request):
            with self._lock:
                self.bodies.append(json.loads(request.get_data()))
            return Response("{}", content_type="application/json")

        httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)

    def kinds(self) -> list[str]:
        with self._lock:
            return [b["kind"] for b in self.bodies]


def setup_day(tmp_path, monkeypatch, httpserver, extra_yaml="", **settings):
    env = {
        "NBA_ASSETS_PROFILE": "local",
        "NBA_ASSETS_HOME": str(tmp_path / "out"),
        "NBA_ASSETS_SHARDS": "3",
        "NBA_ASSETS_SYSTEMS": "moving_average",
        "NBA_ASSETS_ALERT_WEBHOOK_URL": httpserver.url_for("/hook"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        **settings,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    instance = prepare_home(tmp_path / "dagster_home")
    if extra_yaml:
        config = tmp_path / "dagster_home" / "dagster.yaml"
        config.write_text(config.read_text() + extra_yaml)
        instance = dg.DagsterInstance.get()
    from nba_assets.definitions import defs

    return env, instance, defs()


def run_slate_and_shards(definitions, instance, hold_back: int = 0) -> str:
    """The slate and its shard runs as the fan-out sensor would launch them; the last ``hold_back``
    shard runs are only recorded (never executed), so the daemon does not launch them either."""
    definitions.resolve_job_def("slate_job").execute_in_process(partition_key=DAY, instance=instance)
    with dg.build_sensor_context(
        instance=instance,
        definitions=definitions,
        sensor_name="slate_fanout_sensor",
        resources=definitions.resources,
    ) as context:
        requests = list(
            definitions.resolve_sensor_def("slate_fanout_sensor").evaluate_tick(context).run_requests
        )
    job = definitions.resolve_job_def("staging_job")
    for i, request in enumerate(requests):
        tags = {
            **request.tags,
            "dagster/run_key": request.run_key,
            "dagster/sensor_name": "slate_fanout_sensor",
        }
        if i < len(requests) - hold_back:
            job.execute_in_process(partition_key=request.partition_key, tags=tags, instance=instance)
        else:  # recorded as canceled: the daemon's run-key check skips it and nothing runs it
            instance.report_run_canceled(instance.create_run_for_job(job, tags=tags))
    return current_batch_id(instance, DAY)


def daemon(tmp_path, env) -> ManagedProcess:
    return ManagedProcess(
        "dagster-daemon",
        [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", str(ROOT / "workspace.yaml")],
        port=0,
        env=env,
        log_path=tmp_path / "daemon.log",
        ready=lambda: True,
    )


def test_a_failing_consolidation_gives_exactly_one_alert(tmp_path, monkeypatch, httpserver):
    hook = Webhook(httpserver)
    env, instance, definitions = setup_day(tmp_path, monkeypatch, httpserver)
    batch_id = run_slate_and_shards(definitions, instance)
    shutil.rmtree(tmp_path / "out" / "staging" / batch_id)  # staging lost: the MERGE must refuse
    process = daemon(tmp_path, env)
    process.start()
    try:
        wait_for(lambda: "run_failure" in hook.kinds(), 300, "the run failure alert")
        wait_for_ticks(instance, ALERT_SENSORS, after=time.time(), timeout=180)
    finally:
        process.stop()
    log = (tmp_path / "daemon.log").read_text()[-3000:]
    (failed,) = [r for r in instance.get_runs() if r.job_name == "consolidation_job"]
    assert failed.status == dg.DagsterRunStatus.FAILURE, log
    assert hook.kinds() == ["run_failure"], (hook.bodies, log)
    (alert,) = hook.bodies
    print("daemon run failure alert:", json.dumps(alert, indent=2))  # noqa: T201 (payload shown with -s)
    assert (alert["run_id"], alert["game_date"], alert["batch_id"]) == (failed.run_id, DAY, batch_id)
    assert "staging holds no rows" in alert["text"]


def test_the_stall_policy_alerts_its_re_run_and_its_forced_partial_once_each(
    tmp_path, monkeypatch, httpserver
):
    hook = Webhook(httpserver)
    env, instance, definitions = setup_day(
        tmp_path,
        monkeypatch,
        httpserver,
        HELD_RERUNS,
        NBA_ASSETS_STALL_IDLE_MINUTES="0.05",
        NBA_ASSETS_STALL_DEADLINE_MINUTES="0.2",
    )
    batch_id = run_slate_and_shards(definitions, instance, hold_back=1)
    process = daemon(tmp_path, env)
    process.start()
    try:
        wait_for(lambda: "forced_partial" in hook.kinds(), 420, "the forced partial alert")
        wait_for(
            lambda: any(
                r.status == dg.DagsterRunStatus.SUCCESS
                for r in instance.get_runs()
                if r.job_name == "consolidation_job"
            ),
            240,
            "the forced partial consolidation",
        )
        wait_for_ticks(instance, ALERT_SENSORS, after=time.time(), timeout=180)
    finally:
        process.stop()
    log = (tmp_path / "daemon.log").read_text()[-3000:]
    assert hook.kinds() == ["stall_rerun", "forced_partial"], (hook.bodies, log)
    rerun, partial = hook.bodies
    print("daemon stall alerts:", json.dumps(hook.bodies, indent=2))  # noqa: T201 (payload shown with -s)
    status = SqliteBatchStore(tmp_path / "out" / "batch_state.sqlite").status(batch_id)
    assert status.state.value == "partial" and partial["details"]["missing"] == list(status.missing)
    assert rerun["batch_id"] == partial["batch_id"] == batch_id and rerun["details"]["players"]
    assert rerun["game_date"] == partial["game_date"] == DAY


def test_a_game_day_with_no_run_trips_the_freshness_check_and_alerts_once(tmp_path, monkeypatch, httpserver):
    """The bundled slate's demo date is a game day nobody ran; its 09:00 deadline passed long ago,
    so the daemon's first morning_deadline_sensor tick judges it (time comes from the date chosen,
    never from sleeping): one morning summary, one freshness run, one missed-deadline alert.
    The summary is sent by a morning_summary_job run (a tick decides, runs act), once by its run key."""
    import nba_assets

    hook = Webhook(httpserver)
    slate = Path(nba_assets.__file__).parent / "data" / f"slate_{DEMO_DATE}.csv"
    env, instance, _ = setup_day(
        tmp_path,
        monkeypatch,
        httpserver,
        NBA_ASSETS_SLATES=str(slate),
        NBA_ASSETS_FRESHNESS_START=DEMO_DATE,
    )
    process = daemon(tmp_path, env)
    process.start()
    try:
        wait_for(
            lambda: {"missed_deadline", "morning_summary"} <= set(hook.kinds()), 300, "the morning alerts"
        )
        # more ticks of the deadline sensor and of every alert sensor: nothing more may be sent
        wait_for_ticks(instance, (*ALERT_SENSORS, "morning_deadline_sensor"), after=time.time(), timeout=180)
    finally:
        process.stop()
    log = (tmp_path / "daemon.log").read_text()[-3000:]
    assert sorted(hook.kinds()) == ["missed_deadline", "morning_summary"], (hook.bodies, log)
    (summary,) = [b for b in hook.bodies if b["kind"] == "morning_summary"]
    (missed,) = [b for b in hook.bodies if b["kind"] == "missed_deadline"]
    (sent,) = [r for r in instance.get_runs() if r.job_name == "morning_summary_job"]
    assert sent.status == dg.DagsterRunStatus.SUCCESS
    assert sent.tags["dagster/run_key"] == f"morning_summary:{DEMO_DATE}"
    print("daemon morning alerts:", json.dumps(hook.bodies, indent=2))  # noqa: T201 (payload shown with -s)
    assert summary["game_date"] == missed["game_date"] == DEMO_DATE
    (run,) = [r for r in instance.get_runs() if r.job_name == "freshness_job"]
    assert (
        run.status == dg.DagsterRunStatus.SUCCESS and run.tags["dagster/run_key"] == f"freshness:{DEMO_DATE}"
    )
    assert missed["run_id"] == run.run_id
