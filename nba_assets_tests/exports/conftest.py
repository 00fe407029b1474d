"""Export test fixtures: one realistic bundled day (two systems, five lines a player), built once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nba_assets.exports.builders import build_day_exports
from nba_assets.exports.files import ExportFile
from nba_assets.exports.quality import GateConfig
from nba_assets_tests.exports.day import Day, make_day
from nba_assets_tests.fixtures import DEMO_DATE

GENERATED_AT = datetime(2025, 2, 12, 15, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_day(box_scores) -> Day:
    return make_day(box_scores, DEMO_DATE, systems=("moving_average", "matchup"), alternates=2)


@pytest.fixture(scope="session")
def demo_files(demo_day: Day) -> list[ExportFile]:
    return list(build(demo_day))


@pytest.fixture
def gates(demo_day: Day) -> GateConfig:
    return GateConfig(min_players_per_game=5).for_slate(demo_day.games)


def build(day: Day, generated_at: datetime = GENERATED_AT, **kwargs):
    return build_day_exports(
        day.game_date,
        day.predictions,
        day.slate,
        day.lines,
        day.box_scores,
        generated_at=generated_at,
        **{"default_system": "moving_average", **kwargs},
    )
