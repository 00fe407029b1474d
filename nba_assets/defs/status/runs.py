"""A date's runs in the Dagster instance: how a run says which game day it is about."""

from __future__ import annotations

from datetime import date

import dagster as dg

DATE_TAG = "nba_assets/game_date"  # set on runs that are about a date without being partitioned by it
# the date dimension first: a (date, shard) run's dagster/partition is "2025-02-19|02"
PARTITION_TAGS = ("dagster/partition/date", "dagster/partition", DATE_TAG)


def run_records(instance: dg.DagsterInstance, game_date: date) -> list[dg.RunRecord]:
    """The date's runs, oldest first: daily partitions, (date, shard) partitions, date-tagged runs."""
    seen: dict[str, dg.RunRecord] = {}
    for tag in PARTITION_TAGS:
        for record in instance.get_run_records(dg.RunsFilter(tags={tag: game_date.isoformat()})):
            seen[record.dagster_run.run_id] = record
    return sorted(seen.values(), key=lambda r: (r.create_timestamp, r.dagster_run.run_id))
