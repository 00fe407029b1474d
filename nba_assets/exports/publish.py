"""Publish export files through a sink: every gate passes first, or nothing is written (L13).

Files are built, serialised and checked one at a time; the checked bytes wait in a spooled
temporary file (memory up to ``spool_bytes``, disk beyond), so a large slate is never held as
dicts and bytes at once, and what is written is exactly what was checked. Writes go in an order
that keeps the site consistent if one fails midway: dated and per-player files first, then
``tonight/all-players.json``, and ``best-bets/latest.json`` last. "Current" files are never moved
back to an older date: a backfill of a past day rewrites only that day's dated files. The check
up front skips a family early; each pointer file's own write is a ``write_if`` that re-decides
atomically with what is live at that moment, so a publisher paused between its check and its write
cannot put an older day back over a newer one that finished meanwhile. The tonight page
(``index.html``, ``page.py``) goes last, and only when its bytes differ from the published ones:
it switches to a new schema version once the files it reads are all of that version.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from nba_assets.exports.files import PLAYER_DIR, ExportFile, all_players_path, best_bets_path
from nba_assets.exports.page import PAGE_CACHE, PAGE_PATH, page_bytes
from nba_assets.exports.quality import Finding, GateConfig, QualityRun
from nba_assets.exports.sink import ExportSink, ExportSinkError

log = logging.getLogger(__name__)
SPOOL_BYTES = 64 * 1024 * 1024
# Writes are I/O-bound (fsync, HTTP round trips): a few threads overlap them.
WRITE_WORKERS = 8
# The published file that says which date a pointer family currently shows.
POINTER_ANCHORS = {"tonight": all_players_path(), "latest": best_bets_path(None)}


class ExportQualityError(Exception):
    """The gates refused the export; nothing was written and the published files are untouched."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__(
            f"{len(findings)} quality finding(s), nothing written: " + "; ".join(map(str, findings[:10]))
        )


@dataclass(frozen=True)
class WrittenFile:
    path: str
    bytes: int
    location: str


@dataclass
class PublishReport:
    game_date: str | None
    findings: list[Finding] = field(default_factory=list)
    written: list[WrittenFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # pointer files left alone, with the reason
    page: WrittenFile | None = None  # the tonight page, when this publish replaced it
    removed: list[str] = field(default_factory=list)  # tonight/ files of players off the new slate
    checked_files: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def total_bytes(self) -> int:
        return sum(w.bytes for w in self.written)

    def raise_if_failed(self) -> PublishReport:
        if self.findings:
            raise ExportQualityError(self.findings)
        return self

    def metadata(self) -> dict[str, Any]:
        """Plain values for a Dagster MaterializeResult / AssetCheckResult."""
        return {
            "game_date": self.game_date or "",
            "ok": self.ok,
            "files_checked": self.checked_files,
            "files_written": len(self.written),
            "bytes_written": self.total_bytes,
            "seconds": round(self.seconds, 3),
            "findings": [str(f) for f in self.findings],
            "skipped": list(self.skipped),
            "files_removed": len(self.removed),
            "locations": [w.location for w in self.written if "/tonight/player/" not in w.path],
            "page": self.page.location if self.page else "",
        }


@dataclass(frozen=True)
class _Staged:
    path: str
    cache_control: str
    pointer: str | None
    game_date: str
    offset: int
    length: int
    kind: str


def publish(
    files: Iterable[ExportFile],
    sink: ExportSink,
    gates: GateConfig | None = None,
    *,
    dry_run: bool = False,
    spool_bytes: int = SPOOL_BYTES,
    workers: int = WRITE_WORKERS,
) -> PublishReport:
    """Check every file, then (all passing, not ``dry_run``) write them; findings mean nothing was written."""
    started = time.perf_counter()
    published = _CachedReads(sink)
    run = QualityRun(gates or GateConfig(), published.read)
    staged: list[_Staged] = []
    report = PublishReport(game_date=None, dry_run=dry_run)
    with tempfile.SpooledTemporaryFile(max_size=spool_bytes) as spool:
        for file in files:
            report.checked_files += 1
            report.game_date = report.game_date or file.game_date or None
            data = run.add(file)
            if data is None or run.findings:
                continue  # keep checking to report every finding, but stop staging bytes
            offset = spool.tell()
            spool.write(data)
            staged.append(
                _Staged(
                    file.path, file.cache_control, file.pointer, file.game_date, offset, len(data), file.kind
                )
            )
        report.findings = run.finish()
        if report.findings:
            log.error("export refused, nothing written: %s", "; ".join(map(str, report.findings[:10])))
        elif not dry_run:
            _write_all(staged, spool, sink, published, report, workers)
            report.page = _write_page(sink)
    report.seconds = time.perf_counter() - started
    return report


def _write_all(
    staged: list[_Staged],
    spool: Any,
    sink: ExportSink,
    published: _CachedReads,
    report: PublishReport,
    workers: int,
) -> None:
    """Write rank by rank (dated, tonight players, all-players, latest); within a rank, in parallel."""
    keep = {name: _pointer_allowed(name, staged, published, report) for name in POINTER_ANCHORS}
    todo = [s for s in sorted(staged, key=_write_rank) if s.pointer is None or keep[s.pointer]]
    done: dict[int, WrittenFile] = {}
    raced: set[str] = set()

    def write(index: int, item: _Staged, data: bytes) -> None:
        if item.pointer is None:
            sink.write(item.path, data, cache_control=item.cache_control)
        elif not sink.write_if(
            item.path, data, _not_newer_than(item.game_date), cache_control=item.cache_control
        ):
            raced.add(item.pointer)  # a newer day was published after the check above: stays on it
            return
        done[index] = WrittenFile(item.path, item.length, sink.location(item.path))

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="export-write") as pool:
        try:
            for _, group in groupby(enumerate(todo), key=lambda pair: _write_rank(pair[1])):
                pending: set[Future] = set()
                for index, item in group:
                    if len(pending) >= 2 * workers:  # bounded: never more than this many files in memory
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        _raise_first(finished)
                    spool.seek(item.offset)
                    pending.add(pool.submit(write, index, item, spool.read(item.length)))
                finished, _ = wait(pending)
                _raise_first(finished)  # the next rank starts only when this one is fully written
            if keep["tonight"]:
                report.removed = _clear_stale_tonight(staged, sink)
        except ExportSinkError:
            log.error(
                "export write failed after %d of %d files; later ranks not written", len(done), len(todo)
            )
            raise
        finally:
            report.written = [done[i] for i in sorted(done)]
            report.skipped += [
                f"{name} files left on a newer date published while this export for {report.game_date} ran"
                for name in sorted(raced)
            ]
    log.info(
        "published %d files (%d bytes) for %s", len(report.written), report.total_bytes, report.game_date
    )


def _write_page(sink: ExportSink) -> WrittenFile | None:
    """The tonight page beside v1/, after every file it reads; not rewritten when unchanged."""
    page = page_bytes()
    if not sink.write_if(PAGE_PATH, page, lambda current: current != page, cache_control=PAGE_CACHE):
        return None
    return WrittenFile(PAGE_PATH, len(page), sink.location(PAGE_PATH))


def _clear_stale_tonight(staged: list[_Staged], sink: ExportSink) -> list[str]:
    """After this export's ``tonight/`` writes, every file under ``tonight/`` must belong to the day
    ``tonight/all-players.json`` shows: a player file older than it is removed, and so (when it shows
    this export's day) is one this export did not write (a player off tonight's slate). Each removal
    is a ``delete_if`` deciding on the file's live bytes atomically with the pointer writes, so a
    newer day's file written meanwhile is never removed. When a newer day's publish won the race,
    the files this one wrote for its own (older) day are removed here too.

    What a reader sees: the new slate's player files are all written before the pointer moves, so a
    reader following either pointer finds every player it lists; the removal runs right after the
    move, so from its end nothing under ``tonight/`` is older than the pointer, and in between every
    player file names its own ``game_date``. (One multi-object swap is not possible on GCS.)
    """
    live = _published_date(sink.read(POINTER_ANCHORS["tonight"]))
    if live is None:
        return []
    ours = {s.path for s in staged if s.pointer == "tonight"}
    ours_date = max(s.game_date for s in staged if s.pointer == "tonight")

    def stale(path: str):
        def allowed(current: bytes | None) -> bool:
            found = _published_date(current)
            if found is None or found < live:
                return True
            return found == live == ours_date and path not in ours

        return allowed

    removed = [path for path in sink.list(PLAYER_DIR) if sink.delete_if(path, stale(path))]
    if removed:
        log.info("removed %d player file(s) older than tonight's %s from tonight/", len(removed), live)
    return removed


def _raise_first(futures: set[Future]) -> None:
    for future in futures:
        future.result()


def _write_rank(item: _Staged) -> int:
    """Dated files, then tonight's player files, then the all-players index, latest.json last."""
    if item.pointer is None:
        return 0
    if item.pointer == "tonight":
        return 2 if item.kind == "all_players" else 1
    return 3


def _pointer_allowed(
    name: str, staged: list[_Staged], published: _CachedReads, report: PublishReport
) -> bool:
    """A pointer family ("tonight", "latest") moves forward or stays on its date, never back."""
    dates = {s.game_date for s in staged if s.pointer == name}
    if not dates:
        return False
    current = _published_date(published.read(POINTER_ANCHORS[name]))
    new = max(dates)
    if current is not None and current > new:
        report.skipped.append(f"{name} files left on {current}: this export is for the older date {new}")
        return False
    return True


def _not_newer_than(game_date: str):
    """The pointer rule for one file, decided atomically by the sink against what is live then."""

    def allowed(current: bytes | None) -> bool:
        published = _published_date(current)
        return published is None or published <= game_date

    return allowed


def _published_date(data: bytes | None) -> str | None:
    try:
        return str(json.loads(data)["game_date"]) if data else None
    except (ValueError, KeyError, TypeError):
        return None


class _CachedReads:
    """Each published file read at most once per publish (the gates and the pointer rule share it)."""

    def __init__(self, sink: ExportSink) -> None:
        self._sink, self._cache = sink, {}

    def read(self, path: str) -> bytes | None:
        if path not in self._cache:
            self._cache[path] = self._sink.read(path)
        return self._cache[path]
