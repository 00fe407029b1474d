"""market_blend: learns its weight only from earlier dates, never its own date's outcomes."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from nba_assets.predictions.base import SystemContext
from nba_assets.predictions.market_blend import MIN_PAIRS, PRIOR_WEIGHT, MarketBlend

DAY = date(2025, 1, 15)


class Fixed:
    """A model that predicts the row's ``model`` column: the blend's input under test control."""

    system_id = "fixed"
    version = "fixed-1"
    needs_history = False

    def predict(self, features: pd.DataFrame, context: SystemContext) -> pd.DataFrame:
        return pd.DataFrame(
            {"predicted_points": features["model"], "confidence": 50.0, "skip_reason": None},
            index=features.index,
        )


def synthetic(days: int, per_day: int, outcome: str, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """History rows with a model estimate, a line and points equal to one of them (plus noise 0)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(days):
        d = DAY - timedelta(days=days - k)
        for i in range(per_day):
            model, line = rng.uniform(5, 30), rng.uniform(5, 30)
            rows.append(
                {"game_date": d, "player_lookup": f"p{i}", "model": model, "line": line, "games_before": 20.0}
            )
    frame = pd.DataFrame(rows)
    frame["points"] = frame[outcome]
    frame["pts_std_last10"], frame["games_before"] = 5.0, 20.0
    return frame, frame[["game_date", "player_lookup", "line"]]


def today(per_day: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = pd.DataFrame(
        {
            "game_date": DAY,
            "player_lookup": [f"p{i}" for i in range(per_day)],
            "model": 20.0,
            "line": 10.0,
            "games_before": 20.0,
            "pts_std_last10": 5.0,
        }
    )
    return rows, rows[["game_date", "player_lookup", "line"]]


@pytest.mark.parametrize(("outcome", "weight"), [("model", 1.0), ("line", 0.0)])
def test_learned_weight_follows_whichever_estimate_was_right(outcome, weight):
    history, past_lines = synthetic(10, 40, outcome)
    rows, lines = today()
    context = SystemContext(history=history, lines=pd.concat([past_lines, lines]))
    out = MarketBlend(Fixed()).predict(rows, context)
    assert np.allclose(out["predicted_points"], weight * 20.0 + (1 - weight) * 10.0)


def test_prior_weight_until_enough_pairs_and_the_model_alone_without_a_line():
    history, past_lines = synthetic(2, (MIN_PAIRS // 2) - 1, "model")
    rows, lines = today()
    blend = MarketBlend(Fixed())
    context = SystemContext(history=history, lines=pd.concat([past_lines, lines.iloc[1:]]))
    out = blend.predict(rows, context)
    assert blend.weights[DAY] == (PRIOR_WEIGHT, 0)
    assert out["predicted_points"].iloc[0] == 20.0  # no line for p0
    assert np.allclose(out["predicted_points"].iloc[1:], PRIOR_WEIGHT * 20 + (1 - PRIOR_WEIGHT) * 10)


def test_never_reads_an_outcome_of_its_own_date():
    history, past_lines = synthetic(10, 40, "line")
    rows, lines = today()
    # the date's own games in the history with outcomes that would pull the weight to 1
    own = rows.assign(points=rows["model"])
    leaked = pd.concat([history, own], ignore_index=True)
    all_lines = pd.concat([past_lines, lines])
    clean = MarketBlend(Fixed()).predict(rows, SystemContext(history=history, lines=all_lines))
    blend = MarketBlend(Fixed())
    dirty = blend.predict(rows, SystemContext(history=leaked, lines=all_lines))
    pd.testing.assert_frame_equal(clean, dirty)
    assert blend.weights[DAY][1] == 400  # the 10 earlier dates' pairs, not today's 5


def test_a_many_date_predict_learns_each_dates_weight_from_strictly_earlier_pairs():
    # 400 pairs before DAY; DAY itself has 5 graded pairs (a past date inside a many-date file)
    history, past_lines = synthetic(10, 40, "line")
    rows, lines = today()
    own = rows.assign(points=rows["model"])  # DAY's outcomes, which must not count for DAY
    tomorrow = rows.assign(game_date=DAY + timedelta(days=1))
    blend = MarketBlend(Fixed())
    context = SystemContext(
        history=pd.concat([history, own], ignore_index=True),
        lines=pd.concat([past_lines, lines, tomorrow[["game_date", "player_lookup", "line"]]]),
    )
    blend.predict(pd.concat([rows, tomorrow], ignore_index=True), context)
    assert blend.weights[DAY][1] == 400  # strictly before DAY: not DAY's own 5
    assert blend.weights[DAY + timedelta(days=1)][1] == 405  # DAY's pairs count for the day after
    # and DAY's weight is the weight of DAY predicted alone
    alone = MarketBlend(Fixed())
    alone.predict(rows, SystemContext(history=history, lines=pd.concat([past_lines, lines])))
    assert alone.weights[DAY] == blend.weights[DAY]


def test_pairs_the_model_trained_on_do_not_count():
    history, past_lines = synthetic(20, 40, "model")  # the model looks perfect on every past pair
    rows, lines = today()
    model = Fixed()
    model.metadata = {"train_before": (DAY - timedelta(days=10)).isoformat()}
    blend = MarketBlend(model)
    blend.predict(rows, SystemContext(history=history, lines=pd.concat([past_lines, lines])))
    assert blend.weights[DAY][1] == 400  # the 10 days from train_before on, not all 800
    model.metadata = {"train_before": DAY.isoformat()}  # trained on every past game: the prior
    blend.predict(rows, SystemContext(history=history, lines=pd.concat([past_lines, lines])))
    assert blend.weights[DAY] == (PRIOR_WEIGHT, 0)
