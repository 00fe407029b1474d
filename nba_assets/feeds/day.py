"""A date's inputs from the feeds, in the canonical frames the validators of ``inputs/`` take.

- :func:`slate_from_feed`: the scoreboard's games (postponed ones left out and reported, tip-off
  kept), then each playing team's roster: who can play on a future date. A team whose roster comes
  back empty takes its last stored roster (reported), or fails the slate naming the team when none
  is stored. A player on two rosters (a trade in progress) is settled by :func:`settle_two_rosters`.
- :func:`box_scores_from_feed`: the date's league game log (player mode), raw NBA stats columns.
- :func:`lines_from_feed`: every event's ``player_points`` lines with a consensus, each name matched
  among the players of that event's two teams (``feeds.identity``); players matching nobody are
  returned, with their event, for the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from nba_assets.feeds.errors import FeedEmpty
from nba_assets.feeds.identity import TEAMS, match
from nba_assets.feeds.nba_stats import StatsFeed, season_of
from nba_assets.feeds.odds_api import LinesFeed
from nba_assets.feeds.odds_parsing import RAW_COLUMNS, with_consensus
from nba_assets.feeds.stats_parsing import FEED as STATS_FEED
from nba_assets.feeds.stats_parsing import Game, RosterPlayer
from nba_assets.naming import InvalidIdentifier, player_lookup

SLATE_COLUMNS = ("game_date", "game_id", "player_name", "team", "opponent", "is_home", "tipoff")
# a team's last stored roster: (the slate date it is from, player names), or None if none is stored
LastRoster = Callable[[str], tuple[date, list[str]] | None]


@dataclass
class FeedReport:
    """What a feed call delivered, for metadata: counts, skipped games, unmatched names."""

    requests: int = 0
    postponed: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # names, sorted
    unmatched_games: list[tuple[str, str, str]] = field(default_factory=list)  # (name, event, reason)
    dropped_outcomes: int = 0
    events: int = 0
    roster_fallbacks: list[str] = field(default_factory=list)  # teams whose stored roster stood in
    roster_conflicts: list[str] = field(default_factory=list)  # players on two rosters, and the outcome

    def unmatched_frame(self, game_date: date | None = None) -> pd.DataFrame:
        """The unmatched names as ``inputs.lines.UNMATCHED_COLUMNS`` rows (one line counted per book)."""
        rows = [(game_date, game, name, 1, reason) for name, game, reason in self.unmatched_games]
        frame = pd.DataFrame(rows, columns=["game_date", "game", "player_name", "rows", "reason"])
        return frame.groupby(["game_date", "game", "player_name", "reason"], as_index=False, dropna=False)[
            "rows"
        ].sum()[["game_date", "game", "player_name", "rows", "reason"]]


def slate_from_feed(
    stats: StatsFeed, game_date: date, report: FeedReport, last_roster: LastRoster | None = None
) -> pd.DataFrame:
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
            roster = stats.roster(team_id, season) or _stored_roster(
                team, game, game_date, last_roster, report
            )
            for player in roster:
                rows.append(
                    (game_date, game.game_id, player.name, team, opponent, home, game.tipoff, player.acquired)
                )
    frame = pd.DataFrame(rows, columns=[*SLATE_COLUMNS, "acquired"])
    return settle_two_rosters(frame, report)[list(SLATE_COLUMNS)]


def _stored_roster(
    team: str, game: Game, game_date: date, last_roster: LastRoster | None, report: FeedReport
) -> list[RosterPlayer]:
    """A playing team's roster came back empty: its last stored roster, or FeedEmpty naming it."""
    stored = last_roster(team) if last_roster is not None else None
    where = f"{team} ({game.away_team}@{game.home_team}, game {game.game_id})"
    if not stored or not stored[1]:
        raise FeedEmpty(
            STATS_FEED,
            f"commonteamroster returned no players for {where} on {game_date} and no earlier roster "
            f"of {team} is stored; nothing written",
        )
    report.roster_fallbacks.append(
        f"{where}: the feed's roster was empty; used the {len(stored[1])} players of {team}'s stored "
        f"slate of {stored[0]}"
    )
    return [RosterPlayer(0, name) for name in stored[1]]


def _lookup(name: str) -> str:
    try:
        return player_lookup(name)
    except InvalidIdentifier:  # validate_slate names the bad row later
        return name


def settle_two_rosters(frame: pd.DataFrame, report: FeedReport) -> pd.DataFrame:
    """A player listed by two teams on one date (for a few hours around a trade) keeps the row of
    the team that acquired him last (CommonTeamRoster's HOW_ACQUIRED date); when the feed gives no
    such date for one team alone (a tie, or none at all), the player is left off the slate. Each
    case is reported (the slate's WARN check and the alert name it); the day goes on."""
    if frame.empty:
        return frame
    # one team listing a player twice is one row (never a reason to refuse the whole morning)
    frame = frame[~frame.assign(_l=frame["player_name"].map(_lookup)).duplicated(["_l", "team"])]
    lookups = frame["player_name"].map(_lookup)
    teams = frame.groupby(lookups)["team"].nunique()
    drop: list[int] = []
    for lookup in teams[teams > 1].index:
        rows = frame[lookups == lookup]
        name, listed = str(rows["player_name"].iloc[0]), ", ".join(sorted(rows["team"]))
        dated = rows.dropna(subset=["acquired"])
        newest = dated[dated["acquired"] == dated["acquired"].max()] if len(dated) else dated
        if len(newest) == 1:
            kept = newest.index[0]
            drop.extend(i for i in rows.index if i != kept)
            report.roster_conflicts.append(
                f"{name}: on the rosters of {listed}; kept {rows.at[kept, 'team']} "
                f"(acquired {rows.at[kept, 'acquired']}, the newest)"
            )
        else:
            drop.extend(rows.index)
            report.roster_conflicts.append(
                f"{name}: on the rosters of {listed} and the feed does not say which acquired him last; "
                "left off the slate"
            )
    return frame.drop(index=drop).reset_index(drop=True)


def box_scores_from_feed(stats: StatsFeed, game_date: date, report: FeedReport) -> pd.DataFrame:
    report.requests += 1
    return stats.game_log(game_date)


def event_candidates(
    players: pd.DataFrame | set[str] | None, home_team: str, away_team: str
) -> dict[str, str] | set[str] | None:
    """The players who can be in one event: of its two teams when the teams are known
    (``players``: player_lookup, player_name, team), else every player given."""
    if players is None or isinstance(players, set | frozenset):
        return players
    teams = {TEAMS.get(home_team), TEAMS.get(away_team)} - {None}
    pool = players
    if len(teams) == 2 and players["team"].notna().any():
        pool = players[players["team"].isin(teams)]
    return dict(zip(pool["player_lookup"], pool["player_name"], strict=True))


def lines_from_feed(
    odds: LinesFeed,
    game_date: date,
    players: pd.DataFrame | set[str] | None,
    report: FeedReport,
    known: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Lines of every event of the date, columns of ``inputs.lines`` plus player_name.

    ``players``: the date's players with their teams (or a set of lookups), each event's names
    matched within its two teams; None takes every name as its normalised spelling. ``known``:
    every player lookup known (a name of a known player absent from the event stays unmatched).
    """
    events = odds.events(game_date)
    report.requests += 1
    report.events = len(events)
    raw = []
    for event in events:
        rows, dropped = odds.event_lines(event.event_id)
        report.requests += 1
        report.dropped_outcomes += dropped
        matched = match(
            rows["player_name"], event_candidates(players, event.home_team, event.away_team), known
        )
        where = f"{event.away_team} @ {event.home_team}"
        for name in matched.unmatched:
            reason = "did not play" if known and not match([name], set(known)).unmatched else "unknown name"
            report.unmatched_games.append((name, where, reason))
        rows = rows[rows["player_name"].isin(matched.lookups)].copy()
        rows["player_lookup"] = rows["player_name"].map(matched.lookups)
        raw.append(rows)
    report.unmatched = sorted({name for name, _, _ in report.unmatched_games})
    columns = [*RAW_COLUMNS, "player_lookup"]
    frame = pd.concat(raw, ignore_index=True) if raw else pd.DataFrame(columns=columns)
    # two spellings of one player ("Jokić", "Jokic") are one player: dedupe per book, then consensus
    frame = frame.drop_duplicates(subset=["player_lookup", "bookmaker", "line"])
    frame = with_consensus(frame, by="player_lookup")
    frame["game_date"] = game_date
    return frame[
        ["game_date", "player_name", "player_lookup", "line", "bookmaker", "over_price", "under_price"]
    ]
