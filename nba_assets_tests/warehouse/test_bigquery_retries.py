"""Which BigQuery failures are retried, how often, and what the caller finally sees (no emulator)."""

from __future__ import annotations

import google.api_core.exceptions as gexc
import pytest
import requests

from nba_assets.warehouse.base import RetryableWarehouseError
from nba_assets.warehouse.bigquery_io import is_transient, with_retries


@pytest.mark.parametrize(
    "exc, transient",
    [
        (requests.exceptions.ConnectionError("refused"), True),
        (gexc.ServiceUnavailable("503"), True),
        (gexc.InternalServerError("backend"), True),
        (gexc.Forbidden("quota", errors=[{"reason": "rateLimitExceeded"}]), True),
        (gexc.Forbidden("denied", errors=[{"reason": "accessDenied"}]), False),
        (gexc.BadRequest("Syntax error"), False),
        (gexc.NotFound("no table"), False),
    ],
)
def test_only_transport_and_backend_failures_are_transient(exc, transient):
    assert is_transient(exc) is transient


def test_bounded_retries_then_a_retryable_error_naming_bigquery():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise gexc.ServiceUnavailable("try later")
        return "ok"

    assert with_retries("load", flaky, attempts=3, backoff=0.01) == "ok" and len(calls) == 3
    calls.clear()
    with pytest.raises(RetryableWarehouseError, match="BigQuery unavailable: load failed 2 times"):
        with_retries("load", lambda: flaky() and flaky(), attempts=2, backoff=0.01)
    with pytest.raises(gexc.BadRequest):  # a bug is not retried
        with_retries(
            "merge", lambda: (_ for _ in ()).throw(gexc.BadRequest("bad SQL")), attempts=5, backoff=1
        )
