"""BigQuery plumbing for the warehouse: clients, schemas, parameters, and bounded retries.

Transport failures (connection refused, 5xx, backend errors) are retried by the client library's own
``google.api_core.retry.Retry`` (as Firestore and GCS are) a bounded number of
times with exponential backoff, then surface as RetryableWarehouseError naming BigQuery, so a
Dagster retry policy can act on them. Every retried operation is idempotent: a load job
WRITE_TRUNCATEs one table, and the MERGE re-run with the same ``now`` gives the same table.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

import google.api_core.exceptions as gexc
import pyarrow as pa
import requests
from google.api_core.client_options import ClientOptions
from google.api_core.retry import Retry
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import TransportError
from google.cloud import bigquery

from nba_assets.warehouse.base import RetryableWarehouseError, WarehouseError

log = logging.getLogger(__name__)
T = TypeVar("T")

_PROJECT = re.compile(r"^(?:[a-z0-9.\-]+:)?[a-z][a-z0-9\-]{4,28}[a-z0-9]$")
_BQ_TYPES = {
    pa.string(): "STRING",
    pa.date32(): "DATE",
    pa.bool_(): "BOOL",
    pa.float64(): "FLOAT64",
    pa.int64(): "INT64",
    pa.timestamp("us", tz="UTC"): "TIMESTAMP",
}
_TRANSIENT = (
    ConnectionError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    TransportError,
    gexc.RetryError,
    gexc.ServiceUnavailable,
    gexc.InternalServerError,
    gexc.BadGateway,
    gexc.GatewayTimeout,
    gexc.TooManyRequests,
)
_TRANSIENT_REASONS = {"backendError", "internalError", "rateLimitExceeded", "jobRateLimitExceeded"}


def bigquery_client(project: str, endpoint: str | None = None) -> bigquery.Client:
    """A client for ``project``; with ``endpoint`` (an emulator's URL) anonymous credentials."""
    if endpoint is None:
        return bigquery.Client(project=project)
    return bigquery.Client(
        project=project,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=endpoint),
    )


def check_project(project: str | None) -> str:
    if not isinstance(project, str) or not _PROJECT.match(project):
        raise WarehouseError(f"BigQuery project {project!r} is not a valid project id")
    return project


def schema_fields(schema: pa.Schema, required: tuple[str, ...] = ()) -> list[bigquery.SchemaField]:
    return [
        bigquery.SchemaField(f.name, _BQ_TYPES[f.type], mode="REQUIRED" if f.name in required else "NULLABLE")
        for f in schema
    ]


def query_parameters(params: dict[str, object]) -> list[bigquery.ScalarQueryParameter]:
    """Values travel as typed parameters, never pasted into SQL."""

    def kind(value: object) -> str:
        if isinstance(value, datetime):  # before date: a datetime is a date
            return "TIMESTAMP"
        if isinstance(value, date):
            return "DATE"
        if isinstance(value, bool):
            return "BOOL"
        if isinstance(value, int):
            return "INT64"
        if isinstance(value, str):
            return "STRING"
        raise TypeError(f"no BigQuery parameter type for {type(value).__name__}")

    return [bigquery.ScalarQueryParameter(name, kind(v), v) for name, v in params.items()]


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, _TRANSIENT):
        return True
    if isinstance(exc, gexc.GoogleAPICallError):
        reasons = {e.get("reason") for e in (exc.errors or []) if isinstance(e, dict)}
        return bool(reasons & _TRANSIENT_REASONS)
    status = getattr(getattr(exc, "response", None), "status_code", None)  # resumable-media upload errors
    return isinstance(status, int) and status >= 500


def with_retries(what: str, fn: Callable[[], T], *, attempts: int, backoff: float) -> T:
    """``fn()`` under the client library's own ``Retry`` (exponential backoff with jitter), re-run
    after transient failures at most ``attempts`` times in all, then a RetryableWarehouseError.

    ``Retry`` bounds by time; the predicate bounds it by attempts too, so an outage costs a known
    number of calls whatever the machine's speed (the outage tests count them).
    """
    failures = 0

    def retryable(exc: Exception) -> bool:
        nonlocal failures
        if not is_transient(exc):
            return False
        failures += 1
        return failures < attempts

    def warn(exc: Exception) -> None:
        log.warning(
            "BigQuery %s failed (%s: %s); attempt %d/%d, retrying",
            what,
            type(exc).__name__,
            exc,
            failures,
            attempts,
        )

    retry = Retry(
        predicate=retryable, initial=backoff, multiplier=2.0, maximum=30.0, timeout=None, on_error=warn
    )
    try:
        return retry(fn)()
    except Exception as exc:
        if failures >= attempts and is_transient(exc):
            raise RetryableWarehouseError(
                f"BigQuery unavailable: {what} failed {attempts} times; last error: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        raise
