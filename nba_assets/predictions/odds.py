"""American odds and expected value: what a pick is worth at the price actually offered."""

from __future__ import annotations

import numpy as np

DEFAULT_PRICE = -110.0  # the usual two-way price when the feed gives none


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


def expected_value(
    p_win: float | np.ndarray, price: float | np.ndarray, p_push: float | np.ndarray = 0.0
) -> float | np.ndarray:
    """Expected profit per unit staked: win (decimal - 1), lose 1, a push returns the stake."""
    win = np.asarray(p_win, dtype=float)
    lose = 1.0 - win - np.asarray(p_push, dtype=float)
    out = win * (np.asarray(decimal_odds(price)) - 1.0) - lose
    return float(out) if np.ndim(out) == 0 else out
