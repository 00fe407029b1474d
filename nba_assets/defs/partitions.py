"""Partitions, defined once and imported everywhere (DESIGN §3).

Dagster partitions are (date, shard); each player's completion lives in the batch store. The shard
dimension has a fixed set of keys; how many of them a day uses is the ``shard_count`` setting
(small locally, up to MAX_SHARDS on a cluster), recorded per player in the batch.
"""

import dagster as dg

from nba_assets.game_day import TIMEZONE
from nba_assets.naming import shard_key

MAX_SHARDS = 16
FIRST_GAME_DAY = "2015-10-27"

# end_offset=2: today's and tomorrow's partitions exist, so tomorrow's slate can be predicted the
# evening before, as soon as its lines are posted (`nba-assets run-day tomorrow`).
game_days = dg.DailyPartitionsDefinition(start_date=FIRST_GAME_DAY, timezone=TIMEZONE, end_offset=2)
shards = dg.StaticPartitionsDefinition([shard_key(i) for i in range(MAX_SHARDS)])
day_shards = dg.MultiPartitionsDefinition({"date": game_days, "shard": shards})
# staging_predictions (date x shard) -> the daily assets downstream of it
by_date = dg.MultiToSingleDimensionPartitionMapping(partition_dimension_name="date")
# A backfill is a few ranged runs, not one per date (docs/operations.md §7): each asset walks the
# run's dates in order (slates open every date's batch, staging builds the range's features once,
# consolidation MERGEs each batch once). Dagster makes one run per contiguous range of the
# backfill's keys (per shard, for staging_predictions); live runs are one partition, as before.
ranged_runs = dg.BackfillPolicy.single_run()


def day_shard_key(date: str, shard: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"date": date, "shard": shard})
