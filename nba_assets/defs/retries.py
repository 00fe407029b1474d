"""Which errors a step retry can fix: only backend outages.

Dagster's RetryPolicy retries every exception but ``Failure(allow_retries=False)``. The stores
already retry transport errors within a short deadline and then raise their ``Retryable*`` error:
those are worth the step's backoff. A bad request, a failed verification or invalid input fails
the same way every time, so it fails the step at once, with its own message (L12).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import dagster as dg

from nba_assets.batch_state.base import BatchStoreError, RetryableStoreError
from nba_assets.inputs.validation import InputValidationError
from nba_assets.warehouse.base import RetryableWarehouseError, WarehouseError

OUTAGES = (RetryableStoreError, RetryableWarehouseError)
PERMANENT = (BatchStoreError, WarehouseError, InputValidationError)


@contextlib.contextmanager
def retry_only_outages() -> Iterator[None]:
    try:
        yield
    except OUTAGES:
        raise
    except PERMANENT as exc:
        raise dg.Failure(f"{type(exc).__name__}: {exc}", allow_retries=False) from exc
