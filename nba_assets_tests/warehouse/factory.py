"""Staging and results rows for warehouse tests and the MERGE benchmark."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa

from nba_assets.rows import RESULTS_SCHEMA, STAGING_SCHEMA, line_key, prediction_id

SYSTEMS = ("moving_average", "matchup", "similarity", "gradient_boosting", "ensemble")
T0 = datetime(2025, 2, 12, 15, 0, tzinfo=UTC)


def prediction_rows(
    batch_id: str,
    game_date: date,
    player: str,
    lines: list[float | None],
    *,
    systems: tuple[str, ...] = SYSTEMS,
    points: float = 20.0,
    game_id: str = "0022400001",
    staged_at: datetime = T0,
) -> list[dict]:
    """One row per (system, line) for one player; the staging contract's own key and id."""
    rows = []
    for s, system in enumerate(systems):
        for line in lines:
            predicted = points + s
            edge = None if line is None else predicted - line
            rows.append(
                {
                    "prediction_id": prediction_id(game_date, game_id, player, system, line),
                    "batch_id": batch_id,
                    "system_id": system,
                    "model_version": "v1",
                    "game_date": game_date,
                    "game_id": game_id,
                    "player_lookup": player,
                    "player_name": player.title(),
                    "team": "BOS",
                    "opponent": "NYK",
                    "is_home": True,
                    "points_line": line,
                    "line_key": line_key(line),
                    "predicted_points": predicted,
                    "confidence": 60.0,
                    "recommendation": "NO_LINE" if line is None else ("OVER" if edge > 0 else "UNDER"),
                    "edge": edge,
                    "staged_at": staged_at,
                }
            )
    return rows


def staging_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=STAGING_SCHEMA)


def player_staging(batch_id: str, game_date: date, player: str, lines: list[float | None], **kw) -> pa.Table:
    return staging_table(prediction_rows(batch_id, game_date, player, lines, **kw))


def bulk_lines(n_rows: int, systems: int = len(SYSTEMS)) -> list[float | None]:
    """Lines so that systems x lines = n_rows (25 rows = 5 systems x 5 lines incl. no line)."""
    per = max(1, n_rows // systems)
    return [None] + [18.5 + i for i in range(per - 1)]


def results_table(game_date: date, players: list[str], *, actual: float = 22.0) -> pa.Table:
    rows = []
    for player in players:
        for system in SYSTEMS[:2]:
            for line in (None, 24.5):
                predicted = 21.0
                rows.append(
                    {
                        "game_date": game_date,
                        "game_id": "0022400001",
                        "player_lookup": player,
                        "player_name": player.title(),
                        "system_id": system,
                        "line_key": line_key(line),
                        "points_line": line,
                        "predicted_points": predicted,
                        "confidence": 55.0,
                        "recommendation": "NO_LINE" if line is None else "UNDER",
                        "actual_points": actual,
                        "abs_error": abs(actual - predicted),
                        "hit": None if line is None else actual < line,
                    }
                )
    return pa.Table.from_pylist(rows, schema=RESULTS_SCHEMA)


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)
