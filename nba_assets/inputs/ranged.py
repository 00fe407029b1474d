"""Many game days' inputs with ONE walk-forward feature pass (a backfill's ranged runs).

A day's features are a pass over the whole history (``build_features``); a range of dates built
day by day repeats that pass per date. ``walk_forward`` builds every date's features in one pass,
each date seeing only games strictly before it, so a date's features here are the ones
:func:`nba_assets.inputs.day.day_inputs` builds for it alone (``test_ranged_backfill_equals_day_by_day``).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.features.builder import walk_forward
from nba_assets.inputs.availability import load_availability, players_out
from nba_assets.inputs.day import DayInputs, Sources, day_inputs, history, source_slate, stored_slate
from nba_assets.warehouse.base import Warehouse


def ranged_days(
    src: Sources,
    dates: list[date],
    wh: Warehouse | None,
    *,
    stored_slate_ok: bool = True,
    stored_lines_ok: bool = True,
) -> tuple[dict[date, DayInputs], pd.DataFrame]:
    """({date: its inputs, features from one pass}, the learned history of the pass).

    The learned history holds the labelled rows of every game before the last date; learning
    systems mask it by each row's own date (``runner.predict_slate`` does the same for a
    multi-date slate).
    """
    hist = history(src, wh)
    slates = {}
    for game_date in dates:
        slate = stored_slate(wh, game_date) if wh is not None and stored_slate_ok else None
        slates[game_date] = slate if slate is not None else source_slate(src, hist, game_date)[0]
    targets = [s for s in slates.values() if not s.empty]
    # players listed out count as absent for their teammates, as in a day built alone
    listing = load_availability(list(src.availability)) if src.availability else None
    out = [(d, p) for d in dates for p in (players_out(listing, d) if listing is not None else {})]
    listed_out = pd.DataFrame(out, columns=["game_date", "player_lookup"])
    features, learned = walk_forward(
        hist, pd.concat(targets, ignore_index=True) if targets else None, listed_out
    )
    days = {}
    for game_date in dates:
        own = features[features["game_date"] == game_date].reset_index(drop=True) if targets else features
        days[game_date] = day_inputs(
            src, game_date, wh, stored_slate_ok=stored_slate_ok, stored_lines_ok=stored_lines_ok, features=own
        )
    return days, learned
