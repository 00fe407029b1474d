"""The graded results file of a played day: actual vs predicted per player, hit rate and MAE per system.

Each player is graded on his main line (``frames.main_line``), the same line the headline
prediction and the best bets used, so the day's hit rate measures the picks the site showed
rather than every alternate line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from nba_assets.exports import files as f
from nba_assets.exports import frames
from nba_assets.exports.files import ExportFile, num, opt_num
from nba_assets.rows import RESULTS_SCHEMA, line_key


def build_results_export(
    game_date: date, results: pa.Table | pd.DataFrame, *, generated_at: datetime
) -> Iterator[ExportFile]:
    """``results/{date}.json`` from graded rows with RESULTS_SCHEMA columns (the graded_results asset)."""
    frame = frames.as_frame(results, tuple(RESULTS_SCHEMA.names), "results")
    frame = frame[frames.dates(frame["game_date"]) == game_date]
    frame = frame.sort_values(["game_id", "player_lookup", "system_id", "line_key"], kind="stable")
    rows_by_player: dict[tuple[str, str], list[Any]] = {}
    for row in frame.itertuples(index=False):
        rows_by_player.setdefault((str(row.game_id), str(row.player_lookup)), []).append(row)
    players = []
    per_system: dict[str, list[tuple[bool | None, float | None]]] = {}  # (hit, predicted - actual)
    for (game_id, lookup), rows in rows_by_player.items():
        main = frames.main_line([float(r.points_line) for r in rows if not pd.isna(r.points_line)])
        main_key = line_key(main)
        picks: dict[str, Any] = {}
        for row in rows:  # per system: the main line's row, else the no-line one
            if row.line_key == main_key or (row.line_key == -1 and row.system_id not in picks):
                picks[str(row.system_id)] = row
        graded = {}
        for system_id, row in sorted(picks.items()):
            graded[system_id], error = _graded(row)
            per_system.setdefault(system_id, []).append((graded[system_id]["hit"], error))
        players.append(
            {
                "game_id": game_id,
                "player_lookup": lookup,
                "player_name": str(rows[0].player_name),
                "actual_points": frames.points_value(rows[0].actual_points),
                "line": opt_num(main, 1),
                "predictions": graded,
            }
        )
    payload = {
        "game_date": game_date.isoformat(),
        "generated_at": f.iso_utc(generated_at),
        "total_players": len(players),
        "total_graded": sum(1 for p in players if p["actual_points"] is not None),
        "systems": {system: _summary(rows) for system, rows in sorted(per_system.items())},
        "players": players,
    }
    yield ExportFile(f.results_path(game_date), payload, "results")


def _graded(row: Any) -> tuple[dict[str, Any], float | None]:
    """The player's graded prediction of one system, and its signed error (None when not played)."""
    actual = None if pd.isna(row.actual_points) else float(row.actual_points)
    graded = {
        "predicted": num(row.predicted_points, 2),
        "confidence": num(row.confidence, 1),
        "recommendation": str(row.recommendation),
        "abs_error": opt_num(row.abs_error, 2) if actual is None else num(row.abs_error, 2),
        "hit": None if row.hit is None or pd.isna(row.hit) else bool(row.hit),
    }
    return graded, None if actual is None else float(row.predicted_points) - actual


def _summary(graded: list[tuple[bool | None, float | None]]) -> dict[str, Any]:
    """Per system: graded players, picks (OVER/UNDER that were not a push), hits, hit rate, MAE, bias."""
    signed = [e for _, e in graded if e is not None]
    decided = [h for h, _ in graded if h is not None]
    return {
        "graded": len(signed),
        "picks": len(decided),
        "hits": sum(decided),
        "hit_rate": num(sum(decided) / len(decided), 4) if decided else None,
        "mae": num(sum(abs(e) for e in signed) / len(signed), 3) if signed else None,
        "bias": num(sum(signed) / len(signed), 3) if signed else None,
    }
