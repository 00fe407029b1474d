"""Rules both BatchStore backends share, so SQLite and Firestore cannot drift apart.

Kept out of ``base.py`` because these are implementation decisions (validation, the
replace-or-keep rule of a completion, lease arithmetic), not the protocol.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from nba_assets.batch_state.base import BatchStoreError, CompletionStatus
from nba_assets.naming import InvalidIdentifier, check_batch_id, safe_key

Clock = Callable[[], datetime]
DONE = frozenset({CompletionStatus.SUCCEEDED, CompletionStatus.SKIPPED})
_SHOWN = 10  # names listed in an error before "... and N more"


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime of plain type; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    # Firestore hands back DatetimeWithNanoseconds; callers compare and hash plain datetimes.
    return datetime(*value.timetuple()[:6], value.microsecond, tzinfo=UTC)


def check_id(batch_id: str) -> str:
    try:
        return check_batch_id(batch_id)
    except InvalidIdentifier as exc:
        raise BatchStoreError(str(exc)) from exc


def doc_id(player_lookup: str) -> str:
    """The completion document id of a player: always :func:`safe_key`, never the raw name (L4)."""
    try:
        return safe_key(player_lookup)
    except InvalidIdentifier as exc:
        raise BatchStoreError(f"bad player_lookup: {exc}") from exc


def check_open(batch_id: str, game_date: date, expected_players: Mapping[str, int]) -> dict[str, int]:
    """Validate an ``open_batch`` request; returns the players as a plain dict."""
    check_id(batch_id)
    if not isinstance(game_date, date) or isinstance(game_date, datetime):
        raise BatchStoreError(f"game_date must be a date, got {game_date!r}")
    if batch_id[1:9] != f"{game_date:%Y%m%d}":
        raise BatchStoreError(f"batch {batch_id} does not belong to game_date {game_date.isoformat()}")
    players: dict[str, int] = {}
    for player, shard in dict(expected_players).items():
        if not isinstance(player, str) or not isinstance(shard, numbers.Integral) or isinstance(shard, bool):
            raise BatchStoreError(f"expected_players must map str to int, got {player!r}: {shard!r}")
        if shard < 0:
            raise BatchStoreError(f"shard of {player!r} must be >= 0, got {shard}")
        players[str(player)] = int(shard)  # plain types: numpy ints and str subclasses stored as such
    by_doc: dict[str, str] = {}
    for player in players:
        key = doc_id(player)
        if key in by_doc:  # a hash collision would merge two players' completions: refuse loudly
            raise BatchStoreError(f"players {by_doc[key]!r} and {player!r} share document id {key}")
        by_doc[key] = player
    return players


def player_docs(players: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    """``expected_players`` as stored: keyed by document id, so no raw name is ever a field path."""
    return {doc_id(p): {"player_lookup": p, "shard": s} for p, s in players.items()}


def players_from_docs(docs: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    return {v["player_lookup"]: int(v["shard"]) for v in docs.values()}


def _names(players: set[str]) -> str:
    shown = sorted(players)[:_SHOWN]
    more = f" and {len(players) - _SHOWN} more" if len(players) > _SHOWN else ""
    return ", ".join(repr(p) for p in shown) + more


def player_difference(stored: Mapping[str, int], requested: Mapping[str, int]) -> str | None:
    """Why a re-open differs from the stored batch, or None when it is the same slate."""
    added, removed = set(requested) - set(stored), set(stored) - set(requested)
    moved = {p for p in set(stored) & set(requested) if stored[p] != requested[p]}
    parts = []
    if added:
        parts.append(f"added {_names(added)}")
    if removed:
        parts.append(f"removed {_names(removed)}")
    if moved:
        parts.append(f"shard changed for {_names(moved)}")
    return "; ".join(parts) or None


def completion_status(status: CompletionStatus | str) -> CompletionStatus:
    try:
        return CompletionStatus(status)
    except ValueError as exc:
        raise BatchStoreError(f"unknown completion status {status!r}") from exc


def replaces(stored: CompletionStatus, incoming: CompletionStatus) -> bool:
    """Whether a new report overwrites the stored one.

    A ``failed`` never overwrites ``succeeded``/``skipped``: a redelivered or stale failure must not
    undo a player that finished (its staging rows are still there). Everything else is
    last-writer-wins, so a re-run's outcome replaces the earlier one.
    """
    return not (incoming is CompletionStatus.FAILED and stored in DONE)


def check_json(result: Mapping[str, Any]) -> dict[str, Any]:
    """Consolidation results must be JSON-shaped so both backends store exactly the same thing."""
    try:
        return json.loads(json.dumps(dict(result)))
    except (TypeError, ValueError) as exc:
        raise BatchStoreError(f"consolidation result must be JSON-serialisable: {exc}") from exc


def check_lease(lease: timedelta) -> timedelta:
    if lease <= timedelta(0):
        raise BatchStoreError(f"lease must be positive, got {lease}")
    return lease


def check_retention(retention: timedelta) -> timedelta:
    if retention <= timedelta(0):
        raise BatchStoreError(f"retention must be positive, got {retention}")
    return retention


def split_counts(total: int, failed: int, skipped: int) -> tuple[int, int, int]:
    """(succeeded, skipped, failed) from three counts that may be read at slightly different times.

    ``done = total - failed`` with ``total`` read first never over-counts (completions only grow
    and a done player never turns failed), so a batch is never reported complete too early.
    """
    done = max(total - failed, 0)
    skipped = min(skipped, done)
    return done - skipped, skipped, failed
