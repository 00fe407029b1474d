"""A player's previous *known* games: the counting rule that makes one walk-forward pass exact.

The builder puts every slate row (a target: no outcome yet) in the same frame as the history,
sorted by player and date, a target before a known game of the same date. A target must never
take a slot in another row's window, or a player's 10th slate date would see "last 10 games" with
nine empty slots. So every window here counts known games only: "the last 10" are his last 10
known games before the row, "the previous game" is his previous known one. With that, one pass
over history + every target date gives each target exactly the features it gets when predicted
alone, and each known row exactly its backtest features
(``nba_assets_tests/features/test_walk_forward.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class KnownSequence:
    """Per-player known-game ranks of a frame sorted by player then date."""

    def __init__(self, frame: pd.DataFrame, known: pd.Series) -> None:
        self.index = frame.index
        self.player = frame.groupby("player_lookup", sort=False).ngroup().to_numpy()
        self.known = known.to_numpy(bool)
        k = self.known.astype(np.int64)
        self.known_rows = np.flatnonzero(self.known)
        inclusive = pd.Series(k).groupby(self.player, sort=False).cumsum().to_numpy()
        self.before = inclusive - k  # known games of the player before the row
        global_before = np.cumsum(k) - k
        starts = np.flatnonzero(np.r_[True, self.player[1:] != self.player[:-1]])
        first = np.repeat(global_before[starts], np.diff(np.r_[starts, len(k)]))
        self.first = first  # global rank of the player's first known game

    def count_before(self, keys: list[pd.Series]) -> pd.Series:
        """Known rows before this one within ``keys`` (e.g. player and season)."""
        k = pd.Series(self.known.astype(float), index=self.index)
        return k.groupby(keys, sort=False).cumsum() - k

    def previous(self, value: pd.Series) -> pd.Series:
        """The value at the player's previous known game; NaN (None) without one."""
        has = self.before > 0
        rank = np.where(has, self.first + self.before - 1, 0)
        if len(self.known_rows) == 0:
            return pd.Series(np.nan, index=self.index, dtype=value.dtype if value.dtype != object else object)
        taken = value.to_numpy()[self.known_rows[np.clip(rank, 0, len(self.known_rows) - 1)]]
        return pd.Series(taken, index=self.index).where(has)

    def window(self, value: pd.Series, size: int | None, keys: list[pd.Series] | None = None) -> tuple:
        """(sum, count of non-NaN) over the previous ``size`` known games (all when None).

        ``keys`` (window None only) groups finer than the player, e.g. player and season.
        """
        contrib = value.where(self.known)
        valid = contrib.notna().astype(float)
        contrib = contrib.fillna(0.0)
        by = keys if keys is not None else self.player
        total = contrib.groupby(by, sort=False).cumsum() - contrib
        count = valid.groupby(by, sort=False).cumsum() - valid
        if size is None:
            return total, count
        if keys is not None:
            raise ValueError("windows of a fixed size are per player only")
        back = self.before - size
        has = back > 0
        at = self.known_rows[np.clip(self.first + back, 0, max(len(self.known_rows) - 1, 0))]
        total_arr, count_arr = total.to_numpy(), count.to_numpy()
        if len(self.known_rows):
            total = total - np.where(has, total_arr[at], 0.0)
            count = count - np.where(has, count_arr[at], 0.0)
        return total, count
