"""The JSON Schemas (draft 2020-12) of the v1 front-end files, shipped as package data.

``common.json`` holds the shared definitions; each file's schema refers to it by relative
``$ref``, resolved through one in-memory registry (never over the network).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from itertools import islice
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_FILES = {
    "all_players": "all-players.json",
    "player": "player.json",
    "predictions": "predictions.json",
    "best_bets": "best-bets.json",
    "results": "results.json",
}
_COMMON = "common.json"


def load(name: str) -> dict[str, Any]:
    """A schema document by file name, e.g. ``all-players.json``."""
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    docs = [load(n) for n in (_COMMON, *SCHEMA_FILES.values())]
    return Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)


@cache
def _fast(kind: str) -> jsonschema_rs.Validator:
    """jsonschema-rs (Rust): ~20x faster than jsonschema, fast enough for a 450-player day."""
    docs = [load(n) for n in (_COMMON, *SCHEMA_FILES.values())]
    registry = jsonschema_rs.Registry([(d["$id"], d) for d in docs])
    return jsonschema_rs.validator_for(load(SCHEMA_FILES[kind]), registry=registry, validate_formats=True)


def is_valid(kind: str, payload: dict[str, Any]) -> bool:
    """The fast yes/no check; ``schema_errors`` (jsonschema, pure Python) explains a no."""
    return _fast(kind).is_valid(payload)


@cache
def validator(kind: str) -> Draft202012Validator:
    """The validator of one export kind (``all_players``, ``player``, ...), built once per process."""
    if kind not in SCHEMA_FILES:
        raise KeyError(f"no schema for export kind {kind!r}; known: {', '.join(SCHEMA_FILES)}")
    schema = load(SCHEMA_FILES[kind])
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def schema_errors(kind: str, payload: dict[str, Any], limit: int = 5) -> list[str]:
    """Up to ``limit`` violations as 'at <json path>: <message>' sentences; [] when valid.

    The fast check decides; only a failing file pays for jsonschema's explanation.
    """
    if is_valid(kind, payload):
        return []
    errors = [
        f"at {e.json_path}: {_short(e.message)}" for e in islice(validator(kind).iter_errors(payload), limit)
    ]
    return errors or ["jsonschema-rs and jsonschema disagree; treating the file as invalid"]


def _short(message: str, width: int = 200) -> str:
    return message if len(message) <= width else message[: width - 3] + "..."
