"""One player across sources: a book's name matched against the players who can be in that game.

Books spell players their own way: "Cam Johnson" for the box score's "Cameron Johnson", the slug
``cameronjohnson-g`` (position suffix), "J. Isaac", "Jakob Poeltl" for "Jakob Pöltl", "George Niang"
for "Georges Niang". A hand alias table never keeps up, so a name is matched against the
*candidates* of its game (the two teams of an Odds API event; the players of a date's box scores or
slate for a lines file), in this order, each step only when it settles on exactly one candidate:

1. the normalised name (``naming.player_lookup``: accents, case, punctuation, Jr/Sr/II/III; a
   slug's trailing position ``-g``/``-f``/``-c`` dropped);
2. a name that is exactly some *other* known player who is not a candidate stays unmatched (a
   player ruled out is not re-assigned to a teammate with a similar name);
3. same last name and a compatible first name: equal, one a prefix of the other (initials
   "J." / Jonathan, Nic / Nicolas, Cam / Cameron, Herb / Herbert) or a known nickname (Moe /
   Moritz); a slug without word breaks is split at each candidate's last name;
4. edit distance (George / Georges, Poeltl / Poltl): at most 1 edit (2 for long names), the
   closest candidate strictly closer than the next;
5. the alias table, for what none of that settles.

Every name that matches nothing is returned (with its game or date) to be reported in metadata,
an asset check and the CLI, never dropped in silence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from nba_assets.naming import InvalidIdentifier, _fold, player_lookup

# book spelling (as a lookup) -> the NBA stats lookup, only for what the steps above cannot settle
ALIASES: dict[str, str] = {
    "nahshonhyland": "boneshyland",
    "eneskanter": "enesfreedom",  # renamed in 2021; books kept the old name
}
# first names that are one person without one being a prefix of the other (both directions)
NICKNAMES: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in [
        ("moe", "moritz"),
        ("moe", "maurice"),
        ("willy", "guillermo"),
        ("danny", "daniel"),
        ("jay", "james"),
        ("gg", "gregory"),
        ("kj", "kenyon"),
        ("bones", "nahshon"),
        ("bub", "carlton"),
        ("nate", "jeenathan"),
        ("kenny", "kenrich"),
        ("tre", "terrence"),
        ("bj", "brandon"),
        ("ish", "ishmael"),
        ("jj", "joshua"),
        ("ant", "anthony"),
        ("mitch", "mitchell"),
        ("cj", "calvin"),
        ("pj", "paul"),
        ("rj", "ronald"),
        ("aj", "alan"),
        ("jt", "jonathan"),
    ]
)
# a slug's trailing position (BettingPros: cameronjohnson-g, robertwilliams-c)
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_POSITIONS = ("g", "f", "c", "gf", "fc", "pg", "sg", "sf", "pf")
_WORDS = re.compile(r"[^a-z0-9]+")
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})

# The Odds API's team names -> the box scores' abbreviations (an event's two teams)
TEAMS: dict[str, str] = {
    "Atlanta Hawks": "ATL", "Boston Celtics": "BOS", "Brooklyn Nets": "BKN",
    "Charlotte Hornets": "CHA", "Chicago Bulls": "CHI", "Cleveland Cavaliers": "CLE",
    "Dallas Mavericks": "DAL", "Denver Nuggets": "DEN", "Detroit Pistons": "DET",
    "Golden State Warriors": "GSW", "Houston Rockets": "HOU", "Indiana Pacers": "IND",
    "Los Angeles Clippers": "LAC", "LA Clippers": "LAC", "Los Angeles Lakers": "LAL",
    "Memphis Grizzlies": "MEM", "Miami Heat": "MIA", "Milwaukee Bucks": "MIL",
    "Minnesota Timberwolves": "MIN", "New Orleans Pelicans": "NOP", "New York Knicks": "NYK",
    "Oklahoma City Thunder": "OKC", "Orlando Magic": "ORL", "Philadelphia 76ers": "PHI",
    "Phoenix Suns": "PHX", "Portland Trail Blazers": "POR", "Sacramento Kings": "SAC",
    "San Antonio Spurs": "SAS", "Toronto Raptors": "TOR", "Utah Jazz": "UTA",
    "Washington Wizards": "WAS",
}  # fmt: skip


@dataclass(frozen=True)
class Matched:
    lookups: dict[str, str]  # book name -> player_lookup
    unmatched: list[str]  # book names without a candidate (sorted)


def book_lookup(name: str) -> str | None:
    """The normalised name of a book's spelling (a slug's position suffix dropped); None if unusable."""
    text = name.strip() if isinstance(name, str) else name
    while isinstance(text, str) and _SLUG.match(text):  # "jalenjohnson-f-f" happens too
        head, _, tail = text.rpartition("-")
        if not head or tail not in _POSITIONS:
            break
        text = head
    try:
        return player_lookup(text)
    except InvalidIdentifier:
        return None


def canonical(name: str) -> str | None:
    """The lookup a book's name stands for without candidates: normalised, then the alias table."""
    lookup = book_lookup(name)
    return None if lookup is None else ALIASES.get(lookup, lookup)


@lru_cache(maxsize=65536)
def _split(name: str) -> tuple[str, str] | None:
    """(first, last) of a spaced name, folded; None for a one-word name or a slug."""
    words = [w for w in _WORDS.split(re.sub(r"['’`]", "", _fold(name))) if w]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    if len(words) < 2:
        return None
    # "J.R. Smith" / "P.J. Tucker": initials split by periods are one first name
    if all(len(w) == 1 for w in words[:-1]) and len(words) > 2:
        return "".join(words[:-1]), words[-1]
    return words[0], "".join(words[1:])


def _first_names_agree(book: str, player: str) -> bool:
    if book == player:
        return True
    short, long = sorted((book, player), key=len)
    return long.startswith(short) or frozenset((book, player)) in NICKNAMES


def _split_at(lookup: str, last: str) -> str | None:
    """The first-name part of an unbroken lookup that ends with ``last``."""
    return lookup[: -len(last)] if lookup.endswith(last) and len(lookup) > len(last) else None


def _parts_agree(mine: tuple[str, str] | None, key: str, theirs: tuple[str, str] | None, lookup: str) -> bool:
    """Same last name, compatible first names; a side without word breaks (a slug, a bare lookup)
    is split at the other side's last name."""
    if mine is not None and theirs is not None:
        return mine[1] == theirs[1] and _first_names_agree(mine[0], theirs[0])
    if theirs is not None:
        first = _split_at(key, theirs[1])
        return first is not None and _first_names_agree(first, theirs[0])
    if mine is not None:
        first = _split_at(lookup, mine[1])
        return first is not None and _first_names_agree(mine[0], first)
    return False


def _by_name_parts(name: str, key: str, candidates: Mapping[str, str]) -> str | None:
    mine = _split(name)
    found = {
        lookup for lookup, display in candidates.items() if _parts_agree(mine, key, _split(display), lookup)
    }
    return found.pop() if len(found) == 1 else None


def _by_edit_distance(key: str, candidates: Iterable[str]) -> str | None:
    limit = 2 if len(key) >= 12 else 1 if len(key) >= 6 else 0
    if limit == 0:
        return None
    scored = sorted((Levenshtein.distance(key, c, score_cutoff=limit + 1), c) for c in candidates)
    if not scored or scored[0][0] > limit or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


def resolve(name: str, candidates: Mapping[str, str], known: Iterable[str] = ()) -> str | None:
    """The candidate lookup a book's ``name`` stands for, or None.

    ``candidates``: lookup -> display name of everyone who can be in this game; ``known``: every
    player lookup known anywhere (a name that exactly names one of them who is not a candidate
    did not play here, and is never re-assigned to a look-alike teammate).
    """
    key = book_lookup(name)
    if key is None:
        return None
    if key in candidates:
        return key
    if key in known:
        return None
    found = _by_name_parts(name, key, candidates) or _by_edit_distance(key, candidates)
    if found is None and ALIASES.get(key) in candidates:
        found = ALIASES[key]
    return found


def match(
    names: Iterable[str], candidates: Mapping[str, str] | set[str] | None, known: Iterable[str] = ()
) -> Matched:
    """Map book names to lookups among ``candidates`` (lookup -> display name; a set of lookups
    also works, with the name steps reduced to the lookup). ``None``: no candidates known, every
    name is taken as its normalised spelling."""
    if candidates is not None and not isinstance(candidates, Mapping):
        candidates = {c: c for c in candidates}
    known = set(known)
    lookups, unmatched = {}, []
    for name in sorted(set(names)):
        found = canonical(name) if candidates is None else resolve(name, candidates, known)
        if found is None:
            unmatched.append(name)
        else:
            lookups[name] = found
    return Matched(lookups, unmatched)
