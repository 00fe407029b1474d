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


def on_the_slate(frame: pd.DataFrame, known: pd.Series) -> pd.Series:
    """Rows on their (team, date)'s slate: its target rows when it has any (the date being
    predicted), else its known rows (a replayed past date's slate is who appeared)."""
    target = pd.Series(~known.to_numpy(dtype=bool), index=frame.index)
    return target == target.groupby([frame["team"], frame["game_ts"]]).transform("any")


def listed_out_rows(frame: pd.DataFrame, listed_out: pd.DataFrame | None) -> pd.Series:
    """Rows of players listed out (``listed_out``: game_date, player_lookup) on that row's date."""
    if listed_out is None or listed_out.empty:
        return pd.Series(False, index=frame.index)
    out = pd.MultiIndex.from_arrays([pd.to_datetime(listed_out["game_date"]), listed_out["player_lookup"]])
    rows = pd.MultiIndex.from_arrays([frame["game_ts"], frame["player_lookup"]])
    return pd.Series(rows.isin(out), index=frame.index)


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
    slate = on_the_slate(frame, known)
    team_days = frame.loc[slate, ["team", "game_ts"]].drop_duplicates()
    candidates = covered.merge(team_days, on=["team", "game_ts"], how="inner")
    keys = ["team", "game_ts", "player_lookup"]
    present = frame.loc[slate & ~listed_out_rows(frame, listed_out), keys].drop_duplicates()
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
