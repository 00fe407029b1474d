"""Hypothesis over the feed parsers: arbitrary JSON never crashes them (only a named FeedError) and
never yields a NaN, negative or off-grid line."""

from __future__ import annotations

import contextlib
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from nba_assets.feeds.errors import FeedError
from nba_assets.feeds.odds_parsing import parse_event_odds, parse_events, with_consensus
from nba_assets.feeds.stats_parsing import parse_game_log, parse_roster, parse_scoreboard

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)  # fmt: skip
points = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-100, 200), st.none(), st.text(max_size=3)
)
outcome = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Over", "Under", "Yes", ""]),
        "description": st.sampled_from(["A B", "Ć D", "", 3]),
        "point": points,
        "price": points,
    }  # fmt: skip
)
odds_like = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["e1", 5, None]),
        "bookmakers": st.lists(
            st.fixed_dictionaries(
                {
                    "key": st.sampled_from(["dk", "fd", None]),
                    "markets": st.lists(
                        st.fixed_dictionaries(
                            {
                                "key": st.sampled_from(["player_points", "h2h"]),
                                "outcomes": st.lists(outcome | json_values, max_size=6),
                            }
                        ),
                        max_size=2,
                    ),
                }
            ),
            max_size=4,
        ),  # fmt: skip
    }
)


def _lines_ok(frame) -> None:
    for line in frame["line"]:
        assert isinstance(line, float) and math.isfinite(line) and line > 0 and (line * 2) % 1 == 0


@settings(max_examples=300, deadline=None)
@given(json_values | odds_like)
def test_odds_parsers_never_crash_nor_make_bad_lines(payload):
    for parse in (parse_events,):
        with contextlib.suppress(FeedError):
            parse(payload)
    try:
        rows, dropped = parse_event_odds(payload)
    except FeedError:
        return
    assert dropped >= 0
    _lines_ok(rows)
    _lines_ok(with_consensus(rows))


@settings(max_examples=300, deadline=None)
@given(json_values | st.fixed_dictionaries({"resultSets": st.lists(json_values, max_size=3)}))
def test_stats_parsers_never_crash(payload):
    for parse in (parse_scoreboard, parse_roster, parse_game_log):
        with contextlib.suppress(FeedError):
            parse(payload)
