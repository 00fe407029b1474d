"""A temp NBA_ASSETS_HOME and a real (temp) Dagster instance per test."""

from __future__ import annotations

import dagster as dg
import pytest


@pytest.fixture()
def local_home(tmp_path, monkeypatch):
    monkeypatch.setenv("NBA_ASSETS_PROFILE", "local")
    monkeypatch.setenv("NBA_ASSETS_HOME", str(tmp_path / "out"))
    monkeypatch.setenv("NBA_ASSETS_SHARDS", "3")
    # gradient_boosting would first train a model (~30 s); its own tests cover it
    monkeypatch.setenv("NBA_ASSETS_SYSTEMS", "moving_average,matchup,similarity,ensemble")
    return tmp_path / "out"


@pytest.fixture()
def instance(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as inst:
        yield inst


@pytest.fixture()
def definitions(local_home):
    from nba_assets.definitions import defs

    return defs()
