"""FirestoreBatchStore: the GCP BatchStore (DESIGN §4 layout, L1-L9).

The batch document is written when a batch opens and when the sensor acts on it, never during
fan-out: each completion is its own document ``completions/{safe_key(player)}``, a plain ``set``
(L2, L3). A ``failed`` never replaces ``succeeded``/``skipped`` (see ``_common.replaces``), so it
is a ``create()`` or a compare-and-swap over another ``failed``. Read-then-write steps use
``update_time`` preconditions on the one document they change, not transactions (whose commits
retry for a minute on their own).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1 import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from nba_assets.batch_state import _common as c
from nba_assets.batch_state import _firestore as f
from nba_assets.batch_state import _firestore_docs as d
from nba_assets.batch_state import _firestore_expiry as x
from nba_assets.batch_state.base import (
    DEFAULT_RETENTION,
    Batch,
    BatchState,
    BatchStatus,
    BatchStoreError,
    Completion,
    CompletionStatus,
    Lease,
)
from nba_assets.naming import check_sql_identifier

firestore_client = f.firestore_client
log = logging.getLogger(__name__)
_ACTIVE = [BatchState.OPEN.value, BatchState.CONSOLIDATING.value]


class FirestoreBatchStore:
    """BatchStore on Firestore; holds a client and nothing else (any process may die, L1)."""

    def __init__(
        self,
        client: firestore.Client,
        collection_prefix: str = "",
        *,
        clock: c.Clock | None = None,
        retry_deadline: float = 10.0,
        rpc_timeout: float = 5.0,
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        self.client = client
        self.retention = c.check_retention(retention)
        if collection_prefix:  # part of every document path: a plain identifier, never "a/b" or ".."
            check_sql_identifier(collection_prefix, "Firestore collection prefix")
        self._batches = client.collection(f"{collection_prefix}prediction_batches")
        self._locks = client.collection(f"{collection_prefix}consolidation_locks")
        self._clock = clock or c.utcnow
        self._calls = f.Calls(f.describe(client), retry_deadline, rpc_timeout)
        self._rpc = self._calls.rpc
        # for the independent reads of status(): threads only, no state lives here (L1)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="firestore-batch-store")

    def _now(self) -> datetime:
        return c.as_utc(self._clock())

    def _ttl(self, closed_at: datetime) -> datetime:
        """The stored TTL field of a batch closed at ``closed_at`` (see ``TTL_GRACE``)."""
        return closed_at + self.retention + d.TTL_GRACE

    def _completions(self, batch_id: str) -> firestore.CollectionReference:
        return self._batches.document(batch_id).collection("completions")

    def _snapshot(self, batch_id: str, fields: list[str] | None = None):
        snap = self._batches.document(c.check_id(batch_id)).get(field_paths=fields, **self._rpc)
        if not snap.exists:
            raise BatchStoreError(f"unknown batch {batch_id}")
        return snap

    def open_batch(
        self,
        batch_id: str,
        game_date: date,
        expected_players: dict[str, int],
        *,
        correlation_id: str = "",
        dataset_prefix: str = "",
    ) -> Batch:
        players = c.check_open(batch_id, game_date, expected_players)
        ref = self._batches.document(batch_id)

        def reopen(data: dict[str, Any] | None):
            if data is None:
                raise BatchStoreError(f"batch {batch_id} vanished while being re-opened")
            diff = c.player_difference(d.to_batch(data).expected_players, players)
            if diff:
                raise BatchStoreError(f"batch {batch_id} re-opened with different players: {diff}")
            if data["status"] != BatchState.SUPERSEDED.value:
                # still open: supersede again in case a retried call died after create()
                return None, data["status"] == BatchState.OPEN.value
            # The slate went back to this player set: it is the date's batch again, and open
            # batches never expire.
            reopened.append(True)
            fields = {"status": BatchState.OPEN.value, "updated_at": self._now()}
            return {**fields, "expire_at": firestore.DELETE_FIELD}, True

        reopened: list[bool] = []

        def op() -> Batch:
            doc = d.batch_doc(batch_id, game_date, players, self._now(), correlation_id, dataset_prefix)
            try:
                ref.create(doc, **self._rpc)
                log.info("opened batch %s for %s with %d players", batch_id, game_date, len(players))
            except gexc.AlreadyExists:
                if not f.cas(ref, reopen, self._rpc):
                    return d.to_batch(ref.get(**self._rpc).to_dict())
                if reopened:
                    self._stamp_completions(batch_id, firestore.DELETE_FIELD)
            self._supersede_others(batch_id, game_date)
            return d.to_batch(ref.get(**self._rpc).to_dict())

        return self._calls.run(f"open_batch {batch_id}", op)

    def _supersede_others(self, batch_id: str, game_date: date) -> None:
        query = (
            self._batches.where(filter=FieldFilter("game_date", "==", game_date.isoformat()))
            .where(filter=FieldFilter("status", "==", BatchState.OPEN.value))
            .select(["batch_id"])
        )

        def supersede(data: dict[str, Any] | None):
            if data is None or data["status"] != BatchState.OPEN.value:
                return None, None
            now = self._now()
            fields = {"status": BatchState.SUPERSEDED.value, "updated_at": now}
            return {**fields, "expire_at": self._ttl(now)}, self._ttl(now)

        for snap in query.stream(**self._rpc):
            if snap.id != batch_id:
                expire_at = f.cas(snap.reference, supersede, self._rpc)
                if expire_at is not None:
                    self._stamp_completions(snap.id, expire_at)
                log.info("batch %s superseded by %s", snap.id, batch_id)

    def _stamp_completions(self, batch_id: str, expire_at: Any) -> None:
        x.stamp(self.client, self._completions(batch_id), expire_at, self._rpc)

    def get_batch(self, batch_id: str) -> Batch:
        return self._calls.run(
            f"get_batch {batch_id}", lambda: d.to_batch(self._snapshot(batch_id).to_dict())
        )

    def record_completion(
        self,
        batch_id: str,
        player_lookup: str,
        status: CompletionStatus,
        *,
        predictions: int = 0,
        reason: str = "",
        run_id: str = "",
    ) -> Completion:
        status, key = c.completion_status(status), c.doc_id(player_lookup)
        data = d.completion_doc(player_lookup, status, predictions, reason, run_id, self._now())
        member = FieldPath("expected_players", key).to_api_repr()

        def op() -> dict[str, Any]:
            # A read of one map entry, never a write: the batch document stays cold (L2).
            snap = self._batches.document(c.check_id(batch_id)).get(
                field_paths=[member, "expire_at"], **self._rpc
            )
            if not snap.exists:
                raise BatchStoreError(f"completion for unknown batch {batch_id}")
            stored = snap.to_dict() or {}
            if key not in stored.get("expected_players", {}):
                raise BatchStoreError(f"player {player_lookup!r} is not in batch {batch_id}")
            if stored.get("expire_at"):  # a late report to a closed batch expires with it
                data["expire_at"] = stored["expire_at"]
            ref = self._completions(batch_id).document(key)
            if status is not CompletionStatus.FAILED:
                ref.set(data, **self._rpc)
                return data
            try:
                ref.create(data, **self._rpc)
                return data
            except gexc.AlreadyExists:
                return f.cas(ref, keep_done, self._rpc)

        def keep_done(old: dict[str, Any] | None):
            if old is None or c.replaces(CompletionStatus(old["status"]), status):
                return data, data
            return None, old

        return d.to_completion(self._calls.run(f"record_completion {batch_id}", op))

    def completions(self, batch_id: str) -> list[Completion]:
        def op() -> list[Completion]:
            self._snapshot(batch_id, ["batch_id"])
            return [d.to_completion(s.to_dict()) for s in self._completions(batch_id).stream(**self._rpc)]

        return sorted(self._calls.run(f"completions {batch_id}", op), key=lambda x: x.player_lookup)

    def status(self, batch_id: str) -> BatchStatus:
        def op() -> BatchStatus:
            batch = d.to_batch(self._snapshot(batch_id).to_dict())
            return d.read_status(self._completions(batch_id), batch, self._rpc, self._pool)

        return self._calls.run(f"status {batch_id}", op)

    def _active(self) -> list[Batch]:
        query = self._batches.where(filter=FieldFilter("status", "in", _ACTIVE))
        batches = [d.to_batch(s.to_dict()) for s in query.stream(**self._rpc)]
        return sorted(batches, key=lambda b: (b.game_date, b.batch_id))

    def open_batches(self) -> list[Batch]:
        return self._calls.run("open_batches", self._active)

    def batches_on(self, game_date: date) -> list[Batch]:
        query = self._batches.where(filter=FieldFilter("game_date", "==", game_date.isoformat()))

        def op() -> list[Batch]:
            batches = [d.to_batch(s.to_dict()) for s in query.stream(**self._rpc)]
            return sorted(batches, key=lambda b: (b.created_at, b.batch_id))

        return self._calls.run(f"batches_on {game_date}", op)

    def note_stall_retry(self, batch_id: str) -> int:
        def bump(data: dict[str, Any] | None):
            if data is None:
                raise BatchStoreError(f"unknown batch {batch_id}")
            # updated_at moves too, so the stall clock restarts after a re-request.
            count = int(data.get("stall_retries", 0)) + 1
            return {"stall_retries": count, "updated_at": self._now()}, count

        ref = self._batches.document(c.check_id(batch_id))
        return self._calls.run(f"note_stall_retry {batch_id}", lambda: f.cas(ref, bump, self._rpc))

    def claim_consolidation(
        self, game_date: date, batch_id: str, run_id: str, lease: timedelta
    ) -> Lease | None:
        c.check_lease(lease)
        ref = self._locks.document(game_date.isoformat())

        def op() -> Lease | None:
            if self._snapshot(batch_id, ["game_date"]).get("game_date") != game_date.isoformat():
                raise BatchStoreError(f"batch {batch_id} does not belong to {game_date.isoformat()}")
            now = self._now()
            return f.claim(ref, Lease(game_date, batch_id, run_id, now + lease), now, self._rpc)

        return self._calls.run(f"claim_consolidation {game_date}", op)

    def release_consolidation(self, game_date: date, run_id: str) -> None:
        ref = self._locks.document(game_date.isoformat())
        self._calls.run(f"release_consolidation {game_date}", lambda: f.release(ref, run_id, self._rpc))

    def mark_consolidated(self, batch_id: str, result: dict[str, Any], *, partial: bool = False) -> Batch:
        state = BatchState.PARTIAL if partial else BatchState.CONSOLIDATED
        now = self._now()
        fields = {
            "status": state.value,
            "consolidation": c.check_json(result),
            "updated_at": now,
            "expire_at": self._ttl(now),  # Firestore's TTL policy deletes it then
        }
        ref = self._batches.document(c.check_id(batch_id))

        def op() -> Batch:
            try:
                ref.update(fields, **self._rpc)
            except gexc.NotFound as exc:
                raise BatchStoreError(f"unknown batch {batch_id}") from exc
            self._stamp_completions(batch_id, fields["expire_at"])
            return d.to_batch(ref.get(**self._rpc).to_dict())

        return self._calls.run(f"mark_consolidated {batch_id}", op)

    def delete_batch(self, batch_id: str) -> None:
        def op() -> None:
            completions = self._completions(c.check_id(batch_id)).select([]).stream(**self._rpc)
            f.delete_all(self.client, [s.reference for s in completions], self._rpc)
            self._batches.document(batch_id).delete(**self._rpc)

        self._calls.run(f"delete_batch {batch_id}", op)

    def expired_batches(self, now: datetime | None = None) -> list[Batch]:
        cutoff = c.as_utc(now or self._now())
        return self._calls.run("expired_batches", lambda: x.expired(self._batches, cutoff, self._rpc))

    def delete_expired(self, batch_id: str, now: datetime | None = None) -> bool:
        ref, cutoff = self._batches.document(c.check_id(batch_id)), c.as_utc(now or self._now())
        gone = self._calls.run(
            f"delete_expired {batch_id}",
            lambda: x.delete_if_expired(self.client, ref, self._completions(batch_id), cutoff, self._rpc),
        )
        if gone:
            log.info("deleted expired batch %s and its completions", batch_id)
        return gone
