"""A line-refresh batch on both warehouses: only its players' old lines are deactivated (DESIGN §7)."""

from __future__ import annotations

import pytest

from nba_assets.warehouse.base import Warehouse
from nba_assets.warehouse.local import DuckDBWarehouse
from nba_assets_tests.contract.test_warehouse_contract import D, S, batch, rows, stage


@pytest.fixture(params=["duckdb", pytest.param("bigquery", marks=pytest.mark.bigquery)])
def wh(request, tmp_path) -> Warehouse:
    if request.param == "duckdb":
        warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb", tmp_path / "staging")
    else:
        emulator = request.getfixturevalue("bigquery_emulator")
        warehouse = emulator.warehouse(request.getfixturevalue("bigquery_dataset"), attempts=2, backoff=0.1)
    warehouse.ensure_schema()
    return warehouse


def _merge(wh: Warehouse, batch_id: str, **kw):
    result = wh.merge_staging(batch_id, D, **kw)
    assert wh.verify(batch_id, D).ok
    wh.drop_staging(batch_id)
    return result


def test_a_refresh_batch_deactivates_exactly_its_players_old_lines(wh):
    slate = batch("ja", "jb", "jc")
    for player in ("ja", "jb", "jc"):
        stage(wh, slate, player, lines=(24.5,))
    _merge(wh, slate)
    before = {(r["player_lookup"], r["system_id"], r["line_key"]): r for r in rows(wh, active_only=False)}
    refresh = batch("ja:255", "jb:95")  # ja's line moved to 25.5, jb's to 9.5; jc's did not move
    stage(wh, refresh, "ja", lines=(25.5,), day=D)
    stage(wh, refresh, "jb", lines=(9.5,), day=D)
    result = _merge(wh, refresh, players_only=True)
    assert (result.inserted, result.updated, result.deactivated) == (2 * S, 0, 2 * S)
    after = {(r["player_lookup"], r["system_id"], r["line_key"]): r for r in rows(wh, active_only=False)}
    # jc: every row byte-for-byte as before (nobody else's lines touched)
    assert {k: v for k, v in after.items() if k[0] == "jc"} == {
        k: v for k, v in before.items() if k[0] == "jc"
    }
    active = {(p, k) for (p, _, k), r in after.items() if r["is_active"]}
    assert active == {("ja", 255), ("jb", 95), ("jc", 245)}
    inactive = {(p, k) for (p, _, k), r in after.items() if not r["is_active"]}
    assert inactive == {("ja", 245), ("jb", 245)}
    assert wh.duplicate_keys(D) == 0


def test_without_the_scope_a_partial_batch_would_deactivate_everyone_else(wh):
    """The property the scope exists for: the default (full-slate) MERGE deactivates absent players."""
    slate = batch("ja", "jc")
    stage(wh, slate, "ja")
    stage(wh, slate, "jc")
    _merge(wh, slate)
    refresh = batch("ja:255")
    stage(wh, refresh, "ja", lines=(25.5,))
    result = _merge(wh, refresh)
    assert result.deactivated == 2 * S and {r["player_lookup"] for r in rows(wh)} == {"ja"}
