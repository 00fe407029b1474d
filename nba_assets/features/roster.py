"""Who was available last time: the scoring a team had on the floor in its previous game.

Injured scorers usually stay out for more than one game, so a team that played its last game
without, say, 25 expected points of regulars is likely short again; the others shoot more.
Only the team's games strictly before the row's date are used (never the slate's own roster).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ROSTER_FEATURES = ("team_load_last", "scoring_share")
TYPICAL_GAMES = 10


def roster_features(frame: pd.DataFrame, known: pd.Series) -> pd.DataFrame:
    """team_load_last: expected points of who played the team's last game / its typical load;
    scoring_share: the player's slow form over that typical load."""
    out = pd.DataFrame(index=frame.index)
    expected = frame["pts_ewm_slow"].fillna(frame["pts_avg_prev_season"]).fillna(0.0)
    rows = frame.loc[known, ["team", "game_ts", "game_id"]].assign(expected=expected[known])
    if rows.empty:
        out["team_load_last"] = np.nan
        out["scoring_share"] = np.nan
        return out
    games = rows.groupby(["team", "game_ts", "game_id"], sort=False)["expected"].sum().reset_index()
    games = games.sort_values(["team", "game_ts"], kind="stable")
    typical = games.groupby("team", sort=False)["expected"].rolling(TYPICAL_GAMES, min_periods=3).mean()
    games["typical"] = typical.reset_index(level=0, drop=True).reindex(games.index)
    games["load"] = games["expected"] / games["typical"]
    table = games[["team", "game_ts", "load", "typical"]].sort_values("game_ts", kind="stable")
    left = frame[["game_ts", "team"]].reset_index().sort_values("game_ts", kind="stable")
    merged = pd.merge_asof(
        left, table, on="game_ts", by="team", allow_exact_matches=False, direction="backward"
    )
    merged = merged.set_index("index").reindex(frame.index)
    out["team_load_last"] = merged["load"]
    out["scoring_share"] = frame["pts_ewm_slow"] / merged["typical"]
    return out
