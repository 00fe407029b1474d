"""The MERGE and its checks, written once for DuckDB and BigQuery (DESIGN L8, L10, L11, L14).

Both backends run the same statements; only the quoting of the table references (built by each
backend from validated names) and the parameter sigil (``$`` DuckDB, ``@`` BigQuery) differ.
Values always travel as query parameters: ``game_date``, ``batch_id``, ``now``.

The one MERGE per batch:
- source: the batch's staging, rows of ``game_date`` only (a row staged for another date is never
  written anywhere), deduplicated by key keeping the newest ``staged_at``;
- ``game_date`` in ON on BigQuery, so it prunes to the day's partition (see :func:`_on`);
- matched rows are updated in place; ``prediction_id`` and ``created_at`` are never updated (L11);
- ``WHEN NOT MATCHED BY SOURCE``: the day's active rows whose key the batch did not produce
  (a player dropped from the slate, a line that moved, a system no longer run) become
  ``is_active = false``. A slate batch is the day's full slate, so this includes players absent
  from the batch altogether; a line-refresh batch (``players_only``) holds only the players whose
  line moved, and deactivates only their old rows. Rows are never deleted. Doing this inside the MERGE keeps it to one
  atomic DML statement per batch: there is no separate UPDATE that could be left undone.
- every row the statement touches gets ``updated_at = @now`` (inserted rows also
  ``created_at = @now``), which is how the counts are read back afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

from nba_assets.rows import MERGE_KEY, STAGING_COLUMNS, TABLE_COLUMNS

KEY = ", ".join(MERGE_KEY)
_INSERT_FROM_STAGING = tuple(c for c in TABLE_COLUMNS if c in STAGING_COLUMNS)
_NEVER_UPDATED = {*MERGE_KEY, "prediction_id", "created_at"}
_UPDATED = tuple(c for c in _INSERT_FROM_STAGING if c not in _NEVER_UPDATED)


def _on(left: str, right: str, keys: tuple[str, ...], prune: str = "") -> str:
    """Key equality; ``prune`` puts ``left.game_date = <param>`` first (BigQuery partition pruning).

    DuckDB must not get it: a one-sided condition turns its MERGE's full outer join into a
    nested-loop join (450 players: 1.5 s instead of 0.07 s). The source is already restricted to
    the date, so the condition changes no result.
    """
    same = " AND ".join(f"{left}.{k} = {right}.{k}" for k in keys)
    return f"{left}.game_date = {prune}game_date AND {same}" if prune else same


def deduped_source(source: str, where: str) -> str:
    """Staging rows, one per key, the newest ``staged_at`` winning."""
    return (
        f"SELECT {', '.join(STAGING_COLUMNS)} FROM {source} WHERE {where} "
        f"QUALIFY ROW_NUMBER() OVER (PARTITION BY {KEY} ORDER BY staged_at DESC) = 1"
    )


def source_stats(source: str, p: str) -> str:
    """Raw staged rows, distinct staged keys, and what the MERGE would read for the date."""
    return f"""
SELECT COALESCE(SUM(n), 0) AS staged_rows,
       COUNT(*) AS staged_keys,
       COALESCE(SUM(CASE WHEN game_date = {p}game_date THEN 1 ELSE 0 END), 0) AS source_rows,
       COUNT(DISTINCT CASE WHEN game_date = {p}game_date THEN player_lookup END) AS players,
       COUNT(DISTINCT CASE WHEN game_date = {p}game_date THEN system_id END) AS systems
FROM (SELECT {KEY}, COUNT(*) AS n FROM {source} GROUP BY {KEY}) AS k"""


def merge(target: str, source: str, p: str, *, prune: bool, players_only: bool = False) -> str:
    """The one MERGE; ``players_only`` (a line-refresh batch of some players) deactivates only the
    old rows of the players the batch staged, never anybody else's."""
    scope = (
        f" AND t.player_lookup IN (SELECT player_lookup FROM {source} WHERE game_date = {p}game_date)"
        if players_only
        else ""
    )
    updates = ", ".join(f"{c} = s.{c}" for c in _UPDATED)
    insert_cols = ", ".join((*_INSERT_FROM_STAGING, "is_active", "created_at", "updated_at"))
    insert_vals = ", ".join((*(f"s.{c}" for c in _INSERT_FROM_STAGING), "TRUE", f"{p}now", f"{p}now"))
    return f"""
MERGE INTO {target} AS t
USING ({deduped_source(source, f"game_date = {p}game_date")}) AS s
ON {_on("t", "s", MERGE_KEY, p if prune else "")}
WHEN MATCHED THEN UPDATE SET {updates}, is_active = TRUE, updated_at = {p}now
WHEN NOT MATCHED BY TARGET THEN INSERT ({insert_cols}) VALUES ({insert_vals})
WHEN NOT MATCHED BY SOURCE AND t.game_date = {p}game_date AND t.is_active{scope}
  THEN UPDATE SET is_active = FALSE, updated_at = {p}now"""


def merge_counts(target: str, p: str) -> str:
    """What the MERGE stamped with ``@now``: inserted, updated, deactivated."""
    return f"""
SELECT COALESCE(SUM(CASE WHEN created_at = {p}now THEN 1 ELSE 0 END), 0) AS inserted,
       COALESCE(SUM(CASE WHEN updated_at = {p}now AND created_at <> {p}now AND is_active
                         THEN 1 ELSE 0 END), 0) AS updated,
       COALESCE(SUM(CASE WHEN updated_at = {p}now AND NOT is_active THEN 1 ELSE 0 END), 0) AS deactivated
FROM {target} WHERE game_date = {p}game_date"""


def verify(target: str, source: str, p: str) -> str:
    """Staged keys (all dates) and how many are active in the target, written by this batch."""
    return f"""
WITH s AS ({deduped_source(source, "TRUE")}),
t AS (SELECT DISTINCT {KEY} FROM {target}
      WHERE game_date = {p}game_date AND is_active AND batch_id = {p}batch_id)
SELECT COUNT(*) AS staged_keys,
       COALESCE(SUM(CASE WHEN t.game_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS merged_keys
FROM s LEFT JOIN t ON {_on("t", "s", MERGE_KEY)}"""


def duplicate_keys(target: str, p: str, keys: tuple[str, ...] = MERGE_KEY) -> str:
    cols = ", ".join(keys)
    return f"""
SELECT COUNT(*) AS duplicate_keys FROM (
  SELECT {cols} FROM {target} WHERE game_date = {p}game_date GROUP BY {cols} HAVING COUNT(*) > 1
) AS d"""


def rows_of_date(target: str, columns: tuple[str, ...], p: str, active_only: bool) -> str:
    active = " AND is_active" if active_only else ""
    order = "player_lookup, system_id, game_id, line_key"
    return (
        f"SELECT {', '.join(columns)} FROM {target} WHERE game_date = {p}game_date{active} ORDER BY {order}"
    )


def replace_date_rows(
    target: str, source: str, p: str, columns: tuple[str, ...], keys: tuple[str, ...]
) -> str:
    """BigQuery: one MERGE that makes a date's rows of an input table exactly the loaded ones."""
    updates = ", ".join(f"{c} = s.{c}" for c in columns if c not in keys)
    cols = ", ".join(columns)
    return f"""
MERGE INTO {target} AS t
USING (SELECT {cols} FROM {source} WHERE game_date = {p}game_date) AS s
ON {_on("t", "s", keys, p)}
WHEN MATCHED THEN UPDATE SET {updates}
WHEN NOT MATCHED BY TARGET THEN INSERT ({cols}) VALUES ({", ".join(f"s.{c}" for c in columns)})
WHEN NOT MATCHED BY SOURCE AND t.game_date = {p}game_date THEN DELETE"""


def input_rows(target: str, columns: tuple[str, ...], p: str, order: tuple[str, ...]) -> str:
    """An input table's rows between two dates (inclusive)."""
    return (
        f"SELECT {', '.join(columns)} FROM {target} WHERE game_date BETWEEN {p}start AND {p}end "
        f"ORDER BY {', '.join(order)}"
    )


def input_version(targets: Sequence[str]) -> str:
    """Each table's row count and newest ingest, in the given order, in one query: changes
    whenever any date of any of them is (re-)ingested."""
    return (
        " UNION ALL ".join(
            f"SELECT {position} AS k, COUNT(*) AS n, MAX(ingested_at) AS newest FROM {target}"
            for position, target in enumerate(targets)
        )
        + " ORDER BY k"
    )


def version_token(rows: Sequence[tuple]) -> str:
    """The (k, n, newest) rows of :func:`input_version` as one token."""
    return "|".join(f"{n}:{newest.isoformat() if newest else '-'}" for _, n, newest in rows)
