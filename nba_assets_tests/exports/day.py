"""Realistic export inputs from the bundled sample: a day's predictions table, slate, lines, results.

Only ``moving_average`` exists as a system so far; other system ids are made by copying its rows
with a deterministic per-player shift, which is enough to exercise every multi-system path.
Shared by the export tests and ``bench/bench_exports.py``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from nba_assets.exports.frames import slate_games
from nba_assets.features import build_features
from nba_assets.inputs.lines import reference_lines
from nba_assets.inputs.slates import slate_from_box_scores
from nba_assets.predictions import registry
from nba_assets.predictions.lines import recommend
from nba_assets.predictions.runner import predict_slate
from nba_assets.rows import RESULTS_SCHEMA, TABLE_COLUMNS, line_key, prediction_id

STAMP = datetime(2025, 2, 12, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Day:
    game_date: date
    predictions: pa.Table  # TABLE_COLUMNS, what Warehouse.predictions_for(date) returns
    slate: pd.DataFrame
    lines: pd.DataFrame
    box_scores: pd.DataFrame

    @property
    def frame(self) -> pd.DataFrame:
        return self.predictions.to_pandas()

    @property
    def games(self) -> list[str]:
        return slate_games(self.slate, self.game_date)

    def with_predictions(self, frame: pd.DataFrame) -> Day:
        return Day(self.game_date, to_table(frame), self.slate, self.lines, self.box_scores)


def make_day(
    box_scores: pd.DataFrame,
    game_date: date,
    *,
    systems: tuple[str, ...] = ("moving_average",),
    alternates: int = 2,
    players: int | None = None,
) -> Day:
    """The real slate of ``game_date`` predicted by moving_average, plus fake system ids; with
    ``players`` the slate is widened with cloned players (the 450-player benchmark day)."""
    real = slate_from_box_scores(box_scores, game_date)
    box, slate, wanted = box_scores, real, players
    for _ in range(3):  # a few players with history still get no prediction: clone a few more
        if wanted is not None:
            box, slate = _widen(box_scores, real, game_date, wanted)
        features = build_features(box, slate)
        lines = reference_lines(features, alternates)
        rows, _ = predict_slate(
            box, slate, lines, registry.build_systems(["moving_average"]), features=features
        )
        short = 0 if players is None else players - rows["player_lookup"].nunique()
        if short <= 0 or wanted is None:
            break
        wanted += short
    # stand-in lines get no pick from the pipeline (PASS); the files still need OVER/UNDER rows,
    # so the fixture picks by the plain edge rule, as the fake systems do
    rows["edge"], rows["recommendation"] = recommend(rows["predicted_points"], rows["points_line"])
    frames = [rows] + [_fake_system(rows, s) for s in systems if s != "moving_average"]
    return Day(game_date, to_table(pd.concat(frames, ignore_index=True)), slate, lines, box)


def to_table(rows: pd.DataFrame) -> pa.Table:
    """Staging rows -> the predictions table's columns (batch id and lifecycle columns added)."""
    out = rows.copy()
    for column, value in (
        ("batch_id", "b20250212_0000abcd"),
        ("is_active", True),
        ("created_at", STAMP),
        ("updated_at", STAMP),
    ):
        if column not in out.columns:
            out[column] = value
    return pa.Table.from_pandas(out[list(TABLE_COLUMNS)].reset_index(drop=True), preserve_index=False)


def _fake_system(rows: pd.DataFrame, system_id: str) -> pd.DataFrame:
    out = rows.copy()
    shift = np.array(
        [
            (int(hashlib.sha256(f"{p}|{system_id}".encode()).hexdigest()[:6], 16) % 61 - 30) / 10
            for p in out["player_lookup"]
        ]
    )
    out["predicted_points"] = (out["predicted_points"] + shift).clip(lower=0).round(2)
    out["confidence"] = (out["confidence"] - np.abs(shift)).clip(1, 99).round(1)
    out["edge"], out["recommendation"] = recommend(out["predicted_points"], out["points_line"])
    out["system_id"], out["model_version"] = system_id, "fake-1"
    out["prediction_id"] = [
        prediction_id(d, g, p, system_id, None if pd.isna(ln) else ln)
        for d, g, p, ln in zip(
            out["game_date"], out["game_id"], out["player_lookup"], out["points_line"], strict=True
        )
    ]
    return out


def _widen(
    box: pd.DataFrame, slate: pd.DataFrame, game_date: date, players: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clone players with history (new lookups, same games and history) until ``players`` of the
    slate can be predicted (players without any earlier game get no prediction)."""
    seen = set(box.loc[box["game_date"] < game_date, "player_lookup"])
    with_history = slate[slate["player_lookup"].isin(seen)]
    extra = with_history.head(players - len(with_history)).copy()
    lookups = dict(zip(extra["player_lookup"], extra["player_lookup"] + "clone", strict=True))
    history = box[box["player_lookup"].isin(list(lookups))].copy()
    for frame in (extra, history):
        frame["player_lookup"] = frame["player_lookup"].map(lookups)
        frame["player_name"] = frame["player_name"] + " Clone"
    return pd.concat([box, history], ignore_index=True), pd.concat([slate, extra], ignore_index=True)


def graded_results(day: Day) -> pa.Table:
    """RESULTS_SCHEMA rows: the day's predictions joined to the actual points of that date."""
    frame = day.frame
    actual = day.box_scores[day.box_scores["game_date"] == day.game_date][["player_lookup", "points"]]
    out = frame.merge(actual.rename(columns={"points": "actual_points"}), on="player_lookup", how="left")
    out["abs_error"] = (out["predicted_points"] - out["actual_points"]).abs()
    over, under = out["recommendation"] == "OVER", out["recommendation"] == "UNDER"
    push = out["actual_points"] == out["points_line"]
    hit = (over & (out["actual_points"] > out["points_line"])) | (
        under & (out["actual_points"] < out["points_line"])
    )
    out["hit"] = pd.Series(hit, dtype="boolean").where((over | under) & ~push & out["actual_points"].notna())
    out["line_key"] = [line_key(None if pd.isna(v) else v) for v in out["points_line"]]
    return pa.Table.from_pandas(out[RESULTS_SCHEMA.names], schema=RESULTS_SCHEMA, preserve_index=False)
