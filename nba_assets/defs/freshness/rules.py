"""The morning deadline: when a game day's outputs are due, and the verdict on them (no Dagster here).

One definition, read by the freshness checks, their sensor, the morning summary and
``nba-assets status``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time

from nba_assets.game_day import NEW_YORK

DEFAULT_DEADLINE = "09:00"


class Verdict(enum.StrEnum):
    FRESH = "fresh"  # written before the deadline
    LATE = "late"  # written, but after the deadline
    MISSING = "missing"  # the deadline passed with nothing written
    PENDING = "pending"  # not written yet, and the deadline is still ahead
    NO_GAMES = "no_games"  # nothing is due on a day without games


def parse_deadline(text: str) -> time:
    """``HH:MM`` New York time; a clear error naming the setting otherwise."""
    try:
        hour, minute = (int(part) for part in text.split(":"))
        return time(hour, minute)
    except ValueError:
        raise ValueError(
            f"freshness deadline {text!r} is not HH:MM (NBA_ASSETS_FRESHNESS_DEADLINE)"
        ) from None


def deadline_of(game_date: date, deadline: str = DEFAULT_DEADLINE) -> datetime:
    """The moment a game day's consolidation and exports are due: that morning, New York time."""
    return datetime.combine(game_date, parse_deadline(deadline), tzinfo=NEW_YORK)


@dataclass(frozen=True)
class Freshness:
    verdict: Verdict
    deadline: datetime
    written_at: datetime | None

    @property
    def ok(self) -> bool:
        return self.verdict in (Verdict.FRESH, Verdict.PENDING, Verdict.NO_GAMES)

    def describe(self, what: str) -> str:
        due = self.deadline.strftime("%Y-%m-%d %H:%M %Z")
        written = self.written_at.isoformat(timespec="seconds") if self.written_at else None
        return {
            Verdict.FRESH: f"{what} written {written}, before the {due} deadline",
            Verdict.LATE: f"{what} written {written}, after the {due} deadline",
            Verdict.MISSING: f"no {what} by the {due} deadline",
            Verdict.PENDING: f"{what} not written yet; due by {due}",
            Verdict.NO_GAMES: f"no games on {self.deadline.date()}: no {what} due",
        }[self.verdict]


def verdict(game_day: bool, written_at: datetime | None, now: datetime, deadline: datetime) -> Freshness:
    if not game_day:
        return Freshness(Verdict.NO_GAMES, deadline, written_at)
    if written_at is not None:
        return Freshness(Verdict.FRESH if written_at <= deadline else Verdict.LATE, deadline, written_at)
    return Freshness(Verdict.MISSING if now >= deadline else Verdict.PENDING, deadline, None)
