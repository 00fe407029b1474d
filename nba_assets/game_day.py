"""The league's calendar: a game day is a date in New York, where tip-offs and partitions are dated.

The one home for the zone and for "today"/"tomorrow": the daily partitions, the schedules, the
feeds, the slates, the exports' tip-offs, the deadline and the CLI all read it from here, so a run
at 01:00 UTC (still the evening before in New York) never lands on the wrong day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TIMEZONE = "America/New_York"
NEW_YORK = ZoneInfo(TIMEZONE)


def today() -> date:
    """Today in New York, the league's (and the partitions') day."""
    return datetime.now(NEW_YORK).date()


def tomorrow() -> date:
    return today() + timedelta(days=1)


def now() -> datetime:
    """The current moment in New York (aware)."""
    return datetime.now(NEW_YORK)
