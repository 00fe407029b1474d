"""One contract for every ExportSink: a directory and GCS (on fake-gcs-server) must both pass.

The property behind it is L13's: a reader (the front-end) sees the previous file or the new one,
never a torn one, and a path can never land outside the sink's root.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest
from google.api_core import exceptions as gexc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nba_assets.exports.gcs import GcsSink, gcs_client
from nba_assets.exports.local import DirectorySink
from nba_assets.exports.sink import ExportSink, ExportSinkError, InvalidExportPath, check_path

pytestmark = pytest.mark.timeout(120)
PATH = "v1/tonight/all-players.json"
BAD_PATHS = [
    "",
    "../x.json",
    "v1/../../x.json",
    "/etc/passwd",
    "v1\\x.json",
    "v1//x.json",
    "./x.json",
    "v1/.hidden.json",
    "v1/x.json/",
    "C:/x.json",
    "v1/\x00.json",
]


@pytest.fixture(params=["directory", pytest.param("gcs", marks=pytest.mark.gcs)])
def sink(request, tmp_path) -> ExportSink:
    if request.param == "directory":
        return DirectorySink(tmp_path / "site")
    emulator = request.getfixturevalue("gcs_emulator")
    return GcsSink(emulator.client(), request.getfixturevalue("gcs_bucket"), prefix="site", deadline_s=5)


@pytest.fixture
def gcs_sink(gcs_emulator, gcs_bucket) -> GcsSink:
    return GcsSink(gcs_emulator.client(), gcs_bucket, prefix="site", deadline_s=5)


def test_is_an_export_sink(sink):
    assert isinstance(sink, ExportSink)


def test_write_then_read_round_trips_exact_bytes(sink):
    data = '{"player_name":"Nikola Jokić","x":[1,2.5]}'.encode()
    sink.write(PATH, data)
    assert sink.read(PATH) == data


def test_read_of_a_missing_file_is_none(sink):
    assert sink.read("v1/results/2025-02-12.json") is None


def test_replace_overwrites_and_keeps_one_file(sink):
    sink.write(PATH, b'{"v":1}')
    sink.write(PATH, b'{"v":2}')
    assert sink.read(PATH) == b'{"v":2}'
    assert sink.list("v1/") == [PATH]


def test_list_is_a_string_prefix_over_relative_paths(sink):
    paths = [
        "v1/best-bets/2025-02-12.json",
        "v1/best-bets/latest.json",
        "v1/tonight/player/alhorford.json",
        PATH,
    ]
    for p in paths:
        sink.write(p, b"{}")
    assert sink.list("v1/") == sorted(paths)
    assert sink.list("v1/best-bets/2025") == ["v1/best-bets/2025-02-12.json"]
    assert sink.list("v1/tonight/player/") == ["v1/tonight/player/alhorford.json"]
    assert sink.list("v2/") == []


def test_location_names_the_file(sink):
    sink.write(PATH, b"{}")
    where = sink.location(PATH)
    if isinstance(sink, DirectorySink):
        assert Path(where).read_bytes() == b"{}"
    else:
        assert where == f"gs://{sink.bucket_name}/site/{PATH}"


@pytest.mark.parametrize("bad", BAD_PATHS)
def test_paths_that_could_escape_the_root_are_refused(sink, bad):
    with pytest.raises(InvalidExportPath):
        sink.write(bad, b"{}")
    with pytest.raises(InvalidExportPath):
        sink.read(bad)
    assert sink.list("") == []


def test_a_reader_never_sees_a_torn_file(sink):
    """Readers during replacement see the old or the new bytes, whole (atomic replace)."""
    a, b = b"[" + b"1," * 300_000 + b"1]", b"[" + b"2," * 300_000 + b"2]"
    sink.write(PATH, a)
    seen, stop = [], threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.append(sink.read(PATH))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(20):
            sink.write(PATH, b if i % 2 == 0 else a)
    finally:
        stop.set()
        thread.join(30)
    assert seen and all(s in (a, b) for s in seen), {len(s or b"") for s in seen}


# --- directory specifics ------------------------------------------------------------------


def _race(sink, first, second):
    """Run ``first(hold)`` in a thread; its decision calls ``hold()``, which lets ``second`` start and
    gives it up to a second to finish before ``first`` decides. A sink whose conditional step is
    atomic makes ``second`` wait (a lock) or makes ``first`` decide again (a precondition); either
    way neither may act on bytes the other has already replaced. Returns (first's, second's) result."""
    reached, second_done, results = threading.Event(), threading.Event(), {}
    armed = [True]

    def hold():
        if armed[0]:
            armed[0] = False
            reached.set()
            second_done.wait(1.0)

    def run(name, fn, done=None):
        try:
            results[name] = fn()
        except BaseException as exc:
            results[name] = exc
        finally:
            if done is not None:
                done.set()

    a = threading.Thread(target=run, args=("first", lambda: first(hold)), daemon=True)
    a.start()
    assert reached.wait(30), "the first writer never reached its decision"
    b = threading.Thread(target=run, args=("second", second, second_done), daemon=True)
    b.start()
    a.join(30), b.join(30)
    assert not a.is_alive() and not b.is_alive()
    for value in results.values():
        if isinstance(value, BaseException):
            raise value
    return results["first"], results["second"]


def test_write_if_is_one_atomic_step_against_a_racing_write_if(sink):
    """Two create-only writers of one path: exactly one wins and its bytes are what is published."""

    def first(hold):
        def allowed(current):
            hold()
            return current is None

        return sink.write_if(PATH, b'{"by":"first"}', allowed)

    won = _race(sink, first, lambda: sink.write_if(PATH, b'{"by":"second"}', lambda current: current is None))
    assert sorted(won) == [False, True], f"both or neither wrote: {won}"
    assert sink.read(PATH) == (b'{"by":"first"}' if won[0] else b'{"by":"second"}')


def test_delete_if_removes_only_what_it_is_allowed_to(sink):
    assert sink.delete_if(PATH, lambda current: True) is False  # absent: nothing to remove
    sink.write(PATH, b'{"v":1}')
    assert sink.delete_if(PATH, lambda current: current == b'{"v":2}') is False
    assert sink.read(PATH) == b'{"v":1}'
    assert sink.delete_if(PATH, lambda current: current == b'{"v":1}') is True
    assert sink.read(PATH) is None and sink.list("v1/") == []


def test_delete_if_is_one_atomic_step_against_a_racing_write_if(sink):
    """A removal decided on the old bytes never removes the new bytes written meanwhile."""
    sink.write(PATH, b'{"v":"old"}')

    def first(hold):
        def allowed(current):
            hold()
            return current == b'{"v":"old"}'

        return sink.delete_if(PATH, allowed)

    _race(sink, first, lambda: sink.write_if(PATH, b'{"v":"new"}', lambda current: True))
    assert sink.read(PATH) == b'{"v":"new"}'


def test_directory_failed_replace_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    sink = DirectorySink(tmp_path)
    sink.write(PATH, b"good")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(ExportSinkError, match="previous file kept"):
        sink.write(PATH, b"bad")
    assert sink.read(PATH) == b"good"
    assert [p.name for p in (tmp_path / "v1" / "tonight").iterdir()] == ["all-players.json"]


def test_directory_files_are_world_readable(tmp_path):
    DirectorySink(tmp_path).write(PATH, b"{}")
    assert (tmp_path / PATH).stat().st_mode & 0o777 == 0o644


def test_directory_symlink_out_of_the_root_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "v1").symlink_to(outside)
    with pytest.raises(ExportSinkError, match="outside"):
        DirectorySink(tmp_path / "site").write(PATH, b"{}")
    assert not any(outside.rglob("*"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=0, max_size=6), min_size=1, max_size=4))
def test_any_accepted_path_stays_under_the_root(tmp_path, segments):
    path = "/".join(segments)
    try:
        check_path(path)
    except InvalidExportPath:
        return
    root = (tmp_path / "root").resolve()
    assert (root / path).resolve().is_relative_to(root)


# --- GCS specifics ------------------------------------------------------------------------


@pytest.mark.gcs
def test_gcs_sets_cache_control_and_json_content_type(gcs_sink):
    gcs_sink.write(PATH, b"{}", cache_control="public, max-age=60")
    blob = gcs_sink._bucket.get_blob("site/" + PATH)
    assert (blob.cache_control, blob.content_type) == ("public, max-age=60", "application/json")
    gcs_sink.write(PATH, b"{}", cache_control="no-store")
    assert gcs_sink._bucket.get_blob("site/" + PATH).cache_control == "no-store"


@pytest.mark.gcs
def test_gcs_stale_generation_is_refused_by_the_server(gcs_sink):
    """What the sink relies on: a precondition on an outdated generation fails with 412."""
    gcs_sink.write(PATH, b'{"v":1}')
    stale = gcs_sink.generation(PATH)
    gcs_sink.write(PATH, b'{"v":2}')
    with pytest.raises(gexc.PreconditionFailed):
        gcs_sink._bucket.blob("site/" + PATH).upload_from_string(b'{"v":3}', if_generation_match=stale)
    with pytest.raises(gexc.PreconditionFailed):  # create-only precondition on an existing object
        gcs_sink._bucket.blob("site/" + PATH).upload_from_string(b'{"v":3}', if_generation_match=0)
    assert gcs_sink.read(PATH) == b'{"v":2}'


@pytest.mark.gcs
def test_gcs_lost_race_is_retried_once_after_rereading(gcs_sink, monkeypatch, caplog):
    gcs_sink.write(PATH, b'{"v":1}')
    real = gcs_sink._generation
    calls = []

    def stale_first(name):  # another publisher replaced the file between our read and our upload
        calls.append(name)
        return 0 if len(calls) == 1 else real(name)

    monkeypatch.setattr(gcs_sink, "_generation", stale_first)
    with caplog.at_level(logging.WARNING, logger="nba_assets.exports.gcs"):
        gcs_sink.write(PATH, b'{"v":2}')
    assert gcs_sink.read(PATH) == b'{"v":2}' and len(calls) == 2
    assert "precondition failed" in caplog.text.lower()


@pytest.mark.gcs
def test_gcs_race_lost_twice_is_an_error_and_keeps_the_other_write(gcs_sink, monkeypatch):
    gcs_sink.write(PATH, b'{"v":1}')
    monkeypatch.setattr(gcs_sink, "_generation", lambda name: 0)
    with pytest.raises(ExportSinkError, match="lost a race twice"):
        gcs_sink.write(PATH, b'{"v":2}')
    assert gcs_sink.read(PATH) == b'{"v":1}'


@pytest.mark.gcs
def test_gcs_client_honours_storage_emulator_host(gcs_emulator, gcs_bucket, monkeypatch):
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_emulator.endpoint)
    sink = GcsSink(gcs_client(gcs_emulator.project), gcs_bucket)
    sink.write(PATH, b"{}")
    assert sink.list("") == [PATH] and sink.location(PATH) == f"gs://{gcs_bucket}/{PATH}"


@pytest.mark.gcs
@pytest.mark.timeout(60)  # bounded retries: the library's 120 s default would time the test out
def test_gcs_outage_is_an_export_sink_error_naming_gcs(gcs_emulator, gcs_sink):
    gcs_sink.write(PATH, b"{}")
    sink = GcsSink(gcs_emulator.client(), gcs_sink.bucket_name, prefix="site", deadline_s=1)
    gcs_emulator.stop()
    try:
        with pytest.raises(ExportSinkError, match="GCS write of gs://"):
            sink.write(PATH, b"{}")
        with pytest.raises(ExportSinkError, match="GCS read"):
            sink.read(PATH)
    finally:
        gcs_emulator.start()
