"""Which errors a step retry can fix: only backend outages.

Dagster's RetryPolicy retries every exception but ``Failure(allow_retries=False)``. The stores
already retry transport errors within a short deadline and then raise their ``Retryable*`` error:
those are worth the step's backoff. Anything else -- a bad request, a failed verification, invalid
input, or a bug -- fails the same way every time, so it fails the step at once with its own message
(L12), rather than after two backoffs as "Exceeded max_retries", which would hide it from the alert.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import dagster as dg

from nba_assets.batch_state.base import RetryableStoreError
from nba_assets.warehouse.base import RetryableWarehouseError

OUTAGES = (RetryableStoreError, RetryableWarehouseError)


@contextlib.contextmanager
def retry_only_outages() -> Iterator[None]:
    try:
        yield
    except (*OUTAGES, dg.Failure, dg.RetryRequested):
        raise  # an outage, or a decision the asset already made
    except Exception as exc:
        raise dg.Failure(f"{type(exc).__name__}: {exc}", allow_retries=False) from exc
