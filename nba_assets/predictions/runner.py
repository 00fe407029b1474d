"""Run systems over a slate: one row per player x system x line, and one outcome per player."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from nba_assets.features import build_features
from nba_assets.features.builder import walk_forward
from nba_assets.predictions.base import PredictionSystem, SystemContext, any_needs_history
from nba_assets.predictions.line_calibration import is_stand_in
from nba_assets.predictions.picks import Picker
from nba_assets.rows import STAGING_COLUMNS, line_key, prediction_id

OUTPUT_COLUMNS = tuple(c for c in STAGING_COLUMNS if c not in ("batch_id", "staged_at"))


@dataclass(frozen=True)
class PlayerOutcome:
    player_lookup: str
    status: str  # succeeded | skipped (the runner never fails a whole slate for one player)
    predictions: int
    reason: str


def history_features(box_scores: pd.DataFrame, before: object) -> pd.DataFrame:
    """Feature rows of every game strictly before ``before`` (labels included) for learned systems.

    A known row's features use only games before its own date, so these rows are the same as the
    history part of a ``walk_forward`` pass over any later date; systems mask rows by date.
    """
    return build_features(box_scores[box_scores["game_date"] < before])


def run_systems(
    features: pd.DataFrame,
    systems: list[PredictionSystem],
    history: pd.DataFrame | None = None,
    upstream: dict[str, pd.DataFrame] | None = None,
    lines: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Each system's output by id; later systems (the ensemble) see earlier ones as upstream."""
    context = SystemContext(history=history, upstream=dict(upstream or {}), lines=lines)
    outputs: dict[str, pd.DataFrame] = {}
    for system in systems:
        outputs[system.system_id] = system.predict(features, context)
        context.upstream[system.system_id] = outputs[system.system_id]
    return outputs


def predict_slate(
    box_scores: pd.DataFrame,
    slate: pd.DataFrame,
    lines: pd.DataFrame,
    systems: list[PredictionSystem],
    *,
    features: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[PlayerOutcome]]:
    """Rows with OUTPUT_COLUMNS for every player that some system predicted; outcomes for all.

    The slate may span many dates: one walk-forward pass builds every date's features and the
    learned history, each date seeing only games before it, so a player-date gets the same
    prediction alone, in a multi-date file, in ``evaluate`` and in the pipeline.
    """
    if slate.empty:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS)), []
    if features is None:
        features, learned = walk_forward(box_scores, slate)
        if history is None and any_needs_history(systems):
            history = learned
    elif history is None and any_needs_history(systems):
        history = history_features(box_scores, slate["game_date"].max())
    outputs = run_systems(features, systems, history, lines=lines)
    rows = expand_lines(features, outputs, lines, {s.system_id: s.version for s in systems})
    return rows, outcomes(features, outputs, rows)


def priced_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per (date, player, line): the median price of the books offering it (NaN: none given)
    and ``stand_in``: True when only stand-in ("reference") lines post it (no pick is made on it)."""
    cols = [c for c in ("over_price", "under_price") if c in lines.columns]
    frame = lines[["game_date", "player_lookup", "line", *cols]].copy()
    for column in ("over_price", "under_price"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce") if column in frame else float("nan")
    frame["stand_in"] = is_stand_in(lines["bookmaker"]) if "bookmaker" in lines.columns else False
    return frame.groupby(["game_date", "player_lookup", "line"], as_index=False, dropna=False).agg(
        over_price=("over_price", "median"),
        under_price=("under_price", "median"),
        stand_in=("stand_in", "all"),
    )


def expand_lines(
    features: pd.DataFrame,
    outputs: dict[str, pd.DataFrame],
    lines: pd.DataFrame,
    versions: dict[str, str],
    picker: Picker | None = None,
) -> pd.DataFrame:
    """One row per player x system x line; the recommendation is the pick by expected value."""
    picker = picker or Picker()
    keys = features[["game_date", "game_id", "player_lookup", "player_name", "team", "opponent", "is_home"]]
    keys = keys.assign(minutes_expected=features["min_ewm_fast"].fillna(features["min_avg_season"]))
    player_lines = priced_lines(lines)
    frames = []
    for system_id, out in outputs.items():
        predicted = pd.concat([keys, out], axis=1)
        predicted = predicted[predicted["predicted_points"].notna()]
        merged = predicted.merge(player_lines, on=["game_date", "player_lookup"], how="left")
        merged["system_id"], merged["model_version"] = system_id, versions[system_id]
        merged["points_line"] = merged["line"].astype(float)
        merged["predicted_points"] = merged["predicted_points"].round(2)
        merged["recommendation"] = picker.evaluate(merged, system_id)["recommendation"]
        frames.append(merged)
    if not frames or all(f.empty for f in frames):
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS))
    rows = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    rows["edge"] = (rows["predicted_points"] - rows["points_line"]).round(2)
    rows["line_key"] = [line_key(v) for v in rows["points_line"]]
    rows["prediction_id"] = [
        prediction_id(d, g, p, s, ln)
        for d, g, p, s, ln in zip(
            rows["game_date"],
            rows["game_id"],
            rows["player_lookup"],
            rows["system_id"],
            rows["points_line"],
            strict=True,
        )
    ]
    rows["is_home"] = rows["is_home"].astype(bool)
    return (
        rows[list(OUTPUT_COLUMNS)]
        .sort_values(["player_lookup", "system_id", "line_key"], kind="stable")
        .reset_index(drop=True)
    )


def outcomes(
    features: pd.DataFrame, outputs: dict[str, pd.DataFrame], rows: pd.DataFrame
) -> list[PlayerOutcome]:
    """succeeded if any system predicted the player, else skipped with the systems' reasons."""
    counts = rows.groupby("player_lookup").size() if not rows.empty else pd.Series(dtype=int)
    result = []
    for idx, player in features["player_lookup"].items():
        n = int(counts.get(player, 0))
        if n:
            result.append(PlayerOutcome(player, "succeeded", n, ""))
            continue
        reasons = sorted(
            {
                str(out.at[idx, "skip_reason"])
                for out in outputs.values()
                if pd.notna(out.at[idx, "skip_reason"])
            }
        )
        result.append(
            PlayerOutcome(player, "skipped", 0, "; ".join(reasons) or "no system produced a prediction")
        )
    return result


def stamp(rows: pd.DataFrame, batch_id: str, staged_at: datetime | None = None) -> pd.DataFrame:
    """Rows ready for staging: the batch id and the staging time added."""
    return rows.assign(batch_id=batch_id, staged_at=staged_at or datetime.now(UTC))[list(STAGING_COLUMNS)]
