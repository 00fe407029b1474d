"""One contract for both warehouses: DuckDB + Parquet staging, and BigQuery on bqemulator (L8-L11, L14)."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pyarrow as pa
import pytest
from google.cloud import bigquery

from nba_assets.naming import InvalidIdentifier, batch_id_for, player_lookup, staging_name
from nba_assets.rows import RESULTS_SCHEMA, TABLE
from nba_assets.warehouse.base import Warehouse, WarehouseError, ZeroRowMergeError
from nba_assets.warehouse.local import DuckDBWarehouse
from nba_assets.warehouse.row_checks import TABLE_SCHEMA
from nba_assets_tests.warehouse.factory import SYSTEMS, later, player_staging, results_table

D = date(2025, 2, 12)
S = len(SYSTEMS)


@pytest.fixture(params=["duckdb", pytest.param("bigquery", marks=pytest.mark.bigquery)])
def wh(request, tmp_path) -> Warehouse:
    if request.param == "duckdb":
        warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb", tmp_path / "staging")
    else:
        emulator = request.getfixturevalue("bigquery_emulator")
        warehouse = emulator.warehouse(request.getfixturevalue("bigquery_dataset"), attempts=2, backoff=0.1)
    warehouse.ensure_schema()
    warehouse.ensure_schema()  # idempotent
    return warehouse


def batch(*players: str, day: date = D) -> str:
    return batch_id_for(day, list(players))


def stage(wh: Warehouse, batch_id: str, player: str, lines=(24.5,), day: date = D, **kw) -> int:
    return wh.write_staging(batch_id, player, player_staging(batch_id, day, player, list(lines), **kw))


def consolidate(wh: Warehouse, batch_id: str, day: date = D):
    """What the consolidation asset does: MERGE, verify, then (only then) drop staging."""
    result = wh.merge_staging(batch_id, day)
    check = wh.verify(batch_id, day)
    assert check.ok, check
    wh.drop_staging(batch_id)
    return result


def rows(wh: Warehouse, day: date = D, active_only: bool = True) -> list[dict]:
    table = wh.predictions_for(day, active_only=active_only)
    assert table.schema.equals(TABLE_SCHEMA)
    return table.to_pylist()


def without(records: list[dict], *columns: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in columns} for r in records]


def inject_duplicate(wh: Warehouse, day: date) -> None:
    """Bypass the warehouse and copy one row, as a buggy second writer would."""
    statement = "INSERT INTO {t} SELECT * FROM {t} WHERE game_date = {p} AND system_id = 'ensemble' LIMIT 1"
    if isinstance(wh, DuckDBWarehouse):
        with duckdb.connect(str(wh.db_path)) as con:
            con.execute(statement.format(t=TABLE, p="$d"), {"d": day})
    else:
        config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("d", "DATE", day)])
        wh.client.query(statement.format(t=wh._ref(TABLE), p="@d"), job_config=config).result()


def test_half_point_lines_stay_distinct_and_null_lines_merge(wh):
    b = batch("ja", "jb")
    assert stage(wh, b, "ja", lines=(24.5, 25.0)) == 2 * S
    stage(wh, b, "jb", lines=(None,))
    first = wh.merge_staging(b, D)
    assert (first.source_rows, first.inserted, first.updated, first.deactivated) == (3 * S, 3 * S, 0, 0)
    assert (first.players, first.systems, first.dml_statements) == (2, S, 1)
    again = wh.merge_staging(b, D)  # NULL lines match on re-merge: updated, not inserted again
    assert (again.inserted, again.updated) == (0, 3 * S)
    table = rows(wh)
    assert len(table) == 3 * S and wh.duplicate_keys(D) == 0
    assert sorted({(r["player_lookup"], r["line_key"], r["points_line"]) for r in table}, key=str) == sorted(
        {("ja", 245, 24.5), ("ja", 250, 25.0), ("jb", -1, None)}, key=str
    )
    assert isinstance(wh, Warehouse)


def test_rerun_of_a_day_updates_in_place(wh):
    b = batch("ja")
    stage(wh, b, "ja", points=20.0)
    consolidate(wh, b)
    before = {r["prediction_id"]: r for r in rows(wh)}
    # a newer run of the same day; its producer even minted other ids: the table keeps the first
    rerun = player_staging(b, D, "ja", [24.5], points=30.0, staged_at=later(60))
    rerun = rerun.set_column(0, "prediction_id", pa.array([f"other-{i}" for i in range(S)]))
    wh.write_staging(b, "ja", rerun)
    result = consolidate(wh, b)
    assert (result.inserted, result.updated, result.deactivated) == (0, S, 0)
    after = {r["prediction_id"]: r for r in rows(wh)}
    assert after.keys() == before.keys()  # same deterministic ids (L11)
    for pid, row in after.items():
        assert row["created_at"] == before[pid]["created_at"]
        assert row["updated_at"] > before[pid]["updated_at"]
        assert row["predicted_points"] == before[pid]["predicted_points"] + 10


def test_player_removed_from_slate_is_deactivated_not_deleted(wh):
    b1 = batch("ja", "jb")
    stage(wh, b1, "ja", lines=(24.5,))
    stage(wh, b1, "jb")
    consolidate(wh, b1)
    b2 = batch("ja")  # the new slate: jb is out, ja's line moved to 25.5
    stage(wh, b2, "ja", lines=(25.5,))
    result = consolidate(wh, b2, D)
    assert (result.inserted, result.updated, result.deactivated) == (S, 0, 2 * S)
    assert {(r["player_lookup"], r["line_key"]) for r in rows(wh)} == {("ja", 255)}
    everything = rows(wh, active_only=False)
    assert len(everything) == 3 * S
    inactive = {(r["player_lookup"], r["line_key"]) for r in everything if not r["is_active"]}
    assert inactive == {("ja", 245), ("jb", 245)}
    b3 = batch("ja", "jb", "jc")  # jb is back: the same row comes back to life
    stage(wh, b3, "jb")
    result = consolidate(wh, b3)
    assert (result.inserted, result.updated, result.deactivated) == (0, S, S)
    assert {r["player_lookup"] for r in rows(wh)} == {"jb"}


def test_two_merges_of_one_batch_give_the_same_table(wh):
    b = batch("ja", "jb")
    stage(wh, b, "ja", lines=(None, 24.5))
    stage(wh, b, "jb", lines=(10.5,))
    wh.merge_staging(b, D)
    once = without(rows(wh, active_only=False), "updated_at")
    wh.merge_staging(b, D)
    assert without(rows(wh, active_only=False), "updated_at") == once
    assert wh.verify(b, D).ok


def test_failure_between_merge_and_cleanup_keeps_staging_and_a_second_run_finishes(wh, monkeypatch):
    b = batch("ja", "jb")
    stage(wh, b, "ja")
    stage(wh, b, "jb")
    with pytest.raises(WarehouseError, match="refusing to drop staging"):
        wh.drop_staging(b)  # nothing merged yet: verify fails, staging stays
    assert wh.staged_rows(b) == 2 * S

    def crash(*args, **kwargs):
        raise ConnectionError("the run died after the MERGE")

    monkeypatch.setattr(wh, "verify", crash)
    with pytest.raises(ConnectionError):
        consolidate(wh, b)
    monkeypatch.undo()
    assert wh.staged_rows(b) == 2 * S and wh.staged_players(b) == ["ja", "jb"]
    merged_once = without(rows(wh), "updated_at")
    result = consolidate(wh, b)  # the re-run
    assert (result.inserted, result.updated) == (0, 2 * S)
    assert without(rows(wh), "updated_at") == merged_once
    assert wh.staged_rows(b) == 0 and wh.drop_staging(b) == 0


def test_zero_row_merge_from_non_empty_staging_raises_and_keeps_staging(wh):
    good = batch("ja")
    stage(wh, good, "ja")
    consolidate(wh, good)
    # a batch of D whose staging was written for the next day (a date bug upstream): the MERGE
    # reads only D's rows, so it would match nothing, and must neither succeed nor deactivate D
    bad = batch("ja", "jb")
    stage(wh, bad, "ja", day=D + timedelta(days=1))
    with pytest.raises(ZeroRowMergeError, match=rf"{S} rows \({S} keys\) but 0 of them are for {D}"):
        wh.merge_staging(bad, D)
    assert wh.staged_rows(bad) == S
    assert len(rows(wh)) == S  # D's rows are still active
    with pytest.raises(WarehouseError, match="refusing"):
        wh.drop_staging(bad)
    assert wh.drop_staging(bad, force=True) == 1 and wh.staged_rows(bad) == 0


def test_rewriting_a_players_staging_replaces_only_their_rows(wh):
    b = batch("ja", "jb")
    stage(wh, b, "ja", lines=(20.5, 21.5, 22.5))
    stage(wh, b, "jb", lines=(10.5,))
    assert wh.staged_rows(b) == 4 * S
    stage(wh, b, "ja", lines=(23.5,))
    assert wh.staged_rows(b) == 2 * S and wh.staged_players(b) == ["ja", "jb"]
    wh.write_staging(b, "ja", player_staging(b, D, "ja", [])[:0])  # ja now produces nothing
    assert wh.staged_rows(b) == S and wh.staged_players(b) == ["jb"]
    with pytest.raises(WarehouseError, match="player_lookup"):  # rows of another player
        wh.write_staging(b, "ja", player_staging(b, D, "jb", [1.5]))
    assert wh.staged_rows(b) == S


def test_newest_staged_row_wins_and_bad_rows_are_refused(wh):
    b = batch("ja")
    old = player_staging(b, D, "ja", [24.5], points=10.0, staged_at=later(0))
    new = player_staging(b, D, "ja", [24.5], points=30.0, staged_at=later(5))
    wh.write_staging(b, "ja", pa.concat_tables([old, new]))
    consolidate(wh, b)
    assert sorted(r["predicted_points"] for r in rows(wh)) == [30.0 + s for s in range(S)]
    with pytest.raises(WarehouseError, match="same staged_at"):
        wh.write_staging(b, "ja", pa.concat_tables([old, old]))
    with pytest.raises(WarehouseError, match="line_key"):
        wh.write_staging(b, "ja", old.set_column(12, "line_key", pa.array([250] * S, pa.int64())))
    with pytest.raises(WarehouseError, match="missing columns"):
        wh.write_staging(b, "ja", old.drop_columns(["staged_at"]))


AWKWARD_PLAYERS = [
    "d'angelo russell",
    "x`; DROP TABLE player_prop_predictions; --",
    "*",
    "nikola jokić",
    "../../etc/passwd",
    'quote"s',
    "名前",
    "a b.c-d",
]
BAD_BATCH_IDS = [
    "b20250212_abcdef12'; DROP TABLE x; --",
    "*",
    "`b20250212_abcdef12`",
    "B20250212_ABCDEF12",
    "b20250212_abcdef1",
    "b20250212_abcdef12_*",
    "b20250212_abcdéf12",
    "",
]


def test_awkward_player_names_are_encoded_and_bad_batch_ids_rejected(wh):
    b = batch(*AWKWARD_PLAYERS)
    for player in AWKWARD_PLAYERS:
        assert staging_name(b, player).replace("_", "").isalnum()
        stage(wh, b, player)
    assert wh.staged_players(b) == sorted(AWKWARD_PLAYERS)
    result = consolidate(wh, b)
    assert result.inserted == len(AWKWARD_PLAYERS) * S
    assert {r["player_lookup"] for r in rows(wh)} == set(AWKWARD_PLAYERS)
    for bad in BAD_BATCH_IDS:
        for call in (
            lambda x: stage(wh, x, "ja"),
            lambda x: wh.merge_staging(x, D),
            wh.staged_rows,
            wh.staged_players,
            lambda x: wh.verify(x, D),
            wh.drop_staging,
        ):
            with pytest.raises(InvalidIdentifier):
                call(bad)
    assert len(rows(wh)) == len(AWKWARD_PLAYERS) * S  # the table survived all of it
    assert player_lookup("D'Angelo Russell") == "dangelorussell"


def test_duplicate_keys_are_counted_and_block_cleanup(wh):
    b = batch("ja")
    stage(wh, b, "ja", lines=(None, 24.5))
    wh.merge_staging(b, D)
    assert wh.duplicate_keys(D) == 0
    inject_duplicate(wh, D)
    assert wh.duplicate_keys(D) == 1 and wh.duplicate_keys(D + timedelta(days=1)) == 0
    check = wh.verify(b, D)
    assert (check.staged_keys, check.merged_keys, check.duplicate_keys, check.ok) == (2 * S, 2 * S, 1, False)
    with pytest.raises(WarehouseError, match="refusing"):
        wh.drop_staging(b)
    assert wh.staged_rows(b) == 2 * S


def test_predictions_for_reads_one_date_and_empty_batches_are_no_ops(wh):
    assert wh.merge_staging(batch(), D).dml_statements == 0  # an empty slate: nothing to merge
    assert wh.predictions_for(D).num_rows == 0
    for day in (D, D + timedelta(days=1)):
        b = batch("ja", "jb", day=day)
        stage(wh, b, "jb", day=day)
        stage(wh, b, "ja", day=day, lines=(None,))
        consolidate(wh, b, day)
    table = rows(wh)
    assert {r["game_date"] for r in table} == {D} and len(table) == 2 * S
    keys = [(r["player_lookup"], r["system_id"], r["game_id"], r["line_key"]) for r in table]
    assert keys == sorted(keys)
    assert all(r["is_active"] and r["batch_id"] == batch("ja", "jb") for r in table)


def test_results_round_trip_and_replace_one_date(wh):
    first = results_table(D, ["ja", "jb", "jc"])
    other = results_table(D + timedelta(days=1), ["jd"])
    assert wh.write_results(D, first) == first.num_rows
    wh.write_results(D + timedelta(days=1), other)
    got = wh.results_for(D)
    assert got.schema.equals(RESULTS_SCHEMA) and got.num_rows == first.num_rows
    key = lambda r: (r["player_lookup"], r["system_id"], r["game_id"], r["line_key"])  # noqa: E731
    assert got.to_pylist() == sorted(first.to_pylist(), key=key)
    second = results_table(D, ["ja"], actual=30.0)
    wh.write_results(D, second)
    assert sorted(wh.results_for(D).to_pylist(), key=key) == sorted(second.to_pylist(), key=key)
    assert wh.results_for(D + timedelta(days=1)).num_rows == other.num_rows
    with pytest.raises(WarehouseError, match="other dates"):
        wh.write_results(D, other)
    wh.write_results(D, second[:0])
    assert wh.results_for(D).num_rows == 0 and wh.results_for(D + timedelta(days=1)).num_rows > 0


def test_a_merge_that_changes_nothing_on_non_empty_staging_raises_and_keeps_staging(wh, monkeypatch):
    """The post-MERGE guard (L8): staging holds the date's rows, yet the statement stamped none of
    them (a MERGE whose ON or WHEN clauses went wrong). Nothing may count as merged."""
    from nba_assets.warehouse import sql

    good = batch("ja")
    stage(wh, good, "ja")
    consolidate(wh, good)
    before = rows(wh)
    b = batch("ja", "jb")
    stage(wh, b, "ja", lines=(25.5,))
    monkeypatch.setattr(
        sql,
        "merge",
        lambda target, source, p, prune, **options: (
            f"UPDATE {target} SET updated_at = {p}now WHERE game_date = {p}game_date AND FALSE"
        ),
    )
    with pytest.raises(ZeroRowMergeError, match=rf"merged 0 of {S} source rows \({S} staged\); staging kept"):
        wh.merge_staging(b, D)
    monkeypatch.undo()
    assert wh.staged_rows(b) == S and rows(wh) == before
    assert not wh.verify(b, D).ok  # so the asset would neither record nor drop it
