"""Team context from box scores: opponents' points allowed and pace, strictly before each date."""

from __future__ import annotations

import pandas as pd

WINDOW = 15  # team games in the rolling window
LEAGUE_DAYS = "60D"


def team_games(history: pd.DataFrame) -> pd.DataFrame:
    """One row per (game, team): points scored and a possessions estimate, with the opponent."""
    played = history[history["points"].notna()]
    possessions = (
        played["fga"].fillna(0)
        + 0.44 * played["fta"].fillna(0)
        - played["oreb"].fillna(0)
        + played["tov"].fillna(0)
    )
    games = (
        played.assign(possessions=possessions)
        .groupby(["game_id", "game_ts", "team", "opponent"], sort=False)[["points", "possessions"]]
        .sum()
        .reset_index()
    )
    other = games.rename(
        columns={"team": "opponent", "opponent": "team", "points": "allowed", "possessions": "opp_poss"}
    )
    games = games.merge(other[["game_id", "team", "allowed", "opp_poss"]], on=["game_id", "team"], how="left")
    games["pace"] = (games["possessions"] + games["opp_poss"].fillna(games["possessions"])) / 2
    return games.sort_values(["game_ts", "game_id"], kind="stable")


def _rolling_before(games: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per team and date, the mean of ``column`` over the team's previous WINDOW games."""
    games = games.sort_values(["team", "game_ts"], kind="stable")
    rolled = games.groupby("team", sort=False)[column].transform(
        lambda s: s.rolling(WINDOW, min_periods=3).mean()
    )
    out = games[["team", "game_ts"]].assign(value=rolled.to_numpy())
    return out.sort_values("game_ts", kind="stable")


def _asof(keys: pd.DataFrame, table: pd.DataFrame, key: str, name: str) -> pd.Series:
    """The latest value of ``table`` for ``key`` strictly before each row's date."""
    left = keys[["game_ts", key]].rename(columns={key: "team"}).reset_index()
    left = left.sort_values("game_ts", kind="stable")
    merged = pd.merge_asof(
        left, table, on="game_ts", by="team", allow_exact_matches=False, direction="backward"
    )
    return merged.set_index("index")["value"].reindex(keys.index).rename(name)


def opponent_context(history: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """opp_pts_allowed, opp_def_factor (vs the league's recent average), opp_pace, team_pace."""
    out = pd.DataFrame(index=keys.index)
    games = team_games(history)
    if games.empty:
        for column in ("opp_pts_allowed", "opp_def_factor", "opp_pace", "team_pace"):
            out[column] = float("nan")
        return out
    allowed = _rolling_before(games, "allowed")
    pace = _rolling_before(games, "pace")
    out["opp_pts_allowed"] = _asof(keys, allowed, "opponent", "opp_pts_allowed")
    out["opp_pace"] = _asof(keys, pace, "opponent", "opp_pace")
    out["team_pace"] = _asof(keys, pace, "team", "team_pace")
    league = games.set_index("game_ts")["points"].sort_index().rolling(LEAGUE_DAYS).mean()
    league = league[~league.index.duplicated(keep="last")].rename("value").reset_index()
    league_keys = keys[["game_ts"]].reset_index().sort_values("game_ts", kind="stable")
    league_at = pd.merge_asof(league_keys, league, on="game_ts", allow_exact_matches=False)
    league_at = league_at.set_index("index")["value"].reindex(keys.index)
    out["opp_def_factor"] = out["opp_pts_allowed"] / league_at
    return out
