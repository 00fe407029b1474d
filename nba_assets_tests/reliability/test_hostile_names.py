"""Hostile player names: every identifier from the one encoder, raw names only ever values (L4).

Names with quotes, backticks, SQL, Firestore path characters (``a/b``, ``..``, ``__name__``),
NUL and anything Hypothesis finds: the lookup is ``[a-z0-9]+``, the document id and the staging
name a fixed safe charset, and the raw name goes through the batch store, the staging files and
the MERGE as a value (with a ``game_id`` of ``'; DROP TABLE x;--`` for good measure).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.naming import InvalidIdentifier, batch_id_for, player_lookup, safe_key, staging_name
from nba_assets.rows import STAGING_SCHEMA
from nba_assets.warehouse.local import DuckDBWarehouse
from nba_assets_tests.reliability.test_hostile_input import FAST, NASTY

pytestmark = pytest.mark.timeout(120)


@FAST
@given(name=st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=80)))
def test_every_identifier_from_a_name_is_safe(name):
    """The one encoder: lookups are [a-z0-9]+, document ids and staging names a fixed safe charset."""
    try:
        lookup = player_lookup(name)
    except InvalidIdentifier:
        lookup = None
    if lookup is not None:
        assert re.fullmatch(r"[a-z0-9]+", lookup)
    if name == "":
        with pytest.raises(InvalidIdentifier):
            safe_key(name)
        return
    key = safe_key(name)
    assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*_[0-9a-f]{10}", key) and len(key) <= 51
    table = staging_name(batch_id_for(date(2025, 2, 19), ["x"]), name)
    assert (
        re.fullmatch(r"_staging_b20250219_[0-9a-f]{8}_[a-z0-9_]+_[0-9a-f]{10}", table) and len(table) <= 1024
    )


def staging_row(batch_id: str, player: str) -> pa.Table:
    row = {
        "prediction_id": "p1",
        "batch_id": batch_id,
        "system_id": "moving_average",
        "model_version": "ma-1",
        "game_date": date(2025, 2, 19),
        "game_id": "0022400524'; DROP TABLE x;--",
        "player_lookup": player,
        "player_name": player,
        "team": "LAL",
        "opponent": "CHA",
        "is_home": True,
        "points_line": 24.5,
        "line_key": 245,
        "predicted_points": 25.0,
        "confidence": 50.0,
        "recommendation": "OVER",
        "edge": 0.5,
        "staged_at": datetime(2025, 2, 19, 12, tzinfo=UTC),
    }
    return pa.Table.from_pylist([row], schema=STAGING_SCHEMA)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(
        st.one_of(st.sampled_from(NASTY[:12]), st.text(min_size=1, max_size=40)),
        min_size=1,
        max_size=4,
        unique=True,
    )
)
def test_hostile_names_round_trip_through_the_store_and_staging(tmp_path_factory, names):
    """Raw names stay values: document ids and staging file names come only from the encoder."""
    root = tmp_path_factory.mktemp("names")
    day = date(2025, 2, 19)
    batch_id = batch_id_for(day, names)
    store = SqliteBatchStore(root / "batches.sqlite")
    store.open_batch(batch_id, day, dict.fromkeys(names, 0))
    warehouse = DuckDBWarehouse(root / "w.duckdb", root / "staging")
    warehouse.ensure_schema()
    for name in names:
        store.record_completion(batch_id, name, "succeeded", reason=name)
        warehouse.write_staging(batch_id, name, staging_row(batch_id, name))
    assert sorted(c.player_lookup for c in store.completions(batch_id)) == sorted(names)
    doc_ids = [r[0] for r in store._conn().execute("SELECT doc_id FROM completions")]
    assert sorted(doc_ids) == sorted(safe_key(n) for n in names)
    files = sorted(p.name for p in (root / "staging" / batch_id).iterdir())
    assert files == sorted(f"{staging_name(batch_id, n)}.parquet" for n in names)
    assert warehouse.staged_players(batch_id) == sorted(names)
    merged = warehouse.merge_staging(batch_id, day)
    assert merged.inserted == len(names) and warehouse.verify(batch_id, day).ok
    assert sorted(warehouse.predictions_for(day)["player_name"].to_pylist()) == sorted(names)
