"""Who plays beside him tonight: a player's share of the expected shots and points of his team's slate.

``availability`` says what the absent regulars leave behind; this says how big a part of what is
left is his. Among the regulars on his team's slate for the date (expected minutes >= the same
REGULAR_MINUTES, fast EWM of his games before the date), his expected shot load (recent load per
minute x expected minutes) and his slow points form are put over the team's total with him in it:
a third scorer whose two leading teammates sit takes a bigger share than his averages say.

The slate of (team, date) is the target rows for the rows being predicted, and the known rows of
the date (who appeared) for a replayed past date's history rows, even when that date is also a
target of a many-date slate (so a date's history rows do not depend on which dates are predicted). A player
the availability source lists out (``listed_out``) is not counted among his teammates. Every
expectation comes from games strictly before the date; only the presence list is of the date
itself, known before tip-off. On 2023-24 (trained on 2015-16..2022-23, with the minutes model)
the two shares moved the points model from 4.873 to 4.853 MAE on >= 15-minute rows and from 4.380
to 4.360 on all rows, the same gain with two other seeds (bench/RESULTS.md, "Prediction systems"); the
teammates' rank, the minutes they leave and the opponent's present scoring added nothing more.
``nba_assets_tests/features/test_presence.py`` checks the leak rule and the arithmetic.
"""

from __future__ import annotations

import pandas as pd

from nba_assets.features.availability import REGULAR_MINUTES, listed_out_rows

PRESENCE_FEATURES = ("present_load_share", "present_pts_share")


def presence_features(
    combined: pd.DataFrame, known: pd.Series, listed_out: pd.DataFrame | None = None
) -> pd.DataFrame:
    """PRESENCE_FEATURES for every row of ``combined`` (the builder's frame with its form features).

    ``known`` marks rows with an outcome (history), the rest are slate rows; ``listed_out``
    (game_date, player_lookup): players out on a date, never counted among their teammates.
    """
    # A date's slate is its target rows for the target rows and its known rows (who appeared) for
    # the known rows: a past date inside a many-date slate gives its history rows the shares it
    # gives them predicted alone (issue 23: market_blend's past estimates differed between paths).
    is_known = pd.Series(known.to_numpy(dtype=bool), index=combined.index)
    team_day = combined.groupby([combined["team"], combined["game_ts"], is_known], sort=False).ngroup()
    counted = ~listed_out_rows(combined, listed_out)
    counted &= combined["min_ewm_fast"] >= REGULAR_MINUTES
    expected = {
        "present_load_share": combined["usage_last10"] * combined["min_ewm_fast"],
        "present_pts_share": combined["pts_ewm_slow"],
    }
    out = pd.DataFrame(index=combined.index)
    for name, own in expected.items():
        share = own.where(counted, 0.0).fillna(0.0)
        others = share.groupby(team_day, sort=False).transform("sum") - share
        total = others + own
        out[name] = (own / total).where(total > 0)
    return out
