"""Recent-form, role and availability features, point-in-time like the rest of the builder.

Every value comes from a player's *previous* rows (``shift(1)`` before any window) or from team
games strictly before the row's date, so a game on date D never sees D or later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_assets.features.sequence import KnownSequence

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


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den).where(den > 0)


def _team_games_missed(frame: pd.DataFrame, known: pd.Series, seq: KnownSequence) -> pd.Series:
    """Games the player's current team played after his previous game and before this one.

    Counts only team games of known rows (never the slate's own date): a player back from a
    long injury shows many missed games, a player who merely rested shows one. The season starts
    at its first known game (or the row's own date, whichever is earlier), so other slate dates
    never move it.
    """
    prev_ts = pd.to_datetime(seq.previous(frame["game_ts"]))
    first_known = frame.loc[known].groupby("season")["game_ts"].min()
    season_start = frame["season"].map(first_known)
    season_start = season_start.where(season_start <= frame["game_ts"], frame["game_ts"])
    since = prev_ts.where(prev_ts >= season_start, season_start - pd.Timedelta(days=1))
    out = pd.Series(np.nan, index=frame.index)
    team_days = frame.loc[known, ["team", "game_ts"]].drop_duplicates()
    for team, rows in frame.groupby("team", sort=False).groups.items():
        days = np.sort(team_days.loc[team_days["team"] == team, "game_ts"].to_numpy())
        hi = np.searchsorted(days, frame.loc[rows, "game_ts"].to_numpy(), side="left")
        lo = np.searchsorted(days, since.loc[rows].to_numpy(), side="right")
        out.loc[rows] = np.maximum(hi - lo, 0)
    return out


def form_features(
    frame: pd.DataFrame, base: pd.DataFrame, known: pd.Series, seq: KnownSequence
) -> pd.DataFrame:
    """FORM_FEATURES for ``frame`` (sorted by player and date, as the builder prepares it).

    ``base`` holds the builder's player features of the same rows (for the usual minutes);
    ``known`` marks rows whose outcome is known (history), the rest are slate rows; ``seq``
    counts windows in known games only.
    """
    player = _codes(frame, ["player_lookup"])
    pts, mins = frame["points"], frame["minutes"]
    played = pts.notna().astype(float)
    out = pd.DataFrame(index=frame.index)
    # Slate rows carry NaN outcomes, which the EWM skips (ignore_na): they take no weight.
    out["pts_ewm_fast"] = _ewm_before(pts, player, FAST_HALFLIFE)
    out["pts_ewm_slow"] = _ewm_before(pts, player, SLOW_HALFLIFE)
    out["min_ewm_fast"] = _ewm_before(mins, player, FAST_HALFLIFE)
    out["min_last1"] = seq.previous(mins).astype(float)
    count = seq.window(played, 10)[0]
    mean = _ratio(seq.window(mins, 10)[0], count)
    out["min_std_last10"] = np.sqrt(
        (_ratio(seq.window(mins * mins, 10)[0], count) - mean**2).where(count > 1).clip(lower=0.0)
    )
    out["pts_per_min_last10"] = _ratio(seq.window(pts, 10)[0], seq.window(mins, 10)[0])
    usual = base["min_avg_season"].fillna(base["min_avg_last10"])
    normal_pts = pts.where((mins >= NORMAL_MINUTES_SHARE * usual) | usual.isna())
    out["pts_avg_normal10"] = _ratio(
        seq.window(normal_pts, 10)[0], seq.window(normal_pts.notna().astype(float), 10)[0]
    )
    prev_team = seq.previous(frame["team"])
    out["team_changed"] = (prev_team.notna() & (prev_team != frame["team"])).astype(float)
    out["games_with_team"] = seq.count_before([frame["player_lookup"], frame["season"], frame["team"]])
    out["team_games_missed"] = _team_games_missed(frame, known, seq)
    venue = [frame["player_lookup"], frame["season"], frame["is_home"]]
    out["pts_avg_venue"] = _ratio(seq.window(pts, None, venue)[0], seq.window(played, None, venue)[0])
    minutes_20 = seq.window(mins, ROLE_WINDOW)[0]
    fga_20 = seq.window(frame["fga"], ROLE_WINDOW)[0]
    out["fg3a_share"] = _ratio(seq.window(frame["fg3a"], ROLE_WINDOW)[0], fga_20)
    out["reb_per_min"] = _ratio(seq.window(frame["reb"], ROLE_WINDOW)[0], minutes_20)
    out["ast_per_min"] = _ratio(seq.window(frame["ast"], ROLE_WINDOW)[0], minutes_20)
    return out
