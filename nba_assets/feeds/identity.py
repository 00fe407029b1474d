"""One player across feeds: ``naming.player_lookup`` plus a small alias table for nicknames.

``player_lookup`` already folds accents, punctuation, case and "Jr."/"III"; what it cannot know is
that a sportsbook's "Nicolas Claxton" is the box score's "Nic Claxton". Names that match nothing on
the day's slate are returned, to be reported (metadata table, a non-blocking check), never dropped
in silence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nba_assets.naming import InvalidIdentifier, player_lookup

# sportsbook spelling (as a lookup) -> the NBA stats lookup; add a line when a check reports one
ALIASES: dict[str, str] = {
    "nicolasclaxton": "nicclaxton",
    "cameronthomas": "camthomas",
    "herbertjones": "herbjones",
    "kenyonmartin": "kjmartin",
    "mohamedbamba": "mobamba",
    "cameronjohnson": "camjohnson",
    "gregoryjackson": "ggjackson",
    "nahshonhyland": "boneshyland",
}


@dataclass(frozen=True)
class Matched:
    lookups: dict[str, str]  # feed name -> player_lookup
    unmatched: list[str]  # feed names without a player on the slate (sorted)


def canonical(name: str) -> str | None:
    """The lookup a feed's name stands for, through the alias table; None for an unusable name."""
    try:
        lookup = player_lookup(name)
    except InvalidIdentifier:
        return None
    return ALIASES.get(lookup, lookup)


def match(names: Iterable[str], known: set[str] | None) -> Matched:
    """Map feed names to lookups; with ``known`` (the slate's lookups) anything else is unmatched."""
    lookups, unmatched = {}, []
    for name in sorted(set(names)):
        lookup = canonical(name)
        if lookup is None or (known is not None and lookup not in known):
            unmatched.append(name)
        else:
            lookups[name] = lookup
    return Matched(lookups, unmatched)
