"""Pure builders of a game day's front-end files (DESIGN §6): inputs in, ExportFiles out.

No I/O and no clock: ``generated_at`` is an argument, so the same inputs give byte-identical files
except that one field. Files come out one at a time, per-player files first and the "current"
files (tonight/all-players, best-bets/latest) last, which is also the order publish writes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from nba_assets.exports import files as f
from nba_assets.exports import frames
from nba_assets.exports.best_bets import DEFAULT_TOP_N, best_bets_payload
from nba_assets.exports.files import ExportFile, num, opt_num
from nba_assets.exports.results import build_results_export
from nba_assets.predictions.picks import NO_LINE, STATED, UNCALIBRATED, Picker
from nba_assets.rows import line_key

__all__ = ["build_day_exports", "build_results_export", "ExportFile"]


def build_day_exports(
    game_date: date,
    predictions: pa.Table | pd.DataFrame,
    slate: pd.DataFrame | None,
    lines: pd.DataFrame | None,
    box_scores: pd.DataFrame | None,
    *,
    generated_at: datetime,
    default_system: str,
    best_bets_top_n: int = DEFAULT_TOP_N,
    picker: Picker | None = None,
) -> Iterator[ExportFile]:
    """Every file of a day: tonight/player/*, predictions/{date}, best-bets/{date}, tonight/all-players,
    best-bets/latest.

    ``predictions`` has TABLE_COLUMNS (inactive rows are ignored); ``box_scores`` feeds last_10
    from games strictly before ``game_date``; ``default_system`` is the headline ``prediction``
    (the pipeline passes ``PipelineSettings.headline_system()``); ``picker`` (the model version's
    calibration) gives p_over and expected_value, without it every line is "uncalibrated".
    """
    day = frames.day_predictions(predictions, game_date)
    day = day.join(frames.calibrated_fields(day, lines, picker))
    stamp, iso_date = f.iso_utc(generated_at), game_date.isoformat()
    props = frames.day_lines(lines, game_date)
    games = frames.games(slate, day, game_date)
    rows_by_player = _rows_by_player(day)
    recent = frames.last_points(box_scores, list(rows_by_player), game_date)
    systems = sorted(day["system_id"].unique().tolist())

    entries: dict[str, list[dict[str, Any]]] = {}
    details: dict[str, dict[int, dict[str, dict]]] = {}
    for lookup, rows in rows_by_player.items():
        entry, details[lookup] = _player_entry(
            lookup, rows, props.get(lookup), recent.get(lookup, []), default_system
        )
        entries.setdefault(rows[0].game_id, []).append(entry)

    for game_id, players in entries.items():
        game = games[game_id]
        for entry in players:
            yield ExportFile(
                f.player_path(entry["player_lookup"]),
                _player_payload(
                    iso_date, stamp, game_id, game, entry, details.pop(entry["player_lookup"]), recent
                ),
                "player",
                f.CACHE_CURRENT,
                "tonight",
            )
    yield ExportFile(
        f.predictions_path(game_date), _predictions_payload(iso_date, stamp, day, systems), "predictions"
    )
    ordered = [
        (gid, sorted(entries[gid], key=lambda e: (e["team"], e["player_lookup"]))) for gid in sorted(entries)
    ]
    pairs = [(gid, e) for gid, players in ordered for e in players]
    bets = best_bets_payload(iso_date, stamp, default_system, pairs, best_bets_top_n)
    yield ExportFile(f.best_bets_path(game_date), bets, "best_bets")
    all_players = {
        "game_date": iso_date,
        "generated_at": stamp,
        "default_system": default_system,
        "systems": systems,
        "total_players": len(pairs),
        "total_with_lines": sum(1 for _, e in pairs if e["props"]),
        "games": [{"game_id": gid, **games[gid], "players": players} for gid, players in ordered],
    }
    yield ExportFile(f.all_players_path(), all_players, "all_players", f.CACHE_CURRENT, "tonight")
    yield ExportFile(f.best_bets_path(None), bets, "best_bets", f.CACHE_CURRENT, "latest")


def _rows_by_player(day: pd.DataFrame) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for row in day.itertuples(index=False):
        grouped.setdefault(row.player_lookup, []).append(row)
    return grouped


def prediction_fields(row: Any) -> dict[str, Any]:
    """{line, predicted, confidence, recommendation, edge, p_over, expected_value, calibration}: edge
    is null only without a line; p_over and expected_value only when calibrated (or first_season)."""
    line = opt_num(row.points_line, 1)
    calibration = getattr(row, "calibration", NO_LINE if line is None else UNCALIBRATED)
    calibrated = calibration in STATED
    return {
        "line": line,
        "predicted": num(row.predicted_points, 2),
        "confidence": num(row.confidence, 1),
        "recommendation": str(row.recommendation),
        "edge": opt_num(row.edge, 2) if line is None else num(row.edge, 2),
        "p_over": num(row.p_over, 4) if calibrated else None,
        "expected_value": num(row.expected_value, 4) if calibrated else None,
        "calibration": str(calibration),
    }


def _player_entry(
    lookup: str, rows: list[Any], props: list[dict] | None, recent: list[dict], default_system: str
) -> tuple[dict[str, Any], dict[int, dict[str, dict]]]:
    """The all-players entry of one player, and his predictions by line key and system."""
    by_line: dict[int, dict[str, dict]] = {}
    for row in rows:
        by_line.setdefault(int(row.line_key), {})[row.system_id] = prediction_fields(row)
    posted = [float(r.points_line) for r in rows if not pd.isna(r.points_line)]
    main = frames.main_line(posted)
    main_key = line_key(main)
    headline = {}  # per system: the main line's prediction, or the no-line one
    for system in sorted({r.system_id for r in rows}):
        pred = by_line.get(main_key, {}).get(system) or by_line.get(-1, {}).get(system)
        if pred is not None:
            headline[system] = pred
    first = rows[0]
    if props is None:  # no lines frame: show the lines the predictions were made against
        props = [
            {"line": num(v, 1), "bookmaker": None, "over_price": None, "under_price": None}
            for v in sorted(set(posted))
        ]
    entry = {
        "player_lookup": lookup,
        "player_name": str(first.player_name),
        "team": str(first.team),
        "opponent": str(first.opponent),
        "is_home": bool(first.is_home),
        "props": props,
        "prediction": headline.get(default_system),
        "predictions": headline,
        "last_10": [g["points"] for g in recent],
    }
    return entry, by_line


def _player_payload(
    iso_date: str, stamp: str, game_id: str, game: dict, entry: dict, by_line: dict, recent: dict
) -> dict[str, Any]:
    lines = [
        {"line": next(iter(systems.values()))["line"], "predictions": systems}
        for key, systems in sorted(by_line.items())
        if key >= 0
    ]
    return {
        "game_date": iso_date,
        "generated_at": stamp,
        "game_id": game_id,
        **game,
        **entry,
        "by_line": lines,
        "recent_games": recent.get(entry["player_lookup"], []),
    }


def _predictions_payload(iso_date: str, stamp: str, day: pd.DataFrame, systems: list[str]) -> dict[str, Any]:
    """Every active prediction row of the day, flat, in merge-key order."""
    rows = [
        {
            "prediction_id": str(r.prediction_id),
            "game_id": str(r.game_id),
            "player_lookup": str(r.player_lookup),
            "player_name": str(r.player_name),
            "team": str(r.team),
            "opponent": str(r.opponent),
            "is_home": bool(r.is_home),
            "system_id": str(r.system_id),
            "model_version": str(r.model_version),
            **prediction_fields(r),
        }
        for r in day.itertuples(index=False)
    ]
    return {
        "game_date": iso_date,
        "generated_at": stamp,
        "systems": systems,
        "total_players": int(day["player_lookup"].nunique()),
        "total_predictions": len(rows),
        "predictions": rows,
    }
