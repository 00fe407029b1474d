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
