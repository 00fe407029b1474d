"""Expected value at real prices, American odds, and the P(over) model's shape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nba_assets.predictions.odds import decimal_odds, expected_value, implied_probability
from nba_assets.predictions.picks import Picker, fit, probabilities, sigma_from_confidence

prices = st.one_of(st.floats(-10000, -100), st.floats(100, 10000))


def test_expected_value_on_known_prices_and_probabilities():
    assert expected_value(0.5, -110) == pytest.approx(-0.04545, abs=1e-5)  # the vig of a coin flip
    assert expected_value(110 / 210, -110) == pytest.approx(0.0, abs=1e-12)  # break-even at -110
    assert expected_value(0.6, +150) == pytest.approx(0.6 * 1.5 - 0.4)
    assert expected_value(0.4, +150) == pytest.approx(0.0)
    assert expected_value(0.7, -200) == pytest.approx(0.7 * 0.5 - 0.3)
    assert expected_value(0.5, -110, p_push=0.1) == pytest.approx(0.5 * 100 / 110 - 0.4)
    assert implied_probability(-110) == pytest.approx(0.52381, abs=1e-5)
    with pytest.raises(ValueError, match="American odds"):
        decimal_odds(-50)


@given(prices)
def test_american_odds_round_trip_and_break_even(price):
    dec = decimal_odds(price)
    assert dec > 1.0
    back = (dec - 1) * 100 if dec >= 2 else -100 / (dec - 1)
    assert back == pytest.approx(price, rel=1e-9) or abs(price) == pytest.approx(100)  # -100, +100: evens
    assert expected_value(implied_probability(price), price) == pytest.approx(0.0, abs=1e-9)


@given(
    st.floats(0, 60),
    st.floats(1, 100),
    st.lists(st.sampled_from([x / 2 for x in range(1, 161)]), min_size=2, max_size=10),
)
def test_p_over_is_a_probability_and_never_rises_with_the_line(predicted, confidence, lines):
    lines = np.sort(np.array(lines))
    sigma = sigma_from_confidence(np.full(len(lines), confidence))
    p_over, p_under, p_push = probabilities(np.full(len(lines), predicted), sigma, lines)
    for p in (p_over, p_under, p_push):
        assert ((p >= 0) & (p <= 1)).all()
    assert np.allclose(p_over + p_under + p_push, 1.0)
    assert (np.diff(p_over) <= 1e-12).all() and (np.diff(p_under) >= -1e-12).all()
    half = (lines * 2) % 2 == 1  # x.5 lines cannot push
    assert np.allclose(p_push[half], 0.0)


@given(st.floats(0.0, 1.0), st.floats(0, 40), st.floats(0.5, 60))
def test_calibrated_p_over_stays_a_probability(p, minutes, line):
    rng = np.random.default_rng(0)
    raw = rng.uniform(0, 1, 3000)
    calibration = fit(
        raw, (rng.uniform(0, 1, 3000) < raw**2).astype(float), np.full(3000, 20.0), np.full(3000, 15.5)
    )
    out = calibration.apply(np.array([p]), np.array([minutes]), np.array([line]))
    assert 0.0 <= out[0] <= 1.0


def test_calibration_learns_the_realised_rate_per_cell():
    rng = np.random.default_rng(1)
    raw = rng.uniform(0, 1, 5000)
    went_over = (rng.uniform(0, 1, 5000) < 0.5 * raw).astype(float)  # over half as often as stated
    calibration = fit(raw, went_over, np.full(5000, 30.0), np.full(5000, 25.5))
    assert list(calibration.cells) == ["2|2"]
    assert calibration.apply(np.array([0.8]), np.array([30.0]), np.array([25.5]))[0] == pytest.approx(
        0.4, abs=0.06
    )
    # another cell (a bench player, a low line) has no data: left as stated
    assert calibration.apply(np.array([0.8]), np.array([5.0]), np.array([4.5]))[0] == 0.8


def test_picks_only_where_expected_value_clears_the_margin_at_the_offered_price():
    rows = pd.DataFrame(
        {
            "predicted_points": [25.0, 20.7, 25.0, 15.0, 20.0],
            "confidence": [70.0, 70.0, 70.0, 70.0, 70.0],
            "points_line": [20.5, 20.5, 20.5, 20.5, np.nan],
            "minutes_expected": 30.0,
            "over_price": [-110, -110, -600, np.nan, -110],
            "under_price": [-110, -110, 300, np.nan, -110],
        }
    )
    out = Picker({}, margin=0.02).evaluate(rows)
    # a clear edge at -110: OVER; a 0.2-point edge: PASS; the same edge at -600: no value; no price: -110
    assert list(out["recommendation"]) == ["OVER", "PASS", "PASS", "UNDER", "NO_LINE"]
    assert out.loc[0, "ev_over"] > 0.02 > out.loc[2, "ev_over"]
