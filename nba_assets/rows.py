"""The row contract (DESIGN §4): predictions and results columns, merge key, deterministic ids (L10, L11).

A neutral module: the prediction core, the warehouse, the exports and the reports all import it, so
the contract lives in none of them.
"""

from __future__ import annotations

import math
import uuid
from datetime import date

import pyarrow as pa

TABLE = "player_prop_predictions"
_ID_NAMESPACE = uuid.UUID("6f1c9a52-3d0e-4f57-9a1e-2b8f43c0d7aa")

# The MERGE key. line_key, not the line, so 24.5 and 25.0 never collide and "no line" matches (L10).
MERGE_KEY = ("game_date", "game_id", "player_lookup", "system_id", "line_key")

# Columns a prediction system run writes to staging, in order.
STAGING_SCHEMA = pa.schema(
    [
        ("prediction_id", pa.string()),
        ("batch_id", pa.string()),
        ("system_id", pa.string()),
        ("model_version", pa.string()),
        ("game_date", pa.date32()),
        ("game_id", pa.string()),
        ("player_lookup", pa.string()),
        ("player_name", pa.string()),
        ("team", pa.string()),
        ("opponent", pa.string()),
        ("is_home", pa.bool_()),
        ("points_line", pa.float64()),
        ("line_key", pa.int64()),
        ("predicted_points", pa.float64()),
        ("confidence", pa.float64()),
        ("recommendation", pa.string()),
        ("edge", pa.float64()),
        ("staged_at", pa.timestamp("us", tz="UTC")),
    ]
)
STAGING_COLUMNS = tuple(STAGING_SCHEMA.names)

# The target table: staging columns (without staged_at) plus lifecycle columns the MERGE owns.
TABLE_COLUMNS = tuple(c for c in STAGING_COLUMNS if c != "staged_at") + (
    "is_active",
    "created_at",
    "updated_at",
)
RECOMMENDATIONS = ("OVER", "UNDER", "PASS", "NO_LINE")


def line_key(line: float | None) -> int:
    """round(line*10), -1 for no line: 24.5 -> 245, 25 -> 250, None -> -1."""
    if line is None or (isinstance(line, float) and math.isnan(line)):
        return -1
    return int(round(float(line) * 10))


def prediction_id(
    game_date: date, game_id: str, player_lookup: str, system_id: str, line: float | None
) -> str:
    """uuid5 of the merge key: a re-run of a day produces the same id (L11)."""
    key = "|".join((game_date.isoformat(), game_id, player_lookup, system_id, str(line_key(line))))
    return str(uuid.uuid5(_ID_NAMESPACE, key))


RESULTS_TABLE = "prediction_results"
# One graded row per active prediction of a played game (the graded_results asset).
RESULTS_SCHEMA = pa.schema(
    [
        ("game_date", pa.date32()),
        ("game_id", pa.string()),
        ("player_lookup", pa.string()),
        ("player_name", pa.string()),
        ("system_id", pa.string()),
        ("line_key", pa.int64()),
        ("points_line", pa.float64()),
        ("predicted_points", pa.float64()),
        ("confidence", pa.float64()),
        ("recommendation", pa.string()),
        ("actual_points", pa.float64()),
        ("abs_error", pa.float64()),
        ("hit", pa.bool_()),  # null for PASS / NO_LINE / push
    ]
)
