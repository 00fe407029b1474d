"""The feeds' HTTP safety properties, on a real server on 127.0.0.1 and an injected clock.

- ``Retry-After`` is obeyed up to ``max_retry_after_seconds`` and never longer (a server asking for an
  hour does not park the run);
- retries are bounded: a server failing every time gets exactly ``1 + retries`` requests;
- no error of either feed, on any path (HTTP status, HTML or truncated bodies, a body echoing the
  request URL, connection refused, timeouts), carries the API key or the request URL: errors name
  the request instead.

Every wait goes through ``Politeness.sleep``; the tests record the waits asked for instead of timing
the wall clock, so they take milliseconds.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import time
import traceback
from datetime import date

import pytest
from werkzeug import Response

from nba_assets.feeds.errors import FeedHTTPError, FeedResponseError, FeedTimeout
from nba_assets.feeds.nba_stats import NbaApiStatsFeed
from nba_assets.feeds.odds_api import OddsApiFeed
from nba_assets_tests.feeds import captured
from nba_assets_tests.feeds.conftest import FAST, KEY
from nba_assets_tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)

DAY = date(2026, 1, 2)
PATHS = {"stats": "/stats/scoreboardv3", "odds": "/v4/sports/basketball_nba/events"}


class Clock:
    """Records every wait the client asks for and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _feed(kind: str, base: str, **politeness):
    fast = dataclasses.replace(FAST, **politeness)
    if kind == "stats":
        return NbaApiStatsFeed(base_url=base + "/stats", politeness=fast)
    return OddsApiFeed(api_key=KEY, base_url=base + "/", credit_budget=10, politeness=fast)


def _ask(kind: str, feed) -> object:
    return feed.games(DAY) if kind == "stats" else feed.events(DAY)


@pytest.mark.parametrize("kind", ["stats", "odds"])
def test_retry_after_is_obeyed_up_to_the_cap_and_never_longer(httpserver, kind):
    clock = Clock()
    feed = _feed(kind, httpserver.url_for("").rstrip("/"), max_retry_after_seconds=60, sleep=clock)
    for wait in ("3600", "7"):
        httpserver.expect_oneshot_request(PATHS[kind]).respond_with_response(
            Response("slow down", status=429, headers={"Retry-After": wait})
        )
    httpserver.expect_request(PATHS[kind]).respond_with_json(
        [] if kind == "odds" else captured.scoreboard_v3(DAY, [])
    )
    assert _ask(kind, feed) == []
    assert len(httpserver.log) == 3
    # the hour became the 60 s cap; the 7 s asked for were waited exactly; nothing else waited
    assert clock.waits == [60.0, 7.0]


@pytest.mark.parametrize("kind", ["stats", "odds"])
def test_a_server_failing_every_time_gets_exactly_one_plus_retries_requests(httpserver, kind):
    clock = Clock()
    feed = _feed(kind, httpserver.url_for("").rstrip("/"), retries=3, backoff_seconds=1.0, sleep=clock)
    httpserver.expect_request(PATHS[kind]).respond_with_data("down", status=502)
    with pytest.raises(FeedHTTPError, match="HTTP 502 after 3 retries"):
        _ask(kind, feed)
    assert len(httpserver.log) == 4
    assert clock.waits == [1.0, 2.0]  # urllib3's backoff: none before the first retry, then 1 s, 2 s


def _echo_url(request):
    return Response(f"<html>key {request.args.get('apiKey')} refused for {request.url}</html>", status=200)


def _slow(request):
    time.sleep(0.5)
    return Response("{}")


ERROR_PATHS = {
    "http_500": (lambda s: s.respond_with_data("nope", status=500), FeedHTTPError),
    "http_403_echoing_the_url": (
        lambda s: s.respond_with_handler(lambda r: Response(f"denied: {r.url}", status=403)),
        FeedHTTPError,
    ),
    "429_forever": (
        lambda s: s.respond_with_response(Response("x", status=429, headers={"Retry-After": "1"})),
        FeedHTTPError,
    ),
    "html_page_echoing_the_url": (lambda s: s.respond_with_handler(_echo_url), FeedResponseError),
    "truncated_json": (lambda s: s.respond_with_data('{"resultSets": [{"name": "Ga'), FeedResponseError),
    "empty_body": (lambda s: s.respond_with_data(""), FeedResponseError),
    "wrong_shape": (lambda s: s.respond_with_json({"unexpected": True}), FeedResponseError),
    "timeout": (lambda s: s.respond_with_handler(_slow), FeedTimeout),
}


def _everything_said(err: BaseException, caplog) -> str:
    """All a user, a log or Dagster could show of the failure: message, repr, the traceback as
    Python prints it (chained exceptions included unless suppressed), and every log record."""
    told = [str(err), repr(err), "".join(traceback.format_exception(err))]
    told += [r.getMessage() for r in caplog.records if r.name != "werkzeug"]  # not the test server's
    return "\n".join(told)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("kind", ["stats", "odds"])
@pytest.mark.parametrize("path", [*ERROR_PATHS, "connection_refused"])
def test_no_error_path_of_either_feed_carries_the_key_or_the_url(httpserver, caplog, kind, path):
    caplog.set_level(logging.DEBUG)
    if path == "connection_refused":
        base, expected = f"http://127.0.0.1:{_closed_port()}", FeedHTTPError
    else:
        base = httpserver.url_for("").rstrip("/")
        serve, expected = ERROR_PATHS[path]
        serve(httpserver.expect_request(PATHS[kind]))
    feed = _feed(kind, base, timeout_seconds=0.2, sleep=Clock())
    with pytest.raises(expected) as err:
        _ask(kind, feed)
    said = _everything_said(err.value, caplog)
    assert KEY not in said
    assert "apiKey=" not in str(err.value) and "GameDate=" not in str(err.value)  # the request is named,
    if "echoing" not in path:  # (a body quoted in the error may hold the URL, the key masked)
        assert base not in str(err.value)  # never its URL
    if path != "connection_refused":
        assert httpserver.log, "the request reached the server"
    if path == "timeout":  # the single-threaded server is still sleeping on the retries: let it finish
        wait_for(lambda: len(httpserver.log) == 3, 10, "the server to answer the timed-out requests", 0.05)
