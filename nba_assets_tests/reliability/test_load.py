"""Three game days of 450 players each in flight at once: every batch consolidated exactly once.

The slates are real: each date's players plus each team's most-used players of the season so
far, 15 per team. The three dates' shard runs go out together as separate run-worker processes,
all reporting into one batch store; then the completion sensor's three consolidations run
together too (the ``consolidation`` pool lets one MERGE in at a time). Run on the local profile,
and with the batch state in the Firestore emulator: where the old coordinator's contention and
double counting lived (L1-L3, L9, L14). BigQuery at this size is left to bench/: 1,350 staging
load jobs and three 450-player MERGEs take the emulator minutes (about 67 ms a load job and
10 s a MERGE measured here), beyond this suite's budget.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from nba_assets.batch_state.base import BatchState
from nba_assets.inputs.bundled import bundled_box_scores
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets_tests.reliability.conftest import open_day
from nba_assets_tests.reliability.harness import BATCH_STORE_ENV, shard_spec, start_child, wait_child

DATES = ["2024-04-12", "2025-02-12", "2025-04-11"]  # 15 games each
PER_TEAM = 15  # 30 teams x 15 = 450 players a day
LOAD_KNOBS = {"NBA_ASSETS_SHARDS": "1", "NBA_ASSETS_SYSTEMS": "moving_average"}  # 3 run workers on 2 cores


def roster_slate(box: pd.DataFrame, day: date) -> pd.DataFrame:
    """The day's real slate topped up with each team's most-used players of the season so far."""
    slate = slate_from_box_scores(box, day)
    season_start = date(day.year if day.month >= 8 else day.year - 1, 8, 1)
    season = box[(box["game_date"] < day) & (box["game_date"] >= season_start)]
    taken, rows = set(), []
    for game in slate.drop_duplicates("team").itertuples(index=False):
        used = season[season["team"] == game.team].groupby(["player_lookup", "player_name"]).size()
        roster = [p for p in used.sort_values(ascending=False).index if p[0] not in taken][:PER_TEAM]
        taken |= {lookup for lookup, _ in roster}
        rows += [
            {
                "game_date": day,
                "game_id": game.game_id,
                "player_name": name,
                "team": game.team,
                "opponent": game.opponent,
                "is_home": game.is_home,
            }
            for _, name in roster
        ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def slates_csv(tmp_path_factory) -> Path:
    box = bundled_box_scores()
    frames = [roster_slate(box, date.fromisoformat(d)) for d in DATES]
    assert [len(f) for f in frames] == [450, 450, 450]
    path = tmp_path_factory.mktemp("slates") / "slates.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


def three_days_at_once(day) -> dict[str, str]:
    batches = {d: day.daemon.slate(d) for d in DATES}
    shard_runs = day.daemon.fan_out()
    assert len(shard_runs) == len(DATES)
    # every shard run of the three days launched together, each its own process
    children = [start_child(shard_spec(r, "slate_fanout_sensor")) for r in shard_runs]
    assert [wait_child(c, timeout=400) for c in children] == [0] * len(children)
    store = day.stores[0]
    for batch_id in batches.values():
        status = store.status(batch_id)
        assert (status.expected, status.done, status.failed, status.missing) == (450, 450, 0, ())
    # the sensor asks once per batch, however often it ticks; the three consolidations run together
    requests = day.daemon.tick("batch_completion_sensor")
    assert sorted(r.run_key for r in requests) == sorted(batches.values())
    again = day.daemon.tick("batch_completion_sensor")  # before the launch: the same run keys
    assert sorted(r.run_key for r in again) == sorted(batches.values())
    children = [start_child(shard_spec(r, "batch_completion_sensor")) for r in requests]
    assert [wait_child(c, timeout=400) for c in children] == [0, 0, 0]
    assert day.daemon.tick("batch_completion_sensor") == []  # launched, consolidated: nothing more
    return batches


def check_each_day_once(day, batches: dict[str, str]) -> None:
    store, warehouse, sink = day.stores
    runs = day.daemon.runs("consolidation_job")
    assert sorted(r.tags["dagster/partition"] for r in runs) == DATES
    assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
    assert store.open_batches() == []
    for game_date, batch_id in batches.items():
        status = store.status(batch_id)
        assert status.state == BatchState.CONSOLIDATED and status.is_complete
        rows = warehouse.predictions_for(date.fromisoformat(game_date))
        predictions = sum(c.predictions for c in store.completions(batch_id))
        assert (
            rows.num_rows == predictions > 0 and warehouse.duplicate_keys(date.fromisoformat(game_date)) == 0
        )
        assert len(set(rows["player_lookup"].to_pylist())) == status.succeeded
        assert warehouse.staged_rows(batch_id) == 0
        assert sink.read(f"v1/predictions/{game_date}.json")
    assert b'"game_date":"2025-04-11"' in sink.read("v1/tonight/all-players.json")  # the newest day's


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_three_450_player_days_at_once_local(tmp_path, monkeypatch, slates_csv):
    from nba_assets_tests.reliability.conftest import local_env

    env = {**local_env(tmp_path), **LOAD_KNOBS, "NBA_ASSETS_SLATES": str(slates_csv)}
    day = open_day(tmp_path, env, monkeypatch)
    try:
        check_each_day_once(day, three_days_at_once(day))
    finally:
        day.close()


@pytest.mark.slow
@pytest.mark.firestore
@pytest.mark.timeout(600)
def test_three_450_player_days_at_once_on_firestore(tmp_path, monkeypatch, slates_csv, firestore_emulator):
    from nba_assets_tests.reliability.conftest import local_env

    if not firestore_emulator.running:
        firestore_emulator.start()
    env = {
        **local_env(tmp_path),
        **LOAD_KNOBS,
        "NBA_ASSETS_SLATES": str(slates_csv),
        BATCH_STORE_ENV: "firestore",
        "NBA_ASSETS_GCP_PROJECT": firestore_emulator.project,
        "FIRESTORE_EMULATOR_HOST": firestore_emulator.host,
        "NBA_ASSETS_FIRESTORE_PREFIX": f"load_{uuid.uuid4().hex[:8]}_",
    }
    day = open_day(tmp_path, env, monkeypatch)
    try:
        assert type(day.stores[0]).__name__ == "FirestoreBatchStore"
        check_each_day_once(day, three_days_at_once(day))
    finally:
        day.close()
