"""The schedules with feeds configured: the slate and grading runs ask the feeds themselves; the line
refresh runs only with an odds key and a slate, in refresh mode."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from nba_assets.defs.slate.schedules import REFRESH_RUN_CONFIG

TZ = dt.timezone(dt.timedelta(hours=-5))


def _tick(definitions, instance, name: str, when: dt.datetime):
    with dg.build_schedule_context(
        instance=instance,
        resources=definitions.resources,
        repository_def=definitions.get_repository_def(),
        scheduled_execution_time=when,
    ) as context:
        return definitions.resolve_schedule_def(name).evaluate_tick(context)


def test_line_refresh_needs_a_key_and_a_slate_and_runs_in_refresh_mode(monkeypatch, local_home, instance):
    from nba_assets.definitions import defs

    at_noon = dt.datetime(2026, 1, 2, 12, tzinfo=TZ)
    schedule = defs().resolve_schedule_def("lines_refresh_schedule")
    assert schedule.cron_schedule == "0 10-18/2 * * *" and schedule.execution_timezone == "America/New_York"
    data = _tick(defs(), instance, "lines_refresh_schedule", at_noon)
    assert not data.run_requests and "no odds feed configured" in data.skip_message
    monkeypatch.setenv("ODDS_API_KEY", "k")
    definitions = defs()
    data = _tick(definitions, instance, "lines_refresh_schedule", at_noon)
    assert not data.run_requests and "has no slate yet" in data.skip_message
    instance.report_runless_asset_event(dg.AssetMaterialization("slate", partition="2026-01-02"))
    (request,) = _tick(definitions, instance, "lines_refresh_schedule", at_noon).run_requests
    assert request.partition_key == "2026-01-02" and request.run_key == "lines:2026-01-02:1200"
    assert request.run_config == REFRESH_RUN_CONFIG


def test_with_the_stats_feed_slate_and_grading_runs_are_requested_without_reading_files(
    monkeypatch, local_home, instance
):
    monkeypatch.setenv("NBA_ASSETS_STATS_URL", "http://127.0.0.1:9/stats")  # never called by a tick
    from nba_assets.definitions import defs

    definitions = defs()
    # 2026-01-02 is beyond the bundled files: without the feed this tick would skip
    (slate,) = _tick(
        definitions, instance, "daily_slate_schedule", dt.datetime(2026, 1, 2, 7, tzinfo=TZ)
    ).run_requests
    assert slate.partition_key == "2026-01-02"
    instance.report_runless_asset_event(
        dg.AssetMaterialization("consolidated_predictions", partition="2026-01-02")
    )
    (grade,) = _tick(
        definitions, instance, "grading_daily_schedule", dt.datetime(2026, 1, 3, 6, tzinfo=TZ)
    ).run_requests
    assert grade.partition_key == "2026-01-02" and grade.job_name in (None, "grading_job")
