"""run-day's arguments: today/tomorrow are New York dates; the shard limit is the settings field's."""

from __future__ import annotations

import argparse
import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nba_assets.commands.common import cli_definitions, dagster_settings, game_date


def test_today_and_tomorrow_are_new_york_dates():
    # read around the call, so a midnight in New York between the reads cannot make it flaky
    before = datetime.now(ZoneInfo("America/New_York")).date()
    today, tomorrow = game_date("today"), game_date("tomorrow")
    after = datetime.now(ZoneInfo("America/New_York")).date()
    assert today in {before.isoformat(), after.isoformat()}
    assert tomorrow in {(before + timedelta(days=1)).isoformat(), (after + timedelta(days=1)).isoformat()}
    assert game_date("2025-02-12") == "2025-02-12"
    with pytest.raises(ValueError, match="'yesterday' is not YYYY-MM-DD, today or tomorrow"):
        game_date("yesterday")


@pytest.mark.parametrize("shards, ok", [(0, False), (1, True), (16, True), (17, False)])
def test_the_shard_limit_comes_from_the_settings_field(monkeypatch, shards, ok):
    monkeypatch.delenv("NBA_ASSETS_SHARDS", raising=False)
    args = argparse.Namespace(profile=None, shards=shards, dagster_home=None)
    if ok:
        dagster_settings(args)
        from nba_assets.defs.env import resolved

        # the definitions the command runs carry the count; nothing is written to the environment
        assert resolved(cli_definitions(args).resources["settings"]).shard_count == shards
        assert "NBA_ASSETS_SHARDS" not in os.environ
    else:
        with pytest.raises(ValueError, match=f"--shards {shards} must be between 1 and 16"):
            dagster_settings(args)
