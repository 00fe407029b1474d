"""Firestore plumbing for FirestoreBatchStore: the client factory, bounded retries, compare-and-swap.

Every Firestore call of the store goes through :class:`Calls`, which disables the client's own
per-RPC retries (up to 60 s each) and retries the whole idempotent operation within one short
deadline instead, so a Firestore outage reaches the caller as a :class:`RetryableStoreError`
in seconds rather than hanging a Dagster run.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.api_core.retry import Retry, if_exception_type
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from nba_assets.batch_state import _common as c
from nba_assets.batch_state.base import BatchStoreError, Lease, RetryableStoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

EMULATOR_ENV = "FIRESTORE_EMULATOR_HOST"
TRANSIENT = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.InternalServerError,
    gexc.ResourceExhausted,
    gexc.Aborted,
)
_env_lock = threading.Lock()


def firestore_client(
    project: str, database: str = "(default)", *, emulator_host: str | None = None
) -> firestore.Client:
    """A Firestore client; honours ``FIRESTORE_EMULATOR_HOST`` (or ``emulator_host``).

    The client reads the emulator variable once, in its constructor, so an explicit
    ``emulator_host`` is set only for the duration of that call and never leaks to other code.
    """
    host = emulator_host or os.environ.get(EMULATOR_ENV)
    if not host:
        return firestore.Client(project=project, database=database)
    with _env_lock:
        previous = os.environ.get(EMULATOR_ENV)
        os.environ[EMULATOR_ENV] = host
        try:
            return firestore.Client(project=project, database=database, credentials=AnonymousCredentials())
        finally:
            if previous is None:
                del os.environ[EMULATOR_ENV]
            else:
                os.environ[EMULATOR_ENV] = previous


def describe(client: firestore.Client) -> str:
    """Where the client points, for error messages ("Firestore unavailable at ...")."""
    target = getattr(client, "_emulator_host", None) or "firestore.googleapis.com"
    return f"{target} (project {client.project}, database {getattr(client, '_database', '(default)')})"


class Calls:
    """Bounded retry of whole operations and the mapping of Google API errors to store errors."""

    def __init__(self, where: str, deadline: float, rpc_timeout: float) -> None:
        self.where, self.deadline = where, deadline
        # Each RPC: no client-side retry, and never longer than the whole deadline.
        self.rpc: dict[str, Any] = {"retry": None, "timeout": min(rpc_timeout, deadline)}

    def run(self, what: str, op: Callable[[], T]) -> T:
        retry = Retry(
            predicate=if_exception_type(*TRANSIENT),
            initial=0.1,
            maximum=1.0,
            multiplier=2.0,
            timeout=self.deadline,
            on_error=lambda exc: log.warning("Firestore %s: %s; retrying", what, _short(exc)),
        )
        try:
            return retry(op)()
        except gexc.RetryError as exc:
            raise self._retryable(what, exc.cause or exc) from exc
        except TRANSIENT as exc:
            raise self._retryable(what, exc) from exc
        except gexc.GoogleAPICallError as exc:
            raise BatchStoreError(f"Firestore at {self.where} rejected {what}: {_short(exc)}") from exc

    def _retryable(self, what: str, exc: BaseException) -> RetryableStoreError:
        return RetryableStoreError(
            f"Firestore unavailable at {self.where} during {what} "
            f"(gave up after {self.deadline:g}s): {_short(exc)}"
        )


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__


CAS_ATTEMPTS = 8  # compare-and-swap rounds on one document before calling it contention


def cas(ref: firestore.DocumentReference, decide: Callable[[dict[str, Any] | None], tuple], rpc: dict) -> Any:
    """Read ``ref``; ``decide(data)`` returns (fields to write or None, result); write only if the
    document is unchanged since the read (``update_time`` precondition), else read again.

    Used instead of transactions: it touches one document and stays inside the caller's deadline.
    """
    for _ in range(CAS_ATTEMPTS):
        snap = ref.get(**rpc)
        fields, result = decide(snap.to_dict() if snap.exists else None)
        if fields is None:
            return result
        try:
            if snap.exists:
                option = firestore.Client.write_option(last_update_time=snap.update_time)
                ref.update(fields, option=option, **rpc)
            else:
                ref.create(fields, **rpc)
            return result
        except (gexc.FailedPrecondition, gexc.NotFound, gexc.AlreadyExists):
            continue
    raise gexc.Aborted(f"{ref.path} kept changing during {CAS_ATTEMPTS} attempts")


def delete_all(client: firestore.Client, refs: list[firestore.DocumentReference], rpc: dict) -> None:
    """Delete documents in write batches (at most 500 writes each)."""
    for start in range(0, len(refs), 400):
        writes = client.batch()
        for ref in refs[start : start + 400]:
            writes.delete(ref)
        writes.commit(**rpc)


def update_all(
    client: firestore.Client, refs: list[firestore.DocumentReference], fields: dict[str, Any], rpc: dict
) -> None:
    """Update documents in write batches (at most 500 writes each)."""
    for start in range(0, len(refs), 400):
        writes = client.batch()
        for ref in refs[start : start + 400]:
            writes.update(ref, fields)
        writes.commit(**rpc)


def claim(ref: firestore.DocumentReference, lease: Lease, now: datetime, rpc: dict) -> Lease | None:
    """Take ``consolidation_locks/{date}``: create it, or swap it when expired or ours already."""
    lock = {
        "game_date": lease.game_date.isoformat(),
        "batch_id": lease.batch_id,
        "run_id": lease.run_id,
        "lease_until": lease.lease_until,
        "claimed_at": now,
    }
    try:
        ref.create(lock, **rpc)
        return lease
    except gexc.AlreadyExists:
        pass

    def take(held: dict[str, Any] | None):
        if held and held["run_id"] != lease.run_id and c.as_utc(held["lease_until"]) > now:
            return None, None  # another live run holds it (L9)
        return lock, lease

    return cas(ref, take, rpc)


def release(ref: firestore.DocumentReference, run_id: str, rpc: dict) -> None:
    """Delete the lock only if ``run_id`` holds it and nobody took it over meanwhile."""
    snap = ref.get(**rpc)
    if snap.exists and snap.get("run_id") == run_id:
        try:
            ref.delete(option=firestore.Client.write_option(last_update_time=snap.update_time), **rpc)
        except gexc.FailedPrecondition:
            log.info("lease %s changed hands before %s released it", ref.path, run_id)
