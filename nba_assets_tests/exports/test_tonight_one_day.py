"""When ``tonight/`` moves to a new day, every file under it belongs to that day (issue 23): the
player files of players off the new slate are removed, on both sinks, and a re-run of the same day
removes a player who dropped off. Each test lists the whole directory / bucket prefix."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pyarrow.compute as pc
import pytest

from nba_assets.exports.gcs import GcsSink
from nba_assets.exports.local import DirectorySink
from nba_assets.exports.publish import publish
from nba_assets.exports.quality import GateConfig
from nba_assets_tests.exports.conftest import build
from nba_assets_tests.exports.day import make_day

pytestmark = pytest.mark.timeout(180)
OLD, NEW = "2025-02-12", "2025-04-11"
TONIGHT = "v1/tonight/"


@pytest.fixture(scope="module")
def two_days(box_scores):
    days = {}
    for game_date in (OLD, NEW):
        day = make_day(box_scores, date.fromisoformat(game_date), systems=("moving_average",))
        days[game_date] = (list(build(day)), GateConfig(min_players_per_game=5).for_slate(day.games), day)
    return days


@pytest.fixture(params=["directory", pytest.param("gcs", marks=pytest.mark.gcs)])
def sink(request, tmp_path):
    if request.param == "directory":
        return DirectorySink(tmp_path / "site")
    emulator = request.getfixturevalue("gcs_emulator")
    return GcsSink(emulator.client(), request.getfixturevalue("gcs_bucket"), prefix="site", deadline_s=10)


def tonight_paths(files) -> set[str]:
    return {f.path for f in files if f.path.startswith(TONIGHT)}


def assert_tonight_is(sink, game_date: str, paths: set[str]) -> None:
    listed = sink.list(TONIGHT)
    assert set(listed) == paths, f"left over: {sorted(set(listed) - paths)[:5]}"
    assert {json.loads(sink.read(p))["game_date"] for p in listed} == {game_date}


def test_moving_tonight_to_a_new_day_removes_every_older_player_file(sink, two_days):
    old_files, new_files = two_days[OLD][0], two_days[NEW][0]
    only_old = tonight_paths(old_files) - tonight_paths(new_files)
    assert len(only_old) > 20, "the two days must have players the other lacks"
    assert publish(old_files, sink, two_days[OLD][1], workers=4).ok
    report = publish(new_files, sink, two_days[NEW][1], workers=4)
    assert report.ok and set(report.removed) == only_old
    assert report.metadata()["files_removed"] == len(only_old)
    assert_tonight_is(sink, NEW, tonight_paths(new_files))
    # the older day's dated files stay: only tonight/ is the newest day's alone
    assert json.loads(sink.read(f"v1/predictions/{OLD}.json"))["game_date"] == OLD


def test_an_older_day_published_later_leaves_tonight_whole(sink, two_days):
    """A backfill of an older day after the newer one: tonight/ keeps the newer day's files, all."""
    assert publish(two_days[NEW][0], sink, two_days[NEW][1], workers=4).ok
    report = publish(two_days[OLD][0], sink, two_days[OLD][1], workers=4)
    assert report.ok and report.removed == []
    assert_tonight_is(sink, NEW, tonight_paths(two_days[NEW][0]))


def test_a_rerun_of_the_same_day_removes_a_player_who_dropped_off(tmp_path, two_days):
    sink = DirectorySink(tmp_path)
    files, gates, day = two_days[NEW]
    assert publish(files, sink, gates, workers=4).ok
    gone = sorted(day.slate["player_lookup"])[0]  # ruled out after the first run: off the re-run's slate
    rerun = dataclasses.replace(
        day,
        slate=day.slate[day.slate["player_lookup"] != gone],
        predictions=day.predictions.filter(pc.field("player_lookup") != gone),
        lines=day.lines[day.lines["player_lookup"] != gone],
    )
    fewer = list(build(rerun))
    report = publish(fewer, sink, gates, workers=4)
    assert report.ok, report.findings
    assert report.removed == [f"v1/tonight/player/{gone}.json"]
    assert_tonight_is(sink, NEW, tonight_paths(fewer))
