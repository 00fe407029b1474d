"""The projected-minutes model: saved with the points model, point-in-time, read by gradient boosting."""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
import pandas as pd

from nba_assets.features import build_features
from nba_assets.predictions import form, minutes_model, model_store
from nba_assets.predictions.base import SystemContext
from nba_assets.predictions.form import minutes_factor
from nba_assets.predictions.gradient_boosting import GradientBoosting
from nba_assets.predictions.matchup import Matchup
from nba_assets.predictions.moving_average import MovingAverage
from nba_assets_tests.features.test_point_in_time import scrambled
from nba_assets_tests.predictions.conftest import day_rows

DAY = date(2025, 1, 15)


def test_the_minutes_model_is_saved_with_the_points_model_and_feeds_it(model_root, features):
    version = model_store.version_dir(model_root)
    assert (version / minutes_model.MODEL_FILE).is_file()
    system = GradientBoosting(model_root)
    assert "proj_minutes" in system.booster.feature_name()
    assert "proj_minutes" in model_store.read_metadata(version)["features"]
    rows = day_rows(features)
    projected = minutes_model.project(system.minutes, rows)["proj_minutes"]
    assert projected.between(0, 48).all() and projected.std() > 5  # starters and reserves apart
    # the projection tracks minutes better than chance: correlated with what was played
    assert np.corrcoef(projected, rows["minutes"])[0, 1] > 0.6


def test_projected_minutes_ignore_the_day_itself_and_the_future(box_scores, model_root):
    system = GradientBoosting(model_root)
    season = box_scores[box_scores["game_date"] >= date(2024, 10, 1)]
    full = day_rows(build_features(season), DAY).sort_values("player_lookup").reset_index(drop=True)
    before = season[season["game_date"] < DAY]
    today = scrambled(season[season["game_date"] == DAY], 4)
    later = scrambled(season[season["game_date"] > DAY], 5)
    cut = build_features(pd.concat([before, today, later], ignore_index=True))
    cut = day_rows(cut, DAY).sort_values("player_lookup").reset_index(drop=True)
    a = minutes_model.project(system.minutes, full)["proj_minutes"]
    b = minutes_model.project(system.minutes, cut)["proj_minutes"]
    assert len(a) > 100
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12)


def test_a_points_model_without_its_minutes_model_skips_rows_with_a_reason(model_root, features, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(model_store.version_dir(model_root), copy)
    (copy / minutes_model.MODEL_FILE).unlink()
    out = GradientBoosting(copy).predict(day_rows(features), SystemContext())
    assert out["predicted_points"].isna().all()
    assert out["skip_reason"].str.contains("needs its minutes model").all()


def test_the_heuristics_scale_their_form_by_the_projected_minutes(model_root, features, monkeypatch):
    monkeypatch.setattr(form, "MINUTES_ELASTICITY", 0.75)  # off by default (see form.minutes_factor)
    rows = day_rows(features)
    version = model_store.version_dir(model_root)
    for make in (MovingAverage, Matchup):
        plain = make().predict(rows, SystemContext())["predicted_points"]
        system = make.from_model_dir(version)
        assert system.minutes is not None and system.metadata["train_end"] < str(DAY)
        scaled = system.predict(rows, SystemContext())["predicted_points"]
        factor = minutes_factor(minutes_model.project(system.minutes, rows))
        assert (factor != 1.0).mean() > 0.9
        ok = plain.notna() & (plain > 0)
        if make is MovingAverage:  # a pure product of form and context
            np.testing.assert_allclose(scaled[ok], (plain * factor)[ok], rtol=1e-9)
        else:  # matchup adds the role residual after scaling: moves the same way as the factor
            moved = np.sign(scaled[ok] - plain[ok]) == np.sign(factor[ok] - 1.0)
            assert moved.mean() > 0.9


def test_by_default_the_minutes_factor_is_one(model_root, features):
    rows = minutes_model.project(GradientBoosting(model_root).minutes, day_rows(features))
    assert (minutes_factor(rows) == 1.0).all()
