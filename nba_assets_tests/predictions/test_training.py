"""The points model: trained on the past only, saved with its version, loaded back, reproducible."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from nba_assets.predictions import calibration, model_store, registry
from nba_assets.predictions.base import SystemContext
from nba_assets.predictions.gradient_boosting import GradientBoosting
from nba_assets.predictions.training import train_points_model
from nba_assets_tests.predictions.conftest import SMALL_ROUNDS, TRAIN_BEFORE, day_rows

# three trainings in one test (plus the session's model when it lands here): ~200 s on a quiet machine
pytestmark = pytest.mark.timeout(600)


def test_a_trained_model_round_trips_with_its_metadata(model_root, model_info, features):
    version_dir = model_store.version_dir(model_root)
    assert (model_root / "latest").read_text().strip() == model_info.version == version_dir.name
    meta = json.loads((version_dir / "metadata.json").read_text())
    assert meta["version"].startswith("gb-20240229-") and meta["train_before"] == str(TRAIN_BEFORE)
    assert meta["train_end"] < str(TRAIN_BEFORE) and meta["rows"] > 1000 and meta["seed"] == model_info.seed
    assert meta["features"] and meta["params"]["rounds"] == SMALL_ROUNDS
    assert meta["seconds"] == model_info.seconds
    (system,) = registry.build_systems(["gradient_boosting"], model_root)
    assert system.version == model_info.version
    out = system.predict(day_rows(features), SystemContext())
    assert out["predicted_points"].notna().mean() > 0.9
    calibrators = calibration.load(version_dir)
    assert set(calibrators) == {"moving_average", "matchup", "similarity", "gradient_boosting", "ensemble"}
    assert all(c.rows > 0 and np.all(np.diff(c.probs) <= 1e-12) for c in calibrators.values())


def test_training_is_deterministic_with_a_fixed_seed(features, model_info, tmp_path):
    ticks = iter([100.0, 112.5])  # the training's start and end on an injected clock
    again = train_points_model(
        features, TRAIN_BEFORE, tmp_path, rounds=SMALL_ROUNDS, calibrate=False, clock=lambda: next(ticks)
    )
    assert again.version == model_info.version  # the version hashes the model text
    assert again.seconds == 12.5  # the time the clock says training took, recorded as is
    meta = json.loads((model_store.version_dir(tmp_path) / "metadata.json").read_text())
    assert meta["seconds"] == 12.5
    other = train_points_model(
        features, TRAIN_BEFORE, tmp_path / "seed", rounds=SMALL_ROUNDS, seed=7, calibrate=False
    )
    assert other.version != model_info.version


def test_training_never_sees_games_on_or_after_the_cut_off(features, tmp_path):
    cut = date(2024, 1, 10)
    future = features["game_date"] >= cut
    shuffled = features.copy()
    for column in ("points", "minutes"):  # the points model and the minutes model it reads
        shuffled.loc[future, column] = np.random.default_rng(0).permutation(
            shuffled.loc[future, column].to_numpy()
        )
    a = train_points_model(features, cut, tmp_path / "a", rounds=SMALL_ROUNDS, calibrate=False)
    b = train_points_model(shuffled, cut, tmp_path / "b", rounds=SMALL_ROUNDS, calibrate=False)
    assert a.version == b.version and a.train_end < str(cut)


def test_the_newest_version_loads_when_the_pointer_is_missing(features, tmp_path):
    older = train_points_model(features, date(2024, 1, 1), tmp_path, rounds=10, calibrate=False)
    newer = train_points_model(features, date(2024, 2, 1), tmp_path, rounds=10, calibrate=False)
    (tmp_path / "latest").write_text(older.version)
    assert GradientBoosting(tmp_path).version == older.version  # the pointer wins
    (tmp_path / "latest").unlink()
    assert GradientBoosting(tmp_path).version == newer.version
    assert GradientBoosting(tmp_path / older.version).version == older.version  # a version dir directly


def test_no_training_rows_is_a_clear_error(features, tmp_path):
    with pytest.raises(ValueError, match="no training rows before"):
        train_points_model(features, date(2000, 1, 1), tmp_path)


def test_calibration_maps_expected_error_to_an_honest_monotone_probability(features):
    rows = features[features["games_before"] >= 10].head(4000)
    predicted = rows["pts_avg_last10"]
    fitted = calibration.fit(predicted, rows["points"], rows)
    confidence = fitted.confidence(predicted, rows)
    assert confidence.between(0, 100).all() and fitted.rows == len(rows)
    within = (predicted - rows["points"]).abs() <= calibration.TOLERANCE
    assert abs(confidence.mean() - 100 * within.mean()) < 3  # in-sample, the averages agree
    high, low = confidence >= confidence.quantile(0.75), confidence <= confidence.quantile(0.25)
    assert within[high].mean() > within[low].mean() + 0.15
    default = calibration.Calibrator().confidence(
        pd.Series([5.0, 30.0, np.nan]), rows.head(3).reset_index(drop=True)
    )
    assert default[0] > default[1] and np.isnan(default[2])


def test_an_unreadable_model_file_skips_rows_instead_of_failing(features, tmp_path):
    version = tmp_path / "gb-20240101-broken"
    version.mkdir()
    (version / "model.txt").write_text("not a model")
    (version / "metadata.json").write_text('{"version": "gb-20240101-broken", "train_end": "2024-01-01"}')
    out = GradientBoosting(tmp_path).predict(day_rows(features), SystemContext())
    assert out["predicted_points"].isna().all()
    assert out["skip_reason"].str.startswith(f"unreadable points model in {version}").all()
