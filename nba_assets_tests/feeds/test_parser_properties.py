"""Hypothesis over the feed parsers: arbitrary JSON never crashes them (only a named FeedError) and
never yields a NaN, negative or off-grid line."""

from __future__ import annotations

import contextlib
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from nba_assets.feeds.errors import FeedError
from nba_assets.feeds.odds_parsing import parse_event_odds, parse_events, with_consensus
from nba_assets.feeds.stats_parsing import GAME_LOG_COLUMNS, parse_game_log, parse_roster, parse_scoreboard

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


def _result_set(name: str, headers: list[str], rows: list) -> dict:
    return {"name": name, "headers": headers, "rowSet": rows}


ids = st.one_of(st.integers(1, 2**40), st.text(max_size=4), st.none(), st.booleans(), st.floats())
names = st.one_of(st.text(max_size=6), st.none(), st.integers())
roster_rows = st.lists(st.tuples(ids, names), max_size=5)


def _valid_id(value) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    try:
        int(value)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def _valid_name(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _raises_named(parse, payload) -> bool:
    """True when ``parse`` refused ``payload`` with a FeedError naming the feed; any other
    exception escapes and fails the test."""
    try:
        parse(payload)
    except FeedError as err:
        assert str(err).startswith("nba stats: "), err
        return True
    return False


@settings(max_examples=300, deadline=None)
@given(
    json_values
    | st.fixed_dictionaries({"resultSets": st.lists(json_values, max_size=3)})
    | st.fixed_dictionaries({"scoreboard": json_values | st.fixed_dictionaries({"games": json_values})})
)
def test_stats_parsers_never_crash(payload):
    """Arbitrary JSON: each parser returns its documented type or raises a FeedError naming the
    feed; a payload without the parser's part (ScoreboardV3's scoreboard.games list, the result set
    of the others) is always refused."""
    sets = payload.get("resultSets") if isinstance(payload, dict) else None
    board = payload.get("scoreboard") if isinstance(payload, dict) else None

    def has_set(name: str) -> bool:
        return isinstance(sets, list) and any(isinstance(e, dict) and e.get("name") == name for e in sets)

    for parse, present in (
        (parse_scoreboard, isinstance(board, dict) and isinstance(board.get("games"), list)),
        (parse_roster, has_set("CommonTeamRoster")),
        (parse_game_log, has_set("LeagueGameLog")),
    ):
        if _raises_named(parse, payload):
            continue
        assert present, f"{parse.__name__} accepted a payload without its part: {payload!r}"
        out = parse(payload)
        if parse is parse_game_log:
            assert list(out.columns) == list(GAME_LOG_COLUMNS)
        else:
            assert isinstance(out, list)


@settings(max_examples=300, deadline=None)
@given(roster_rows)
def test_a_roster_is_every_row_or_a_named_error(rows):
    """A roster row with a missing/non-numeric id or an empty name refuses the whole roster; a clean
    roster comes back whole, in order, as (int id, stripped name)."""
    payload = {
        "resultSets": [_result_set("CommonTeamRoster", ["PLAYER_ID", "PLAYER"], [list(r) for r in rows])]
    }
    clean = all(_valid_id(i) and _valid_name(n) and not isinstance(n, dict | list) for i, n in rows)
    if not clean:
        assert _raises_named(parse_roster, payload), f"bad roster row accepted: {rows!r}"
        return
    assert [(p.player_id, p.name) for p in parse_roster(payload)] == [
        (int(i), str(n).strip()) for i, n in rows
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 6), st.integers(1, 6), st.sampled_from(["Final", "PPD", "7:00 pm ET"]),
                       st.booleans(), st.sampled_from([None, "", "2026-01-03T00:30:00Z", "soon"])),
             max_size=4),
)  # fmt: skip
def test_a_scoreboard_names_both_teams_of_every_game_or_is_refused(games):
    """ScoreboardV3: every game comes back once, in order, with both tricodes and its tip-off in UTC (None
    when blank); a game whose team has no tricode, or whose time is not a time, refuses the scoreboard."""
    entries = [
        {
            "gameId": f"g{i}",
            "gameStatusText": status,
            "gameTimeUTC": tip,
            "homeTeam": {"teamId": home, "teamTricode": f"T{home}"},
            "awayTeam": {"teamId": away, "teamTricode": f"T{away}" if named else ""},
        }
        for i, (home, away, status, named, tip) in enumerate(games)
    ]
    payload = {"scoreboard": {"gameDate": "2026-01-02", "games": entries}}
    if any(not named or tip == "soon" for *_, named, tip in games):
        assert _raises_named(parse_scoreboard, payload)
        return
    out = parse_scoreboard(payload)
    assert [(g.game_id, g.home_team, g.away_team, g.status, g.tipoff) for g in out] == [
        (f"g{i}", f"T{h}", f"T{a}", s, tip or None) for i, (h, a, s, _, tip) in enumerate(games)
    ]
    assert [g.postponed for g in out] == [s == "PPD" for _, _, s, _, _ in games]
