"""Vectorised point-in-time features for slates (future games) and for every past game (backtests).

Every rolling value is built from *exclusive* cumulative sums within a player's games sorted by
date, so row i sees rows < i only; a player plays at most one game a day, so "< i" is "before D".
Slate rows are appended after the history of games strictly before their date, so nothing on or
after D can reach them either. ``nba_assets_tests/features/test_point_in_time.py`` proves both.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from nba_assets.features.defense import DEFENSE_FEATURES, defense_features
from nba_assets.features.form import FORM_FEATURES, form_features
from nba_assets.features.roster import ROSTER_FEATURES, roster_features
from nba_assets.features.team import opponent_context

PLAYER_FEATURES = (
    "games_before",
    "games_season",
    "pts_avg_last5",
    "pts_avg_last10",
    "pts_avg_season",
    "pts_std_last10",
    "pts_avg_prev_season",
    "min_avg_last5",
    "min_avg_last10",
    "min_avg_season",
    "minutes_trend",
    "usage_last10",
    "pts_per_min_season",
    "rest_days",
    "back_to_back",
    "home",
)
TEAM_FEATURES = ("opp_pts_allowed", "opp_def_factor", "opp_pace", "team_pace")
FEATURE_COLUMNS = PLAYER_FEATURES + TEAM_FEATURES + FORM_FEATURES + DEFENSE_FEATURES + ROSTER_FEATURES
KEY_COLUMNS = ("game_date", "game_id", "player_lookup", "player_name", "team", "opponent", "is_home")
MAX_REST = 10.0


def season_of(d: pd.Series | date) -> pd.Series | int:
    """The NBA season's start year: games from August on belong to the season starting that year."""
    if isinstance(d, date):
        return d.year if d.month >= 8 else d.year - 1
    ts = pd.to_datetime(d)
    return (ts.dt.year - (ts.dt.month < 8).astype(int)).astype(int)


def _exclusive_window(frame: pd.DataFrame, keys: list[str], value: pd.Series, window: int | None) -> tuple:
    """(sum, count) of the previous ``window`` values (all previous when None) within ``keys``."""
    grouped = value.groupby([frame[k] for k in keys], sort=False)
    prev = grouped.shift(1)
    valid = prev.notna().astype(float)
    csum = prev.fillna(0.0).groupby([frame[k] for k in keys], sort=False).cumsum()
    ccount = valid.groupby([frame[k] for k in keys], sort=False).cumsum()
    if window is None:
        return csum, ccount
    by = [frame[k] for k in keys]
    return (
        csum - csum.groupby(by, sort=False).shift(window).fillna(0.0),
        ccount - ccount.groupby(by, sort=False).shift(window).fillna(0.0),
    )


def _mean(pair: tuple) -> pd.Series:
    total, count = pair
    return (total / count).where(count > 0)


def _player_features(frame: pd.DataFrame) -> pd.DataFrame:
    player, season = ["player_lookup"], ["player_lookup", "season"]
    pts, mins = frame["points"], frame["minutes"]
    out = pd.DataFrame(index=frame.index)
    out["games_before"] = frame.groupby("player_lookup", sort=False).cumcount().astype(float)
    out["games_season"] = frame.groupby(season, sort=False).cumcount().astype(float)
    out["pts_avg_last5"] = _mean(_exclusive_window(frame, player, pts, 5))
    out["pts_avg_last10"] = _mean(_exclusive_window(frame, player, pts, 10))
    out["pts_avg_season"] = _mean(_exclusive_window(frame, season, pts, None))
    sq_total, sq_count = _exclusive_window(frame, player, pts * pts, 10)
    var = (sq_total / sq_count).where(sq_count > 1) - out["pts_avg_last10"] ** 2
    out["pts_std_last10"] = np.sqrt(var.clip(lower=0.0))
    out["min_avg_last5"] = _mean(_exclusive_window(frame, player, mins, 5))
    out["min_avg_last10"] = _mean(_exclusive_window(frame, player, mins, 10))
    out["min_avg_season"] = _mean(_exclusive_window(frame, season, mins, None))
    out["minutes_trend"] = out["min_avg_last5"] - out["min_avg_season"]
    load = frame["fga"].fillna(0) + 0.44 * frame["fta"].fillna(0) + frame["tov"].fillna(0)
    load_sum, _ = _exclusive_window(frame, player, load.where(pts.notna()), 10)
    min_sum, _ = _exclusive_window(frame, player, mins, 10)
    out["usage_last10"] = (load_sum / min_sum).where(min_sum > 0)
    pts_sum, _ = _exclusive_window(frame, season, pts, None)
    min_season, _ = _exclusive_window(frame, season, mins, None)
    out["pts_per_min_season"] = (pts_sum / min_season).where(min_season > 0)
    prev_date = frame.groupby("player_lookup", sort=False)["game_ts"].shift(1)
    out["rest_days"] = (
        ((frame["game_ts"] - prev_date).dt.days.astype(float)).clip(upper=MAX_REST).fillna(MAX_REST)
    )
    out["back_to_back"] = (out["rest_days"] <= 1).astype(float)
    out["home"] = frame["is_home"].astype(float)
    out["pts_avg_prev_season"] = _previous_season_average(frame)
    return out


def _previous_season_average(frame: pd.DataFrame) -> pd.Series:
    played = frame[frame["points"].notna()]
    by_season = played.groupby(["player_lookup", "season"])["points"].mean().rename("pts_avg_prev_season")
    by_season = by_season.reset_index()
    by_season["season"] += 1
    keyed = frame[["player_lookup", "season"]].merge(by_season, on=["player_lookup", "season"], how="left")
    return pd.Series(keyed["pts_avg_prev_season"].to_numpy(), index=frame.index)


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["game_ts"] = pd.to_datetime(frame["game_date"])
    frame["season"] = season_of(frame["game_ts"])
    for column in ("points", "minutes", "fga", "fta", "tov", "oreb", "fg3a", "reb", "ast"):
        if column not in frame.columns:
            frame[column] = np.nan
        frame[column] = frame[column].astype(float)
    return frame.sort_values(["player_lookup", "game_ts", "game_id"], kind="stable").reset_index(drop=True)


def _with_context(frame: pd.DataFrame, known: pd.Series) -> pd.DataFrame:
    """Features of every row of ``frame``; team context only from the ``known`` (history) rows."""
    features = _player_features(frame)
    form = form_features(frame, features, known)
    context = opponent_context(frame[known], frame[["game_ts", "team", "opponent"]])
    combined = pd.concat([frame, features, context, form], axis=1)
    return pd.concat([combined, defense_features(combined, known), roster_features(combined, known)], axis=1)


def build_features(box_scores: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Features (FEATURE_COLUMNS) plus KEY_COLUMNS; with no targets, for every box score row.

    For every box score row the actual ``points`` and ``minutes`` stay on the frame (labels for
    training and backtests); slate rows carry NaN there.
    """
    if targets is None:
        frame = _prepare(box_scores)
        return _with_context(frame, pd.Series(True, index=frame.index)).reset_index(drop=True)
    parts = []
    for game_date, day in targets.groupby("game_date", sort=True):
        history = box_scores[box_scores["game_date"] < game_date]
        day = day.assign(points=np.nan, minutes=np.nan, _target=True)
        combined = _prepare(pd.concat([history.assign(_target=False), day], ignore_index=True))
        rows = _with_context(combined, ~combined["_target"].astype(bool))
        parts.append(rows[rows["_target"].astype(bool)].drop(columns=["_target"]))
    if not parts:
        return pd.DataFrame(columns=[*KEY_COLUMNS, *FEATURE_COLUMNS])
    return pd.concat(parts, ignore_index=True)
