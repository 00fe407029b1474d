"""A 450-player slate from real rosters, for the benchmarks (not a module of the package)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from nba_assets.inputs.bundled import bundled_box_scores
from nba_assets.inputs.slates import slate_from_box_scores

DAY = date(2025, 2, 12)  # 15 games: 30 teams


def roster_slate(day: date = DAY, per_team: int = 15) -> pd.DataFrame:
    """The day's real slate topped up with each team's most-used players of the season so far."""
    box = bundled_box_scores()
    slate = slate_from_box_scores(box, day)
    games = slate.drop_duplicates("team")[["game_id", "team", "opponent", "is_home"]]
    season = box[(box["game_date"] < day) & (box["game_date"] >= date(2024, 10, 1))]
    rows = []
    for game in games.itertuples(index=False):
        used = season[season["team"] == game.team].groupby(["player_lookup", "player_name"]).size()
        roster = used.sort_values(ascending=False).reset_index()
        for player in roster.itertuples(index=False):
            if player.player_lookup in set(r["player_lookup"] for r in rows):
                continue
            rows.append(
                {
                    "game_date": day,
                    "game_id": game.game_id,
                    "player_lookup": player.player_lookup,
                    "player_name": player.player_name,
                    "team": game.team,
                    "opponent": game.opponent,
                    "is_home": game.is_home,
                }
            )
            if sum(r["team"] == game.team for r in rows) >= per_team:
                break
    return pd.DataFrame(rows)


def write_slate_csv(path: Path, day: date = DAY) -> int:
    slate = roster_slate(day)
    slate.drop(columns=["player_lookup"]).to_csv(path, index=False)
    return len(slate)
