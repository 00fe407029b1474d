"""Tip-off times reach all-players.json and every player file through ``run-day``: from a slate
file's ``tipoff`` column and from the stats feed's scoreboard, via the warehouse's slate table."""

from __future__ import annotations

import json

from nba_assets import game_day
from nba_assets.inputs.bundled import bundled_box_scores
from nba_assets.instance.day_run import run_day
from nba_assets_tests.defs import live_stub
from nba_assets_tests.fixtures import SMALL_DATE

TIP = "2025-02-20T00:30:00Z"  # 19:30 in New York on 2025-02-19


def _tipoffs(home) -> tuple[dict[str, str | None], set[str | None]]:
    """(game_id -> tipoff in all-players.json, every player file's tipoff)."""
    tonight = home / "exports" / "v1" / "tonight"
    index = json.loads((tonight / "all-players.json").read_text())
    players = [json.loads(p.read_text()) for p in (tonight / "player").glob("*.json")]
    assert len(players) == index["total_players"] > 0
    return {g["game_id"]: g["tipoff"] for g in index["games"]}, {p["tipoff"] for p in players}


def test_tipoff_from_a_slate_file_reaches_the_files(instance, local_home, monkeypatch, tmp_path):
    box = bundled_box_scores()
    day = box[box["game_date"] == SMALL_DATE]
    slate = day[["game_date", "game_id", "player_name", "team", "opponent", "is_home"]].assign(tipoff=TIP)
    path = tmp_path / "slate.csv"
    slate.to_csv(path, index=False)
    monkeypatch.setenv("NBA_ASSETS_SLATES", str(path))
    from nba_assets.definitions import defs

    assert run_day(defs(), instance, SMALL_DATE.isoformat()).consolidated
    games, players = _tipoffs(local_home)
    assert games == {str(day["game_id"].iloc[0]): TIP} and players == {TIP}


def test_tipoff_from_the_stats_feed_reaches_the_files(httpserver, monkeypatch, local_home, instance):
    tomorrow = game_day.tomorrow()
    live_stub.feed_env(monkeypatch, httpserver)
    live_stub.serve_slate(httpserver, tomorrow)
    live_stub.serve_lines(httpserver, tomorrow, live_stub.base_lines())
    from nba_assets.definitions import defs

    assert run_day(defs(), instance, tomorrow.isoformat()).consolidated
    games, players = _tipoffs(local_home)
    tip = live_stub.tipoff(tomorrow)
    assert games == {live_stub.GAME_ID: tip} and players == {tip}
