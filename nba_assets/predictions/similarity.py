"""similarity: the player's own past games nearest to tonight's context, kernel-weighted.

For each row, the candidate neighbours are the same player's last POOL games strictly before the
row's date (the mask is applied per row, so a backtest may pass a history that runs past some
rows without leaking). Context = rest, opponent defence, home/away, minutes trend, minutes level
(his role then vs now) and how long ago the game was. Each neighbour contributes its *residual*
(points minus his form at the time), so a three-year-old 30-point night counts as "beat his form
by 6", not as 30. The kernel-weighted mean residual, shrunk by the effective number of
neighbours, is added to his current form.

Fallbacks: fewer than 3 prior games -> skipped (shared rule); no usable neighbours (a player's
first games in the history given) -> the form alone; a trade or a long absence changes the
minutes level, so games from his old role weigh less rather than being dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from nba_assets.predictions import calibration
from nba_assets.predictions.base import SystemContext, output_frame
from nba_assets.predictions.form import form_points

POOL = 250  # most recent prior games considered per row
SHRINK = 40.0  # effective neighbours at which the residual gets half its weight
# Context scales: one unit of each counts as much as AGE_SCALE_DAYS between the games.
SCALES = {"rest": 1.5, "opp": 0.04, "home": 1.0, "trend": 4.0, "level": 5.0}
AGE_SCALE_DAYS = 120.0
_DAY = np.timedelta64(1, "D")


def _context(frame: pd.DataFrame) -> np.ndarray:
    return np.column_stack(
        [
            frame["rest_days"].fillna(3.0).clip(upper=4.0).to_numpy(float) / SCALES["rest"],
            (frame["opp_def_factor"].fillna(1.0).to_numpy(float) - 1.0) / SCALES["opp"],
            frame["home"].fillna(0.5).to_numpy(float) / SCALES["home"],
            frame["minutes_trend"].fillna(0.0).to_numpy(float) / SCALES["trend"],
            frame["min_ewm_fast"].fillna(frame["min_avg_season"]).fillna(20.0).to_numpy(float)
            / SCALES["level"],
        ]
    )


def _dates(frame: pd.DataFrame) -> np.ndarray:
    return pd.to_datetime(frame["game_date"]).to_numpy(dtype="datetime64[D]")


def neighbour_residuals(features: pd.DataFrame, history: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(weighted mean residual, effective neighbour count) per row of ``features``."""
    mean = np.zeros(len(features))
    n_eff = np.zeros(len(features))
    if history is None or history.empty or features.empty:
        return mean, n_eff
    past = history[
        history["player_lookup"].isin(features["player_lookup"].unique()) & history["points"].notna()
    ]
    past = past.assign(_form=form_points(past))
    past = past[past["_form"].notna()].sort_values(["player_lookup", "game_date"], kind="stable")
    if past.empty:
        return mean, n_eff
    h_player = past["player_lookup"].to_numpy()
    h_dates, h_ctx = _dates(past), _context(past)
    h_resid = (past["points"] - past["_form"]).to_numpy(float)
    q_player, q_dates, q_ctx = features["player_lookup"].to_numpy(), _dates(features), _context(features)
    starts = np.flatnonzero(np.r_[True, h_player[1:] != h_player[:-1]])
    bounds = dict(
        zip(h_player[starts], zip(starts, np.r_[starts[1:], len(h_player)], strict=True), strict=True)
    )
    order = np.argsort(q_player, kind="stable")
    q_starts = np.flatnonzero(np.r_[True, q_player[order][1:] != q_player[order][:-1]])
    for rows in np.split(order, q_starts[1:]):
        span = bounds.get(q_player[rows[0]])
        if span is None:
            continue
        lo, hi = span
        dates, ctx, resid = h_dates[lo:hi], h_ctx[lo:hi], h_resid[lo:hi]
        # Only games strictly before each row's date, and only the last POOL of those.
        cut = np.searchsorted(dates, q_dates[rows], side="left")
        idx = np.arange(hi - lo)
        usable = (idx[None, :] < cut[:, None]) & (idx[None, :] >= (cut - POOL)[:, None])
        d2 = ((q_ctx[rows][:, None, :] - ctx[None, :, :]) ** 2).sum(axis=2)
        age = (q_dates[rows][:, None] - dates[None, :]) / _DAY / AGE_SCALE_DAYS
        w = np.where(usable, np.exp(-0.5 * (d2 + age**2)), 0.0)
        total = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean[rows] = np.where(total > 0, (w * resid).sum(axis=1) / total, 0.0)
            n_eff[rows] = np.where(total > 0, total**2 / (w**2).sum(axis=1), 0.0)
    return mean, n_eff


class Similarity:
    system_id = "similarity"
    version = "similarity-1"
    needs_history = True

    def __init__(self, calibrator: calibration.Calibrator | None = None) -> None:
        self.calibrator = calibrator or calibration.Calibrator()

    @classmethod
    def from_model_dir(cls, version_dir: Path | None) -> Similarity:
        return cls(calibration.load(version_dir).get(cls.system_id))

    def predict(self, features: pd.DataFrame, context: SystemContext) -> pd.DataFrame:
        form = form_points(features)
        mean, n_eff = neighbour_residuals(features, context.history)
        shift = pd.Series(mean * n_eff / (n_eff + SHRINK), index=features.index)
        predicted = (form + shift).clip(lower=0.0)
        return output_frame(
            features.index, predicted, self.calibrator.confidence(predicted, features), features
        )
