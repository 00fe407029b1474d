"""gradient_boosting: LightGBM on the point-in-time features, trained only on games before a date.

The model predicts a player's points on every row of the slate, low-minute players included: it
trains on every played game (TRAIN_MIN_MINUTES = 0) and sees the minutes-aware features (recent
minutes, their spread and trend, minutes vacated by tonight's absent regulars), so it learns how
many minutes a player will get rather than assuming a rotation role. Trained only on >= 15-minute
games (the old choice) it over-predicted cameo games: 5.01 MAE on all 2024-25 rows against the
season average's 4.70. A Huber loss keeps 50-point nights from dragging the fit.

The projected-minutes model (``minutes_model``) is trained with it on the same rows and its
projection is a feature (out-of-fold for the training rows); on 2023-24 it moved the MAE by less
than 0.005 either way, at about twice the training CPU (bench/RESULTS.md, "Prediction systems").

Saved per version under ``<out>/<version>/``: ``model.txt`` (LightGBM text), ``minutes_model.txt``, ``metadata.json``
(version, features, training window, rows, params, seed, seconds) and ``calibration.json``
(every system's confidence mapping, fitted on a hold-out window before the cut-off). ``latest``
points at the newest. Fallbacks: no model -> every row skipped with a reason, never an
exception; rookies (< 3 games) skipped by the shared rule; missing feature values (a player's
first games of a season, a new team) are handled natively by LightGBM.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import lightgbm as lgb
import pandas as pd

from nba_assets.features import FEATURE_COLUMNS
from nba_assets.predictions import calibration, minutes_model, model_store
from nba_assets.predictions.base import MIN_GAMES, SystemContext, output_frame

log = logging.getLogger(__name__)

SEED = 20240601
TRAIN_MIN_MINUTES = 0.0
HOLDOUT_SHARE = 0.2  # the last fifth of the training dates calibrates every system's confidence
ROUNDS = 400
PARAMS = {
    "objective": "huber",
    "alpha": 5.0,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}


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


def training_rows(
    feature_frame: pd.DataFrame, before: date, min_minutes: float = TRAIN_MIN_MINUTES
) -> pd.DataFrame:
    """Labelled rows the model learns from: enough history, >= ``min_minutes``, strictly before ``before``."""
    keep = (feature_frame["game_date"] < before) & feature_frame["points"].notna()
    keep &= (feature_frame["games_before"] >= MIN_GAMES) & (feature_frame["minutes"] >= min_minutes)
    return feature_frame[keep]


def fit_booster(
    rows: pd.DataFrame, params: dict | None = None, rounds: int = ROUNDS, seed: int = SEED
) -> lgb.Booster:
    """The points model on ``rows``: FEATURE_COLUMNS, plus the minutes projection when the rows carry it."""
    merged = {**PARAMS, **(params or {}), "seed": seed}
    names = list(FEATURE_COLUMNS) + [c for c in minutes_model.PROJECTION if c in rows.columns]
    data = lgb.Dataset(rows[names], rows["points"], free_raw_data=True)
    return lgb.train(merged, data, num_boost_round=rounds)


def fit_models(
    rows: pd.DataFrame,
    params: dict | None = None,
    rounds: int = ROUNDS,
    seed: int = SEED,
    with_minutes: bool = True,
) -> tuple[lgb.Booster, lgb.Booster | None]:
    """(points model, minutes model) on ``rows``; the points model learns from out-of-fold projections."""
    if not with_minutes:
        return fit_booster(rows, params, rounds, seed), None
    minutes_rounds = max(10, min(minutes_model.ROUNDS, rounds // 2))
    projected = minutes_model.out_of_fold(rows, minutes_rounds, seed)
    minutes = minutes_model.fit_minutes(rows, minutes_rounds, seed)
    return fit_booster(projected, params, rounds, seed), minutes


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
) -> ModelInfo:
    """Train on rows before ``train_before``, fit confidence calibrations, save a new version.

    The minutes model (``minutes_model``) is trained on the same rows and saved beside the points
    model, which reads its projection. ``min_minutes=15`` trains on rotation games only and
    ``with_minutes=False`` without the projection (variants the bench compares).
    """
    from nba_assets.predictions import line_calibration
    from nba_assets.predictions.holdout import fit_calibrations  # imports every system

    started = time.perf_counter()
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
        round(time.perf_counter() - started, 2),
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


class GradientBoosting:
    system_id = "gradient_boosting"

    def __init__(self, model_dir: Path | None = None) -> None:
        self.model_dir = model_dir
        self.path = model_store.version_dir(Path(model_dir)) if model_dir is not None else None
        self.booster: lgb.Booster | None = None
        self.minutes: lgb.Booster | None = None  # the projected-minutes model of the same version
        self.metadata: dict = {}
        self.calibrator = calibration.Calibrator()
        self.problem = f"no trained points model in {model_dir or '(no model dir given)'}"
        if self.path is not None:
            try:
                self.booster = lgb.Booster(model_file=str(self.path / model_store.MODEL_FILE))
                self.minutes = minutes_model.load(self.path)
                self.calibrator = calibration.load(self.path).get(self.system_id, self.calibrator)
            except (lgb.basic.LightGBMError, OSError, ValueError, KeyError) as exc:
                self.booster, self.problem = None, f"unreadable points model in {self.path}: {exc}"
                log.warning(self.problem)
            self.metadata = model_store.read_metadata(self.path)
        self.version = self.metadata.get("version", "gb-none")

    @classmethod
    def from_booster(
        cls,
        booster: lgb.Booster,
        calibrator: calibration.Calibrator | None = None,
        minutes: lgb.Booster | None = None,
    ) -> GradientBoosting:
        """An in-memory model (the hold-out fit during training)."""
        system = cls(None)
        system.booster, system.version, system.problem = booster, "gb-holdout", ""
        system.minutes = minutes
        system.calibrator = calibrator or system.calibrator
        return system

    def predict(self, features: pd.DataFrame, context: SystemContext) -> pd.DataFrame:
        if self.booster is None:
            return _skipped(features.index, self.problem)
        names = self.booster.feature_name()
        projection = [c for c in names if c in minutes_model.PROJECTION]
        if projection and self.minutes is None:
            return _skipped(
                features.index, f"model {self.version} needs its minutes model ({minutes_model.MODEL_FILE})"
            )
        if projection:
            features = minutes_model.project(self.minutes, features)
        missing = [c for c in names if c not in features.columns]
        if missing:
            return _skipped(features.index, f"model {self.version} needs features {', '.join(missing[:5])}")
        if features.empty:
            return output_frame(features.index, pd.Series(dtype=float), pd.Series(dtype=float), features)
        raw = self.booster.predict(features[names].astype(float), num_threads=PARAMS["num_threads"])
        predicted = pd.Series(raw, index=features.index).clip(lower=0.0)
        return output_frame(
            features.index, predicted, self.calibrator.confidence(predicted, features), features
        )


def _skipped(index: pd.Index, reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"predicted_points": float("nan"), "confidence": float("nan"), "skip_reason": reason}, index=index
    )
