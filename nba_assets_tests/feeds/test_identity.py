"""One name matcher (feeds/identity.py): book spellings against the players who can be in the game.

The real variants are the ones the shared prop-line files and The Odds API actually carry (issue
22 item 2, issue 24): slugs with position suffixes, nicknames, initials, accents, edit distance.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nba_assets.feeds.day import FeedReport, lines_from_feed
from nba_assets.feeds.identity import ALIASES, canonical, match, resolve
from nba_assets.naming import player_lookup
from nba_assets_tests.feeds import captured
from nba_assets_tests.feeds.conftest import KEY

# the NBA stats spellings (box scores), one team's worth plus look-alikes
ROSTER = [
    "Cameron Johnson", "Jalen Johnson", "Keldon Johnson", "Jonathan Isaac", "Jakob Poeltl",
    "Georges Niang", "Nic Claxton", "Herbert Jones", "Moritz Wagner", "Robert Williams III",
    "Bruce Brown", "Jaylin Williams", "Jalen Williams", "Bub Carrington", "Ronald Holland II",
    "Nikola Jokić", "Enes Freedom", "Bones Hyland", "Kenyon Martin Jr.", "Willy Hernangomez",
]  # fmt: skip
CANDIDATES = {player_lookup(n): n for n in ROSTER}

REAL_VARIANTS = {
    "Cam Johnson": "Cameron Johnson",  # books' short form; the old alias pointed the wrong way
    "cameronjohnson-g": "Cameron Johnson",  # BettingPros slug with a position suffix
    "jalenjohnson-f-f": "Jalen Johnson",
    "robertwilliams-c": "Robert Williams III",
    "brucebrown-jr": "Bruce Brown",
    "J. Isaac": "Jonathan Isaac",  # initial
    "Jakob Pöltl": "Jakob Poeltl",  # accent vs transliteration
    "George Niang": "Georges Niang",  # edit distance
    "Nicolas Claxton": "Nic Claxton",  # nickname, both ways
    "nicolasclaxton": "Nic Claxton",
    "Herb Jones": "Herbert Jones",
    "Moe Wagner": "Moritz Wagner",
    "moewagner": "Moritz Wagner",
    "Carlton Carrington": "Bub Carrington",
    "Ron Holland": "Ronald Holland II",
    "Nikola Jokic": "Nikola Jokić",
    "eneskanter": "Enes Freedom",  # a renamed player: the alias table's job
    "nahshonhyland": "Bones Hyland",
    "kenyonmartin-jr": "Kenyon Martin Jr.",
    "guillermohernangomez": "Willy Hernangomez",
}


@pytest.mark.parametrize("book, player", sorted(REAL_VARIANTS.items()))
def test_real_book_variants_find_their_player(book, player):
    assert resolve(book, CANDIDATES) == player_lookup(player)


def test_the_alias_no_longer_points_cameron_johnson_away_from_himself():
    assert "cameronjohnson" not in ALIASES
    assert canonical("Cameron Johnson") == "cameronjohnson"
    assert match(["Cam Johnson", "Cameron Johnson"], CANDIDATES).lookups == {
        "Cam Johnson": "cameronjohnson",
        "Cameron Johnson": "cameronjohnson",
    }


def test_an_ambiguous_name_stays_unmatched():
    # "J. Williams": Jaylin or Jalen? Neither is guessed.
    assert resolve("J. Williams", CANDIDATES) is None
    assert resolve("J. Johnson", CANDIDATES) == "jalenjohnson"  # the only J. among the Johnsons
    assert resolve("Jal Williams", CANDIDATES) == "jalenwilliams"  # "Jal" is not Jaylin


def test_a_known_player_absent_from_the_game_is_not_given_to_a_look_alike():
    # Jalen Williams is ruled out; his teammate Jaylin is two edits away and played.
    candidates = {k: v for k, v in CANDIDATES.items() if k != "jalenwilliams"}
    assert resolve("Jalen Williams", candidates, known=set(CANDIDATES)) is None
    out = match(["Jalen Williams", "Jaylin Williams"], candidates, known=set(CANDIDATES))
    assert out.lookups == {"Jaylin Williams": "jaylinwilliams"} and out.unmatched == ["Jalen Williams"]


# --- property: any book spelling of a roster player finds that player or no one, never another ---

FIRST = ["Cameron", "Nicolas", "Herbert", "Moritz", "Jonathan", "Georges", "Jakob", "Jalen", "Jaylin",
         "Keldon", "Marcus", "Markieff", "Anthony", "Andre", "Kevin", "Kelly", "Luka", "Ivica"]  # fmt: skip
LAST = ["Johnson", "Claxton", "Jones", "Wagner", "Isaac", "Niang", "Poltl", "Williams", "Morris",
        "Davis", "Drummond", "Durant", "Oubre", "Doncic", "Zubac", "Green", "Grant"]  # fmt: skip
ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "c": "ć", "n": "ñ"}


def _accented(text: str, where: list[bool]) -> str:
    return "".join(
        ACCENTS[c] if c in ACCENTS and flag else c for c, flag in zip(text, where * 9, strict=False)
    )


rosters = st.lists(
    st.tuples(st.sampled_from(FIRST), st.sampled_from(LAST)), min_size=1, max_size=12, unique=True
)


@st.composite
def spelling(draw, first: str, last: str) -> tuple[str, bool]:
    """(a book's spelling of first + last, whether it is exact up to normalisation)."""
    kind = draw(st.sampled_from(["accents", "suffix", "case", "slug", "initial", "nickname", "punctuation"]))
    if kind == "accents":
        flags = draw(st.lists(st.booleans(), min_size=4, max_size=4))
        return f"{_accented(first, flags)} {_accented(last, flags)}", True
    if kind == "suffix":
        return f"{first} {last} {draw(st.sampled_from(['Jr.', 'Sr', 'II', 'III']))}", True
    if kind == "case":
        return draw(st.sampled_from([str.upper, str.lower, str.title]))(f"{first} {last}"), True
    if kind == "slug":
        return f"{first}{last}".lower() + draw(st.sampled_from(["", "-g", "-f", "-c", "-jr"])), True
    if kind == "punctuation":
        return f"  {first}  {last}. ", True
    if kind == "initial":
        return f"{first[0]}. {last}", False
    return f"{first[: draw(st.integers(3, len(first)))]} {last}", False  # a nickname: a short first name


@settings(max_examples=300, deadline=None)
@given(data=st.data(), roster=rosters)
def test_a_spelling_finds_its_player_or_no_one_never_another(data, roster):
    candidates = {player_lookup(f"{f} {la}"): f"{f} {la}" for f, la in roster}
    first, last = data.draw(st.sampled_from(roster))
    book, exact = data.draw(spelling(first, last))
    found = resolve(book, candidates)
    assert found in (player_lookup(f"{first} {last}"), None), (book, found)
    if exact:
        assert found == player_lookup(f"{first} {last}"), book
    alone = {player_lookup(f"{first} {last}"): f"{first} {last}"}
    assert resolve(book, alone) == player_lookup(f"{first} {last}"), book  # unique: always settled


def test_accents_fold_like_the_box_scores():
    assert unicodedata.normalize("NFC", "Pöltl") != "Poltl" and resolve(
        "Jakob Pöltl", {"jakobpoltl": "Jakob Poltl"}
    )


# --- the Odds API path: names matched within the event's two teams ---

DAY = date(2026, 1, 2)
EVENTS = "/v4/sports/basketball_nba/events"


def test_the_feed_matches_each_event_within_its_two_teams(httpserver, odds):
    games = [("e1", "Brooklyn Nets", "Phoenix Suns"), ("e2", "Oklahoma City Thunder", "Orlando Magic")]
    items = [(e, home, away, "2026-01-03T00:30:00Z") for e, home, away in games]
    httpserver.expect_request(EVENTS).respond_with_json(captured.events(items))
    books = {
        "e1": {"draftkings": [("Cam Johnson", 17.5, -110, -110), ("Jalen Williams", 19.5, -110, -110)]},
        "e2": {"fanduel": [("Jalen Williams", 21.5, -110, -110), ("J. Isaac", 8.5, -110, -110)]},
    }
    for e, _, _ in games:
        httpserver.expect_request(f"{EVENTS}/{e}/odds", query_string={"apiKey": KEY, "markets": "player_points",
                                  "regions": "us", "oddsFormat": "american"}).respond_with_json(
            captured.event_odds(e, books[e]))  # fmt: skip
    roster = pd.DataFrame(
        [("cameronjohnson", "Cameron Johnson", "BKN"), ("jalenwilliams", "Jalen Williams", "OKC"),
         ("jonathanisaac", "Jonathan Isaac", "ORL"), ("jaylinwilliams", "Jaylin Williams", "OKC")],
        columns=["player_lookup", "player_name", "team"],
    )  # fmt: skip
    report = FeedReport()
    frame = lines_from_feed(odds, DAY, roster, report, known=set(roster["player_lookup"]))
    books_lines = frame[frame["bookmaker"] != "consensus"]
    assert dict(zip(books_lines["line"], books_lines["player_lookup"], strict=True)) == {
        17.5: "cameronjohnson",
        21.5: "jalenwilliams",
        8.5: "jonathanisaac",
    }
    # Jalen Williams offered in the Nets-Suns event: not a player of those teams, reported with it
    assert report.unmatched_games == [("Jalen Williams", "Phoenix Suns @ Brooklyn Nets", "did not play")]
    assert report.unmatched == ["Jalen Williams"]
