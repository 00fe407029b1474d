"""What the form-based systems (moving_average, matchup) share: a version's calibration and minutes model.

Both scale a player's form by his projected minutes when the model version has a minutes model, and
both turn their estimate into a confidence with their own fitted calibration; loading those from a
model directory is one piece of code, here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import lightgbm as lgb
import pandas as pd

from nba_assets.predictions import calibration, minutes_model, model_store


class FormSystem:
    system_id: str
    needs_history = False

    def __init__(
        self, calibrator: calibration.Calibrator | None = None, minutes: lgb.Booster | None = None
    ) -> None:
        self.calibrator = calibrator or calibration.Calibrator()
        self.minutes = minutes  # the version's minutes model: form x minutes_factor
        self.metadata: dict = {}  # the model's training window, checked by backtests

    @classmethod
    def from_model_dir(cls, version_dir: Path | None) -> Self:
        system = cls(calibration.load(version_dir).get(cls.system_id), minutes_model.load(version_dir))
        if system.minutes is not None:
            system.metadata = model_store.read_metadata(version_dir)
        return system

    def projected(self, features: pd.DataFrame) -> pd.DataFrame:
        """The rows with projected minutes when the version has a minutes model; else as they are."""
        return minutes_model.project(self.minutes, features) if self.minutes is not None else features
