"""box_scores and prop_lines: a date's rows from a feed or the configured sources, into the warehouse.

Each materialization replaces the date's rows of its warehouse table (idempotent: re-ingesting a
date never duplicates); ``slate``, staging, exports and grading read them back from there. On a date
with games where a configured feed returns nothing, the run fails naming the feed, and so does a
lines answer that would shrink what is stored (no events on a date with games; lines for fewer
than ``min_kept_share`` of the players of the last good capture): nothing is written, the stored
lines and the published files stay, and the failed run alerts (docs/operations.md §12).
"""

from datetime import date

import dagster as dg
import pandas as pd

from nba_assets.defs.feeds import NbaStatsFeedResource, OddsFeedResource
from nba_assets.defs.partitions import game_days, ranged_runs
from nba_assets.defs.settings import NbaInputsResource
from nba_assets.defs.storage import WarehouseResource
from nba_assets.feeds.day import FeedReport, lines_from_feed
from nba_assets.feeds.errors import FeedError
from nba_assets.game_day import today
from nba_assets.inputs.bundled import bundled_lines_dates
from nba_assets.inputs.day import (
    PLAYER_COLUMNS,
    day_inputs,
    file_history,
    file_lines,
    stored_lines,
    stored_slate,
    with_bundled_lines,
)
from nba_assets.inputs.ingest import ingest_box_scores, line_rows, moved_players, shrunk
from nba_assets.inputs.lines import suspicious_constant_lines, validate_lines
from nba_assets.inputs.ranged import ranged_days


def partition_date(context: dg.AssetExecutionContext) -> date:
    return date.fromisoformat(context.partition_key)


def _feed_failure(exc: FeedError) -> dg.Failure:
    return dg.Failure(str(exc), metadata={"feed": exc.feed})


def _names_table(unmatched: pd.DataFrame) -> dg.MetadataValue:
    """Unmatched book names with their game (an event's teams, or the date) and why."""
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn("game_date", "string"),
            dg.TableColumn("game", "string"),
            dg.TableColumn("name", "string"),
            dg.TableColumn("rows", "int"),
            dg.TableColumn("reason", "string"),
        ]
    )
    records = [
        dg.TableRecord(
            {
                "game_date": str(r.game_date),
                "game": str(r.game),
                "name": str(r.player_name),
                "rows": int(r.rows),
                "reason": str(r.reason),
            }
        )  # fmt: skip
        for r in unmatched.itertuples(index=False)
    ]
    return dg.MetadataValue.table(records, schema=schema)


@dg.asset(
    partitions_def=game_days,
    group_name="inputs",
    kinds={"python"},
    # a range (a season's ingest, ranged grading) is one run that walks its dates in order
    backfill_policy=ranged_runs,
)
def box_scores(
    context: dg.AssetExecutionContext,
    nba_inputs: NbaInputsResource,
    nba_stats_feed: NbaStatsFeedResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """The date's box scores (feed or files) stored in the warehouse: history, and actual points."""
    wh = warehouse.get()
    wh.ensure_schema()
    client = nba_stats_feed.client() if nba_stats_feed.configured else None
    files = None if client else file_history(nba_inputs.sources())
    done = []
    for key in context.partition_keys:
        try:
            done.append(ingest_box_scores(date.fromisoformat(key), wh, client, files, today()))
        except FeedError as exc:  # the dates before it stay written; the run fails naming the feed
            raise dg.Failure(str(exc), metadata={"feed": exc.feed, "dates_written": len(done)}) from None
    last = done[-1]
    before = nba_inputs.history(wh)
    before = before[before["game_date"] < last.game_date]
    return dg.MaterializeResult(
        metadata={
            "dates": len(done),
            "rows_on_date": sum(d.rows for d in done),
            "games_on_date": sum(d.games for d in done),
            "source": last.source if client else ("files" if nba_inputs.box_scores else "bundled"),
            "history_rows_before_date": len(before),
            "last_history_date": str(before["game_date"].max()) if len(before) else "none",
            **({"requests": client.requests_made} if client else {}),
        }
    )


def _known_players(nba_inputs: NbaInputsResource, wh, game_date: date) -> tuple[pd.DataFrame, set[str]]:
    """(who a line of the date may name, everyone known): the date's stored slate (with teams, so
    each event's names are matched within its two teams), else every player of the box scores."""
    hist = nba_inputs.history(wh)
    slate = stored_slate(wh, game_date)
    known = set(hist["player_lookup"])
    if slate is not None:
        return slate.assign(game_date=game_date)[PLAYER_COLUMNS], known | set(slate["player_lookup"])
    everyone = hist.drop_duplicates("player_lookup", keep="last")[["player_lookup", "player_name"]]
    return everyone.assign(game_date=game_date, team=None)[PLAYER_COLUMNS], known


def _games_expected(nba_inputs, nba_stats_feed, wh, game_date: date) -> tuple[int, str]:
    """(games the date has, where that comes from): the stored slate, else the stats feed's
    scoreboard, else the slate sources (files or a replay of the box scores)."""
    slate = stored_slate(wh, game_date)
    if slate is not None and len(slate):
        return int(slate["game_id"].nunique()), "the stored slate"
    if nba_stats_feed is not None and nba_stats_feed.configured:
        return len([g for g in nba_stats_feed.client().games(game_date) if not g.postponed]), "nba stats"
    day = day_inputs(nba_inputs.sources(), game_date, wh, stored_lines_ok=False)
    return int(day.slate["game_id"].nunique()) if len(day.slate) else 0, "the slate sources"


def _no_events(nba_inputs, nba_stats_feed, wh, game_date: date, client) -> None:
    """The Odds API answered no events: a failure when the date has games (nothing is written)."""
    try:
        games, where = _games_expected(nba_inputs, nba_stats_feed, wh, game_date)
    except FeedError as exc:  # cannot tell: an empty answer is not trusted
        games, where = -1, f"unknown ({exc})"
    if games:
        count = "games" if games < 0 else f"{games} game(s)"
        raise dg.Failure(
            f"the odds api feed returned no events for {game_date}, which has {count} ({where}); "
            "nothing written: the stored lines and published files are kept (sport key, quota or "
            "an off-hours answer?)",
            metadata={"feed": "the odds api", "events": 0, "games": games, **client.credits.as_metadata()},
        )


def ingest_lines(
    context: dg.AssetExecutionContext,
    nba_inputs: NbaInputsResource,
    odds_feed: OddsFeedResource,
    wh,
    game_date: date,
    day=None,
    nba_stats_feed: NbaStatsFeedResource | None = None,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """The date's lines from The Odds API or the sources; (validated lines, metadata).

    ``day``: the date's inputs from a ranged run's one feature pass (reference lines need features).
    """
    bundled = not nba_inputs.lines and game_date in bundled_lines_dates()  # the sample's real lines
    if not odds_feed.configured and (nba_inputs.lines or bundled):  # line files: no features needed
        src = with_bundled_lines(nba_inputs.sources())
        loaded = file_lines(src, game_date, wh, stored_slate(wh, game_date))
        lines = loaded.lines
        suspicious = suspicious_constant_lines(lines)
        for finding in suspicious:
            context.log.warning(f"suspicious constant line: {finding}")
        for text in loaded.describe():
            context.log.warning(f"lines file: no player matches {text}")
        return lines, {
            "source": "bundled" if bundled else "files",
            "suspicious": ", ".join(suspicious) or "none",
            **_unmatched_metadata(loaded.unmatched),
        }
    if not odds_feed.configured:  # lines in slate files, or reference stand-ins from the features
        day = day or day_inputs(nba_inputs.sources(), game_date, wh, stored_lines_ok=False)
        suspicious = suspicious_constant_lines(day.lines) if day.lines_source == "files" else []
        for finding in suspicious:
            context.log.warning(f"suspicious constant line: {finding}")
        return day.lines, {"source": day.lines_source, "suspicious": ", ".join(suspicious) or "none"}
    client, report = odds_feed.client(), FeedReport()
    try:
        roster, known = _known_players(nba_inputs, wh, game_date)
        frame = lines_from_feed(client, game_date, roster, report, known)
    except FeedError as exc:
        raise _feed_failure(exc) from None
    if not report.events:
        _no_events(nba_inputs, nba_stats_feed, wh, game_date, client)
    if report.events and frame.empty:
        raise dg.Failure(
            f"the odds api feed returned no player_points lines for {game_date}'s {report.events} event(s); "
            "nothing written",
            metadata={"feed": "the odds api", **client.credits.as_metadata()},
        )
    unmatched = report.unmatched_frame(game_date)
    for r in unmatched.itertuples(index=False):
        context.log.warning(f"the odds api: no player of {r.game} matches {r.player_name!r} ({r.reason})")
    lines = validate_lines(
        frame.assign(player_name=frame["player_lookup"]), f"the odds api {game_date}", "allow"
    )
    return lines, {
        "source": "odds",
        "events": report.events,
        "dropped_outcomes": report.dropped_outcomes,
        **_unmatched_metadata(unmatched),
        **client.credits.as_metadata(),
    }


def _unmatched_metadata(unmatched: pd.DataFrame) -> dict[str, object]:
    """Every unmatched name with its game; ``unmatched_count`` counts the names that are no known
    player (a name of a known player absent from the game is listed, reason "did not play")."""
    unknown = unmatched[unmatched["reason"] != "did not play"]
    return {
        "unmatched_players": _names_table(unmatched),
        "unmatched_count": len(unknown),
        "unmatched_lines": int(unknown["rows"].sum()) if len(unknown) else 0,
        "absent_players_with_lines": len(unmatched) - len(unknown),
    }


def _store_lines(
    context, nba_inputs, odds_feed, wh, game_date: date, day=None, nba_stats_feed=None
) -> dict[str, object]:
    previous = stored_lines(wh, game_date)
    lines, metadata = ingest_lines(context, nba_inputs, odds_feed, wh, game_date, day, nba_stats_feed)
    if metadata["source"] == "odds" and previous is not None and previous[1] == "odds":
        fewer = shrunk(previous[0], lines, odds_feed.min_kept_share)
        if fewer is not None:
            raise dg.Failure(
                f"the odds api feed returned lines for {fewer[0]} player(s) on {game_date}; the last good "
                f"capture stored {fewer[1]}: below the floor of {odds_feed.min_kept_share:.0%} "
                "(NBA_ASSETS_LINES_MIN_SHARE); nothing written: the stored lines and published files are kept",
                metadata={"feed": "the odds api", "players_now": fewer[0], "players_stored": fewer[1]},
            )
    moved = moved_players(previous[0] if previous else None, lines) if previous else []
    wh.write_inputs("prop_lines", game_date, line_rows(lines, str(metadata["source"])))
    return {
        "lines": len(lines),
        "players_with_lines": int(lines["player_lookup"].nunique()) if len(lines) else 0,
        "moved_players": dg.MetadataValue.json(moved),
        "moved_count": len(moved),
        "previously_stored": previous is not None,
        **metadata,
    }


def _matched_check(unmatched: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name="prop_lines_all_players_matched",
        passed=unmatched == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"unmatched": unmatched},
        description="every sportsbook name matched a player (unmatched ones are listed in the "
        "materialization's unmatched_players table)",
    )


@dg.asset(
    partitions_def=game_days,
    group_name="inputs",
    kinds={"python"},
    backfill_policy=ranged_runs,
    check_specs=[dg.AssetCheckSpec("prop_lines_all_players_matched", asset="prop_lines")],
)
def prop_lines(
    context: dg.AssetExecutionContext,
    nba_inputs: NbaInputsResource,
    odds_feed: OddsFeedResource,
    nba_stats_feed: NbaStatsFeedResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """The date's points lines (every book's, a consensus; or files; or reference stand-ins), stored."""
    wh = warehouse.get()
    wh.ensure_schema()
    if len(context.partition_keys) == 1:
        metadata = _store_lines(
            context, nba_inputs, odds_feed, wh, partition_date(context), nba_stats_feed=nba_stats_feed
        )
        unmatched = int(metadata.get("unmatched_count", 0))
        return dg.MaterializeResult(metadata=metadata, check_results=[_matched_check(unmatched)])
    # a range: reference stand-in lines need features, built for every date in one pass
    dates = [date.fromisoformat(k) for k in context.partition_keys]
    reference = nba_inputs.sources().stand_ins_allowed and not odds_feed.configured
    days = ranged_days(nba_inputs.sources(), dates, wh, stored_lines_ok=False)[0] if reference else {}
    done = [_store_lines(context, nba_inputs, odds_feed, wh, d, days.get(d), nba_stats_feed) for d in dates]
    unmatched = sum(int(m.get("unmatched_count", 0)) for m in done)
    return dg.MaterializeResult(
        metadata={
            "dates": len(done),
            "lines": sum(int(m["lines"]) for m in done),
            "players_with_lines": sum(int(m["players_with_lines"]) for m in done),
            "source": ", ".join(sorted({str(m["source"]) for m in done})),
            "unmatched_count": unmatched,
        },
        check_results=[_matched_check(unmatched)],
    )
