"""A polite ``requests`` session: timeouts, bounded retries with backoff, a delay between calls.

Retries are urllib3's ``Retry`` (429 honouring ``Retry-After`` and 5xx, exponential backoff), so
no hand-written retry loop; ``Retry-After`` is capped so a server cannot park a run for an hour.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from nba_assets.feeds.errors import FeedHTTPError, FeedTimeout

RETRY_STATUSES = (429, 500, 502, 503, 504)
_SECRET_PARAM = re.compile(r"(apiKey=)[^&\s\"']+", re.IGNORECASE)


class RedactKeys(logging.Filter):
    """urllib3 logs each request line and retry at DEBUG, query string included: the key is masked there."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET_PARAM.search(message):
            record.msg, record.args = _SECRET_PARAM.sub(r"\1***", message), None
        return True


# every urllib3 logger that writes a request URL (a logger's filter does not cover its children)
_URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.poolmanager", "urllib3.connection")


def redact_urllib3_logs() -> None:
    for name in _URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactKeys) for f in logger.filters):
            logger.addFilter(RedactKeys())


@dataclass(frozen=True)
class Politeness:
    """How hard a client may press a server; the defaults suit stats.nba.com."""

    timeout_seconds: float = 30.0
    retries: int = 3  # after the first attempt, for 429/5xx and read timeouts
    backoff_seconds: float = 1.0  # 1 s, 2 s, 4 s ...
    max_retry_after_seconds: float = 60.0
    delay_seconds: float = 0.6  # minimum gap between two requests of one client
    # every wait (Retry-After, backoff, pacing) goes through this: tests inject a recording clock
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)


class _CappedRetry(Retry):
    """urllib3 Retry whose ``Retry-After`` wait never exceeds ``max_retry_after``, whose waits go
    through an injectable ``sleep``, and which stops after ``max_attempts`` responses whatever
    urllib3's per-kind counters say (a second, independent bound: a retry loop can never spin)."""

    max_retry_after: float = 60.0
    max_attempts: int = 4
    sleeper: Callable[[float], None] = staticmethod(time.sleep)

    def get_retry_after(self, response):  # type: ignore[override]
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_retry_after)

    def sleep_for_retry(self, response) -> bool:  # type: ignore[override]
        retry_after = self.get_retry_after(response)
        if retry_after:
            self.sleeper(retry_after)
            return True
        return False

    def _sleep_backoff(self) -> None:
        backoff = self.get_backoff_time()
        if backoff > 0:
            self.sleeper(backoff)

    def is_exhausted(self) -> bool:
        return len(self.history) >= self.max_attempts or super().is_exhausted()

    def new(self, **kw):  # type: ignore[override]
        out = super().new(**kw)
        out.max_retry_after, out.max_attempts, out.sleeper = (
            self.max_retry_after,
            self.max_attempts,
            self.sleeper,
        )
        return out


def polite_session(politeness: Politeness, headers: dict[str, str] | None = None) -> requests.Session:
    retry = _CappedRetry(
        total=politeness.retries,
        connect=politeness.retries,
        read=politeness.retries,
        status=politeness.retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        backoff_factor=politeness.backoff_seconds / 2,  # urllib3 sleeps factor * 2**(n-1)... from n=1
        respect_retry_after_header=True,
        raise_on_status=False,  # the last response comes back; we name the error ourselves
    )
    retry.max_retry_after = politeness.max_retry_after_seconds
    retry.max_attempts = politeness.retries + 1
    retry.sleeper = politeness.sleep
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if headers:
        session.headers.update(headers)
    return session


class Pacer:
    """Keeps at least ``delay`` seconds between the starts of two requests (thread-safe)."""

    def __init__(self, delay: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.delay, self._last, self._lock, self._sleep = delay, 0.0, threading.Lock(), sleep

    def wait(self) -> None:
        with self._lock:
            gap = self._last + self.delay - time.monotonic()
            if gap > 0:
                self._sleep(gap)
            self._last = time.monotonic()


def body_excerpt(response: requests.Response, secrets: tuple[str, ...] = ()) -> str:
    """The start of a body for an error message, with any ``apiKey=`` value and the given secrets
    masked: a proxy or error page may echo the request URL, key included."""
    text = _SECRET_PARAM.sub(r"\1***", response.text[:200])
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return repr(text[:60])


def guarded(feed: str, what: str, politeness: Politeness, send: Callable[[], requests.Response]):
    """Run one request; a timeout or a failing status after the retries becomes a named FeedError.

    ``what`` names the request in errors instead of the URL, whose query may hold a key.
    """
    try:
        response = send()
    except (requests.Timeout, requests.exceptions.RetryError) as exc:
        raise FeedTimeout(
            feed,
            f"{what}: no answer within {politeness.timeout_seconds:g}s after {politeness.retries} "
            f"retries ({type(exc).__name__})",
        ) from None
    except requests.ConnectionError as exc:
        if "timeout" in str(exc).lower() or "timed out" in str(exc).lower():
            raise FeedTimeout(
                feed,
                f"{what}: timed out ({politeness.timeout_seconds:g}s) after {politeness.retries} retries",
            ) from None
        raise FeedHTTPError(
            feed, f"{what}: connection failed after {politeness.retries} retries", 0
        ) from None
    if response.status_code >= 400:
        raise FeedHTTPError(
            feed,
            f"{what}: HTTP {response.status_code} after {politeness.retries} retries",
            response.status_code,
        )
    return response
