"""The facts the morning-deadline rule (``nba_assets.deadlines.judge``) needs, read from the instance.

One reader for the freshness checks, ``nba-assets status`` and the morning summary: when the
pipeline first acted for a day, and when an output of the day was first written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg

from nba_assets.deadlines import Freshness, deadline_of, judge
from nba_assets.defs.status.runs import run_records

FRESH_ASSETS = ("consolidated_predictions", "front_end_exports")
SLATE = "slate"  # opening a day's batch is the start of its production


def _first_write(instance: dg.DagsterInstance, asset: str, game_date: date) -> datetime | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[game_date.isoformat()]),
        limit=1,
        ascending=True,
    ).records
    return datetime.fromtimestamp(records[0].timestamp, UTC) if records else None


def began_at(instance: dg.DagsterInstance, game_date: date) -> datetime | None:
    """When the pipeline first acted for the day: its oldest run (slate, shard, freshness run...),
    or its first slate (a backfill's ranged runs carry no partition tag), whichever came first."""
    records = run_records(instance, game_date)
    moments = [_first_write(instance, SLATE, game_date)]
    moments += [records[0].create_timestamp.astimezone(UTC)] if records else []
    return min((m for m in moments if m is not None), default=None)


def day_freshness(
    instance: dg.DagsterInstance, asset: str, game_date: date, *, game_day: bool, at: datetime, deadline: str
) -> Freshness:
    """The verdict on ``asset`` of ``game_date`` at the moment ``at`` (deadline ``HH:MM`` New York)."""
    return judge(
        game_day,
        began_at=began_at(instance, game_date) if game_day else None,
        written_at=_first_write(instance, asset, game_date),
        at=at,
        deadline=deadline_of(game_date, deadline),
    )
