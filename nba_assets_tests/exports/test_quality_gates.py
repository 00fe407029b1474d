"""L13: a degraded export never replaces a good one; every gate refuses it and says why.

Each test publishes the good day first, then a degraded one, and checks that not one byte of
the published site changed.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from nba_assets.exports.local import DirectorySink
from nba_assets.exports.publish import ExportQualityError, publish
from nba_assets.exports.quality import GateConfig
from nba_assets_tests.exports.conftest import build
from nba_assets_tests.exports.day import make_day
from nba_assets_tests.fixtures import SMALL_DATE

DAY = "2025-02-12"


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def published(tmp_path_factory, demo_files, demo_day) -> Path:
    """The good day published once per module; each test gets a copy (mtimes kept)."""
    root = tmp_path_factory.mktemp("published") / "site"
    report = publish(demo_files, DirectorySink(root), GateConfig().for_slate(demo_day.games))
    assert report.ok and len(report.written) == len(demo_files)
    return root


@pytest.fixture
def site(tmp_path, published):
    """A directory with the good day already published, and its snapshot."""
    root = shutil.copytree(published, tmp_path / "site")
    return DirectorySink(root), snapshot(root)


def refused(files, site, gates, *expected: str):
    sink, before = site
    report = publish(files, sink, gates)
    assert not report.ok and report.written == []
    text = " | ".join(map(str, report.findings))
    for fragment in expected:
        assert fragment in text, text
    assert snapshot(sink.root) == before  # the good files are untouched
    with pytest.raises(ExportQualityError, match="nothing written"):
        report.raise_if_failed()
    return report


def test_three_players_instead_of_three_hundred_is_refused(demo_day, site, gates):
    frame = demo_day.frame
    keep = frame["player_lookup"].drop_duplicates().head(3)
    degraded = demo_day.with_predictions(frame[frame["player_lookup"].isin(keep)])
    report = refused(
        build(degraded),
        site,
        gates,
        "has 3 players where the published file for 2025-02-12 has",
        "refusing to replace it",
        "of the slate is missing",
    )
    assert {f.gate for f in report.findings} >= {"regression", "games", "players_per_game"}


def test_regression_gate_alone_catches_a_collapse_when_other_gates_are_loose(demo_day, site):
    frame = demo_day.frame
    half_games = sorted(frame["game_id"].unique())[:3]
    degraded = demo_day.with_predictions(frame[frame["game_id"].isin(half_games)])
    loose = GateConfig(min_players_per_game=1)  # no slate given: the games gate cannot help
    report = refused(build(degraded), site, loose, "refusing to replace it")
    assert {f.gate for f in report.findings} == {"regression"}


def test_nan_prediction_is_refused_with_its_json_path(demo_day, site, gates):
    frame = demo_day.frame
    frame.loc[frame.index[3], "predicted_points"] = np.nan
    refused(build(demo_day.with_predictions(frame)), site, gates, "NaN/infinite", ".predicted")


def test_infinite_edge_is_refused(demo_day, site, gates):
    frame = demo_day.frame
    frame.loc[frame["points_line"].notna().idxmax(), "edge"] = math.inf
    refused(build(demo_day.with_predictions(frame)), site, gates, "NaN/infinite", ".edge")


def test_missing_game_is_refused(demo_day, site, gates):
    frame = demo_day.frame
    gone = sorted(frame["game_id"].unique())[4]
    refused(
        build(demo_day.with_predictions(frame[frame["game_id"] != gone])),
        site,
        gates,
        f"game {gone} of the slate is missing",
    )


def test_thin_game_is_refused(demo_day, site, gates):
    frame = demo_day.frame
    game = sorted(frame["game_id"].unique())[0]
    thin = frame[frame["game_id"] == game]["player_lookup"].drop_duplicates().head(2)
    frame = frame[(frame["game_id"] != game) | frame["player_lookup"].isin(thin)]
    refused(
        build(demo_day.with_predictions(frame)),
        site,
        gates,
        f"game {game} has 2 player(s), fewer than the minimum 5",
    )


def tampered(files, path: str, **changes):
    for file in files:
        yield dataclasses.replace(file, payload={**file.payload, **changes}) if file.path == path else file


def test_inconsistent_totals_are_refused(demo_files, site, gates):
    total = next(f for f in demo_files if f.kind == "all_players").payload["total_players"]
    refused(
        tampered(demo_files, "v1/tonight/all-players.json", total_players=total + 1),
        site,
        gates,
        f"states total_players={total + 1} but holds {total}",
    )
    refused(
        tampered(demo_files, f"v1/predictions/{DAY}.json", total_predictions=1),
        site,
        gates,
        "states total_predictions=1",
    )


def test_schema_violation_is_refused(demo_files, site, gates):
    refused(
        tampered(demo_files, f"v1/best-bets/{DAY}.json", system_id="Not A System!"),
        site,
        gates,
        "violates its JSON Schema at $.system_id",
    )


def test_missing_player_file_is_refused(demo_files, site, gates):
    first_player = next(f.path for f in demo_files if f.kind == "player")
    refused((f for f in demo_files if f.path != first_player), site, gates, "with no tonight/player file")


def test_dry_run_checks_everything_and_writes_nothing(tmp_path, demo_files, gates):
    sink = DirectorySink(tmp_path)
    report = publish(demo_files, sink, gates, dry_run=True)
    assert report.ok and report.checked_files == len(demo_files) and report.written == []
    assert sink.list("") == []


@pytest.fixture(scope="module")
def small_day(box_scores):
    return make_day(box_scores, SMALL_DATE)  # one game, 20 players, a week later


def test_a_smaller_day_for_another_date_is_not_a_regression(small_day, site):
    small = small_day
    sink, _ = site
    report = publish(build(small), sink, GateConfig().for_slate(small.games))
    assert report.ok, report.findings
    assert sink.read("v1/tonight/all-players.json").count(b'"game_date":"2025-02-19"') == 1


def test_a_backfill_never_moves_tonight_or_latest_back(demo_day, small_day, site, gates):
    """Re-publishing an older day rewrites its dated files only."""
    sink, _ = site
    assert publish(build(small_day), sink, GateConfig()).ok
    report = publish(build(demo_day), sink, gates)
    assert report.ok and any("left on 2025-02-19" in s for s in report.skipped)
    written = {w.path for w in report.written}
    assert written == {f"v1/predictions/{DAY}.json", f"v1/best-bets/{DAY}.json"}
    assert b'"game_date":"2025-02-19"' in sink.read("v1/best-bets/latest.json")


def test_ratio_is_configurable(demo_day, site):
    frame = demo_day.frame
    degraded = demo_day.with_predictions(frame[frame["game_id"].isin(sorted(frame["game_id"].unique())[:3])])
    sink, _ = site
    assert publish(build(degraded), sink, GateConfig(min_published_ratio=0.0, min_players_per_game=1)).ok
