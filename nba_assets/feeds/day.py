"""A date's inputs from the feeds, in the canonical frames the validators of ``inputs/`` take.

- :func:`slate_from_feed`: the scoreboard's games (postponed ones left out and reported), then
  each playing team's roster: who can play on a future date.
- :func:`box_scores_from_feed`: the date's league game log (player mode), raw NBA stats columns.
- :func:`lines_from_feed`: every event's ``player_points`` lines with a consensus, names matched to
  the slate; players matching nobody are returned for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from nba_assets.feeds.identity import match
from nba_assets.feeds.nba_stats import StatsFeed, season_of
from nba_assets.feeds.odds_api import LinesFeed
from nba_assets.feeds.odds_parsing import RAW_COLUMNS, with_consensus

SLATE_COLUMNS = ("game_date", "game_id", "player_name", "team", "opponent", "is_home")


@dataclass
class FeedReport:
    """What a feed call delivered, for metadata: counts, skipped games, unmatched names."""

    requests: int = 0
    postponed: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    dropped_outcomes: int = 0
    events: int = 0


def slate_from_feed(stats: StatsFeed, game_date: date, report: FeedReport) -> pd.DataFrame:
    """One row per rostered player of each game played on the date (raw names; validated later)."""
    rows = []
    season = season_of(game_date)
    games = stats.games(game_date)
    report.requests += 1
    for game in games:
        if game.postponed:
            report.postponed.append(f"{game.game_id} {game.away_team}@{game.home_team}: {game.status}")
            continue
        for team_id, team, opponent, home in (
            (game.home_team_id, game.home_team, game.away_team, True),
            (game.away_team_id, game.away_team, game.home_team, False),
        ):
            report.requests += 1
            for _player_id, name in stats.roster(team_id, season):
                rows.append((game_date, game.game_id, name, team, opponent, home))
    return pd.DataFrame(rows, columns=list(SLATE_COLUMNS))


def box_scores_from_feed(stats: StatsFeed, game_date: date, report: FeedReport) -> pd.DataFrame:
    report.requests += 1
    return stats.game_log(game_date)


def lines_from_feed(
    odds: LinesFeed, game_date: date, known: set[str] | None, report: FeedReport
) -> pd.DataFrame:
    """Lines of every event of the date, columns of ``inputs.lines`` plus player_name."""
    events = odds.events(game_date)
    report.requests += 1
    report.events = len(events)
    raw = []
    for event in events:
        rows, dropped = odds.event_lines(event.event_id)
        report.requests += 1
        report.dropped_outcomes += dropped
        raw.append(rows)
    frame = pd.concat(raw, ignore_index=True) if raw else pd.DataFrame(columns=list(RAW_COLUMNS))
    matched = match(frame["player_name"], known)
    report.unmatched = matched.unmatched
    frame = frame[frame["player_name"].isin(matched.lookups)].copy()
    frame["player_lookup"] = frame["player_name"].map(matched.lookups)
    # two spellings of one player ("Jokić", "Jokic") are one player: dedupe per book, then consensus
    frame = frame.drop_duplicates(subset=["player_lookup", "bookmaker", "line"])
    frame = with_consensus(frame, by="player_lookup")
    frame["game_date"] = game_date
    return frame[
        ["game_date", "player_name", "player_lookup", "line", "bookmaker", "over_price", "under_price"]
    ]
