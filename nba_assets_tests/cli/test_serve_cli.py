"""`nba-assets serve`: the export folder on 127.0.0.1, one-line errors, Ctrl-C ends it cleanly."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from nba_assets.cli import main
from nba_assets.exports.page import page_bytes
from nba_assets_tests.emulators.process import free_port
from nba_assets_tests.ui.front_page import thread_server
from nba_assets_tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)
NBA_ASSETS = str(Path(sys.executable).with_name("nba-assets"))
# Ctrl-C as at a terminal. A child inherits SIGINT's disposition and mask: ignored or blocked in
# the test's process (a background job's shell ignores it; a library may block it), Python installs
# no KeyboardInterrupt handler or never sees the signal, and `serve` would not stop (seen twice in
# the whole suite, never alone). So default and unblocked, then exec the command.
AT_A_TERMINAL = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); os.execv(sys.argv[1], sys.argv[1:])",
]


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "v1" / "tonight").mkdir(parents=True)
    (tmp_path / "v1" / "tonight" / "all-players.json").write_text('{"game_date": "2025-02-12"}')
    (tmp_path / ".locks").mkdir()
    (tmp_path / ".locks" / "x.lock").write_text("")
    return tmp_path


def get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, b"", dict(exc.headers)


def up(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:  # not listening yet
        return False


def test_serves_the_files_and_the_packaged_page_nothing_hidden(folder):
    with thread_server(folder) as url:
        status, body, headers = get(url)  # no index.html published yet: the packaged page
        assert status == 200 and body == page_bytes() and headers["Content-Type"].startswith("text/html")
        status, body, headers = get(url + "v1/tonight/all-players.json")
        assert status == 200 and b"2025-02-12" in body and headers["Cache-Control"] == "no-cache"
        assert get(url + ".locks/x.lock")[0] == 404  # the sink's lock and temp files
        assert get(url + "v1/")[0] == 404  # no directory listings
        (folder / "index.html").write_text("published page")
        assert get(url)[1] == b"published page"


def test_one_line_errors(tmp_path, capsys):
    assert main(["serve", "--dir", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: no exports in") and "run-day" in err and "\n" not in err
    (tmp_path / "v1").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--dir", str(tmp_path), "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: port {port} on 127.0.0.1 is already in use: choose another with --port"


def test_ctrl_c_stops_it_cleanly(folder):
    port = free_port()
    proc = subprocess.Popen(
        [*AT_A_TERMINAL, NBA_ASSETS, "serve", "--port", str(port), "--dir", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for(lambda: up(f"http://127.0.0.1:{port}/"), 30, "nba-assets serve", step=0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and err == "", err
    assert f"at http://127.0.0.1:{port}/" in out and out.strip().endswith("stopped")
    with socket.socket() as again:  # nothing listens there any more (TIME_WAIT of the client aside)
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
