"""The pipeline's picker: the calibration stored beside the model version a date uses, the margin a setting."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from nba_assets.defs.settings import PipelineSettings
from nba_assets.predictions import line_calibration, model_store
from nba_assets.predictions.picks import EV_MARGIN
from nba_assets_tests.predictions.real_pairs import scored_window


def fake_version(root, name: str, train_end: str, pairs: pd.DataFrame | None) -> None:
    version = root / name
    version.mkdir(parents=True)
    (version / model_store.MODEL_FILE).write_text("not read by the picker")
    (version / model_store.META_FILE).write_text(json.dumps({"version": name, "train_end": train_end}))
    if pairs is not None:
        line_calibration.save(pairs, date.fromisoformat(train_end), version)


def test_the_picker_uses_the_calibration_of_the_model_the_date_uses(tmp_path, monkeypatch):
    scored, lines = scored_window(date(2021, 5, 1), days=150)
    predictions = scored.assign(system_id="gb", predicted_points=scored["gb"], confidence=scored["gb_conf"])
    pairs = line_calibration.pairs_from(predictions, lines)
    fake_version(tmp_path, "gb-20211001-a", "2021-10-01", pairs)  # calibrated on real lines
    fake_version(tmp_path, "gb-20200101-b", "2020-01-01", None)  # trained without real lines
    monkeypatch.setenv("NBA_ASSETS_EV_MARGIN", "0.05")
    settings = PipelineSettings.from_env().model_copy(update={"model_dir": str(tmp_path)})
    assert settings.ev_margin == 0.05 and PipelineSettings().ev_margin == EV_MARGIN
    later = settings.picker(date(2021, 11, 2))
    assert later.margin == 0.05 and later.calibration("gb", date(2021, 11, 2)).calibrated
    # a date before the calibrated version uses the older one: no real pairs, uncalibrated
    assert not settings.picker(date(2020, 3, 1)).calibration("gb", date(2020, 3, 1)).calibrated
