"""P(over the line) from a system's predictive distribution, calibrated; picks by expected value.

The predictive distribution of a row is normal around the prediction with the spread its
confidence states: confidence = 100 x P(|error| <= TOLERANCE), fitted on a hold-out window, so
sigma = TOLERANCE / z((1 + confidence/100) / 2). Points are whole numbers, so against a line L
P(over) = P(points >= floor(L) + 1), P(under) = P(points <= ceil(L) - 1), and a whole-number
line can push. ``OverCalibration`` then maps the raw P(over) to the realised over rate per cell
of (expected minutes bucket x line size), fitted on past data (the training hold-out, ``fit``),
because errors are not normal: low-minute players' points are skewed (a floor at 0, rare big
nights). A pick is OVER or UNDER only when its expected value at the offered price (the feed's,
-110 without one) is at least ``margin`` per unit staked, else PASS; NO_LINE without a line.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from nba_assets.predictions.calibration import TOLERANCE
from nba_assets.predictions.odds import DEFAULT_PRICE, expected_value

EV_MARGIN = 0.02  # 2 cents per unit staked: a pick must clear the price by this much
MIN_SIGMA, MAX_SIGMA = 1.0, 30.0
MINUTE_EDGES = (0.0, 15.0, 25.0, np.inf)  # expected minutes (fast EWM of minutes played)
LINE_EDGES = (0.0, 10.0, 20.0, np.inf)
BINS, MIN_CELL_ROWS = 10, 200
FILE_NAME = "over_calibration.json"


def sigma_from_confidence(confidence: pd.Series | np.ndarray) -> np.ndarray:
    """The normal spread whose P(|error| <= TOLERANCE) is the stated confidence."""
    c = np.clip(np.asarray(confidence, dtype=float) / 100.0, 0.02, 0.995)
    c = np.where(np.isnan(c), 0.6, c)
    return np.clip(TOLERANCE / ndtri((1.0 + c) / 2.0), MIN_SIGMA, MAX_SIGMA)


def probabilities(predicted, sigma, line) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(P(over), P(under), P(push)) of whole-number points against ``line``; all in [0, 1]."""
    mu, s, ln = (np.asarray(v, dtype=float) for v in (predicted, sigma, line))
    p_over = 1.0 - ndtr((np.floor(ln) + 0.5 - mu) / s)
    p_under = ndtr((np.ceil(ln) - 0.5 - mu) / s)
    return p_over, p_under, np.clip(1.0 - p_over - p_under, 0.0, 1.0)


def cell_of(minutes, line) -> np.ndarray:
    m = np.digitize(np.nan_to_num(np.asarray(minutes, dtype=float), nan=20.0), MINUTE_EDGES[1:-1])
    n = np.digitize(np.asarray(line, dtype=float), LINE_EDGES[1:-1])
    return np.char.add(np.char.add(m.astype(str), "|"), n.astype(str))


@dataclass
class OverCalibration:
    """Per (minutes bucket|line bucket) cell: raw P(over) knots -> realised over rate (increasing)."""

    cells: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    rows: int = 0

    def apply(self, p_over, minutes, line) -> np.ndarray:
        p = np.asarray(p_over, dtype=float).copy()
        if not self.cells:
            return p
        cells = cell_of(minutes, line)
        for cell, (knots, probs) in self.cells.items():
            mask = cells == cell
            if mask.any():
                p[mask] = np.interp(p[mask], knots, probs)
        return p


def _pav_increasing(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    from nba_assets.predictions.calibration import _pav_decreasing

    return -_pav_decreasing(-values, weights)


def fit(p_over, went_over, minutes, line) -> OverCalibration:
    """Binned realised over rates per cell, made monotone; cells with few rows stay uncalibrated."""
    p = np.asarray(p_over, dtype=float)
    y = np.asarray(went_over, dtype=float)
    ok = ~np.isnan(p) & ~np.isnan(y)
    cells = cell_of(np.asarray(minutes, dtype=float)[ok], np.asarray(line, dtype=float)[ok])
    p, y = p[ok], y[ok]
    fitted: dict[str, tuple[list[float], list[float]]] = {}
    for cell in np.unique(cells):
        mask = cells == cell
        if mask.sum() < MIN_CELL_ROWS:
            continue
        order = np.argsort(p[mask], kind="stable")
        bins = np.array_split(order, BINS)
        knots = np.array([p[mask][b].mean() for b in bins])
        rates = _pav_increasing(
            np.array([y[mask][b].mean() for b in bins]), np.array([len(b) for b in bins], float)
        )
        fitted[str(cell)] = (knots.round(4).tolist(), rates.round(4).tolist())
    return OverCalibration(fitted, int(ok.sum()))


@dataclass
class Picker:
    """Turns a prediction, its confidence and a priced line into P(over), EV and a recommendation."""

    calibrations: dict[str, OverCalibration] = field(default_factory=dict)
    margin: float = EV_MARGIN

    @classmethod
    def from_model_dir(cls, version_dir: Path | None, margin: float = EV_MARGIN) -> Picker:
        path = version_dir / FILE_NAME if version_dir is not None else None
        if path is None or not path.is_file():
            return cls(margin=margin)
        raw = json.loads(path.read_text())
        return cls({k: OverCalibration(v["cells"], v["rows"]) for k, v in raw.items()}, margin)

    def evaluate(self, rows: pd.DataFrame, system_id: str | None = None) -> pd.DataFrame:
        """p_over, ev_over, ev_under, recommendation for rows with predicted_points, confidence,
        points_line, minutes_expected and optional over_price/under_price."""
        line = rows["points_line"].to_numpy(float)
        sigma = sigma_from_confidence(rows["confidence"])
        p_over, p_under, p_push = probabilities(rows["predicted_points"], sigma, line)
        calibration = self.calibrations.get(system_id or "", OverCalibration())
        calibrated = calibration.apply(p_over, rows["minutes_expected"], line)
        # keep the push share; the under side is what is left after the calibrated over
        p_under = np.clip(1.0 - calibrated - p_push, 0.0, 1.0)
        over_price = _prices(rows, "over_price")
        under_price = _prices(rows, "under_price")
        ev_over = expected_value(calibrated, over_price, p_push)
        ev_under = expected_value(p_under, under_price, p_push)
        rec = np.where(
            np.isnan(line),
            "NO_LINE",
            np.where(
                (ev_over >= self.margin) & (ev_over >= ev_under),
                "OVER",
                np.where(ev_under >= self.margin, "UNDER", "PASS"),
            ),
        )
        return pd.DataFrame(
            {"p_over": calibrated, "ev_over": ev_over, "ev_under": ev_under, "recommendation": rec},
            index=rows.index,
        )


def _prices(rows: pd.DataFrame, column: str) -> np.ndarray:
    if column not in rows.columns:
        return np.full(len(rows), DEFAULT_PRICE)
    prices = pd.to_numeric(rows[column], errors="coerce").to_numpy(float)
    return np.where(np.isnan(prices) | (np.abs(prices) < 100), DEFAULT_PRICE, prices)


def save(calibrations: dict[str, OverCalibration], directory: Path) -> Path:
    path = directory / FILE_NAME
    path.write_text(json.dumps({k: asdict(v) for k, v in calibrations.items()}, indent=2))
    return path
