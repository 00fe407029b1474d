"""The Warehouse protocol: staging without DML, one MERGE per batch, verify before cleanup.

Both implementations (DuckDB + Parquet locally, BigQuery on GCP) pass ``nba_assets_tests/contract/
test_warehouse_contract.py`` (DESIGN §2 L8, L10, L11, L14).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

import pyarrow as pa


class WarehouseError(Exception):
    """A warehouse operation that must fail the run (bad input, failed verification)."""


class ZeroRowMergeError(WarehouseError):
    """The MERGE touched no row although staging held rows: staging is kept (L8)."""


class RetryableWarehouseError(WarehouseError):
    """The backend was unreachable; the same call may be retried safely."""


@dataclass(frozen=True)
class MergeResult:
    batch_id: str
    game_date: date
    source_rows: int  # rows in staging after dedup by key
    inserted: int
    updated: int
    deactivated: int
    players: int
    systems: int
    dml_statements: int  # 1 MERGE + at most 1 UPDATE for deactivation


@dataclass(frozen=True)
class Verification:
    batch_id: str
    game_date: date
    staged_keys: int
    merged_keys: int  # staged keys found active in the target with the batch's values
    duplicate_keys: int  # keys appearing more than once in the target for the date

    @property
    def ok(self) -> bool:
        return self.staged_keys == self.merged_keys and self.duplicate_keys == 0


@runtime_checkable
class Warehouse(Protocol):
    def ensure_schema(self) -> None:
        """Create the predictions table (partitioned/clustered on BigQuery); idempotent."""
        ...

    def write_staging(self, batch_id: str, player_lookup: str, rows: pa.Table) -> int:
        """Replace that player's staging rows (no DML); returns rows written.

        ``rows`` has :data:`nba_assets.rows.STAGING_SCHEMA`; an empty table is
        allowed and replaces the player's rows with none.
        """
        ...

    def staged_players(self, batch_id: str) -> list[str]:
        """Sorted player_lookups with at least one staged row (an empty write stages none)."""
        ...

    def staged_rows(self, batch_id: str) -> int: ...

    def merge_staging(self, batch_id: str, game_date: date, *, players_only: bool = False) -> MergeResult:
        """One MERGE of all the batch's staging into the table; raises ZeroRowMergeError (L8).

        ``players_only`` (a line-refresh batch): only the staged players' other active rows of the
        date are deactivated; without it, every active row of the date the batch did not produce.
        """
        ...

    def verify(self, batch_id: str, game_date: date) -> Verification: ...

    def drop_staging(self, batch_id: str, *, force: bool = False) -> int:
        """Delete the batch's staging; only after ``verify(...).ok``. Returns objects dropped.

        Implementations run ``verify`` for the batch's date themselves and raise WarehouseError
        (keeping staging) when it fails, unless ``force`` (an operator discarding a bad batch).
        """
        ...

    def predictions_for(self, game_date: date, *, active_only: bool = True) -> pa.Table:
        """The table's rows of one date (TABLE_COLUMNS), for exports and grading."""
        ...

    def duplicate_keys(self, game_date: date) -> int: ...

    def write_results(self, game_date: date, rows: pa.Table) -> int:
        """Replace the graded results of one date (``prediction_results`` table)."""
        ...

    def results_for(self, game_date: date) -> pa.Table: ...

    def write_inputs(self, kind: str, game_date: date, rows: pa.Table) -> int:
        """Replace one date's rows of an input table (``box_scores`` | ``prop_lines``); idempotent."""
        ...

    def read_inputs(self, kind: str, start: date, end: date) -> pa.Table:
        """An input table's rows from ``start`` to ``end`` inclusive."""
        ...

    def inputs_version(self, *kinds: str) -> str:
        """A token that changes whenever any of these input tables is written (for caches keyed by
        version), read in one round trip."""
        ...
