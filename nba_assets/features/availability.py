"""Who is missing tonight: minutes and shot volume vacated by a team's absent regulars.

A *regular* is a player whose expected minutes (EWM of his known games, half-life 3, his last
game included) were >= REGULAR_MINUTES after his latest game for the team, played within the
last COVER_DAYS days, with no known game for anyone else since. He is *absent* on (team, date)
when he is not on the team's slate that date. The slate is the target rows when the date is
being predicted, else the known rows of the date (a replayed past date's slate is who appeared,
exactly what ``slate_from_box_scores`` gives ``predict``). A player the availability source lists
out for the date (``listed_out``: game_date, player_lookup) counts as absent even when he is on the
slate: an injury report names players the slate still carries. Expectations come only from games
strictly before the date; only the presence list is of the date itself, and it is known before
tip-off (slate, injury report). His vacated minutes and shots go to the teammates who play.

Features: ``vacated_min`` and ``vacated_load`` (FGA + 0.44 FTA) of the absent regulars, and
``absent_regulars`` (how many). ``nba_assets_tests/features/test_availability.py`` checks the
leak rule (truncating the history after the date changes nothing) and the arithmetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

AVAILABILITY_FEATURES = ("vacated_min", "vacated_load", "absent_regulars")
REGULAR_MINUTES = 15.0
COVER_DAYS = 10
HALFLIFE = 3.0


def _expected(frame: pd.DataFrame, known: pd.Series) -> pd.DataFrame:
    """Known rows with each player's expected minutes and shot load after that game."""
    rows = frame.loc[known, ["player_lookup", "team", "game_ts", "minutes", "fga", "fta"]].copy()
    load = rows["fga"].fillna(0.0) + 0.44 * rows["fta"].fillna(0.0)
    by = rows["player_lookup"]
    ewm = {"exp_min": rows["minutes"], "exp_load": load.where(rows["minutes"].notna())}
    for name, value in ewm.items():
        out = value.groupby(by, sort=False).ewm(halflife=HALFLIFE, ignore_na=True).mean()
        rows[name] = out.reset_index(level=0, drop=True).reindex(rows.index)
    rows["next_ts"] = rows.groupby("player_lookup", sort=False)["game_ts"].shift(-1)
    return rows[rows["exp_min"] >= REGULAR_MINUTES]


def availability_features(
    frame: pd.DataFrame, known: pd.Series, listed_out: pd.DataFrame | None = None
) -> pd.DataFrame:
    """AVAILABILITY_FEATURES for every row of ``frame`` (sorted as the builder prepares it).

    ``listed_out`` (game_date, player_lookup): players out on a date, absent whatever the slate says.
    """
    out = pd.DataFrame(0.0, index=frame.index, columns=list(AVAILABILITY_FEATURES))
    regulars = _expected(frame, known)
    if regulars.empty:
        return out
    # Each regular's latest game covers the next COVER_DAYS days, up to his next known game.
    days = np.arange(1, COVER_DAYS + 1)
    covered = regulars.loc[regulars.index.repeat(len(days))].reset_index(drop=True)
    covered["game_ts"] = covered["game_ts"] + pd.to_timedelta(np.tile(days, len(regulars)), unit="D")
    covered = covered[covered["next_ts"].isna() | (covered["game_ts"] <= covered["next_ts"])]
    # The slate of (team, date): its target rows when it has any, else its known rows.
    slate = frame[["team", "game_ts", "player_lookup"]].assign(target=~known.to_numpy())
    has_target = slate.groupby(["team", "game_ts"])["target"].transform("any")
    slate = slate[slate["target"] == has_target]
    team_days = slate[["team", "game_ts"]].drop_duplicates()
    candidates = covered.merge(team_days, on=["team", "game_ts"], how="inner")
    present = slate[["team", "game_ts", "player_lookup"]].drop_duplicates()
    if listed_out is not None and not listed_out.empty:
        listed = listed_out[["game_date", "player_lookup"]].drop_duplicates()
        listed = listed.assign(game_ts=pd.to_datetime(listed["game_date"]), _out=True)
        keys = ["game_ts", "player_lookup"]
        present = present.merge(listed[[*keys, "_out"]], on=keys, how="left")
        present = present[present["_out"].isna()].drop(columns=["_out"])
    present = present.assign(present=True)
    candidates = candidates.merge(present, on=["team", "game_ts", "player_lookup"], how="left")
    absent = candidates[candidates["present"].isna()]
    totals = absent.groupby(["team", "game_ts"]).agg(
        vacated_min=("exp_min", "sum"), vacated_load=("exp_load", "sum"), absent_regulars=("exp_min", "size")
    )
    keyed = frame[["team", "game_ts"]].merge(totals.reset_index(), on=["team", "game_ts"], how="left")
    for column in AVAILABILITY_FEATURES:
        out[column] = keyed[column].fillna(0.0).to_numpy(float)
    return out
