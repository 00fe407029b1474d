"""The pointer files never move back a day, whatever the interleaving of two publishers (issue 13).

Deterministic, not a load test: the older day's publish is paused right after it read the published
``tonight/all-players.json`` (the read its pointer decision rests on), the newer day's publish runs
to the end meanwhile, then the older one resumes. Its dated files are written; ``tonight/`` and
``latest`` stay on the newer day. On GCS a second test pauses inside the conditional write itself,
between reading the generation and uploading on it.
"""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest

from nba_assets.exports.gcs import GcsSink
from nba_assets.exports.local import DirectorySink
from nba_assets.exports.publish import publish
from nba_assets.exports.quality import GateConfig
from nba_assets_tests.exports.conftest import build
from nba_assets_tests.exports.day import make_day

pytestmark = pytest.mark.timeout(300)
OLD, NEW = "2025-02-12", "2025-04-11"
ANCHOR = "v1/tonight/all-players.json"
LATEST = "v1/best-bets/latest.json"
WAIT_S = 120


class Pause:
    """Holds one thread at a point until the test lets it go; every wait is bounded."""

    def __init__(self) -> None:
        self.reached, self.resume = threading.Event(), threading.Event()
        self.armed = True

    def hold(self) -> None:
        if self.armed:
            self.armed = False
            self.reached.set()
            if not self.resume.wait(WAIT_S):
                raise AssertionError("the paused publisher was never resumed")


def pausing(base: type, hook: str) -> type:
    """A sink class whose ``hook`` (a read method) pauses once, after reading the anchor."""

    class Paused(base):
        def read(self, path):
            data = super().read(path)
            if hook == "read" and path == ANCHOR:
                self.pause.hold()
            return data

        def _current(self, name):
            found = super()._current(name)
            if hook == "_current" and name.endswith(ANCHOR):
                self.pause.hold()
            return found

    Paused.pause = Pause()
    return Paused


@pytest.fixture(scope="module")
def two_days(box_scores):
    """(files, gates) for the older and the newer day."""
    days = {}
    for game_date in (OLD, NEW):
        day = make_day(box_scores, date.fromisoformat(game_date), systems=("moving_average",))
        days[game_date] = (list(build(day)), GateConfig(min_players_per_game=5).for_slate(day.games))
    return days


def race(older_sink, newer_sink, two_days):
    """Run the older publish in a thread until its pause, the newer one to the end, then resume."""
    outcome = {}

    def older():
        try:
            outcome["report"] = publish(two_days[OLD][0], older_sink, two_days[OLD][1], workers=4)
        except BaseException as exc:  # surfaced in the test thread below
            outcome["error"] = exc

    thread = threading.Thread(target=older, daemon=True)
    thread.start()
    try:
        assert older_sink.pause.reached.wait(WAIT_S), "the older publish never reached its pause"
        newer = publish(two_days[NEW][0], newer_sink, two_days[NEW][1], workers=4)
        assert newer.ok and newer.skipped == []
    finally:
        older_sink.pause.resume.set()
        thread.join(WAIT_S)
    assert not thread.is_alive(), "the older publish did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["report"]


def assert_pointers_on_newer_day(sink, two_days):
    report_paths = {f.path for f in two_days[NEW][0] if f.pointer}
    assert json.loads(sink.read(ANCHOR))["game_date"] == NEW
    assert json.loads(sink.read(LATEST))["game_date"] == NEW
    for path in report_paths:
        assert json.loads(sink.read(path))["game_date"] == NEW, path
    # the whole tonight/ prefix, not only the newer day's paths: no older player file is left over
    tonight = sink.list("v1/tonight/")
    assert set(tonight) == {p for p in report_paths if p.startswith("v1/tonight/")}
    assert {json.loads(sink.read(p))["game_date"] for p in tonight} == {NEW}
    # the older day's dated files were still published
    assert json.loads(sink.read(f"v1/predictions/{OLD}.json"))["game_date"] == OLD


def test_directory_older_publish_paused_after_its_read_cannot_move_pointers_back(tmp_path, two_days):
    older = pausing(DirectorySink, "read")(tmp_path)
    report = race(older, DirectorySink(tmp_path), two_days)
    assert report.ok
    assert_pointers_on_newer_day(DirectorySink(tmp_path), two_days)
    assert any(s.startswith("tonight") for s in report.skipped)


@pytest.mark.gcs
def test_gcs_older_publish_paused_after_its_read_cannot_move_pointers_back(
    gcs_emulator, gcs_bucket, two_days
):
    client = gcs_emulator.client()
    older = pausing(GcsSink, "read")(client, gcs_bucket, prefix="site", deadline_s=10)
    report = race(older, GcsSink(client, gcs_bucket, prefix="site", deadline_s=10), two_days)
    assert report.ok
    assert_pointers_on_newer_day(GcsSink(client, gcs_bucket, prefix="site"), two_days)
    assert any(s.startswith("tonight") for s in report.skipped)


@pytest.mark.gcs
def test_gcs_conditional_write_paused_between_read_and_upload_decides_again(
    gcs_emulator, gcs_bucket, two_days
):
    """The generation read with the bytes guards the upload: the newer day's write in between makes
    it fail its precondition, and the re-decision leaves the newer day in place."""
    client = gcs_emulator.client()
    older = pausing(GcsSink, "_current")(client, gcs_bucket, prefix="site", deadline_s=10)
    sink = GcsSink(client, gcs_bucket, prefix="site", deadline_s=10)
    report = race(older, sink, two_days)
    assert report.ok
    assert_pointers_on_newer_day(sink, two_days)
    written = {w.path for w in report.written}
    assert ANCHOR not in written and LATEST not in written
