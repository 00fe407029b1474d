"""The morning deadline of a game day and the one rule that judges it (pure: no Dagster, no I/O).

A game day's consolidated predictions and front-end files are due by its deadline (default 09:00
New York). The freshness checks, ``nba-assets status`` and the morning summary all judge a day
with ``judge`` on the same facts, so they cannot disagree:

- a day produced by a pipeline that first acted for it after the date had ended (a replay such
  as ``nba-assets run-day 2025-02-12`` today, or a backfill) had no morning to miss: ``replayed``;
- a live day (acted for on or before its date: the 07:00 slate, the deadline's freshness run)
  is ``fresh`` if its output was first written by the deadline, ``late`` if after it, and
  ``missing`` once the deadline has passed with nothing written (``pending`` before it).

"First written" is the first write: a line refresh that rewrites the day at noon does not make a
morning that was on time late.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from nba_assets.game_day import NEW_YORK

DEFAULT_DEADLINE = "09:00"


class Verdict(enum.StrEnum):
    FRESH = "fresh"  # first written before the deadline
    LATE = "late"  # a live day first written after the deadline
    MISSING = "missing"  # a live day: the deadline passed with nothing written
    PENDING = "pending"  # not written yet, and the deadline is still ahead
    NO_GAMES = "no_games"  # nothing is due on a day without games
    REPLAYED = "replayed"  # produced after its date by a replay or backfill: no morning to miss


def now() -> datetime:
    """The clock every verdict is judged at (one place, so a test can set it for all of them)."""
    return datetime.now(UTC)


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


def end_of(game_date: date) -> datetime:
    """Midnight New York after the game day: acting for the day from then on is a replay."""
    return datetime.combine(game_date + timedelta(days=1), time(0), tzinfo=NEW_YORK)


@dataclass(frozen=True)
class Freshness:
    verdict: Verdict
    deadline: datetime
    written_at: datetime | None

    @property
    def ok(self) -> bool:
        return self.verdict in (Verdict.FRESH, Verdict.PENDING, Verdict.NO_GAMES, Verdict.REPLAYED)

    def describe(self, what: str) -> str:
        due = self.deadline.strftime("%Y-%m-%d %H:%M %Z")
        written = self.written_at.isoformat(timespec="seconds") if self.written_at else None
        return {
            Verdict.FRESH: f"{what} written {written}, before the {due} deadline",
            Verdict.LATE: f"{what} written {written}, after the {due} deadline",
            Verdict.MISSING: f"no {what} by the {due} deadline",
            Verdict.PENDING: f"{what} not written yet; due by {due}",
            Verdict.NO_GAMES: f"no games on {self.deadline.date()}: no {what} due",
            Verdict.REPLAYED: f"{what} written {written}, after {self.deadline.date()} had ended "
            "(a replay or backfill): no morning deadline to miss",
        }[self.verdict]


def judge(
    game_day: bool,
    *,
    began_at: datetime | None,
    written_at: datetime | None,
    at: datetime,
    deadline: datetime,
) -> Freshness:
    """The verdict on one output of a game day at the moment ``at``.

    ``began_at``: when the pipeline first acted for the day (its first run or slate), None if never;
    ``written_at``: the output's first write, None if never; ``deadline``: ``deadline_of(day)``.
    """
    if not game_day:
        return Freshness(Verdict.NO_GAMES, deadline, written_at)
    if written_at is not None and (began_at or written_at) >= end_of(deadline.date()):
        return Freshness(Verdict.REPLAYED, deadline, written_at)
    if written_at is not None:
        return Freshness(Verdict.FRESH if written_at <= deadline else Verdict.LATE, deadline, written_at)
    return Freshness(Verdict.MISSING if at >= deadline else Verdict.PENDING, deadline, None)


def overall(verdicts: list[Verdict]) -> Verdict:
    """A day's verdict over its outputs: the worst of them."""
    order = (Verdict.MISSING, Verdict.LATE, Verdict.PENDING, Verdict.REPLAYED, Verdict.FRESH)
    return next((v for v in order if v in verdicts), verdicts[0])
