"""Partitions, defined once and imported everywhere (DESIGN §3).

Dagster partitions are (date, shard); each player's completion lives in the batch store. The shard
dimension has a fixed set of keys; how many of them a day uses is the ``shard_count`` setting
(small locally, up to MAX_SHARDS on a cluster), recorded per player in the batch.

Why 16 keys for a default of 4, rather than keys sized from the setting: partition keys are part
of the asset's identity in the instance. Sizing them from ``shard_count`` would make the graph
differ per deployment and drop the history of every shard above a lowered count; a fixed set lets
one instance run days at any count up to 16 (a backfill's own ``--shards`` included). A day run
with 4 shards leaves shards 04..15 of its date unmaterialized, which the UI shows as missing
partitions: nothing is due there (the batch records which shards it expects).
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
