"""market_blend: the model's estimate pulled toward the sportsbook line, by a weight learned walk-forward.

The line is the market's own estimate of a player's median points, and on real lines it is hard
to beat (issue 17: 4.99 MAE for the line vs 5.08 for the best system on 2025-26). Two estimates
that err differently are better combined than either alone, so where a line is known:

    market_blend = w x model + (1 - w) x line

``model`` is the gradient-boosting prediction (moving_average without a trained model), ``line``
the median of the player's lines for the game (the consensus; alternates sit symmetric around it).
``w`` is the least-squares weight of (model - line) for (points - line) over past (line, outcome)
pairs: every earlier date of the lines given with a known outcome in the history (the lines file
of ``predict``/``evaluate``, or the real lines the pipeline stored for earlier dates). For a game
on date D only pairs of dates strictly before D count, so a date never sees its own outcomes
(tested), and only pairs from the model's ``train_before`` on: on games it trained on the model
looks better than it is (the bundled demo's model, trained up to the day before, got weight 1.0
from its own training games; with out-of-sample pairs only it gets the prior until they exist). With fewer than
MIN_PAIRS pairs the documented prior PRIOR_WEIGHT is used: with the line slightly more accurate
than the model and their errors correlated ~0.8, the variance-minimising weight of the model is
about 0.35. The learned weight is clipped to [0, 1]. Without a line, the model's estimate alone.

The lines are the pre-game lines of the date as the lines source gives them (the feed captures
them before tip-off); nothing later than the row's own date is read.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from nba_assets.predictions import calibration
from nba_assets.predictions.base import PredictionSystem, SystemContext, output_frame
from nba_assets.predictions.gradient_boosting import GradientBoosting
from nba_assets.predictions.moving_average import MovingAverage

PRIOR_WEIGHT = 0.35  # the model's share before enough (line, outcome) pairs exist
MIN_PAIRS = 300
_KEY = ["game_date", "player_lookup"]


def main_lines(lines: pd.DataFrame | None) -> pd.DataFrame:
    """One consensus line per (date, player): the median of the lines given for that game."""
    if lines is None or lines.empty:
        return pd.DataFrame({"game_date": [], "player_lookup": [], "line": pd.Series(dtype=float)})
    valid = lines.dropna(subset=["line"])
    return valid.groupby(_KEY, as_index=False)["line"].median()


class MarketBlend:
    system_id = "market_blend"
    version = "market-blend-1"
    needs_history = True

    def __init__(
        self,
        model: PredictionSystem | None = None,
        calibrator: calibration.Calibrator | None = None,
        prior: float = PRIOR_WEIGHT,
    ) -> None:
        self.model = model
        self.calibrator = calibrator or calibration.Calibrator()
        self.prior = prior
        self.weights: dict = {}  # game_date -> (weight, pairs) of the last predict (for reports)

    @classmethod
    def from_model_dir(cls, model_dir: Path | None) -> MarketBlend:
        gb = GradientBoosting(model_dir)
        version = gb.path if gb.path is not None else None
        return cls(gb, calibration.load(version).get(cls.system_id))

    def _base(self) -> PredictionSystem:
        usable = self.model is not None and getattr(self.model, "booster", True) is not None
        return self.model if usable else MovingAverage()

    def _estimate(self, rows: pd.DataFrame, context: SystemContext) -> pd.Series:
        base = self._base()
        out = context.upstream.get(base.system_id)
        if out is None or not out.index.equals(rows.index):
            out = base.predict(rows, SystemContext(history=context.history))
        return out["predicted_points"]

    def _trained_before(self) -> date | None:
        """The first date the base model did not train on (None for a model that does not train):
        only pairs from then on are out-of-sample for the model's estimate."""
        text = (getattr(self._base(), "metadata", None) or {}).get("train_before")
        return date.fromisoformat(str(text)) if text else None

    def learned_weights(self, dates: list, context: SystemContext) -> dict:
        """(weight, pairs) per date, each from (line, outcome) pairs of earlier dates only."""
        lines, history = main_lines(context.lines), context.history
        result = {d: (self.prior, 0) for d in dates}
        if lines.empty or history is None or history.empty or not dates:
            return result
        past = history[(history["game_date"] < max(dates)) & history["points"].notna()]
        trained_before = self._trained_before()
        if trained_before is not None:  # the model's own training games would flatter it
            past = past[past["game_date"] >= trained_before]
        past = past.drop(columns=["line"], errors="ignore").merge(lines, on=_KEY, how="inner")
        if past.empty:
            return result
        past = past.assign(_model=self._estimate(past, SystemContext(history=history)).to_numpy())
        past = past[past["_model"].notna()]
        x = (past["_model"] - past["line"]).to_numpy(float)
        y = (past["points"] - past["line"]).to_numpy(float)
        by_date = pd.DataFrame({"game_date": past["game_date"], "xy": x * y, "xx": x * x, "n": 1.0})
        by_date = by_date.groupby("game_date").sum().sort_index().cumsum()
        for d in dates:
            before = by_date[by_date.index < d]
            if before.empty or before["n"].iloc[-1] < MIN_PAIRS or before["xx"].iloc[-1] <= 0:
                continue
            last = before.iloc[-1]
            result[d] = (float(np.clip(last["xy"] / last["xx"], 0.0, 1.0)), int(last["n"]))
        return result

    def predict(self, features: pd.DataFrame, context: SystemContext) -> pd.DataFrame:
        model = self._estimate(features, context)
        line = features[_KEY].merge(main_lines(context.lines), on=_KEY, how="left")["line"].astype(float)
        line.index = features.index
        self.weights = self.learned_weights(sorted(features["game_date"].unique()), context)
        w = features["game_date"].map({d: v[0] for d, v in self.weights.items()}).astype(float)
        predicted = (w * model + (1 - w) * line).where(line.notna(), model)
        return output_frame(
            features.index, predicted, self.calibrator.confidence(predicted, features), features
        )
