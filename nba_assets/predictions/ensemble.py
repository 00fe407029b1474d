"""ensemble: a confidence-weighted blend of the systems that ran before it.

weight(system, row) = PRIOR[system] x confidence(system, row) / 100, over the systems that
predicted the row; confidence then moves weight row by row toward the system that expects the
smaller error there. Priors were chosen on the 2023-24 validation season (model trained on
2015-16..2022-23): gradient boosting 0.55 / 0.7 / 0.85 gave MAE 4.842 / 4.823 / 4.812 on
>= 15-minute rows and 4.697 / 4.771 / 4.867 on all rows; 0.7 keeps most of the model's edge
where it is scored and much of the heuristics' calibration on cameo games.

Fallbacks: a system that skipped a row (no model, too little history) simply drops out of that
row's blend; with no upstream prediction at all the row is skipped with the upstream reasons.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from nba_assets.predictions import calibration
from nba_assets.predictions.base import SystemContext, output_frame

PRIORS = {"gradient_boosting": 0.7, "matchup": 0.1, "similarity": 0.1, "moving_average": 0.1}


class Ensemble:
    system_id = "ensemble"
    version = "ensemble-1"
    needs_history = False

    def __init__(
        self, calibrator: calibration.Calibrator | None = None, priors: dict[str, float] | None = None
    ) -> None:
        self.calibrator = calibrator or calibration.Calibrator()
        self.priors = dict(priors or PRIORS)

    @classmethod
    def from_model_dir(cls, version_dir: Path | None) -> Ensemble:
        return cls(calibration.load(version_dir).get(cls.system_id))

    def predict(self, features: pd.DataFrame, context: SystemContext) -> pd.DataFrame:
        total = np.zeros(len(features))
        weight = np.zeros(len(features))
        reasons = pd.Series("", index=features.index, dtype="object")
        for system_id, out in context.upstream.items():
            if system_id == self.system_id or system_id not in self.priors:
                continue
            out = out.reindex(features.index)
            points = out["predicted_points"].to_numpy(float)
            w = (
                self.priors[system_id]
                * out["confidence"].fillna(50.0).clip(1.0, 100.0).to_numpy(float)
                / 100.0
            )
            w = np.where(np.isnan(points), 0.0, w)
            total += np.nan_to_num(points) * w
            weight += w
            skipped = out["skip_reason"].notna()
            reasons[skipped] = (
                reasons[skipped] + system_id + ": " + out.loc[skipped, "skip_reason"].astype(str) + "; "
            )
        predicted = pd.Series(
            np.where(weight > 0, total / np.where(weight > 0, weight, 1.0), np.nan), index=features.index
        )
        result = output_frame(
            features.index, predicted, self.calibrator.confidence(predicted, features), features
        )
        no_input = predicted.isna() & result["skip_reason"].eq("no prediction from features")
        result.loc[no_input, "skip_reason"] = (
            "no upstream prediction (" + reasons[no_input].str.rstrip("; ") + ")"
        ).where(reasons[no_input] != "", "no upstream system ran")
        return result
