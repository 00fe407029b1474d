"""Validated frames -> the warehouse's input-table rows; a date's box-score ingest; moved lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
import pyarrow as pa

from nba_assets.feeds.errors import FeedEmpty
from nba_assets.feeds.nba_stats import StatsFeed
from nba_assets.inputs.box_scores import validate_box_scores
from nba_assets.warehouse.base import Warehouse
from nba_assets.warehouse.input_tables import BOX_SCORES_SCHEMA, PROP_LINES_SCHEMA, SLATES_SCHEMA


def _table(frame: pd.DataFrame, schema: pa.Schema, source: str, **extra) -> pa.Table:
    out = frame.copy()
    for name, value in extra.items():
        out[name] = value
    out["source"] = source
    out["ingested_at"] = pd.Timestamp(datetime.now(UTC))
    for column in schema.names:
        if column not in out.columns:
            out[column] = None
    return pa.Table.from_pandas(out[schema.names], schema=schema, preserve_index=False)


def box_score_rows(frame: pd.DataFrame, source: str) -> pa.Table:
    """Rows of validated box scores (``inputs.box_scores`` columns)."""
    return _table(frame, BOX_SCORES_SCHEMA, source)


def line_rows(frame: pd.DataFrame, source: str) -> pa.Table:
    """Rows of validated lines (``inputs.lines`` columns)."""
    return _table(frame, PROP_LINES_SCHEMA, source)


def slate_rows(slate: pd.DataFrame, out: dict[str, str], source: str) -> pa.Table:
    """Rows of a validated slate; ``status`` is the availability status of players listed out."""
    status = slate["player_lookup"].map(out) if out else None
    return _table(slate, SLATES_SCHEMA, source, status=status)


def _line_sets(lines: pd.DataFrame | None) -> dict[str, frozenset[float]]:
    if lines is None or lines.empty:
        return {}
    return {p: frozenset(g["line"].astype(float)) for p, g in lines.groupby("player_lookup")}


def shrunk(before: pd.DataFrame | None, after: pd.DataFrame, min_share: float) -> tuple[int, int] | None:
    """(players now, players before) when a lines answer covers fewer than ``min_share`` of the
    players the last good capture stored: such an answer (a feed hiccup, a quota edge) must not
    replace the stored lines. None when it may."""
    if before is None or before.empty:
        return None
    old, new = (
        int(before["player_lookup"].nunique()),
        int(after["player_lookup"].nunique()) if len(after) else 0,
    )
    return (new, old) if new < min_share * old else None


def moved_players(before: pd.DataFrame | None, after: pd.DataFrame) -> list[str]:
    """Players whose set of distinct lines changed (a line moved, appeared or was taken down)."""
    old, new = _line_sets(before), _line_sets(after)
    return sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))


@dataclass(frozen=True)
class Ingested:
    game_date: date
    rows: int
    games: int
    source: str


def ingest_box_scores(
    game_date: date, wh: Warehouse, stats: StatsFeed | None, files: pd.DataFrame | None, today: date
) -> Ingested:
    """One date's box scores into the warehouse, from the stats feed (if given) or ``files``.

    From the feed: a date not yet finished is left alone; a date whose scoreboard has games played
    but whose game log is empty raises FeedEmpty naming the feed, before anything is written.
    """
    if stats is not None:
        if game_date >= today:
            return Ingested(game_date, 0, 0, "nba stats (not played yet)")
        played = [g for g in stats.games(game_date) if not g.postponed]
        raw = stats.game_log(game_date)
        if played and raw.empty:
            raise FeedEmpty(
                "nba stats",
                f"leaguegamelog returned no box scores for {game_date}, which had {len(played)} game(s); "
                "nothing written",
            )
        day = validate_box_scores(raw, f"nba stats leaguegamelog {game_date}") if len(raw) else raw
        source = "nba stats"
    else:
        day, source = files[files["game_date"] == game_date], "files"
    rows = wh.write_inputs("box_scores", game_date, box_score_rows(day, source)) if len(day) else 0
    return Ingested(game_date, rows, int(day["game_id"].nunique()) if len(day) else 0, source)


def moved_since_predictions(lines: pd.DataFrame, predictions: pd.DataFrame, players: list[str]) -> list[str]:
    """Players of ``players`` whose current distinct lines differ from the lines their active
    predictions were made for (a line-refresh batch re-predicts exactly these).

    Only players with predictions count: one skipped for lack of history (or out) has none, and
    would be skipped again; counting him would re-batch him on every refresh.
    """
    players = sorted(set(players) & set(predictions["player_lookup"]))
    current = _line_sets(lines[lines["player_lookup"].isin(players)])
    made = predictions[predictions["player_lookup"].isin(players)].dropna(subset=["points_line"])
    predicted = _line_sets(made.rename(columns={"points_line": "line"}))
    return sorted(p for p in players if current.get(p, frozenset()) != predicted.get(p, frozenset()))
