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

from nba_assets.features.availability import AVAILABILITY_FEATURES, availability_features
from nba_assets.features.defense import DEFENSE_FEATURES, defense_features
from nba_assets.features.form import FORM_FEATURES, form_features
from nba_assets.features.presence import PRESENCE_FEATURES, presence_features
from nba_assets.features.roster import ROSTER_FEATURES, roster_features
from nba_assets.features.sequence import KnownSequence
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
FEATURE_COLUMNS = (
    PLAYER_FEATURES
    + TEAM_FEATURES
    + FORM_FEATURES
    + DEFENSE_FEATURES
    + ROSTER_FEATURES
    + AVAILABILITY_FEATURES
    + PRESENCE_FEATURES
)
KEY_COLUMNS = ("game_date", "game_id", "player_lookup", "player_name", "team", "opponent", "is_home")
MAX_REST = 10.0


def season_of(d: pd.Series | date) -> pd.Series | int:
    """The NBA season's start year: games from August on belong to the season starting that year."""
    if isinstance(d, date):
        return d.year if d.month >= 8 else d.year - 1
    ts = pd.to_datetime(d)
    return (ts.dt.year - (ts.dt.month < 8).astype(int)).astype(int)


def _mean(pair: tuple) -> pd.Series:
    total, count = pair
    return (total / count).where(count > 0)


def _player_features(frame: pd.DataFrame, seq: KnownSequence) -> pd.DataFrame:
    season = [frame["player_lookup"], frame["season"]]
    pts, mins = frame["points"], frame["minutes"]
    out = pd.DataFrame(index=frame.index)
    out["games_before"] = pd.Series(seq.before.astype(float), index=frame.index)
    out["games_season"] = seq.count_before(season)
    out["pts_avg_last5"] = _mean(seq.window(pts, 5))
    out["pts_avg_last10"] = _mean(seq.window(pts, 10))
    out["pts_avg_season"] = _mean(seq.window(pts, None, season))
    sq_total, sq_count = seq.window(pts * pts, 10)
    var = (sq_total / sq_count).where(sq_count > 1) - out["pts_avg_last10"] ** 2
    out["pts_std_last10"] = np.sqrt(var.clip(lower=0.0))
    out["min_avg_last5"] = _mean(seq.window(mins, 5))
    out["min_avg_last10"] = _mean(seq.window(mins, 10))
    out["min_avg_season"] = _mean(seq.window(mins, None, season))
    out["minutes_trend"] = out["min_avg_last5"] - out["min_avg_season"]
    load = frame["fga"].fillna(0) + 0.44 * frame["fta"].fillna(0) + frame["tov"].fillna(0)
    load_sum, _ = seq.window(load.where(pts.notna()), 10)
    min_sum, _ = seq.window(mins, 10)
    out["usage_last10"] = (load_sum / min_sum).where(min_sum > 0)
    pts_sum, _ = seq.window(pts, None, season)
    min_season, _ = seq.window(mins, None, season)
    out["pts_per_min_season"] = (pts_sum / min_season).where(min_season > 0)
    prev_date = pd.to_datetime(seq.previous(frame["game_ts"]))
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
    """Typed stat columns, sorted by player and date; a target sorts before a known game that day."""
    frame = frame.copy()
    frame["game_ts"] = pd.to_datetime(frame["game_date"])
    frame["season"] = season_of(frame["game_ts"])
    for column in ("points", "minutes", "fga", "fta", "tov", "oreb", "fg3a", "reb", "ast"):
        if column not in frame.columns:
            frame[column] = np.nan
        frame[column] = frame[column].astype(float)
    if "_target" not in frame.columns:
        frame["_target"] = False
    frame["_known_order"] = (~frame["_target"].astype(bool)).astype(int)
    order = ["player_lookup", "game_ts", "_known_order", "game_id"]
    frame = frame.sort_values(order, kind="stable").drop(columns=["_known_order"])
    return frame.reset_index(drop=True)


def _with_context(
    frame: pd.DataFrame, known: pd.Series, listed_out: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Features of every row of ``frame``; outcomes and team context only from ``known`` rows."""
    seq = KnownSequence(frame, known)
    features = _player_features(frame, seq)
    form = form_features(frame, features, known, seq)
    context = opponent_context(frame[known], frame[["game_ts", "team", "opponent"]])
    combined = pd.concat([frame, features, context, form], axis=1)
    parts = [defense_features(combined, known), roster_features(combined, known)]
    parts += [availability_features(frame, known, listed_out), presence_features(combined, known, listed_out)]
    return pd.concat([combined, *parts], axis=1)


def walk_forward(
    box_scores: pd.DataFrame, targets: pd.DataFrame | None = None, listed_out: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(target features, history features) from ONE pass over the box scores and every target date.

    Each target row sees only known games strictly before its own date (a 46-date slate costs one
    pass, not 46); the history features are the labelled rows of every game before the last target
    date (what learning systems such as similarity read, each row masking by its own date). With
    no targets: (empty, every box-score row). ``listed_out`` (game_date, player_lookup): players the
    availability source lists out, absent for their teammates' availability features that date.
    """
    if targets is None or targets.empty:
        frame = _prepare(box_scores)
        rows = _with_context(frame, pd.Series(True, index=frame.index), listed_out)
        rows = rows.drop(columns=["_target"])
        empty = pd.DataFrame(columns=[*KEY_COLUMNS, *FEATURE_COLUMNS])
        return empty, rows.reset_index(drop=True)
    last = targets["game_date"].max()
    history = box_scores[box_scores["game_date"] < last].assign(_target=False)
    day = targets.assign(points=np.nan, minutes=np.nan, _target=True)
    frame = _prepare(pd.concat([history, day], ignore_index=True))
    known = ~frame["_target"].astype(bool)
    rows = _with_context(frame, known, listed_out)
    target_rows = rows[~known].drop(columns=["_target"])
    target_rows = target_rows.sort_values(["game_date", "player_lookup"], kind="stable")
    return target_rows.reset_index(drop=True), rows[known].drop(columns=["_target"]).reset_index(drop=True)


def build_features(
    box_scores: pd.DataFrame, targets: pd.DataFrame | None = None, listed_out: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Features (FEATURE_COLUMNS) plus KEY_COLUMNS; with no targets, for every box score row.

    For every box score row the actual ``points`` and ``minutes`` stay on the frame (labels for
    training and backtests); slate rows carry NaN there. Slates of many dates cost one pass
    (``walk_forward``), each date seeing only games before it.
    """
    target_rows, history = walk_forward(box_scores, targets, listed_out)
    return history if targets is None else target_rows
