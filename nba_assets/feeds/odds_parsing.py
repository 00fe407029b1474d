"""Parsers of The Odds API v4 bodies: the events list and one event's ``player_points`` odds.

Event odds shape (v4 docs): ``{id, home_team, away_team, commence_time, bookmakers: [{key, title,
markets: [{key: "player_points", outcomes: [{name: "Over"|"Under", description: <player>,
price, point}]}]}]}``. A bookmaker's (player, point) pair is one line with its over and under
prices; a missing price stays NaN (the line is still a line). An outcome whose point is missing,
not finite, negative or off the 0.5 grid is dropped and counted, never turned into a line.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from nba_assets.feeds.errors import FeedResponseError

FEED = "the odds api"
MARKET = "player_points"
LINE_MIN, LINE_MAX = 0.5, 80.0
MAX_LINES_PER_PLAYER = 5
RAW_COLUMNS = ("event_id", "bookmaker", "player_name", "line", "over_price", "under_price")


@dataclass(frozen=True)
class Event:
    event_id: str
    home_team: str
    away_team: str
    commence_time: str


def parse_events(payload: object) -> list[Event]:
    if not isinstance(payload, list):
        raise FeedResponseError(FEED, f"events: expected a JSON list, got {type(payload).__name__}")
    events = []
    for i, item in enumerate(payload):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise FeedResponseError(FEED, f"events: item {i} has no 'id'")
        events.append(
            Event(item["id"], str(item.get("home_team", "")), str(item.get("away_team", "")),
                  str(item.get("commence_time", "")))
        )  # fmt: skip
    return events


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _valid_line(point: float | None) -> bool:
    return point is not None and LINE_MIN <= point <= LINE_MAX and (point * 2) % 1 == 0


def parse_event_odds(payload: object, market: str = MARKET) -> tuple[pd.DataFrame, int]:
    """(rows of RAW_COLUMNS, outcomes dropped); raises FeedResponseError if the body is no event."""
    if not isinstance(payload, dict):
        raise FeedResponseError(FEED, f"event odds: expected a JSON object, got {type(payload).__name__}")
    event_id = payload.get("id")
    bookmakers = payload.get("bookmakers", [])
    if not isinstance(event_id, str) or not isinstance(bookmakers, list):
        raise FeedResponseError(FEED, "event odds: missing field 'id' or 'bookmakers'")
    prices: dict[tuple[str, str, float], dict[str, float]] = defaultdict(dict)
    dropped = 0
    for book in bookmakers:
        if not isinstance(book, dict) or not isinstance(book.get("key"), str):
            dropped += 1
            continue
        for mkt in book.get("markets") or []:
            if not isinstance(mkt, dict) or mkt.get("key") != market:
                continue
            for outcome in mkt.get("outcomes") or []:
                if not isinstance(outcome, dict):
                    dropped += 1
                    continue
                side, player = outcome.get("name"), outcome.get("description")
                point = _number(outcome.get("point"))
                if side not in ("Over", "Under") or not isinstance(player, str) or not player.strip():
                    dropped += 1
                    continue
                if not _valid_line(point):
                    dropped += 1
                    continue
                price = _number(outcome.get("price"))
                entry = prices[(book["key"], player.strip(), point)]
                entry[side] = math.nan if price is None else price
    rows = [
        (event_id, book, player, point, sides.get("Over", math.nan), sides.get("Under", math.nan))
        for (book, player, point), sides in prices.items()
    ]
    return pd.DataFrame(rows, columns=list(RAW_COLUMNS)), dropped


def with_consensus(
    rows: pd.DataFrame, by: str = "player_name", max_lines: int = MAX_LINES_PER_PLAYER
) -> pd.DataFrame:
    """Every book's line plus a ``consensus`` row (median across books, on the 0.5 grid); per player
    (``by``: one spelling, or a lookup joining spellings) only the ``max_lines`` distinct lines
    nearest the consensus are kept."""
    if rows.empty:
        return rows.copy()
    out = []
    for player, group in rows.groupby(by, sort=True):
        # median of each book's main line: the book's line whose prices are closest to even
        per_book = group.groupby("bookmaker")["line"].median()
        consensus = math.floor(float(per_book.median()) * 2 + 0.5) / 2  # round half up to 0.5 steps
        consensus = min(max(consensus, LINE_MIN), LINE_MAX)
        lines = sorted(set(group["line"]) | {consensus}, key=lambda v: (abs(v - consensus), v))[:max_lines]
        kept = group[group["line"].isin(lines)]
        cons = group.iloc[[0]].assign(bookmaker="consensus", line=consensus, over_price=math.nan,
                                      under_price=math.nan)  # fmt: skip
        cons[by] = player
        out.extend([kept, cons])
    return pd.concat(out, ignore_index=True)
