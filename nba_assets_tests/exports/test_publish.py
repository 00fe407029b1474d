"""publish: write order, bounded memory, sink failures, GCS end to end, and check_published."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from nba_assets.exports.files import serialise
from nba_assets.exports.gcs import GcsSink
from nba_assets.exports.local import DirectorySink
from nba_assets.exports.page import page_bytes
from nba_assets.exports.publish import publish
from nba_assets.exports.sink import ExportSinkError
from nba_assets.exports.status import check_published
from nba_assets_tests.exports.conftest import GENERATED_AT, build

DAY = "2025-02-12"


class Recording(DirectorySink):
    """A directory sink that records the order of writes and can fail on the n-th one."""

    def __init__(self, root, fail_at: int | None = None) -> None:
        super().__init__(root)
        self.order: list[str] = []
        self.fail_at = fail_at
        self._lock = threading.Lock()

    def write(self, path, data, *, cache_control="public, max-age=300"):
        with self._lock:
            if self.fail_at is not None and len(self.order) + 1 == self.fail_at:
                raise ExportSinkError(f"injected failure at {path}")
            self.order.append(path)
        super().write(path, data, cache_control=cache_control)


def test_writes_dated_then_players_then_index_then_latest(tmp_path, demo_files, gates):
    sink = Recording(tmp_path)
    report = publish(iter(demo_files), sink, gates, workers=4)
    assert report.ok and len(sink.order) == len(demo_files) + 1  # + the tonight page, last
    assert sink.order[-3:] == ["v1/tonight/all-players.json", "v1/best-bets/latest.json", "index.html"]
    first_player = min(i for i, p in enumerate(sink.order) if "/tonight/player/" in p)
    assert {p for p in sink.order[:first_player]} == {
        f"v1/predictions/{DAY}.json",
        f"v1/best-bets/{DAY}.json",
    }
    assert [w.path for w in report.written][-2:] == sink.order[-3:-1]  # the report lists files in write order
    assert report.page is not None and report.page.path == "index.html"


def test_what_is_written_is_what_was_checked_even_when_spooled_to_disk(tmp_path, demo_files, gates):
    sink = DirectorySink(tmp_path)
    report = publish(demo_files, sink, gates, spool_bytes=10_000)  # far below the day's size: spills to disk
    assert report.ok and report.total_bytes == sum(len(serialise(f.payload)) for f in demo_files)
    for file in demo_files[::40] + demo_files[-3:]:
        assert sink.read(file.path) == serialise(file.payload)
    meta = report.metadata()
    assert meta["files_written"] == len(demo_files) and meta["ok"] and meta["findings"] == []


def test_a_sink_failure_midway_keeps_the_published_index(tmp_path, demo_files, gates):
    good = Recording(tmp_path)
    assert publish(demo_files, good, gates).ok
    index_before = good.read("v1/tonight/all-players.json")
    later = [
        dataclasses.replace(f, payload={**f.payload, "generated_at": "2025-02-12T18:00:00Z"})
        for f in demo_files
    ]
    failing = Recording(tmp_path, fail_at=50)
    with pytest.raises(ExportSinkError, match="injected"):
        publish(later, failing, gates, workers=1)
    assert failing.read("v1/tonight/all-players.json") == index_before  # later ranks never started


def test_check_published_reports_missing_wrong_day_and_stale(tmp_path, demo_files, gates, demo_day):
    sink = DirectorySink(tmp_path)
    status = check_published(sink, demo_day.game_date)
    assert not status.ok and len(status.findings) == 3 and "is not published" in str(status.findings[0])
    publish(demo_files, sink, gates)
    now = GENERATED_AT + timedelta(hours=1)
    assert check_published(sink, demo_day.game_date, max_age=timedelta(hours=2), now=now).ok
    stale = check_published(sink, demo_day.game_date, max_age=timedelta(minutes=30), now=now)
    assert [f.gate for f in stale.findings] == ["freshness"] and stale.generated_at == "2025-02-12T15:30:00Z"
    other = [str(f) for f in check_published(sink, demo_day.game_date + timedelta(days=1)).findings]
    assert any("is not published" in f for f in other) and any(
        "shows 2025-02-12, not 2025-02-13" in f for f in other
    )
    (tmp_path / "v1/tonight/player" / f"{demo_files[0].payload['player_lookup']}.json").unlink()
    assert "without a file" in str(check_published(sink, demo_day.game_date).findings)


@pytest.mark.gcs
def test_publish_to_gcs_end_to_end(gcs_emulator, gcs_bucket, demo_files, gates, demo_day):
    sink = GcsSink(gcs_emulator.client(), gcs_bucket, prefix="site", deadline_s=10)
    report = publish(demo_files, sink, gates)
    assert report.ok and len(report.written) == len(demo_files)
    assert report.metadata()["locations"][-1] == f"gs://{gcs_bucket}/site/v1/best-bets/latest.json"
    page = sink._bucket.get_blob("site/index.html")  # beside v1/, served as a web page by bucket hosting
    assert page.content_type == "text/html; charset=utf-8" and page.cache_control == "public, max-age=60"
    assert json.loads(sink.read("v1/tonight/all-players.json")) and sink.read("index.html") == page_bytes()
    index = sink._bucket.get_blob("site/v1/tonight/all-players.json")
    dated = sink._bucket.get_blob(f"site/v1/predictions/{DAY}.json")
    assert index.cache_control == "public, max-age=60" and dated.cache_control == "public, max-age=300"
    assert json.loads(sink.read("v1/tonight/all-players.json"))["total_players"] > 250
    assert check_published(sink, demo_day.game_date, now=datetime(2025, 2, 12, 16, tzinfo=UTC)).ok

    generation = sink.generation("v1/tonight/all-players.json")
    frame = demo_day.frame
    few = demo_day.with_predictions(frame[frame["player_lookup"].isin(frame["player_lookup"].unique()[:3])])
    degraded = publish(build(few), sink, gates)
    assert not degraded.ok and degraded.written == []
    assert sink.generation("v1/tonight/all-players.json") == generation  # the good object was not touched
