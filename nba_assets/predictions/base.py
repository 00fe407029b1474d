"""The interface every prediction system implements. Pure Python: no Dagster, no cloud imports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import pandas as pd

# What predict() returns, one row per input row, same index.
OUTPUT_COLUMNS = ("predicted_points", "confidence", "skip_reason")
MIN_GAMES = 3  # fewer prior games than this (any season) and a player is skipped with a reason


@dataclass
class SystemContext:
    """What a system may look at besides the rows it predicts.

    ``history`` is the feature frame of past games (labels ``points``/``minutes`` present); for a
    slate on date D it holds games before D only (a multi-date run may pass more: a system masks
    each row's history by the row's own date). Systems that need nothing ignore it.
    """

    history: pd.DataFrame | None = None
    upstream: dict[str, pd.DataFrame] = field(default_factory=dict)  # system_id -> its output (ensemble)
    # Prop lines known to the run (game_date, player_lookup, line, ...): the rows' own pre-game lines
    # and earlier dates' lines, which market_blend pairs with past outcomes. None: no lines.
    lines: pd.DataFrame | None = None


@runtime_checkable
class PredictionSystem(Protocol):
    system_id: str
    version: str
    # reads ``SystemContext.history`` (past games' features): the caller builds it only when some
    # system of the run needs it, as it costs a pass over every past game
    needs_history: bool

    def predict(self, features: pd.DataFrame, context: SystemContext) -> pd.DataFrame:
        """OUTPUT_COLUMNS for each row of ``features``: NaN points and a reason when skipped."""
        ...


def any_needs_history(systems: Iterable[PredictionSystem]) -> bool:
    return any(system.needs_history for system in systems)


def output_frame(
    index: pd.Index, predicted: pd.Series, confidence: pd.Series, features: pd.DataFrame
) -> pd.DataFrame:
    """Clip to sane ranges and attach the shared skip rule (too little history)."""
    out = pd.DataFrame(index=index)
    games = features["games_before"].fillna(0)
    reason = pd.Series(None, index=index, dtype="object")
    reason[games < MIN_GAMES] = (
        "insufficient history: " + games[games < MIN_GAMES].astype(int).astype(str) + " prior games"
    )
    missing = predicted.isna() & reason.isna()
    reason[missing] = "no prediction from features"
    out["predicted_points"] = predicted.clip(lower=0.0).where(reason.isna())
    out["confidence"] = confidence.clip(0.0, 100.0).round(1).where(reason.isna())
    out["skip_reason"] = reason
    return out
