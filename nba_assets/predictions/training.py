"""Training a points-model version: fit, calibrate every system's confidence on a hold-out, save.

The orchestration around the model (``gradient_boosting`` is the model and how it predicts): the
hold-out fit runs every system (``holdout``), so it lives above both, not inside the model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import lightgbm as lgb
import pandas as pd

from nba_assets.predictions import calibration, line_calibration, minutes_model, model_store
from nba_assets.predictions.gradient_boosting import (
    PARAMS,
    ROUNDS,
    SEED,
    TRAIN_MIN_MINUTES,
    GradientBoosting,
    fit_models,
    training_rows,
)
from nba_assets.predictions.holdout import fit_calibrations

log = logging.getLogger(__name__)

HOLDOUT_SHARE = 0.2  # the last fifth of the training dates calibrates every system's confidence


@dataclass(frozen=True)
class ModelInfo:
    version: str
    path: str
    features: list[str]
    train_start: str
    train_end: str
    rows: int
    params: dict
    seed: int
    seconds: float


def train_points_model(
    feature_frame: pd.DataFrame,
    train_before: date,
    out_dir: Path,
    *,
    params: dict | None = None,
    rounds: int = ROUNDS,
    seed: int = SEED,
    calibrate: bool = True,
    min_minutes: float = TRAIN_MIN_MINUTES,
    with_minutes: bool = True,
    clock: Callable[[], float] = time.perf_counter,
) -> ModelInfo:
    """Train on rows before ``train_before``, fit confidence calibrations, save a new version.

    The minutes model (``minutes_model``) is trained on the same rows and saved beside the points
    model, which reads its projection. ``min_minutes=15`` trains on rotation games only and
    ``with_minutes=False`` without the projection (variants the bench compares).
    """
    started = clock()  # the metadata's seconds; tests inject a clock
    rows = training_rows(feature_frame, train_before, min_minutes)
    if rows.empty:
        raise ValueError(
            f"no training rows before {train_before} (need games with >= {min_minutes:g} minutes)"
        )
    calibrators: dict[str, calibration.Calibrator] = {}
    holdout = pd.DataFrame()
    if calibrate:
        dates = sorted(rows["game_date"].unique())
        holdout_start = dates[int(len(dates) * (1 - HOLDOUT_SHARE))]
        early = training_rows(feature_frame, holdout_start, min_minutes)
        if len(early) >= 1000:
            booster, minutes = fit_models(early, params, rounds, seed, with_minutes)
            system = GradientBoosting.from_booster(booster, minutes=minutes)
            calibrators, holdout = fit_calibrations(feature_frame, holdout_start, train_before, system)
    booster, minutes = fit_models(rows, params, rounds, seed, with_minutes)
    text = booster.model_to_string()
    minutes_text = minutes.model_to_string() if minutes is not None else ""
    train_end = max(rows["game_date"])
    digest = hashlib.sha256((text + minutes_text).encode()).hexdigest()[:8]
    version = f"gb-{train_end:%Y%m%d}-{digest}"
    target = Path(out_dir) / version
    target.mkdir(parents=True, exist_ok=True)
    (target / model_store.MODEL_FILE).write_text(text)
    if minutes is not None:
        (target / minutes_model.MODEL_FILE).write_text(minutes_text)
    calibration.save(calibrators, target)
    line_calibration.save_holdout(holdout, target)
    info = ModelInfo(
        version,
        str(target),
        booster.feature_name(),
        str(min(rows["game_date"])),
        str(train_end),
        len(rows),
        {
            **PARAMS,
            **(params or {}),
            "rounds": rounds,
            "min_minutes": min_minutes,
            "minutes_model": with_minutes,
        },
        seed,
        round(clock() - started, 2),
    )
    meta = {
        **asdict(info),
        "train_before": str(train_before),
        "lightgbm": lgb.__version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (target / model_store.META_FILE).write_text(json.dumps(meta, indent=2))
    model_store.point_latest(Path(out_dir), version)
    log.info("trained %s on %d rows in %.1fs", version, len(rows), info.seconds)
    return info
