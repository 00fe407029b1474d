"""slate: who plays on the date (slate files, the stats feed's rosters, or a replay), stored, and the
batch it opens. (box_scores and prop_lines are in ``ingest.py``.)"""

import math
from datetime import date

import dagster as dg
import pandas as pd

from nba_assets.batch_state.base import MERGED
from nba_assets.defs.batches import OWNER, RANGED, owning_backfill, shard_count, slate_metadata
from nba_assets.defs.feeds import NbaStatsFeedResource
from nba_assets.defs.inputs.assets import partition_date
from nba_assets.defs.partitions import game_days, ranged_runs
from nba_assets.defs.settings import NbaInputsResource, PipelineSettings
from nba_assets.defs.storage import BatchStoreResource, WarehouseResource
from nba_assets.feeds.day import FeedReport, slate_from_feed
from nba_assets.feeds.errors import FeedError
from nba_assets.game_day import today
from nba_assets.inputs.availability import load_availability, players_out
from nba_assets.inputs.day import day_inputs, last_stored_roster
from nba_assets.inputs.ingest import moved_since_predictions, slate_rows
from nba_assets.inputs.slates import validate_slate
from nba_assets.naming import batch_id_for, shard_key, shard_of


def day_slate(
    nba_inputs: NbaInputsResource, nba_stats_feed: NbaStatsFeedResource, wh, game_date: date
) -> tuple[pd.DataFrame, str, dict[str, object]]:
    """(slate, source, metadata): slate files; else, for today or later, the stats feed; else a replay.

    From the feed, a team whose roster comes back empty takes its last stored roster and a player
    on two rosters is settled (``feeds.day``); both are listed in the metadata for the WARN check
    ``slate_feed_rosters_complete`` and its alert. A team with no roster at all fails the slate.
    """
    if not nba_inputs.slates and nba_stats_feed.configured and game_date >= today():
        client, report = nba_stats_feed.client(), FeedReport()
        try:
            raw = slate_from_feed(
                client, game_date, report, lambda team: last_stored_roster(wh, team, game_date)
            )
        except FeedError as exc:
            raise dg.Failure(str(exc), metadata={"feed": exc.feed}) from None
        if report.requests > 1 and raw.empty:
            raise dg.Failure(
                f"nba stats feed: commonteamroster returned no players for {game_date}'s games; nothing written",
                metadata={"feed": "nba stats"},
            )
        slate = validate_slate(raw, f"nba stats rosters {game_date}")[0] if len(raw) else raw
        meta = {
            "requests": client.requests_made,
            "postponed": ", ".join(report.postponed) or "none",
            ROSTER_FALLBACKS: report.roster_fallbacks,
            ROSTER_CONFLICTS: report.roster_conflicts,
        }
        return slate, "nba stats", {**meta, "feed_games": int(raw["game_id"].nunique()) if len(raw) else 0}
    day = day_inputs(nba_inputs.sources(), game_date, wh, stored_slate_ok=False)
    return day.slate, "files" if nba_inputs.slates else "replay", {}


ROSTER_FALLBACKS, ROSTER_CONFLICTS = "roster_fallbacks", "roster_conflicts"
ROSTERS_CHECK = "slate_feed_rosters_complete"


def rosters_check(metas: list[dict]) -> dg.AssetCheckResult:
    """WARN when the feed's rosters needed help: a stored roster stood in, or a player on two
    rosters was settled or left off. Passes for slates not from the feed."""
    fallbacks = [line for m in metas for line in m.get(ROSTER_FALLBACKS, [])]
    conflicts = [line for m in metas for line in m.get(ROSTER_CONFLICTS, [])]
    return dg.AssetCheckResult(
        check_name=ROSTERS_CHECK,
        passed=not fallbacks and not conflicts,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            ROSTER_FALLBACKS: dg.MetadataValue.json(fallbacks),
            ROSTER_CONFLICTS: dg.MetadataValue.json(conflicts),
        },
        description="; ".join([*fallbacks, *conflicts])
        or "every playing team's roster came from the feed, each player on one team",
    )


REFRESH_PLAYERS_PER_SHARD = 60


class SlateConfig(dg.Config):
    """``refresh``: the line-refresh run; players whose line moved since their predictions get a
    new batch of just them (the slate itself is the stored one, no feed call)."""

    refresh: bool = False


def refresh_batch(context, day, wh, store, settings: PipelineSettings, game_date: date) -> dict[str, object]:
    """Open a batch of the players whose line moved, or explain why there is none."""
    current = slate_metadata(context.instance, game_date) or {}
    batch_id = str(current.get("batch_id") or "")
    if not batch_id:
        raise dg.Failure(f"line refresh of {game_date}: no slate batch yet; run the day's slate first")
    state = store.get_batch(batch_id).status
    kind = str(current.get("batch_kind") or "slate")  # the date's batch stays what it was
    if state not in MERGED:
        # never supersede a batch in flight: its shard runs would be rejected; the next tick refreshes
        return {"batch_id": batch_id, "batch_kind": kind, "shards": {}, "players": 0,
                "note": f"batch {batch_id} is {state}: refresh deferred to the next tick"}  # fmt: skip
    predictions = wh.predictions_for(game_date).to_pandas()
    moved = moved_since_predictions(day.lines, predictions, sorted(day.slate["player_lookup"]))
    if not moved:
        return {"batch_id": batch_id, "batch_kind": kind, "shards": {}, "players": 0,
                "note": "no line moved since the predictions"}  # fmt: skip
    # a refresh is small: a shard run per REFRESH_PLAYERS_PER_SHARD players, not the day's spread
    shards = min(settings.shard_count, max(1, math.ceil(len(moved) / REFRESH_PLAYERS_PER_SHARD)))
    players = {p: shard_of(p, shards) for p in moved}
    lines = day.lines.groupby("player_lookup")["line"].apply(
        lambda v: ",".join(f"{x:g}" for x in sorted(set(v)))
    )
    new_id = batch_id_for(game_date, [f"refresh:{p}:{lines.get(p, '')}" for p in moved])
    batch = store.open_batch(new_id, game_date, players, correlation_id=context.run_id)
    shard_counts = {shard_key(s): list(players.values()).count(s) for s in sorted(set(players.values()))}
    context.log.info(f"line refresh of {game_date}: batch {new_id} for {len(moved)} moved players")
    return {"batch_id": new_id, "batch_kind": "refresh", "shards": shard_counts, "players": len(moved),
            "moved_players": moved, "replaces_batch": batch_id, "batch_state": str(batch.status)}  # fmt: skip


def open_day_batch(context, nba_inputs, nba_stats_feed, settings, store, wh, game_date) -> dict:
    """Store the date's slate and open its batch; the materialization metadata of the date."""
    players_slate, source, feed_meta = day_slate(nba_inputs, nba_stats_feed, wh, game_date)
    for line in [*feed_meta.get(ROSTER_FALLBACKS, []), *feed_meta.get(ROSTER_CONFLICTS, [])]:
        context.log.warning(f"nba stats rosters of {game_date}: {line}")
    out = (
        players_out(load_availability(nba_inputs.availability), game_date) if nba_inputs.availability else {}
    )
    wh.write_inputs("slates", game_date, slate_rows(players_slate, out, source))
    day = nba_inputs.day(game_date, wh)  # what staging and exports will read back
    shards = shard_count(context.run.tags, settings.shard_count)
    players = {p: shard_of(p, shards) for p in day.slate["player_lookup"]}
    batch_id = batch_id_for(game_date, [f"{p}:{s}" for p, s in players.items()])
    batch = store.open_batch(batch_id, game_date, players, correlation_id=context.run_id)
    shard_counts = {shard_key(s): list(players.values()).count(s) for s in sorted(set(players.values()))}
    context.log.info(
        f"batch {batch_id}: {len(players)} players in {len(shard_counts)} shards, state {batch.status}"
    )
    return {
        "batch_id": batch_id,
        "players": len(players),
        "games": int(day.slate["game_id"].nunique()),
        "shards": shard_counts,
        "slate_source": source,
        "lines_source": day.lines_source,
        "players_out": dict(sorted(out.items())),
        "batch_state": str(batch.status),
        "batch_kind": "slate",
        **feed_meta,
    }


def _metadata(meta: dict) -> dict:
    return {k: dg.MetadataValue.json(v) if isinstance(v, dict | list) else v for k, v in meta.items()}


@dg.asset(
    partitions_def=game_days,
    group_name="slate",
    kinds={"python"},
    deps=["box_scores", "prop_lines"],
    backfill_policy=ranged_runs,
    check_specs=[dg.AssetCheckSpec(ROSTERS_CHECK, asset="slate")],
)
def slate(
    context: dg.AssetExecutionContext,
    config: SlateConfig,
    nba_inputs: NbaInputsResource,
    nba_stats_feed: NbaStatsFeedResource,
    settings: PipelineSettings,
    batch_store: BatchStoreResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Who plays today, stored in the warehouse: opens the day's batch with every player and its shard.

    A range (a backfill) is one run opening every date's batch; its metadata holds each date's
    under ``batches``. A backfill that also stages the dates owns their batches (``batch_owner``).
    """
    wh = warehouse.get()
    wh.ensure_schema()  # the dataset and tables exist before any shard stages rows
    owner = {OWNER: owner} if (owner := owning_backfill(context.instance, context.run.tags)) else {}
    if config.refresh:
        if len(context.partition_keys) > 1:
            raise dg.Failure("a line refresh is one date's run, not a range", allow_retries=False)
        game_date = partition_date(context)
        day = nba_inputs.day(game_date, wh)  # the stored slate, the lines just re-ingested
        meta = refresh_batch(context, day, wh, batch_store.get(), settings, game_date)
        return dg.MaterializeResult(
            metadata={**_metadata(meta), "shard_count": settings.shard_count},
            check_results=[rosters_check([])],
        )
    store = batch_store.get()
    if len(context.partition_keys) == 1:
        meta = open_day_batch(
            context, nba_inputs, nba_stats_feed, settings, store, wh, partition_date(context)
        )
        shards = shard_count(context.run.tags, settings.shard_count)
        return dg.MaterializeResult(
            metadata={**_metadata(meta), "shard_count": shards, **owner},
            check_results=[rosters_check([meta])],
        )
    batches = {
        key: open_day_batch(context, nba_inputs, nba_stats_feed, settings, store, wh, date.fromisoformat(key))
        for key in context.partition_keys
    }
    keep = ("batch_id", "players", "games", "shards", "batch_state", "batch_kind", "slate_source")
    return dg.MaterializeResult(
        metadata={
            RANGED: dg.MetadataValue.json({k: {f: m[f] for f in keep} for k, m in batches.items()}),
            "dates": len(batches),
            "players": sum(int(m["players"]) for m in batches.values()),
            "shard_count": shard_count(context.run.tags, settings.shard_count),
            **owner,
        },
        check_results=[rosters_check(list(batches.values()))],
    )
