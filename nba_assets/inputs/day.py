"""A game day's inputs, assembled from what the warehouse holds, else from the configured sources.

The ``box_scores``, ``prop_lines`` and ``slate`` assets store their rows in the warehouse; every
later step (staging, exports, grading) reads them back through :func:`day_inputs`, so the data
travels through the graph. Files (CSV/Parquet), ``bq://`` tables and the bundled sample stay
sources: history is the files' rows with every date the warehouse holds replaced by its rows.
Caches are keyed by the data's version (file size+mtime, the tables' ``inputs_version``), so a
long-running code server sees a rewritten file or a re-ingested date on its next call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import pandas as pd
import pyarrow as pa

from nba_assets.features.builder import walk_forward
from nba_assets.inputs.availability import load_availability, players_out
from nba_assets.inputs.box_scores import COLUMNS as BOX_COLUMNS
from nba_assets.inputs.box_scores import load_box_scores
from nba_assets.inputs.bundled import (
    bundled_box_scores,
    bundled_lines_dates,
    bundled_lines_paths,
    bundled_paths,
)
from nba_assets.inputs.lines import COLUMNS as LINE_COLUMNS
from nba_assets.inputs.lines import UNMATCHED_COLUMNS, LoadedLines, match_players, read_lines, reference_lines
from nba_assets.inputs.slates import COLUMNS as SLATE_COLUMNS
from nba_assets.inputs.slates import TIPOFF, empty_lines, load_slate, slate_from_box_scores
from nba_assets.inputs.versioned import VersionedCache, versions
from nba_assets.warehouse.base import Warehouse

EARLIEST, LATEST = date(1946, 11, 1), date(2100, 12, 31)
_cache = VersionedCache(size=16)


@dataclass(frozen=True)
class Sources:
    """Where inputs come from when the warehouse does not hold them (see NbaInputsResource)."""

    box_scores: tuple[str, ...] = ()
    slates: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()
    suspicious_lines: str = "warn"
    alternates: int = 2
    # a lines feed (The Odds API) is configured: lines come from it alone, never stand-ins
    lines_feed: bool = False

    @property
    def stand_ins_allowed(self) -> bool:
        """Stand-in ("reference") lines are a demo device for when no lines source is configured:
        no feed and no line files. Where one is, a player without a real line has none (NO_LINE)."""
        return not self.lines_feed and not self.lines

    def files(self) -> tuple[str, ...]:
        history = self.box_scores or tuple(str(p) for p in bundled_paths())
        return (*history, *self.slates, *self.lines, *self.availability)


@dataclass(frozen=True)
class DayInputs:
    game_date: date
    history: pd.DataFrame  # every box score known (features use only rows before game_date)
    slate: pd.DataFrame
    lines: pd.DataFrame
    build_features: Callable[[], pd.DataFrame]  # the slate's features, built on first use
    lines_source: str  # "files", "odds", "slate" or "reference" (stand-in lines, see inputs/lines.py)
    out: dict[str, str] = field(default_factory=dict)  # player_lookup -> status, players listed out

    @cached_property
    def features(self) -> pd.DataFrame:
        """Point-in-time features of the slate's players: a pass over the whole history, so built
        only when asked for (the slate, exports and grading read the day without them)."""
        return self.build_features()


def _warehouse_key(wh: Warehouse | None) -> tuple:
    if wh is None:
        return ()
    where = getattr(wh, "db_path", None) or f"{getattr(wh, 'project', '')}.{getattr(wh, 'dataset', '')}"
    return (type(wh).__name__, str(where))


def _version(
    src: Sources, wh: Warehouse | None, kinds: tuple[str, ...], files_of: tuple[str, ...] | None = None
) -> tuple | None:
    files = versions(src.files() if files_of is None else files_of)
    if files is None:
        return None
    return (files, wh.inputs_version(*kinds)) if wh is not None else files


def file_history(src: Sources) -> pd.DataFrame:
    """Box scores of the configured files (or the bundled sample), validated."""
    build = (lambda: load_box_scores(list(src.box_scores))) if src.box_scores else bundled_box_scores
    return _cache.get(("files", src.box_scores), versions(src.box_scores or bundled_paths()), build)


def _frame(table: pa.Table, columns: tuple[str, ...]) -> pd.DataFrame:
    return table.select(list(columns)).to_pandas()


def history(src: Sources, wh: Warehouse | None = None) -> pd.DataFrame:
    """File history with each date the warehouse holds replaced by the warehouse's rows."""
    if wh is None:
        return file_history(src)

    def build() -> pd.DataFrame:
        files = file_history(src)
        stored = _frame(wh.read_inputs("box_scores", EARLIEST, LATEST), BOX_COLUMNS)
        if stored.empty:
            return files
        stored["player_id"] = stored["player_id"].astype("Int64")
        kept = files[~files["game_date"].isin(set(stored["game_date"]))]
        both = pd.concat([kept, stored], ignore_index=True)
        return both.sort_values(["game_date", "game_id", "player_id"], kind="stable").reset_index(drop=True)

    key = ("history", src.box_scores, _warehouse_key(wh))
    return _cache.get(key, _version(src, wh, ("box_scores",)), build)


def source_slate(
    src: Sources, hist: pd.DataFrame, game_date: date
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(slate, lines given in the slate files) from slate files; else a replay of the date's box scores."""
    if not src.slates:
        return slate_from_box_scores(hist, game_date), None
    frames = [load_slate(s) for s in src.slates]
    slate = pd.concat([f[0] for f in frames], ignore_index=True)
    lines = pd.concat([f[1] for f in frames], ignore_index=True)
    return (
        slate[slate["game_date"] == game_date].reset_index(drop=True),
        lines[lines["game_date"] == game_date].reset_index(drop=True),
    )


PLAYER_COLUMNS = ["game_date", "player_lookup", "player_name", "team"]


def _all_file_lines(src: Sources, wh: Warehouse | None) -> tuple[LoadedLines, frozenset]:
    """(every line file's rows, names matched to each date's box-score players; the dates the box
    scores hold), read once per version of the files and the history (a range reads it once)."""

    def build() -> tuple[LoadedLines, frozenset]:
        hist = history(src, wh)
        loaded = [read_lines(p, src.suspicious_lines, hist[PLAYER_COLUMNS]) for p in src.lines]
        unmatched = [x.unmatched for x in loaded if len(x.unmatched)] or [_no_unmatched()]
        both = LoadedLines(
            pd.concat([x.lines for x in loaded], ignore_index=True), pd.concat(unmatched, ignore_index=True)
        )
        return both, frozenset(hist["game_date"])

    history_files = src.box_scores or tuple(str(p) for p in bundled_paths())
    version = _version(src, wh, ("box_scores",), (*src.lines, *history_files))
    return _cache.get(("lines", src, _warehouse_key(wh)), version, build)


def file_lines(
    src: Sources, game_date: date, wh: Warehouse | None = None, slate: pd.DataFrame | None = None
) -> LoadedLines:
    """The line files' rows of the date, each name matched against the players of its game.

    Names are matched to the box scores' players of the date; a date the box scores do not hold
    yet (tonight) is matched against its ``slate``.
    """
    loaded, played_dates = _all_file_lines(src, wh)
    lines = loaded.lines[loaded.lines["game_date"] == game_date].reset_index(drop=True)
    unmatched = loaded.unmatched[loaded.unmatched["game_date"] == game_date].reset_index(drop=True)
    if game_date not in played_dates and slate is not None and len(slate) and len(lines):
        lines = lines.copy()
        lines["player_lookup"], unmatched = match_players(
            lines, lines["player_lookup"], None, slate.assign(game_date=game_date)[PLAYER_COLUMNS]
        )
        lines = lines.dropna(subset=["player_lookup"]).drop_duplicates(
            subset=["game_date", "player_lookup", "bookmaker", "line"]
        )
        lines = lines.reset_index(drop=True)
    return LoadedLines(lines, unmatched)


def past_real_lines(src: Sources, wh: Warehouse | None, game_date: date) -> pd.DataFrame:
    """Every real line of the dates strictly before ``game_date``: what the warehouse stored (the
    feed's or the files' lines, never the reference stand-ins), and the line files' rows of the
    dates it does not hold. market_blend learns its weight from these and the graded outcomes."""
    frames = []
    stored_dates: set = set()
    if wh is not None:
        table = wh.read_inputs("prop_lines", EARLIEST, game_date - timedelta(days=1))
        if table.num_rows:
            stored = table.to_pandas()
            stored_dates = set(stored["game_date"])
            frames.append(stored.loc[stored["source"] != "reference", list(LINE_COLUMNS)])
    lines_src = with_bundled_lines(src)  # no lines configured: the bundled real lines
    if lines_src.lines:
        files = _all_file_lines(lines_src, wh)[0].lines
        files = files[(files["game_date"] < game_date) & ~files["game_date"].isin(stored_dates)]
        frames.append(files[list(LINE_COLUMNS)])
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(LINE_COLUMNS))


def _no_unmatched() -> pd.DataFrame:
    return pd.DataFrame(columns=list(UNMATCHED_COLUMNS))


def source_lines(
    src: Sources,
    game_date: date,
    features: pd.DataFrame | None,
    slate_lines: pd.DataFrame | None,
    wh: Warehouse | None = None,
    slate: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, str]:
    """Line files; else lines given in slate files; else, with a lines feed configured, no lines (the
    feed's lines are what the ``prop_lines`` asset stored); else the bundled real lines of the dates
    they cover (label "bundled"); else, with no lines source at all, reference stand-ins (``features``
    needed)."""
    if src.lines:
        return file_lines(src, game_date, wh, slate).lines, "files"
    if slate_lines is not None and not slate_lines.empty:
        return slate_lines.reset_index(drop=True), "files"
    if not src.stand_ins_allowed:
        return empty_lines(), "odds"
    if game_date in bundled_lines_dates():
        return file_lines(with_bundled_lines(src), game_date, wh, slate).lines, "bundled"
    return reference_lines(features, src.alternates), "reference"


def with_bundled_lines(src: Sources) -> Sources:
    """The sources with the bundled real lines as their lines files (when none are configured)."""
    return src if src.lines else dataclasses.replace(src, lines=bundled_lines_paths())


def stored_slate(wh: Warehouse, game_date: date) -> pd.DataFrame | None:
    """The date's stored slate with its tip-offs (UTC text, None where the source gave none)."""
    table = wh.read_inputs("slates", game_date, game_date)
    return _frame(table, (*SLATE_COLUMNS, TIPOFF)) if table.num_rows else None


def last_stored_roster(
    wh: Warehouse, team: str, before: date, days: int = 45
) -> tuple[date, list[str]] | None:
    """The team's players on its newest stored slate in the ``days`` before ``before`` (a stand-in
    when the stats feed answers an empty roster), as (that slate's date, names); None if none."""
    table = wh.read_inputs("slates", before - timedelta(days=days), before - timedelta(days=1))
    frame = _frame(table, ("game_date", "team", "player_name"))
    frame = frame[frame["team"] == team]
    if frame.empty:
        return None
    newest = frame["game_date"].max()
    return newest, sorted(frame.loc[frame["game_date"] == newest, "player_name"])


def stored_lines(wh: Warehouse, game_date: date) -> tuple[pd.DataFrame, str] | None:
    table = wh.read_inputs("prop_lines", game_date, game_date)
    if not table.num_rows:
        return None
    sources = set(table["source"].to_pylist())
    label = sources.pop() if len(sources) == 1 else "files"
    return _frame(table, LINE_COLUMNS), label


def day_inputs(
    src: Sources,
    game_date: date,
    wh: Warehouse | None = None,
    *,
    stored_slate_ok: bool = True,
    stored_lines_ok: bool = True,
    features: pd.DataFrame | None = None,
) -> DayInputs:
    """The date's slate, lines and features: the warehouse's rows first, the sources otherwise.

    The ingesting assets pass ``stored_*_ok=False`` to read the sources afresh (history still
    includes the warehouse's box scores). ``features``: the slate's features from a ranged pass
    (:mod:`nba_assets.inputs.ranged`), used instead of a pass of this date's own.
    """
    if features is not None:
        return _day(src, game_date, wh, stored_slate_ok, stored_lines_ok, lambda hist, slate, out: features)

    def own_features(hist: pd.DataFrame, slate: pd.DataFrame, out: dict[str, str]) -> pd.DataFrame:
        return _walk(src, wh, hist, game_date, slate, out)[0]

    key = ("day", src, game_date, _warehouse_key(wh), stored_slate_ok, stored_lines_ok)
    return _cache.get(
        key,
        _version(src, wh, ("box_scores", "slates", "prop_lines")),
        lambda: _day(src, game_date, wh, stored_slate_ok, stored_lines_ok, own_features),
    )


def _day(src, game_date, wh, stored_slate_ok, stored_lines_ok, features_of) -> DayInputs:
    hist = history(src, wh)
    slate = stored_slate(wh, game_date) if wh is not None and stored_slate_ok else None
    slate_lines = None
    if slate is None:
        slate, slate_lines = source_slate(src, hist, game_date)
    out = players_out(load_availability(list(src.availability)), game_date) if src.availability else {}
    stored = stored_lines(wh, game_date) if wh is not None and stored_lines_ok else None
    if stored is not None:
        lines, label = stored
    else:  # only reference stand-ins are built from the features
        given = not src.stand_ins_allowed or (slate_lines is not None and not slate_lines.empty)
        given = given or game_date in bundled_lines_dates()
        features = None if given else features_of(hist, slate, out)
        lines, label = source_lines(src, game_date, features, slate_lines, wh, slate)
    return DayInputs(
        game_date,
        hist,
        slate,
        lines.reset_index(drop=True),
        lambda: features_of(hist, slate, out),
        label,
        out,
    )


def learned_history(src: Sources, game_date: date, wh: Warehouse | None = None) -> pd.DataFrame:
    """Feature rows of every game before the date, labels included, for systems that learn from
    history: the history part of the day's walk-forward pass (the slate's rows do not change it)."""
    day = day_inputs(src, game_date, wh)
    return _walk(src, wh, history(src, wh), game_date, day.slate, day.out)[1]


def _walk(
    src: Sources,
    wh: Warehouse | None,
    hist: pd.DataFrame,
    game_date: date,
    slate: pd.DataFrame,
    out: dict[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the slate's features, the learned history) from ONE walk-forward pass, cached.

    Keyed by the slate's content, who is listed out and the history's version, not by which step
    asks: the line, slate and staging steps of a day (and a line move) reuse one pass. New lines
    never rebuild it. Players listed out count as absent for their teammates' availability features.
    """
    key = ("walk", src.box_scores, game_date, _warehouse_key(wh), _fingerprint(slate), tuple(sorted(out)))
    history_files = src.box_scores or tuple(str(p) for p in bundled_paths())
    version = _version(src, wh, ("box_scores",), history_files)
    listed_out = pd.DataFrame({"game_date": [game_date] * len(out), "player_lookup": list(out)})
    return _cache.get(key, version, lambda: walk_forward(hist, slate, listed_out))


def _fingerprint(frame: pd.DataFrame) -> int:
    """The slate's rows as text, in any row or column order: the slate from its file and the same
    slate read back from the warehouse share one fingerprint (a run-day makes one pass, not two).
    A value whose text changes on the way (1 vs 1.0) only costs a second pass, never a wrong one."""
    columns = sorted(c for c in SLATE_COLUMNS if c in frame.columns)
    rows = frame[columns].astype(str)
    return int(pd.util.hash_pandas_object(rows, index=False).sum()) if len(rows) else 0
