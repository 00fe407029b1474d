"""Small real fixtures: bundled box-score features and a tiny model trained on games before 2024-03-01."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from nba_assets.features import build_features
from nba_assets.predictions.training import ModelInfo, train_points_model

TRAIN_BEFORE = date(2024, 3, 1)
SMALL_ROUNDS = 40  # a real model, only small: tests train in about a second
EVAL_DATE = date(2025, 1, 15)


@pytest.fixture(scope="session")
def features(box_scores: pd.DataFrame) -> pd.DataFrame:
    return build_features(box_scores)


@pytest.fixture(scope="session")
def model_root(tmp_path_factory: pytest.TempPathFactory, features: pd.DataFrame) -> Path:
    root = tmp_path_factory.mktemp("models")
    train_points_model(features, TRAIN_BEFORE, root, rounds=SMALL_ROUNDS)
    return root


@pytest.fixture(scope="session")
def model_info(model_root: Path) -> ModelInfo:
    from nba_assets.predictions import model_store

    meta = model_store.read_metadata(model_store.version_dir(model_root))
    return ModelInfo(**{k: meta[k] for k in ModelInfo.__dataclass_fields__})


def day_rows(features: pd.DataFrame, day: date = EVAL_DATE) -> pd.DataFrame:
    return features[features["game_date"] == day]
