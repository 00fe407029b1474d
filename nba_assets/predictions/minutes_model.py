"""The projected-minutes model: how long a player will be on the floor tonight, from pre-game facts.

Points follow minutes: a starter's 34 minutes and a reserve's 8 are different games, and most of
a points model's error on a given night is a minutes surprise (a blow-out, a new role, a
returning teammate). This LightGBM regression learns minutes from the point-in-time features
(recent minutes and their spread, rest, role, team changes, the minutes vacated by tonight's
absent or listed-out regulars, the strength gap); its projection ``proj_minutes`` feeds the
points model as a feature (``PROJECTION``) and can scale the heuristic systems' form by the minutes
expected tonight over his recent minutes (``form.minutes_factor``).

It is trained with the points model on the same rows (games before the cut-off) and saved in
the same version directory (``minutes_model.txt``), so a version's points model always reads the
projection it was trained with. The points model's training rows get *out-of-fold* projections
(each season predicted by a minutes model that never saw it), so what the points model learns from
is as noisy as what it is served. Only features of games before a row's date go in, so the
projection is point-in-time like them (``nba_assets_tests/predictions/test_minutes_model.py``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from nba_assets.features import FEATURE_COLUMNS, season_of

MODEL_FILE = "minutes_model.txt"
PROJECTION = ("proj_minutes",)
ROUNDS = 150
FOLDS = 3  # out-of-fold projections for the points model's training rows, split by season
PARAMS = {
    "objective": "l2",
    "learning_rate": 0.08,
    "num_leaves": 31,
    "min_data_in_leaf": 200,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
    "max_bin": 63,
    "verbose": -1,
}


@lru_cache(maxsize=8)
def _load(path: str) -> lgb.Booster:
    return lgb.Booster(model_file=path)


def load(version_dir: Path | None) -> lgb.Booster | None:
    """The minutes model of a points-model version; None without one. A version directory is never
    rewritten (its name hashes the models), so every system of a run shares one loaded copy."""
    if version_dir is None or not (version_dir / MODEL_FILE).is_file():
        return None
    return _load(str(version_dir / MODEL_FILE))


def fit_minutes(rows: pd.DataFrame, rounds: int = ROUNDS, seed: int = 0) -> lgb.Booster:
    """A minutes model on labelled rows (the caller keeps them before its cut-off)."""
    data = lgb.Dataset(rows[list(FEATURE_COLUMNS)], rows["minutes"], free_raw_data=True)
    return lgb.train({**PARAMS, "seed": seed}, data, num_boost_round=rounds)


def project(booster: lgb.Booster | None, features: pd.DataFrame) -> pd.DataFrame:
    """``features`` with the PROJECTION columns (NaN without a model: LightGBM treats them as missing)."""
    if booster is None or features.empty:
        return features.assign(**{c: np.nan for c in PROJECTION})
    names = booster.feature_name()
    raw = booster.predict(features[names].astype(float), num_threads=PARAMS["num_threads"])
    return features.assign(proj_minutes=np.clip(raw, 0.0, 48.0))


def out_of_fold(rows: pd.DataFrame, rounds: int = ROUNDS, seed: int = 0) -> pd.DataFrame:
    """``rows`` with each season's projection from a minutes model fitted on the other folds' seasons.

    With a single season (the bundled sample) the rows are split by date halves instead.
    """
    season = pd.Series(season_of(pd.to_datetime(rows["game_date"])), index=rows.index)
    seasons = np.sort(season.unique())
    if len(seasons) >= FOLDS:
        fold = season.map({s: i % FOLDS for i, s in enumerate(seasons)})
    else:
        order = pd.to_datetime(rows["game_date"]).rank(method="first") / len(rows)
        fold = (order * FOLDS).clip(upper=FOLDS - 1e-9).astype(int)
    projected = pd.Series(np.nan, index=rows.index)
    for k in range(FOLDS):
        inside = fold == k
        if not inside.any() or inside.all():
            continue
        booster = fit_minutes(rows[~inside], rounds, seed)
        projected[inside] = project(booster, rows[inside])["proj_minutes"]
    return rows.assign(proj_minutes=projected)
