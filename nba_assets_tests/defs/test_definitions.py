"""The code location loads under each profile and every job, schedule, sensor and check resolves."""

from __future__ import annotations

import pytest

EXPECTED_JOBS = {"slate_job", "staging_job", "consolidation_job", "grading_job", "points_model_job"}
EXPECTED_CHECKS = {
    "staging_predictions_all_players_reported",
    "consolidated_predictions_no_duplicate_keys",
    "consolidated_predictions_merged_equals_staged",
    "consolidated_predictions_batch_complete",
    "consolidated_predictions_sane_values",
}


@pytest.mark.parametrize("profile", ["local", "gcp"])
def test_definitions_load_and_resolve(profile, monkeypatch, tmp_path):
    monkeypatch.setenv("NBA_ASSETS_PROFILE", profile)
    monkeypatch.setenv("NBA_ASSETS_HOME", str(tmp_path))
    for name, value in {
        "NBA_ASSETS_GCP_PROJECT": "p",
        "NBA_ASSETS_BQ_DATASET": "nba",
        "NBA_ASSETS_EXPORT_BUCKET": "b",
    }.items():
        monkeypatch.setenv(name, value)
    from nba_assets.definitions import defs

    definitions = defs()
    repo = definitions.get_repository_def()
    assert set(repo.job_names) >= EXPECTED_JOBS
    for job in EXPECTED_JOBS:
        definitions.resolve_job_def(job)
    assert {"daily_slate_schedule", "grading_daily_schedule", "points_model_weekly_schedule"} <= {
        s.name for s in repo.schedule_defs
    }
    assert {"slate_fanout_sensor", "batch_completion_sensor"} <= {s.name for s in repo.sensor_defs}
    checks = {key.name for key in repo.asset_graph.asset_check_keys}
    assert checks >= EXPECTED_CHECKS
    kinds = {"local": "SqliteBatchStoreResource", "gcp": "FirestoreBatchStoreResource"}
    assert type(definitions.resources["batch_store"]).__name__ == kinds[profile]


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("NBA_ASSETS_PROFILE", "azure")
    from nba_assets.environment import profile

    with pytest.raises(ValueError, match="NBA_ASSETS_PROFILE='azure' is not one of local, gcp"):
        profile()


def test_daily_schedule_targets_today_and_skips_days_without_games(definitions, instance):
    import datetime as dt

    import dagster as dg

    schedule = definitions.resolve_schedule_def("daily_slate_schedule")
    assert schedule.cron_schedule == "0 7 * * *" and schedule.execution_timezone == "America/New_York"
    tz = dt.timezone(dt.timedelta(hours=-5))
    repo = definitions.get_repository_def()
    with dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=dt.datetime(2025, 2, 12, 7, tzinfo=tz),
        resources=definitions.resources,
        repository_def=repo,
    ) as game_day:
        data = schedule.evaluate_tick(game_day)
    assert [r.partition_key for r in data.run_requests] == ["2025-02-12"]
    with dg.build_schedule_context(
        instance=instance,
        resources=definitions.resources,
        repository_def=repo,
        scheduled_execution_time=dt.datetime(2025, 2, 16, 7, tzinfo=tz),
    ) as all_star_break:
        data = schedule.evaluate_tick(all_star_break)
    assert not data.run_requests and "no games on 2025-02-16" in data.skip_message


def test_grading_schedule_grades_yesterday_once_consolidated_and_played(definitions, instance):
    import datetime as dt

    import dagster as dg

    schedule = definitions.resolve_schedule_def("grading_daily_schedule")
    assert schedule.cron_schedule == "0 6 * * *" and schedule.job_name == "grading_job"
    tz = dt.timezone(dt.timedelta(hours=-5))

    def tick(day: dt.date):
        with dg.build_schedule_context(
            instance=instance,
            resources=definitions.resources,
            repository_def=definitions.get_repository_def(),
            scheduled_execution_time=dt.datetime(day.year, day.month, day.day, 6, tzinfo=tz),
        ) as context:
            return schedule.evaluate_tick(context)

    data = tick(dt.date(2025, 2, 13))
    assert not data.run_requests and "2025-02-12 has no consolidated predictions" in data.skip_message
    for played in ("2025-02-12", "2025-07-01"):
        instance.report_runless_asset_event(
            dg.AssetMaterialization("consolidated_predictions", partition=played)
        )
    (request,) = tick(dt.date(2025, 2, 13)).run_requests
    assert request.partition_key == "2025-02-12" and request.run_key == "grade:2025-02-12"
    data = tick(dt.date(2025, 7, 2))  # consolidated, but no box scores of that day in the data
    assert not data.run_requests and "no box scores for 2025-07-01 yet" in data.skip_message
