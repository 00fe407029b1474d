"""The consolidation step both backends share: statistics, the one MERGE, counts, the L8 guard."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from nba_assets.warehouse import sql
from nba_assets.warehouse.base import MergeResult, ZeroRowMergeError

log = logging.getLogger(__name__)

Query = Callable[[str, dict[str, Any]], tuple]
Dml = Callable[[str, dict[str, Any]], None]


def empty_result(batch_id: str, game_date: date) -> MergeResult:
    return MergeResult(batch_id, game_date, 0, 0, 0, 0, 0, 0, 0)


def run_merge(
    batch_id: str,
    game_date: date,
    now: datetime,
    *,
    target: str,
    source: str,
    p: str,
    prune: bool,
    query: Query,
    dml: Dml,
    players_only: bool = False,
) -> MergeResult:
    """Guarded MERGE of ``source`` into ``target``; ``query`` returns one row, ``dml`` runs a statement.

    Empty staging changes nothing (no DML: an empty batch must not deactivate a day). Staging
    that holds rows but none for ``game_date`` raises ZeroRowMergeError *before* the MERGE, so
    the day's rows are not deactivated by a source that matched nothing; staging is kept (L8).
    """
    date_params = {"game_date": game_date}
    staged_rows, staged_keys, source_rows, players, systems = query(sql.source_stats(source, p), date_params)
    if source_rows == 0:
        if staged_rows:
            raise ZeroRowMergeError(
                f"MERGE of {batch_id} for {game_date} would match 0 rows: staging holds {staged_rows} rows "
                f"({staged_keys} keys) but 0 of them are for {game_date}; nothing merged, staging kept"
            )
        log.warning("MERGE of %s for %s: staging is empty; nothing to do", batch_id, game_date)
        return empty_result(batch_id, game_date)
    dml(sql.merge(target, source, p, prune=prune, players_only=players_only), {**date_params, "now": now})
    inserted, updated, deactivated = query(sql.merge_counts(target, p), {**date_params, "now": now})
    if inserted + updated == 0:
        raise ZeroRowMergeError(
            f"MERGE of {batch_id} for {game_date} merged 0 of {source_rows} source rows "
            f"({staged_rows} staged); staging kept"
        )
    result = MergeResult(
        batch_id, game_date, source_rows, inserted, updated, deactivated, players, systems, dml_statements=1
    )
    log.info("MERGE of %s into %s for %s: %s", batch_id, target, game_date, result)
    return result
