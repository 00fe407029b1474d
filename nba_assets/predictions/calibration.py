"""What a confidence means: 100 x P(|actual - predicted| <= TOLERANCE points).

Each system turns its row into an expected absolute error (a linear function of the prediction,
the player's volatility and how much history he has), and a monotone table maps that to the
share of such predictions that landed within TOLERANCE. Both are fitted by ``fit`` on a hold-out
window before the training cut-off (``nba-assets train`` stores them next to the model); without
a fit the default assumes normal errors, which ``nba-assets evaluate`` reports honestly.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

TOLERANCE = 5.0  # points either side of the prediction
FILE_NAME = "calibration.json"
BINS = 20
# Expected |error| = a + b * predicted + c * pts_std_last10 + d / sqrt(1 + games_before);
# defaults fitted once by least squares on the form baseline's 2015-16..2022-23 errors.
DEFAULT_COEF = (2.45, 0.12, 0.17, -0.44)


def spread_inputs(predicted: pd.Series, features: pd.DataFrame) -> np.ndarray:
    """The columns the expected-error line is fitted on, NaN-safe."""
    std = features["pts_std_last10"].fillna(features["pts_std_last10"].median() if len(features) else 5.0)
    games = features["games_before"].fillna(0.0)
    return np.column_stack(
        [
            np.ones(len(predicted)),
            predicted.fillna(0.0).to_numpy(float),
            std.fillna(5.0).to_numpy(float),
            1.0 / np.sqrt(1.0 + games.to_numpy(float)),
        ]
    )


def _pav_decreasing(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pool-adjacent-violators: the closest non-increasing sequence (weighted least squares)."""
    blocks: list[list[float]] = []  # [value, weight, count]
    for v, w in zip(values, weights, strict=True):
        blocks.append([float(v), float(w), 1])
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return np.concatenate([[b[0]] * b[2] for b in blocks])


@dataclass
class Calibrator:
    """Expected-error line plus a monotone table from expected error to P(within TOLERANCE)."""

    coef: tuple[float, ...] = DEFAULT_COEF
    knots: list[float] = field(default_factory=list)  # expected |error| at bin centres, increasing
    probs: list[float] = field(default_factory=list)  # P(within) there, non-increasing
    rows: int = 0  # hold-out rows it was fitted on (0: the normal-error default)

    def expected_error(self, predicted: pd.Series, features: pd.DataFrame) -> np.ndarray:
        return np.clip(spread_inputs(predicted, features) @ np.asarray(self.coef, dtype=float), 0.5, None)

    def confidence(self, predicted: pd.Series, features: pd.DataFrame) -> pd.Series:
        """0-100; NaN where the prediction is NaN."""
        err = self.expected_error(predicted, features)
        if self.knots:
            prob = np.interp(err, self.knots, self.probs)
        else:  # normal errors: sigma = E|e| * sqrt(pi / 2)
            sigma = err * math.sqrt(math.pi / 2)
            prob = np.array([math.erf(TOLERANCE / (s * math.sqrt(2))) for s in sigma])
        return pd.Series(100.0 * prob, index=predicted.index).where(predicted.notna())


def fit(predicted: pd.Series, actual: pd.Series, features: pd.DataFrame) -> Calibrator:
    """Least-squares expected-error line on |error|, then binned hit shares made monotone."""
    ok = predicted.notna() & actual.notna()
    if ok.sum() < BINS * 20:
        return Calibrator()
    x = spread_inputs(predicted[ok], features.loc[ok])
    abs_err = (predicted[ok] - actual[ok]).abs().to_numpy(float)
    coef = tuple(float(c) for c in np.linalg.lstsq(x, abs_err, rcond=None)[0])
    expected = np.clip(x @ np.asarray(coef), 0.5, None)
    order = np.argsort(expected, kind="stable")
    bins = np.array_split(order, BINS)
    knots = np.array([expected[b].mean() for b in bins])
    shares = np.array([(abs_err[b] <= TOLERANCE).mean() for b in bins])
    probs = _pav_decreasing(shares, np.array([len(b) for b in bins], dtype=float))
    return Calibrator(coef, knots.round(4).tolist(), probs.round(4).tolist(), int(ok.sum()))


def save(calibrators: dict[str, Calibrator], directory: Path) -> Path:
    path = directory / FILE_NAME
    path.write_text(json.dumps({k: asdict(v) for k, v in calibrators.items()}, indent=2))
    return path


def load(directory: Path | None) -> dict[str, Calibrator]:
    """Calibrators by system id from a model version directory; {} when there is none."""
    if directory is None or not (directory / FILE_NAME).is_file():
        return {}
    raw = json.loads((directory / FILE_NAME).read_text())
    return {k: Calibrator(tuple(v["coef"]), v["knots"], v["probs"], v["rows"]) for k, v in raw.items()}
