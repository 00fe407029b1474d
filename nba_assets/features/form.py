"""Recent-form, role and availability features, point-in-time like the rest of the builder.

Every value comes from a player's *previous* rows (``shift(1)`` before any window) or from team
games strictly before the row's date, so a game on date D never sees D or later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FORM_FEATURES = (
    "pts_ewm_fast",
    "pts_ewm_slow",
    "min_ewm_fast",
    "min_last1",
    "min_std_last10",
    "pts_per_min_last10",
    "pts_avg_normal10",
    "team_changed",
    "games_with_team",
    "team_games_missed",
    "pts_avg_venue",
    "fg3a_share",
    "reb_per_min",
    "ast_per_min",
)
FAST_HALFLIFE, SLOW_HALFLIFE = 3.0, 12.0  # in games
ROLE_WINDOW = 20
# A game with under this share of the player's usual minutes (injury exit, blowout, foul trouble)
# says little about the next one; pts_avg_normal10 leaves such games out.
NORMAL_MINUTES_SHARE = 0.6


def _codes(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Integer group ids: grouping by them is much faster than by several string columns."""
    return frame.groupby(keys, sort=False).ngroup()


def _ewm_before(value: pd.Series, by: pd.Series, halflife: float) -> pd.Series:
    """Exponentially weighted mean of the group's previous values (NaNs skipped)."""
    prev = value.groupby(by, sort=False).shift(1)
    out = prev.groupby(by, sort=False).ewm(halflife=halflife, ignore_na=True).mean()
    return out.reset_index(level=0, drop=True).reindex(value.index)


def _window_sum(value: pd.Series, by: pd.Series, window: int | None) -> pd.Series:
    """Sum of the group's previous ``window`` values (all when None); NaN counts as 0."""
    prev = value.groupby(by, sort=False).shift(1).fillna(0.0)
    total = prev.groupby(by, sort=False).cumsum()
    if window is None:
        return total
    return total - total.groupby(by, sort=False).shift(window).fillna(0.0)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den).where(den > 0)


def _team_games_missed(frame: pd.DataFrame, known: pd.Series) -> pd.Series:
    """Games the player's current team played after his previous game and before this one.

    Counts only team games of known rows (never the slate's own date): a player back from a
    long injury shows many missed games, a player who merely rested shows one.
    """
    prev_ts = frame.groupby("player_lookup", sort=False)["game_ts"].shift(1)
    season_start = frame.groupby("season")["game_ts"].transform("min")
    since = prev_ts.where(prev_ts >= season_start, season_start - pd.Timedelta(days=1))
    out = pd.Series(np.nan, index=frame.index)
    team_days = frame.loc[known, ["team", "game_ts"]].drop_duplicates()
    for team, rows in frame.groupby("team", sort=False).groups.items():
        days = np.sort(team_days.loc[team_days["team"] == team, "game_ts"].to_numpy())
        hi = np.searchsorted(days, frame.loc[rows, "game_ts"].to_numpy(), side="left")
        lo = np.searchsorted(days, since.loc[rows].to_numpy(), side="right")
        out.loc[rows] = np.maximum(hi - lo, 0)
    return out


def form_features(frame: pd.DataFrame, base: pd.DataFrame, known: pd.Series | None = None) -> pd.DataFrame:
    """FORM_FEATURES for ``frame`` (sorted by player and date, as the builder prepares it).

    ``base`` holds the builder's player features of the same rows (for the usual minutes);
    ``known`` marks rows whose outcome is known (history), the rest are slate rows.
    """
    known = frame["points"].notna() if known is None else known
    player = _codes(frame, ["player_lookup"])
    pts, mins = frame["points"], frame["minutes"]
    played = pts.notna().astype(float)
    out = pd.DataFrame(index=frame.index)
    out["pts_ewm_fast"] = _ewm_before(pts, player, FAST_HALFLIFE)
    out["pts_ewm_slow"] = _ewm_before(pts, player, SLOW_HALFLIFE)
    out["min_ewm_fast"] = _ewm_before(mins, player, FAST_HALFLIFE)
    out["min_last1"] = mins.groupby(player, sort=False).shift(1)
    count = _window_sum(played, player, 10)
    mean = _ratio(_window_sum(mins, player, 10), count)
    out["min_std_last10"] = np.sqrt(
        (_ratio(_window_sum(mins * mins, player, 10), count) - mean**2).where(count > 1).clip(lower=0.0)
    )
    out["pts_per_min_last10"] = _ratio(_window_sum(pts, player, 10), _window_sum(mins, player, 10))
    usual = base["min_avg_season"].fillna(base["min_avg_last10"])
    normal_pts = pts.where((mins >= NORMAL_MINUTES_SHARE * usual) | usual.isna())
    out["pts_avg_normal10"] = _ratio(
        _window_sum(normal_pts, player, 10), _window_sum(normal_pts.notna().astype(float), player, 10)
    )
    prev_team = frame["team"].groupby(player, sort=False).shift(1)
    out["team_changed"] = (prev_team.notna() & (prev_team != frame["team"])).astype(float)
    out["games_with_team"] = (
        frame.groupby(["player_lookup", "season", "team"], sort=False).cumcount().astype(float)
    )
    out["team_games_missed"] = _team_games_missed(frame, known)
    venue = _codes(frame, ["player_lookup", "season", "is_home"])
    out["pts_avg_venue"] = _ratio(_window_sum(pts, venue, None), _window_sum(played, venue, None))
    minutes_20 = _window_sum(mins, player, ROLE_WINDOW)
    fga_20 = _window_sum(frame["fga"], player, ROLE_WINDOW)
    out["fg3a_share"] = _ratio(_window_sum(frame["fg3a"], player, ROLE_WINDOW), fga_20)
    out["reb_per_min"] = _ratio(_window_sum(frame["reb"], player, ROLE_WINDOW), minutes_20)
    out["ast_per_min"] = _ratio(_window_sum(frame["ast"], player, ROLE_WINDOW), minutes_20)
    return out
