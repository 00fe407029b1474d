"""One Definitions object, as a long-running code server holds it: a rewritten box-score file and
moved lines are seen on the next materialization, without a restart (the old lru_cache never did)."""

from __future__ import annotations

import os
from datetime import timedelta

import dagster as dg
import pandas as pd

from nba_assets.inputs.bundled import bundled_box_scores
from nba_assets.inputs.day import Sources, file_history
from nba_assets_tests.fixtures import SMALL_DATE

DAY = SMALL_DATE.isoformat()
INGEST = [dg.AssetKey("box_scores"), dg.AssetKey("prop_lines")]


def _metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    event = next(e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(key))
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _write(path, frame: pd.DataFrame) -> None:
    frame.to_parquet(path, index=False)
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000))


def test_new_box_scores_and_moved_lines_are_seen_without_restart(tmp_path, monkeypatch, local_home, instance):
    box = bundled_box_scores()
    recent = box[(box["game_date"] >= SMALL_DATE - timedelta(days=30)) & (box["game_date"] <= SMALL_DATE)]
    scores, lines_file = tmp_path / "box.parquet", tmp_path / "lines.csv"
    _write(scores, recent[recent["game_date"] < SMALL_DATE])  # the day not played yet
    day = recent[recent["game_date"] == SMALL_DATE]
    lines = pd.DataFrame(
        {"game_date": DAY, "player_name": day["player_name"], "line": 10.5, "bookmaker": "dk"}
    )
    lines.to_csv(lines_file, index=False)
    monkeypatch.setenv("NBA_ASSETS_BOX_SCORES", str(scores))
    monkeypatch.setenv("NBA_ASSETS_LINES", str(lines_file))
    from nba_assets.definitions import defs

    definitions = defs()
    job = definitions.resolve_job_def("slate_job")
    first = job.execute_in_process(partition_key=DAY, instance=instance, asset_selection=INGEST)
    assert _metadata(first, "box_scores")["rows_on_date"] == 0

    # the box scores arrive: the file is rewritten in place; the same process must see it
    _write(scores, recent)
    lines.loc[lines.index[:4], "line"] = 12.5  # and four players' lines move
    lines.to_csv(lines_file, index=False)
    second = job.execute_in_process(partition_key=DAY, instance=instance, asset_selection=INGEST)
    assert _metadata(second, "box_scores")["rows_on_date"] == len(day)
    moved = _metadata(second, "prop_lines")
    assert moved["moved_count"] == 4

    inputs = definitions.resources["nba_inputs"]
    warehouse = definitions.resources["warehouse"].get()
    assert (inputs.history(warehouse)["game_date"] == SMALL_DATE).sum() == len(day)
    current = inputs.day(SMALL_DATE, warehouse).lines
    assert (current["line"] == 12.5).sum() == 4


def test_the_file_cache_is_keyed_by_size_and_mtime(tmp_path):
    box = bundled_box_scores()
    path = tmp_path / "box.parquet"
    one = box[box["game_date"] == SMALL_DATE]
    _write(path, one)
    src = Sources(box_scores=(str(path),))
    assert file_history(src) is file_history(src)  # cached while unchanged
    _write(path, one.assign(points=one["points"] + 1))  # same size, newer mtime
    assert file_history(src)["points"].sum() == one["points"].sum() + len(one)
