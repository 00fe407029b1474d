"""The Odds API v4 client against a real HTTP server on 127.0.0.1 serving answers captured from the
real API (``captures/``; a test's own books and lines go into a captured envelope)."""

from __future__ import annotations

import math
from datetime import date

import pytest
from werkzeug import Response

from nba_assets.feeds.day import FeedReport, lines_from_feed
from nba_assets.feeds.errors import CreditBudgetExceeded, FeedHTTPError, FeedResponseError, FeedTimeout
from nba_assets.feeds.identity import match
from nba_assets.inputs.lines import validate_lines
from nba_assets_tests.feeds import captured
from nba_assets_tests.feeds.conftest import KEY
from nba_assets_tests.waiting import wait_for

DAY = date(2026, 1, 2)
EVENTS = "/v4/sports/basketball_nba/events"
CREDITS = {"x-requests-used": "41", "x-requests-remaining": "459", "x-requests-last": "1"}


def _serve(httpserver, books: dict, event_ids=("e1",)) -> None:
    items = [(e, "Los Angeles Lakers", "Denver Nuggets", "2026-01-03T00:30:00Z") for e in event_ids]
    httpserver.expect_request(EVENTS).respond_with_json(
        captured.events(items),
        headers={"x-requests-used": "40", "x-requests-remaining": "460", "x-requests-last": "0"},  # fmt: skip
    )
    for e in event_ids:
        httpserver.expect_request(
            f"{EVENTS}/{e}/odds",
            query_string={
                "apiKey": KEY,
                "markets": "player_points",
                "regions": "us",
                "oddsFormat": "american",
            },
        ).respond_with_json(captured.event_odds(e, books), headers=CREDITS)


BOOKS = {
    "draftkings": [("Nikola Jokić", 27.5, -115, -105), ("LeBron James", 24.5, -110, -110)],
    "fanduel": [("Nikola Jokic", 28.5, -110, -110), ("LeBron James", 24.5, -112, -108)],
    "betmgm": [("Nikola Jokic", 27.5, -110, None), ("Nicolas Claxton", 9.5, -110, -110)],  # no under price
}


def test_a_normal_day_every_book_a_consensus_and_credits(httpserver, odds):
    _serve(httpserver, BOOKS)
    report = FeedReport()
    frame = lines_from_feed(odds, DAY, {"nikolajokic", "lebronjames", "nicclaxton"}, report)
    jokic = frame[frame["player_lookup"] == "nikolajokic"]
    # the accented and the plain spelling are one player; consensus = median across books
    assert set(jokic["bookmaker"]) == {"draftkings", "fanduel", "betmgm", "consensus"}
    assert jokic.loc[jokic["bookmaker"] == "consensus", "line"].item() == 27.5
    # a bookmaker without a price: the line stays, the price is NaN
    assert math.isnan(jokic.loc[jokic["bookmaker"] == "betmgm", "under_price"].item())
    # the alias table: "Nicolas Claxton" is the box score's "Nic Claxton"
    assert "nicclaxton" in set(frame["player_lookup"]) and report.unmatched == []
    assert odds.credits.as_metadata() == {"credits_used": 41, "credits_remaining": 459, "credits_last": 1,
                                          "credits_spent": 1}  # fmt: skip
    validate_lines(frame.assign(player_name=frame["player_lookup"]), "odds", "allow")  # the validator agrees


def test_the_key_is_sent_but_never_in_errors_or_repr(httpserver, odds):
    httpserver.expect_request(EVENTS).respond_with_data("nope", status=500)
    with pytest.raises(FeedHTTPError) as err:
        odds.events(DAY)
    assert KEY not in str(err.value) and KEY not in repr(odds)
    assert httpserver.log[0][0].args["apiKey"] == KEY


def test_the_key_is_masked_in_debug_logs(httpserver, odds, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="urllib3")
    httpserver.expect_request(EVENTS).respond_with_json([])
    odds.events(DAY)
    client_logs = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("urllib3"))
    assert "apiKey=***" in client_logs and KEY not in client_logs  # (the test server's own log shows it)


def test_unmatched_players_are_reported_not_dropped_silently(httpserver, odds):
    _serve(httpserver, BOOKS)
    report = FeedReport()
    frame = lines_from_feed(odds, DAY, {"nikolajokic"}, report)
    assert set(frame["player_lookup"]) == {"nikolajokic"}
    assert report.unmatched == ["LeBron James", "Nicolas Claxton"]


def test_an_empty_day(httpserver, odds):
    httpserver.expect_request(EVENTS).respond_with_json([])
    frame = lines_from_feed(odds, DAY, None, FeedReport())
    assert frame.empty and odds.credits.spent == 0


def test_the_credit_budget_stops_before_the_request(httpserver, odds):
    odds.credit_budget = 2
    _serve(httpserver, BOOKS, event_ids=("e1", "e2", "e3"))
    with pytest.raises(CreditBudgetExceeded, match="stopped before the request"):
        lines_from_feed(odds, DAY, None, FeedReport())
    odds_calls = [r for r, _ in httpserver.log if r.path.endswith("/odds")]
    assert len(odds_calls) == 2 and odds.credits.spent == 2  # never a third


def test_429_with_retry_after_then_success(httpserver, odds):
    httpserver.expect_oneshot_request(EVENTS).respond_with_response(
        Response("quota", status=429, headers={"Retry-After": "1"})
    )
    httpserver.expect_request(EVENTS).respond_with_json([])
    assert odds.events(DAY) == []


def test_5xx_then_success(httpserver, odds):
    httpserver.expect_oneshot_request(EVENTS).respond_with_data("", status=500)
    _serve(httpserver, BOOKS)
    assert [e.event_id for e in odds.events(DAY)] == ["e1"]


def test_a_timeout(httpserver, odds):
    import time

    httpserver.expect_request(EVENTS).respond_with_handler(lambda r: (time.sleep(1.0), Response("[]"))[1])
    with pytest.raises(FeedTimeout, match="the odds api: events 2026-01-02"):
        odds.events(DAY)
    # the single-threaded server is still sleeping on the retried requests: let it answer them all
    # before the next test's handlers are registered
    wait_for(lambda: len(httpserver.log) == 3, 10, "the server to answer the 3 timed-out requests", 0.1)


def test_malformed_json_and_missing_fields(httpserver, odds):
    httpserver.expect_oneshot_request(EVENTS).respond_with_data("{not json")
    with pytest.raises(FeedResponseError, match="malformed JSON"):
        odds.events(DAY)
    httpserver.expect_oneshot_request(EVENTS).respond_with_json([{"home_team": "x"}])
    with pytest.raises(FeedResponseError, match="item 0 has no 'id'"):
        odds.events(DAY)
    httpserver.expect_request(f"{EVENTS}/e9/odds").respond_with_json({"bookmakers": []})
    with pytest.raises(FeedResponseError, match="missing field 'id'"):
        odds.event_lines("e9")


def test_events_of_other_new_york_dates_are_left_out(httpserver, odds):
    items = [("late", "A", "B", "2026-01-03T03:00:00Z"), ("next", "C", "D", "2026-01-03T17:00:00Z")]
    httpserver.expect_request(EVENTS).respond_with_json(captured.events(items))
    assert [e.event_id for e in odds.events(DAY)] == ["late"]  # 22:00 New York on Jan 2


def test_at_most_five_distinct_lines_a_player(httpserver, odds):
    books = {f"book{i}": [("LeBron James", 20.5 + i, -110, -110)] for i in range(8)}
    _serve(httpserver, books)
    frame = lines_from_feed(odds, DAY, None, FeedReport())
    assert frame["line"].nunique() == 5 and 24.5 in set(frame["line"])  # median of 20.5..27.5 -> 24.0/24.5


def test_identity_match_folds_accents_suffixes_and_aliases():
    out = match(["Luka Dončić", "Jaren Jackson Jr.", "Nicolas Claxton", "Nobody Here"],
                {"lukadoncic", "jarenjackson", "nicclaxton"})  # fmt: skip
    assert out.lookups == {"Luka Dončić": "lukadoncic", "Jaren Jackson Jr.": "jarenjackson",
                           "Nicolas Claxton": "nicclaxton"}  # fmt: skip
    assert out.unmatched == ["Nobody Here"]


def test_a_real_event_with_ten_books_and_alternate_ladders(httpserver, odds):
    """ORL@CLE on 2024-02-22 as The Odds API answered it: 10 books, unibet_us and betrivers with a
    ladder of alternate lines per player; every book's line kept, at most 5 distinct per player."""
    body = captured.load(captured.ODDS_ORL_CLE)
    listed = captured.load(captured.ODDS_EVENTS)
    httpserver.expect_request(EVENTS).respond_with_json(listed[:2])  # the two events captured with odds
    httpserver.expect_request(f"{EVENTS}/{body['id']}/odds").respond_with_json(body, headers=CREDITS)
    httpserver.expect_request(f"{EVENTS}/f9f3f99b5124a4ecf984003f0af23d2e/odds").respond_with_json(
        captured.load(captured.ODDS_BKN_TOR), headers=CREDITS
    )
    report = FeedReport()
    frame = lines_from_feed(odds, date(2024, 2, 22), None, report)
    assert report.events == 2 and report.requests == 3 and frame["player_lookup"].nunique() > 30
    assert len({b for b in frame["bookmaker"]} - {"consensus"}) == 10
    assert frame.groupby("player_lookup")["line"].nunique().max() <= 5
    garland = frame[frame["player_lookup"] == "dariusgarland"]
    assert garland.loc[garland["bookmaker"] == "consensus", "line"].item() == 20.5


def test_the_real_events_list_keeps_the_new_york_date(httpserver, odds):
    httpserver.expect_request(EVENTS).respond_with_json(captured.load(captured.ODDS_EVENTS))
    events = odds.events(date(2024, 2, 22))
    assert len(events) == 12  # of its 21 events, those starting on Feb 22 in New York (19:00-22:10)
    assert events[0].event_id == "f54c4a22568ce9dc33fb410d1b0e75e9"
