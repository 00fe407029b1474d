"""American odds and expected value: what a pick is worth at the price actually offered."""

from __future__ import annotations

import numpy as np

DEFAULT_PRICE = -110.0  # the usual two-way price when a line comes with no price at all
# Sum of both sides' implied probabilities at -110/-110 (1.0476): the vig assumed when only one
# side's price is known (BettingPros' consensus gives the over's), see ``complete_prices``.
STANDARD_OVERROUND = 2.0 * 110.0 / 210.0


def decimal_odds(price: float | np.ndarray) -> float | np.ndarray:
    """Total return per unit staked: -110 -> 1.909, +150 -> 2.5. Prices in (-100, 100) are invalid."""
    p = np.asarray(price, dtype=float)
    if np.any(np.abs(p) < 100):
        raise ValueError(f"American odds must be <= -100 or >= +100, got {price}")
    out = np.where(p > 0, 1.0 + p / 100.0, 1.0 + 100.0 / np.abs(p))
    return float(out) if out.ndim == 0 else out


def implied_probability(price: float | np.ndarray) -> float | np.ndarray:
    """The break-even win probability of a price: -110 -> 0.5238."""
    return 1.0 / decimal_odds(price)


BREAK_EVEN = float(implied_probability(DEFAULT_PRICE))  # a -110 bet needs 52.38% to break even


def american_from_probability(p: float | np.ndarray) -> float | np.ndarray:
    """The American price whose break-even probability is ``p`` (0 < p < 1): 0.5238 -> -110."""
    q = np.asarray(p, dtype=float)
    out = np.where(q > 0.5, -100.0 * q / (1.0 - q), 100.0 * (1.0 - q) / q)
    return float(out) if out.ndim == 0 else out


def complete_prices(over: np.ndarray, under: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' prices: invalid ones (|price| < 100, NaN) dropped; one side missing is the
    two-way market with the -110/-110 overround (over -130 -> under +107); none: -110 each."""
    o, u = (np.asarray(v, dtype=float).copy() for v in (over, under))
    o[np.isnan(o) | (np.abs(o) < 100)] = np.nan
    u[np.isnan(u) | (np.abs(u) < 100)] = np.nan
    neither = np.isnan(o) & np.isnan(u)
    o[neither], u[neither] = DEFAULT_PRICE, DEFAULT_PRICE
    with np.errstate(invalid="ignore", divide="ignore"):
        for known, missing in ((o, u), (u, o)):
            fill = np.isnan(missing) & ~np.isnan(known)
            if fill.any():
                rest = np.clip(STANDARD_OVERROUND - implied_probability(known[fill]), 0.01, 0.99)
                missing[fill] = np.round(american_from_probability(rest))
    return o, u


def fair_over_probability(over: np.ndarray, under: np.ndarray) -> np.ndarray:
    """The market's P(over) with the vig removed: implied(over) / (implied(over) + implied(under))."""
    o, u = implied_probability(np.asarray(over, float)), implied_probability(np.asarray(under, float))
    return np.asarray(o / (o + u), dtype=float)


def expected_value(
    p_win: float | np.ndarray, price: float | np.ndarray, p_push: float | np.ndarray = 0.0
) -> float | np.ndarray:
    """Expected profit per unit staked: win (decimal - 1), lose 1, a push returns the stake."""
    win = np.asarray(p_win, dtype=float)
    lose = 1.0 - win - np.asarray(p_push, dtype=float)
    out = win * (np.asarray(decimal_odds(price)) - 1.0) - lose
    return float(out) if np.ndim(out) == 0 else out
