"""Opponent defence by role and the teams' strength gap, strictly before each row's date.

The data has no positions, so the role is a proxy from the player's own previous 20 games:
``big`` (rebounds a lot), ``guard`` (assists a lot), else ``wing``. "Points allowed to a role"
is how far the opponent's recent opponents of that role scored above their own last-10 average,
which already corrects for who the opponent happened to face.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_assets.features.team import _asof, _rolling_before, team_games

DEFENSE_FEATURES = ("opp_role_resid", "margin_gap")
ROLE_GAMES = 20  # opponent games in the window
BIG_REB_PER_MIN, GUARD_AST_PER_MIN = 0.24, 0.16
ROTATION_MINUTES = 10.0  # residuals only from players with a real role in that game


def role_of(features: pd.DataFrame) -> pd.Series:
    reb, ast = features["reb_per_min"], features["ast_per_min"]
    role = np.where(reb >= BIG_REB_PER_MIN, "big", np.where(ast >= GUARD_AST_PER_MIN, "guard", "wing"))
    return pd.Series(role, index=features.index)


def _role_residuals(frame: pd.DataFrame, role: pd.Series, known: pd.Series) -> pd.Series:
    keys = frame[["game_ts", "opponent"]].assign(role=role.to_numpy())
    resid = frame["points"] - frame["pts_avg_last10"]
    used = known & resid.notna() & (frame["minutes"] >= ROTATION_MINUTES)
    if not used.any():
        return pd.Series(np.nan, index=frame.index)
    games = (
        keys[used]
        .assign(resid=resid[used], game_id=frame.loc[used, "game_id"])
        .groupby(["opponent", "role", "game_id", "game_ts"], sort=False)["resid"]
        .agg(["sum", "count"])
        .reset_index()
        .sort_values(["opponent", "role", "game_ts"], kind="stable")
    )
    by = games.groupby(["opponent", "role"], sort=False)
    total = by["sum"].rolling(ROLE_GAMES, min_periods=3).sum().reset_index(level=[0, 1], drop=True)
    count = by["count"].rolling(ROLE_GAMES, min_periods=3).sum().reset_index(level=[0, 1], drop=True)
    games["value"] = (total / count).reindex(games.index)
    games["key"] = games["opponent"] + "|" + games["role"]
    table = games[["game_ts", "key", "value"]].sort_values("game_ts", kind="stable")
    left = pd.DataFrame({"game_ts": keys["game_ts"], "key": keys["opponent"] + "|" + keys["role"]})
    left = left.reset_index().sort_values("game_ts", kind="stable")
    merged = pd.merge_asof(
        left, table, on="game_ts", by="key", allow_exact_matches=False, direction="backward"
    )
    return merged.set_index("index")["value"].reindex(frame.index)


def defense_features(frame: pd.DataFrame, known: pd.Series) -> pd.DataFrame:
    """DEFENSE_FEATURES for ``frame`` (box-score rows with the player and form features attached)."""
    out = pd.DataFrame(index=frame.index)
    out["opp_role_resid"] = _role_residuals(frame, role_of(frame), known)
    games = team_games(frame[known])
    if games.empty:
        out["margin_gap"] = np.nan
        return out
    margins = _rolling_before(games.assign(margin=games["points"] - games["allowed"]), "margin")
    keys = frame[["game_ts", "team", "opponent"]]
    out["margin_gap"] = _asof(keys, margins, "team", "team_margin") - _asof(
        keys, margins, "opponent", "opp_margin"
    )
    return out
