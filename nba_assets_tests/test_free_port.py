"""free_port under pytest-xdist: each worker its own block of ports, none handed out twice."""

from __future__ import annotations

import socket

from nba_assets_tests.emulators import process


def test_a_worker_takes_ports_from_its_own_block_and_never_twice(monkeypatch):
    monkeypatch.setattr(process, "_handed_out", set())
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw2")
    ports = [process.free_port() for _ in range(5)]
    assert len(set(ports)) == 5
    assert all(20800 <= p < 21200 for p in ports), ports
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    assert all(21200 <= process.free_port() < 21600 for _ in range(3))


def test_a_port_someone_listens_on_is_skipped(monkeypatch):
    monkeypatch.setattr(process, "_handed_out", set())
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw7")
    first = process.free_port()
    monkeypatch.setattr(process, "_handed_out", set())
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", first))
        busy.listen()
        assert process.free_port() != first


def test_outside_xdist_the_system_picks_the_port(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    port = process.free_port()
    assert port > 0 and process._bindable(port)
