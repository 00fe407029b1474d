"""Alerts: Slack (slack_sdk pointed at a local server), a webhook, or nowhere; and the sensors' messages."""

from __future__ import annotations

import contextlib
import json
import logging

import dagster as dg
import pytest
from dagster_slack import SlackResource
from werkzeug import Response

from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.defs.alerts import resources as alert_resources
from nba_assets.defs.alerts.messages import Alert, AlertKind
from nba_assets.defs.alerts.resources import AlertDeliveryError, AlertsResource
from nba_assets.defs.alerts.sensors import (
    check_failure_alert_sensor,
    run_failure_alert_sensor,
    stall_policy_alert_sensor,
)
from nba_assets.defs.batches import FORCED_PARTIAL_TAG, current_batch_id
from nba_assets_tests.fixtures import SMALL_DATE

DAY = SMALL_DATE.isoformat()
ALERT = Alert(
    AlertKind.RUN_FAILURE,
    "consolidation_job failed for 2025-02-19",
    "job consolidation_job, date 2025-02-19, run r1\nstep error: batch incomplete",
    game_date="2025-02-19",
    run_id="r1",
    job="consolidation_job",
    batch_id="b20250219_x",
)


class Posted:
    """What the local server received: JSON bodies, in order."""

    def __init__(self, httpserver, path: str, answer: dict | None = None, status: int = 200) -> None:
        self.bodies: list[dict] = []
        self.headers: list[dict] = []

        def handler(request):
            self.bodies.append(json.loads(request.get_data()))
            self.headers.append(dict(request.headers))
            return Response(
                json.dumps(answer or {"ok": True}), status=status, content_type="application/json"
            )

        httpserver.expect_request(path, method="POST").respond_with_handler(handler)


def slack(httpserver, channel="#nba-alerts") -> AlertsResource:
    return AlertsResource(
        slack=SlackResource(token="xoxb-test-token"),
        slack_channel=channel,
        slack_api_url=httpserver.url_for("/api/"),
        webserver_url="http://dagster.example",
    )


def webhook(httpserver) -> AlertsResource:
    return AlertsResource(webhook_url=httpserver.url_for("/hook"), webserver_url="http://dagster.example")


def test_slack_posts_through_the_web_api(httpserver):
    posted = Posted(httpserver, "/api/chat.postMessage", {"ok": True, "channel": "C1", "ts": "1.1"})
    assert slack(httpserver).send(ALERT) == "slack"
    (body,) = posted.bodies
    print("slack chat.postMessage body:", json.dumps(body, indent=2))  # noqa: T201 (payload shown with -s)
    assert body["channel"] == "#nba-alerts" and body["unfurl_links"] is False
    assert body["text"].startswith(":red_circle: *consolidation_job failed for 2025-02-19*")
    assert "<http://dagster.example/runs/r1|View the run in Dagster>" in body["text"]
    assert posted.headers[0]["Authorization"] == "Bearer xoxb-test-token"


def test_slack_refusal_is_an_error_naming_slack_s_reason(httpserver):
    Posted(httpserver, "/api/chat.postMessage", {"ok": False, "error": "channel_not_found"})
    with pytest.raises(AlertDeliveryError, match="channel_not_found"):
        slack(httpserver).send(ALERT)


def test_webhook_posts_the_json_payload(httpserver):
    posted = Posted(httpserver, "/hook")
    assert webhook(httpserver).send(ALERT) == "webhook"
    (body,) = posted.bodies
    print("webhook body:", json.dumps(body, indent=2))  # noqa: T201 (payload shown with -s)
    assert body == {
        "source": "nba_assets",
        "kind": "run_failure",
        "severity": "error",
        "title": "consolidation_job failed for 2025-02-19",
        "text": "job consolidation_job, date 2025-02-19, run r1\nstep error: batch incomplete",
        "game_date": "2025-02-19",
        "run_id": "r1",
        "job": "consolidation_job",
        "batch_id": "b20250219_x",
        "url": "http://dagster.example/runs/r1",
        "details": {},
    }


def test_webhook_failure_names_the_status_never_the_url(httpserver):
    Posted(httpserver, "/hook", status=500)
    with pytest.raises(AlertDeliveryError) as caught:
        webhook(httpserver).send(ALERT)
    assert "HTTP 500" in str(caught.value) and "/hook" not in str(caught.value)


def test_slack_wins_over_the_webhook_and_nothing_configured_sends_nothing(httpserver, caplog, monkeypatch):
    posted = Posted(httpserver, "/api/chat.postMessage", {"ok": True})
    both = AlertsResource(
        slack=SlackResource(token="xoxb-t"),
        slack_channel="#c",
        slack_api_url=httpserver.url_for("/api/"),
        webhook_url="http://x",
    )
    assert both.send(ALERT) == "slack" and len(posted.bodies) == 1
    assert AlertsResource(slack=SlackResource(token="xoxb-t")).route() == "none"  # a token without a channel
    monkeypatch.setattr(alert_resources, "_nowhere_said", alert_resources.threading.Event())
    nowhere = AlertsResource()
    with caplog.at_level(logging.WARNING, logger="nba_assets.defs.alerts.resources"):
        assert nowhere.send(ALERT) == "none" and nowhere.send(ALERT) == "none"
    said = [r for r in caplog.records if "alerts go nowhere" in r.getMessage()]
    assert len(said) == 1 and len(httpserver.log) == 1


def test_tokens_come_from_env_vars_and_never_into_the_definitions(monkeypatch):
    monkeypatch.setenv("NBA_ASSETS_SLACK_TOKEN", "xoxb-secret")
    monkeypatch.setenv("NBA_ASSETS_SLACK_CHANNEL", "#nba")
    resource = AlertsResource.from_env()
    assert isinstance(resource.slack.token, dg.EnvVar) or "xoxb-secret" not in repr(resource)
    monkeypatch.delenv("NBA_ASSETS_SLACK_TOKEN")
    assert AlertsResource.from_env().route() == "none"


@contextlib.contextmanager
def _failure_context(instance, result, alerts):
    """The sensor's context (opened: the alerts resource holds a nested Slack resource)."""
    run = instance.get_run_by_id(result.run_id)
    (event,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE]
    with dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert_sensor",
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"alerts": alerts},
    ) as context:
        yield context.for_run_failure()


def test_a_failed_consolidation_alerts_once_with_its_error(definitions, instance, local_home, httpserver):
    posted = Posted(httpserver, "/hook")
    definitions.resolve_job_def("slate_job").execute_in_process(partition_key=DAY, instance=instance)
    refused = definitions.resolve_job_def("consolidation_job").execute_in_process(
        partition_key=DAY, instance=instance, raise_on_error=False
    )
    assert not refused.success
    with _failure_context(instance, refused, webhook(httpserver)) as context:
        run_failure_alert_sensor(context)
    (body,) = posted.bodies
    print("run failure webhook body:", json.dumps(body, indent=2))  # noqa: T201 (payload shown with -s)
    assert (body["kind"], body["game_date"], body["job"], body["run_id"]) == (
        "run_failure",
        DAY,
        "consolidation_job",
        refused.run_id,
    )
    assert "incomplete: 0/20 done" in body["text"]


def test_staging_failures_are_left_to_the_stall_policy(definitions, instance, local_home, httpserver):
    posted = Posted(httpserver, "/hook")
    definitions.resolve_job_def("slate_job").execute_in_process(partition_key=DAY, instance=instance)
    bad = dg.MultiPartitionKey({"date": DAY, "shard": "00"})
    run = definitions.resolve_job_def("staging_job").execute_in_process(
        partition_key=bad,
        instance=instance,
        run_config={"ops": {"staging_predictions": {"config": {"players": ["nobody"]}}}},
        raise_on_error=False,
    )
    assert not run.success
    with _failure_context(instance, run, webhook(httpserver)) as context:
        outcome = run_failure_alert_sensor(context)
    # None, not a SkipReason: a tick mixing a skip with another run's alert fails in the daemon
    assert outcome is None and posted.bodies == []


def test_stall_policy_runs_alert_once_per_batch_and_step(definitions, instance, local_home, httpserver):
    posted = Posted(httpserver, "/hook")
    definitions.resolve_job_def("slate_job").execute_in_process(partition_key=DAY, instance=instance)
    batch_id = current_batch_id(instance, DAY)
    batch = SqliteBatchStore(local_home / "batch_state.sqlite").get_batch(batch_id)
    by_shard: dict[int, list[str]] = {}
    for player, shard in sorted(batch.expected_players.items()):
        by_shard.setdefault(shard, []).append(player)
    # what batch_completion_sensor launches when the policy fires: re-runs per shard, then a partial
    job = definitions.resolve_job_def("staging_job")
    for shard, players in sorted(by_shard.items())[:2]:
        instance.create_run_for_job(
            job,
            run_config={"ops": {"staging_predictions": {"config": {"players": players[:2]}}}},
            tags={
                "nba_assets/batch_id": batch_id,
                "nba_assets/stall_retry": "1",
                "dagster/partition": f"{DAY}|{shard:02d}",
                "dagster/partition/date": DAY,
            },
        )
    resources = {"alerts": webhook(httpserver), "batch_store": definitions.resources["batch_store"]}
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        first = stall_policy_alert_sensor(context)
    assert [b["kind"] for b in posted.bodies] == ["stall_rerun"]
    assert posted.bodies[0]["batch_id"] == batch_id and len(posted.bodies[0]["details"]["players"]) == 4
    assert posted.bodies[0]["game_date"] == DAY
    consolidation = definitions.resolve_job_def("consolidation_job")
    instance.create_run_for_job(
        consolidation,
        tags={"nba_assets/batch_id": batch_id, FORCED_PARTIAL_TAG: "true", "dagster/partition": DAY},
    )
    with dg.build_sensor_context(instance=instance, resources=resources, cursor=first.cursor) as context:
        second = stall_policy_alert_sensor(context)
    with dg.build_sensor_context(instance=instance, resources=resources, cursor=second.cursor) as context:
        third = stall_policy_alert_sensor(context)
    assert [b["kind"] for b in posted.bodies] == ["stall_rerun", "forced_partial"]
    assert third.skip_reason is not None
    partial = posted.bodies[1]
    print("forced partial webhook body:", json.dumps(partial, indent=2))  # noqa: T201 (payload shown with -s)
    assert partial["game_date"] == DAY and len(partial["details"]["missing"]) == 20


def test_a_missed_morning_alerts_from_the_successful_check_run(definitions, instance, local_home, httpserver):
    """The deadline checks of a game day nobody ran fail (ERROR) in a run that succeeds: one alert."""
    from nba_assets.defs.freshness.checks import freshness_run_config

    posted = Posted(httpserver, "/hook")
    job = definitions.resolve_job_def("freshness_job")
    config = freshness_run_config(DAY)
    result = job.execute_in_process(instance=instance, run_config=config, tags={"nba_assets/game_date": DAY})
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["consolidated_predictions_morning_deadline"].passed
    run = instance.get_run_by_id(result.run_id)
    (event,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_SUCCESS]
    with dg.build_run_status_sensor_context(
        sensor_name="check_failure_alert_sensor",
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"alerts": webhook(httpserver)},
    ) as context:
        check_failure_alert_sensor(context)
    (body,) = posted.bodies
    print("missed deadline webhook body:", json.dumps(body, indent=2))  # noqa: T201 (payload shown with -s)
    assert body["kind"] == "missed_deadline" and body["game_date"] == DAY
    assert sorted(body["details"]["failed_checks"]) == [
        "consolidated_predictions_morning_deadline",
        "front_end_exports_morning_deadline",
    ]


@pytest.mark.parametrize("profile", ["local", "gcp"])
def test_operations_definitions_resolve_on_both_profiles(profile, monkeypatch, tmp_path):
    monkeypatch.setenv("NBA_ASSETS_PROFILE", profile)
    monkeypatch.setenv("NBA_ASSETS_HOME", str(tmp_path))
    from nba_assets.definitions import defs

    definitions = defs()
    repo = definitions.get_repository_def()
    assert {
        "run_failure_alert_sensor",
        "check_failure_alert_sensor",
        "stall_policy_alert_sensor",
        "morning_deadline_sensor",
    } <= {s.name for s in repo.sensor_defs}
    assert {"freshness_job", "morning_summary_job", "maintenance_job"} <= set(repo.job_names)
    assert definitions.resolve_schedule_def("maintenance_daily_schedule").cron_schedule == "30 4 * * *"
    checks = {k.name for k in definitions.resolve_asset_graph().asset_check_keys}
    assert {"consolidated_predictions_morning_deadline", "front_end_exports_morning_deadline"} <= checks
    assert (
        definitions.resources["alerts"].route() == "none"
        and definitions.resources["batch_store"].retention_days == 7
    )
