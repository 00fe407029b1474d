"""Same inputs, same bytes: only generated_at may differ between two builds of a day."""

from __future__ import annotations

import json
from datetime import timedelta

import pyarrow as pa

from nba_assets.exports.files import serialise
from nba_assets_tests.exports.conftest import GENERATED_AT, build
from nba_assets_tests.exports.day import Day


def blobs(files) -> dict[str, bytes]:
    return {f.path: serialise(f.payload) for f in files}


def without_generated_at(data: bytes) -> bytes:
    payload = json.loads(data)
    payload.pop("generated_at")
    return serialise(payload)


def test_two_builds_are_byte_identical(demo_day, demo_files):
    assert blobs(build(demo_day)) == blobs(demo_files)


def test_only_generated_at_differs_at_another_time(demo_day, demo_files):
    later = blobs(build(demo_day, generated_at=GENERATED_AT + timedelta(hours=3)))
    before = blobs(demo_files)
    assert later.keys() == before.keys()
    assert all(later[p] != before[p] for p in before)
    assert all(without_generated_at(later[p]) == without_generated_at(before[p]) for p in before)


def test_input_row_order_and_type_do_not_matter(demo_day, demo_files):
    """A warehouse returns rows in any order, as a Table or a DataFrame; the files do not change."""
    shuffled = demo_day.frame.sample(frac=1.0, random_state=7)
    lines = demo_day.lines.sample(frac=1.0, random_state=8)
    slate = demo_day.slate.sample(frac=1.0, random_state=9)
    box = demo_day.box_scores.sample(frac=1.0, random_state=10)
    day = Day(demo_day.game_date, shuffled, slate, lines, box)  # a DataFrame, not a Table
    assert blobs(build(day)) == blobs(demo_files)
    table_day = Day(
        demo_day.game_date, pa.Table.from_pandas(shuffled, preserve_index=False), slate, lines, box
    )
    assert blobs(build(table_day)) == blobs(demo_files)


def test_files_are_compact_sorted_utf8_json(demo_files):
    data = blobs(demo_files)["v1/tonight/all-players.json"]
    payload = json.loads(data)
    assert data == json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert b"NaN" not in data and b"-0.0," not in data
