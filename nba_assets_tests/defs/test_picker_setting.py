"""The pipeline's picker: the calibration stored beside the model version a date uses, the margin a setting."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from nba_assets.defs.settings import PipelineSettings
from nba_assets.predictions import line_calibration, model_store
from nba_assets.predictions.picks import EV_MARGIN
from nba_assets_tests.predictions.real_pairs import synthetic_pairs


def fake_version(root, name: str, train_end: str, pairs: pd.DataFrame | None) -> None:
    version = root / name
    version.mkdir(parents=True)
    (version / model_store.MODEL_FILE).write_text("not read by the picker")
    (version / model_store.META_FILE).write_text(json.dumps({"version": name, "train_end": train_end}))
    if pairs is not None:
        line_calibration.save(pairs, date.fromisoformat(train_end), version)


def test_the_picker_uses_the_calibration_of_the_model_the_date_uses(tmp_path, monkeypatch):
    pairs = synthetic_pairs(date(2021, 5, 1), days=150)
    fake_version(tmp_path, "gb-20211001-a", "2021-10-01", pairs)  # calibrated on real lines
    fake_version(tmp_path, "gb-20200101-b", "2020-01-01", None)  # trained without real lines
    monkeypatch.setenv("NBA_ASSETS_EV_MARGIN", "0.05")
    settings = PipelineSettings.from_env().model_copy(update={"model_dir": str(tmp_path)})
    assert settings.ev_margin == 0.05 and PipelineSettings().ev_margin == EV_MARGIN
    later = settings.picker(date(2021, 11, 2))
    assert later.margin == 0.05 and later.calibration("gb", date(2021, 11, 2)).calibrated
    # a date before the calibrated version uses the older one: no real pairs, uncalibrated
    assert not settings.picker(date(2020, 3, 1)).calibration("gb", date(2020, 3, 1)).calibrated


def test_the_points_model_asset_stores_a_calibration_from_the_warehouse_real_lines(local_home, instance):
    from datetime import UTC, datetime

    import pyarrow as pa

    from nba_assets.definitions import defs
    from nba_assets.defs.resources import resources_for
    from nba_assets.features import build_features
    from nba_assets.inputs.bundled import bundled_box_scores
    from nba_assets.inputs.lines import reference_lines
    from nba_assets.warehouse.input_tables import PROP_LINES_SCHEMA

    features = build_features(bundled_box_scores())
    stored = reference_lines(features[features["game_date"] < date(2024, 1, 5)])
    stored = stored.assign(bookmaker="book", source="files", ingested_at=datetime.now(UTC))
    warehouse = resources_for("local")["warehouse"].process_config_and_initialize().get()
    warehouse.ensure_schema()
    for day, rows in stored.groupby("game_date"):
        warehouse.write_inputs(
            "prop_lines", day, pa.Table.from_pandas(rows, schema=PROP_LINES_SCHEMA, preserve_index=False)
        )
    job = defs().resolve_job_def("points_model_job")
    config = {"ops": {"points_model": {"config": {"train_before": "2024-01-01"}}}}
    result = job.execute_in_process(instance=instance, run_config=config)
    (event,) = result.asset_materializations_for_node("points_model")
    pairs = event.metadata["calibration_pairs"].value
    assert pairs["gradient_boosting"] > 1000 and set(pairs) >= {"moving_average", "ensemble"}
    # the lines stored are all of 2023-24, the season of the cut-off: the EVs are unproven, and it says so
    assert event.metadata["calibration_first_season"].value is True
    version = model_store.version_dir(local_home / "models")
    stored_pairs = line_calibration.load_pairs(version)
    assert (pd.to_datetime(stored_pairs["game_date"]).dt.date < date(2024, 1, 1)).all()
