"""Partitions, defined once and imported everywhere (DESIGN §3).

Dagster partitions are (date, shard); each player's completion lives in the batch store. The shard
dimension has a fixed set of keys; how many of them a day uses is the ``shard_count`` setting
(small locally, up to MAX_SHARDS on a cluster), recorded per player in the batch.
"""

import dagster as dg

from nba_assets.naming import shard_key

MAX_SHARDS = 16
FIRST_GAME_DAY = "2015-10-27"
TIMEZONE = "America/New_York"

# end_offset=2: today's and tomorrow's partitions exist, so tomorrow's slate can be predicted the
# evening before, as soon as its lines are posted (`nba-assets run-day tomorrow`).
game_days = dg.DailyPartitionsDefinition(start_date=FIRST_GAME_DAY, timezone=TIMEZONE, end_offset=2)
shards = dg.StaticPartitionsDefinition([shard_key(i) for i in range(MAX_SHARDS)])
day_shards = dg.MultiPartitionsDefinition({"date": game_days, "shard": shards})
# staging_predictions (date x shard) -> the daily assets downstream of it
by_date = dg.MultiToSingleDimensionPartitionMapping(partition_dimension_name="date")
# A backfill of the daily inputs launches one run per date: each slate opens that date's batch and
# the fan-out sensor reacts to each date's materialization on its own.
one_date_per_run = dg.BackfillPolicy.multi_run(max_partitions_per_run=1)


def day_shard_key(date: str, shard: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"date": date, "shard": shard})
