"""The one encoder for player lookups, document ids, table names and file names.

The old coordinator pasted player names into Firestore field paths and table names, and names
such as ``D'Angelo Russell`` or ``O.G. Anunoby`` broke them (DESIGN L4). Every identifier that
reaches a document path, a SQL identifier or a file name goes through this module.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date

# Generational suffixes dropped so that "Gary Trent Jr." from a box score and "Gary Trent Jr" from a
# sportsbook meet on one lookup.
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,62}$")
_BATCH_ID = re.compile(r"^b\d{8}_[0-9a-f]{8}$")
_SAFE_PREFIX_LEN = 40
_HASH_LEN = 10


class InvalidIdentifier(ValueError):
    """An identifier that would be unsafe in a document path, SQL or a file name."""


def _fold(text: str) -> str:
    """Lower-case ASCII with accents removed (``Jokić`` -> ``jokic``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def player_lookup(name: str) -> str:
    """The canonical key of a player name: accents, punctuation, case and suffixes removed."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidIdentifier(f"player name must be a non-empty string, got {name!r}")
    # Apostrophes and periods join letters ("D'Angelo" -> "dangelo", "O.G." -> "og"); hyphens and
    # spaces separate words before the suffix check, then everything non-alphanumeric goes.
    folded = re.sub(r"['’`.]", "", _fold(name))
    words = [w for w in _NON_ALNUM.split(folded) if w]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    lookup = "".join(words)
    if not lookup:
        raise InvalidIdentifier(f"player name {name!r} has no letters or digits")
    return lookup


def short_hash(text: str, length: int = _HASH_LEN) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def safe_key(key: str) -> str:
    """A Firestore document id, table-name part or file stem for any string.

    A readable prefix from ``[a-z0-9_]`` plus a hash of the exact input, so two inputs that fold
    to the same prefix still differ, and the result never contains ``/``, ``.``, ``__x__`` or
    anything a path or SQL identifier would interpret.
    """
    if not isinstance(key, str) or key == "":
        raise InvalidIdentifier(f"key must be a non-empty string, got {key!r}")
    prefix = _NON_ALNUM.sub("_", _fold(key)).strip("_")[:_SAFE_PREFIX_LEN].rstrip("_") or "x"
    return f"{prefix}_{short_hash(key)}"


def batch_id_for(game_date: date, players: list[str] | tuple[str, ...]) -> str:
    """Deterministic batch id of a day's slate: the same players on the same date, the same id."""
    digest = short_hash("\n".join(sorted(players)) + "|" + game_date.isoformat(), 8)
    return f"b{game_date:%Y%m%d}_{digest}"


def check_batch_id(batch_id: str) -> str:
    """Reject anything that is not a batch id made by :func:`batch_id_for`."""
    if not isinstance(batch_id, str) or not _BATCH_ID.match(batch_id):
        raise InvalidIdentifier(f"batch_id {batch_id!r} is not of the form bYYYYMMDD_<8 hex>")
    return batch_id


def check_sql_identifier(name: str, field: str = "identifier") -> str:
    """Dataset and table prefixes from settings: a plain lower-case identifier or an error."""
    if not isinstance(name, str) or not _SAFE_ID.match(name):
        raise InvalidIdentifier(f"{field} {name!r} must match {_SAFE_ID.pattern}")
    return name


def staging_name(batch_id: str, player: str) -> str:
    """The staging table (BigQuery) or file stem (local) of one player of one batch."""
    return f"_staging_{check_batch_id(batch_id)}_{safe_key(player)}"


def shard_of(player: str, shard_count: int) -> int:
    """A stable shard for a player: the same on every machine and Python run (no ``hash()``)."""
    if shard_count < 1:
        raise ValueError(f"shard_count must be >= 1, got {shard_count}")
    return int(short_hash(player, 8), 16) % shard_count


def shard_key(shard: int) -> str:
    return f"{shard:02d}"
