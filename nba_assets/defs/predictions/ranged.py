"""staging_predictions over a range of (date, shard) partitions: one run, one feature pass.

A backfill's staging run covers many dates (Dagster makes one run per shard and contiguous range
of dates). Each date keeps its own batch and the per-player protocol: every player of the run's
shards is staged, then its completion recorded (L2, L3, L6); only the features are built once for
the whole range with the walk-forward engine, instead of one pass over the history per date.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date

import dagster as dg

from nba_assets.batch_state.base import BatchStore
from nba_assets.defs.batches import current_batch_id
from nba_assets.defs.partitions import day_shards
from nba_assets.defs.predictions.outcomes import ShardOutcome, market_blend_metadata, run_shard
from nba_assets.defs.retries import retry_only_outages
from nba_assets.defs.settings import NbaInputsResource, PipelineSettings
from nba_assets.inputs.day import past_real_lines
from nba_assets.inputs.ranged import ranged_days
from nba_assets.naming import shard_key
from nba_assets.predictions.base import any_needs_history


def dates_and_shards(partition_keys) -> dict[str, set[str]]:
    """{date: the run's shards of it} from a ranged run's (date, shard) keys."""
    shards: dict[str, set[str]] = defaultdict(set)
    for key in partition_keys:
        keys = day_shards.get_partition_key_from_str(str(key)).keys_by_dimension
        shards[keys["date"]].add(keys["shard"])
    return dict(sorted(shards.items()))


def stage_range(
    log: logging.Logger,
    instance: dg.DagsterInstance,
    run_id: str,
    partition_keys,
    nba_inputs: NbaInputsResource,
    settings: PipelineSettings,
    store: BatchStore,
    wh,
) -> tuple[list[ShardOutcome], list[str], dict[str, dict]]:
    """(every player's outcome, the dates skipped because their batch is already closed, market_blend's
    weight and pairs per date)."""
    todo: dict[date, tuple[str, list[str]]] = {}
    closed = []
    for key, shards in dates_and_shards(partition_keys).items():
        with retry_only_outages():
            batch = store.get_batch(current_batch_id(instance, key))
        if batch.is_closed:  # a re-run of a done day (--redo): nothing left to stage
            closed.append(key)
            log.info(f"{key}: batch {batch.batch_id} already {batch.status}; nothing staged")
            continue
        players = sorted(p for p, s in batch.expected_players.items() if shard_key(s) in shards)
        todo[date.fromisoformat(key)] = (batch.batch_id, players)
    blends: dict[str, dict] = {}  # date -> market_blend's weight and pairs
    if not todo:
        return [], closed, blends
    dates = sorted(todo)
    systems = settings.systems_for(dates)  # the model loaded once per version, not per date
    need_history = any(any_needs_history(v) for v in systems.values())
    with retry_only_outages():
        days, learned = ranged_days(nba_inputs.sources(), dates, wh)
    outcomes: list[ShardOutcome] = []
    for game_date in dates:
        batch_id, players = todo[game_date]
        with retry_only_outages():
            outcomes += run_shard(
                log,
                days[game_date],
                players,
                systems[game_date],
                store,
                wh,
                batch_id,
                run_id,
                history=learned if need_history else None,
                picker=settings.picker(game_date),
                past_lines=past_real_lines(nba_inputs.sources(), wh, game_date) if need_history else None,
            )
        blend = market_blend_metadata(systems[game_date], game_date)
        if blend:
            blends[game_date.isoformat()] = blend
    return outcomes, closed, blends
