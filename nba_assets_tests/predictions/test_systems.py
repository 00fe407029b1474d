"""Every system on real bundled games: sane numbers, honest skips, trades and long absences."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from nba_assets.predictions import registry
from nba_assets.predictions.base import OUTPUT_COLUMNS, SystemContext
from nba_assets.predictions.runner import run_systems
from nba_assets_tests.predictions.conftest import day_rows

SYSTEMS = ("moving_average", "matchup", "similarity", "gradient_boosting", "ensemble", "market_blend")


@pytest.fixture(scope="module")
def systems(model_root):
    return registry.build_systems(None, model_root)


def run_day(features: pd.DataFrame, systems, day: date) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    rows = day_rows(features, day)
    return rows, run_systems(rows, systems, history=features[features["game_date"] < day])


def test_registry_runs_every_system_in_order_with_the_blends_last(systems):
    assert registry.available() == SYSTEMS
    assert [s.system_id for s in systems] == list(SYSTEMS)


def test_each_system_predicts_a_real_day_sensibly(features, systems):
    rows, outputs = run_day(features, systems, date(2025, 1, 15))
    for system_id, out in outputs.items():
        assert list(out.columns) == list(OUTPUT_COLUMNS) and out.index.equals(rows.index)
        predicted = out["predicted_points"].dropna()
        assert len(predicted) >= 0.9 * len(rows), system_id
        assert predicted.between(0, 60).all() and out["confidence"].dropna().between(0, 100).all()
        mae = (predicted - rows.loc[predicted.index, "points"]).abs().mean()
        assert mae < 6.5, f"{system_id} MAE {mae:.2f} on a real day"
        assert out.loc[predicted.index, "skip_reason"].isna().all()


def test_rookies_with_under_three_games_are_skipped_with_a_reason(features, systems):
    rookies = features[features["games_before"] < 3].head(60)
    assert set(rookies["games_before"]) == {0.0, 1.0, 2.0}
    outputs = run_systems(rookies, systems, history=features)
    for system_id, out in outputs.items():
        assert out["predicted_points"].isna().all(), system_id
        assert out["skip_reason"].str.contains("insufficient history").all(), system_id
    games = rookies["games_before"].astype(int).astype(str)
    assert (outputs["matchup"]["skip_reason"] == "insufficient history: " + games + " prior games").all()


def test_a_mid_season_trade_keeps_the_players_form_with_the_new_teams_context(features, systems):
    # Luka Doncic's first game for the Lakers (traded from Dallas on 2025-02-02, out injured before).
    rows, outputs = run_day(features, systems, date(2025, 2, 10))
    luka = rows.index[rows["player_lookup"] == "lukadoncic"][0]
    assert rows.at[luka, "team"] == "LAL" and rows.at[luka, "team_changed"] == 1.0
    assert rows.at[luka, "games_with_team"] == 0.0 and rows.at[luka, "team_games_missed"] >= 15
    for system_id, out in outputs.items():
        value = out.at[luka, "predicted_points"]
        assert 15 <= value <= 40, f"{system_id}: {value}"


def test_a_player_back_from_a_long_absence_is_predicted_not_skipped(features, systems):
    # Joel Embiid returned on 2024-04-02 after missing 29 of Philadelphia's games.
    rows, outputs = run_day(features, systems, date(2024, 4, 2))
    embiid = rows.index[rows["player_lookup"] == "joelembiid"][0]
    assert rows.at[embiid, "team_games_missed"] >= 25 and rows.at[embiid, "rest_days"] == 10.0
    for system_id, out in outputs.items():
        assert out.at[embiid, "skip_reason"] is None or pd.isna(out.at[embiid, "skip_reason"]), system_id
        assert 15 <= out.at[embiid, "predicted_points"] <= 45, system_id


def test_gradient_boosting_without_a_model_skips_every_row_with_a_reason(features, tmp_path):
    rows = day_rows(features)
    for model_dir in (tmp_path, None):
        (system,) = registry.build_systems(["gradient_boosting"], model_dir)
        out = system.predict(rows, SystemContext())
        assert out["predicted_points"].isna().all() and out["confidence"].isna().all()
        assert (
            out["skip_reason"] == f"no trained points model in {model_dir or '(no model dir given)'}"
        ).all()


def test_the_ensemble_blends_within_its_inputs_and_survives_missing_ones(features, model_root, tmp_path):
    rows = day_rows(features)
    history = features[features["game_date"] < rows["game_date"].iloc[0]]
    outputs = run_systems(rows, registry.build_systems(None, model_root), history)
    inputs = pd.concat([outputs[s]["predicted_points"] for s in SYSTEMS[:-1]], axis=1)
    blend = outputs["ensemble"]["predicted_points"]
    assert blend.notna().sum() > 100 and blend.isna().equals(inputs.isna().all(axis=1))
    assert not ((blend < inputs.min(axis=1) - 1e-9) | (blend > inputs.max(axis=1) + 1e-9)).any()
    # No model: the gradient-boosting rows drop out of the blend, nothing fails.
    without = run_systems(rows, registry.build_systems(None, tmp_path), history)
    assert without["gradient_boosting"]["predicted_points"].isna().all()
    assert without["ensemble"]["predicted_points"].notna().mean() > 0.9
    alone = registry.build_systems(["ensemble"], model_root)[0].predict(rows, SystemContext())
    assert alone["predicted_points"].isna().all()
    known = rows["games_before"] >= 3
    assert (alone.loc[known, "skip_reason"] == "no upstream system ran").all()
    assert alone.loc[~known, "skip_reason"].str.startswith("insufficient history").all()


def test_systems_are_deterministic(features, model_root):
    rows = day_rows(features)
    history = features[features["game_date"] < rows["game_date"].iloc[0]]
    first = run_systems(rows, registry.build_systems(None, model_root), history)
    second = run_systems(rows, registry.build_systems(None, model_root), history)
    for system_id in SYSTEMS:
        pd.testing.assert_frame_equal(first[system_id], second[system_id])
    assert np.isfinite(first["similarity"]["predicted_points"].dropna()).all()
