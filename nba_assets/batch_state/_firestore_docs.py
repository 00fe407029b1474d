"""The documents of FirestoreBatchStore: their fields (DESIGN §4) and how a status is read from them.

Counts come from aggregation ``count()`` queries on the completion documents, never from a
stored counter (L3); the list of completion ids is read (with an empty field mask) only when
some player is still missing.
"""

from __future__ import annotations

from concurrent.futures import Executor
from datetime import date, datetime, timedelta
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1 import FieldFilter

from nba_assets.batch_state import _common as c
from nba_assets.batch_state.base import Batch, BatchState, BatchStatus, Completion, CompletionStatus

# Firestore's TTL policy deletes at the stored ``expire_at``, a day after the retention deadline, so
# the batch_retention asset (which also drops the batch's staging) gets there first when it runs.
TTL_GRACE = timedelta(days=1)


def batch_doc(
    batch_id: str, game_date: date, players: dict[str, int], now: datetime, correlation_id: str, prefix: str
) -> dict[str, Any]:
    """``prediction_batches/{batch_id}``; expected players keyed by document id, never by name."""
    return {
        "batch_id": batch_id,
        "game_date": game_date.isoformat(),
        "expected_players": c.player_docs(players),
        "expected_count": len(players),
        "status": BatchState.OPEN.value,
        "created_at": now,
        "updated_at": now,
        "correlation_id": correlation_id,
        "dataset_prefix": prefix,
        "stall_retries": 0,
        "consolidation": {},
    }


def completion_doc(
    player: str, status: CompletionStatus, predictions: int, reason: str, run_id: str, now: datetime
) -> dict[str, Any]:
    return {
        "player_lookup": player,
        "status": status.value,
        "predictions": int(predictions),
        "reason": reason,
        "run_id": run_id,
        "reported_at": now,
    }


def to_batch(data: dict[str, Any]) -> Batch:
    return Batch(
        batch_id=data["batch_id"],
        game_date=date.fromisoformat(data["game_date"]),
        expected_players=c.players_from_docs(data.get("expected_players") or {}),
        status=BatchState(data["status"]),
        created_at=c.as_utc(data["created_at"]),
        updated_at=c.as_utc(data["updated_at"]),
        correlation_id=data.get("correlation_id", ""),
        dataset_prefix=data.get("dataset_prefix", ""),
        stall_retries=int(data.get("stall_retries", 0)),
        consolidation=dict(data.get("consolidation") or {}),
        # the stored TTL field runs TTL_GRACE behind the retention deadline the protocol reports
        expire_at=c.as_utc(data["expire_at"]) - TTL_GRACE if data.get("expire_at") else None,
    )


def to_completion(data: dict[str, Any]) -> Completion:
    return Completion(
        player_lookup=data["player_lookup"],
        status=CompletionStatus(data["status"]),
        predictions=int(data.get("predictions", 0)),
        reason=data.get("reason", ""),
        run_id=data.get("run_id", ""),
        reported_at=c.as_utc(data["reported_at"]),
    )


def count(
    completions: firestore.CollectionReference, rpc: dict, status: CompletionStatus | None = None
) -> int:
    query = completions
    if status is not None:
        query = query.where(filter=FieldFilter("status", "==", status.value))
    return int(query.count(alias="n").get(**rpc)[0][0].value)


def last_activity(completions: firestore.CollectionReference, batch: Batch, rpc: dict) -> datetime:
    """max(batch updated_at, newest completion): one ordered, one-document, one-field query."""
    newest = completions.order_by("reported_at", direction=firestore.Query.DESCENDING).limit(1)
    stamps = [c.as_utc(s.get("reported_at")) for s in newest.select(["reported_at"]).stream(**rpc)]
    return max([batch.updated_at, *stamps])


def read_status(
    completions: firestore.CollectionReference,
    batch: Batch,
    rpc: dict,
    pool: Executor,
    latest: datetime | None = None,
) -> BatchStatus:
    """Two rounds of parallel queries. ``total`` is read before ``failed``: then done = total - failed
    may lag but never runs ahead (``split_counts``), so a batch is never complete too early."""
    total_f = pool.submit(count, completions, rpc)
    latest_f = pool.submit(last_activity, completions, batch, rpc) if latest is None else None
    total = total_f.result()
    failed_f = pool.submit(count, completions, rpc, CompletionStatus.FAILED)
    skipped_f = pool.submit(count, completions, rpc, CompletionStatus.SKIPPED)
    missing: list[str] = []
    if total < batch.expected_count:  # only then list ids, with an empty field mask
        seen = {s.id for s in completions.select([]).stream(**rpc)}
        docs = c.player_docs(batch.expected_players)
        missing = sorted(v["player_lookup"] for k, v in docs.items() if k not in seen)
    succeeded, skipped, failed = c.split_counts(total, failed_f.result(), skipped_f.result())
    latest = latest or latest_f.result()
    return BatchStatus(
        batch_id=batch.batch_id,
        game_date=batch.game_date,
        state=batch.status,
        expected=batch.expected_count,
        succeeded=succeeded,
        skipped=skipped,
        failed=failed,
        missing=tuple(missing),
        last_activity=latest,
        stall_retries=batch.stall_retries,
    )
