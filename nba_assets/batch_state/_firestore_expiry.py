"""Retention on Firestore: the TTL field on closed batches and completions, and the guarded delete.

Firestore's TTL policy deletes documents one by one, never a subcollection with its parent, so
``expire_at`` is copied onto every completion when a batch closes (a one-time write, never during
fan-out, L2). The cleanup asset deletes through :func:`delete_if_expired`, which re-checks the
batch in the deleting write itself, so an open batch is never deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1 import FieldFilter

from nba_assets.batch_state import _common as c
from nba_assets.batch_state import _firestore as f
from nba_assets.batch_state import _firestore_docs as d
from nba_assets.batch_state.base import Batch


def stamp(
    client: firestore.Client, completions: firestore.CollectionReference, expire_at: Any, rpc: dict
) -> None:
    """Set (or, with ``firestore.DELETE_FIELD``, remove) ``expire_at`` on every completion."""
    refs = [s.reference for s in completions.select([]).stream(**rpc)]
    f.update_all(client, refs, {"expire_at": expire_at}, rpc)


def expired(batches: firestore.CollectionReference, now: datetime, rpc: dict) -> list[Batch]:
    # expire_at exists only on closed batches: a single-field query, no composite index
    query = batches.where(filter=FieldFilter("expire_at", "<=", now + d.TTL_GRACE))
    found = [d.to_batch(s.to_dict()) for s in query.stream(**rpc)]
    return sorted(found, key=lambda b: (b.expire_at, b.batch_id))


def delete_if_expired(
    client: firestore.Client,
    ref: firestore.DocumentReference,
    completions: firestore.CollectionReference,
    now: datetime,
    rpc: dict,
) -> bool:
    snap = ref.get(**rpc)
    gone = False
    if snap.exists:
        batch = d.to_batch(snap.to_dict())
        if not batch.is_closed or batch.expire_at is None or batch.expire_at > c.as_utc(now):
            return False
        try:  # only if unchanged since the read: a batch re-opened meanwhile stays
            ref.delete(option=firestore.Client.write_option(last_update_time=snap.update_time), **rpc)
        except gexc.FailedPrecondition:
            return False
        gone = True
    # the batch document first, then its completions (a re-run finishes orphans too)
    f.delete_all(client, [s.reference for s in completions.select([]).stream(**rpc)], rpc)
    return gone
