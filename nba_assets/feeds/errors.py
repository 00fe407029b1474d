"""Named feed failures: each says which feed, which request and what went wrong (never the key)."""

from __future__ import annotations


class FeedError(RuntimeError):
    """A feed could not deliver; nothing from the failed request was used."""

    def __init__(self, feed: str, message: str) -> None:
        self.feed = feed
        super().__init__(f"{feed}: {message}")


class FeedTimeout(FeedError):
    """The server did not answer within the timeout, after the bounded retries."""


class FeedHTTPError(FeedError):
    """A non-success status after the bounded retries (429 and 5xx are retried first)."""

    def __init__(self, feed: str, message: str, status: int) -> None:
        self.status = status
        super().__init__(feed, message)


class FeedResponseError(FeedError):
    """The body was not the documented shape (malformed JSON, a missing field)."""


class CreditBudgetExceeded(FeedError):
    """The next request would spend more credits than the configured budget allows."""


class FeedEmpty(FeedError):
    """A configured feed returned nothing on a date that has games."""
