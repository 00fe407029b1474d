"""The fast check (jsonschema-rs) agrees with jsonschema, on real files and on mutations.

publish uses jsonschema-rs (jsonschema is ~20x too slow for a 450-player day), so a
disagreement would let an invalid file through; these tests are what make that safe.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nba_assets.exports import schemas
from nba_assets.exports.builders import build_results_export
from nba_assets_tests.exports.conftest import GENERATED_AT
from nba_assets_tests.exports.day import graded_results

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 100)
    | st.floats(-5, 100, allow_nan=False)
    | st.sampled_from(
        ["", "OVER", "NO_LINE", "moving_average", "BOS", "2025-02-12", "2025-02-12T15:30:00Z", "Bad Id", "x"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["line", "edge", "extra"]), inner, max_size=2)
    ),
    max_leaves=4,
)


def small(files, kind: str) -> dict[str, Any]:
    """A representative, cheap-to-validate payload of each kind."""
    payload = copy.deepcopy(next(f.payload for f in files if f.kind == kind))
    if kind == "all_players":
        payload["games"] = [{**g, "players": g["players"][:3]} for g in payload["games"][:2]]
    if kind == "predictions":
        payload["predictions"] = payload["predictions"][:8]
    if kind == "results":
        payload["players"] = payload["players"][:6]
    return payload


def locations(value: Any, where: tuple = ()) -> list[tuple]:
    found = [where]
    if isinstance(value, dict):
        for key, item in value.items():
            found += locations(item, (*where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += locations(item, (*where, i))
    return found


def mutate(payload: dict, where: tuple, action: str, value: Any) -> dict:
    out = copy.deepcopy(payload)
    if not where:
        return out
    parent = out
    for step in where[:-1]:
        parent = parent[step]
    last = where[-1]
    if action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "extra" and isinstance(parent[last], dict):
        parent[last]["unexpected"] = value
    else:
        parent[last] = value
    return out


@pytest.mark.parametrize("kind", sorted(schemas.SCHEMA_FILES))
def test_fast_check_agrees_with_jsonschema_on_mutations(kind, demo_files, demo_day):
    files = demo_files
    if kind == "results":
        files = list(
            build_results_export(demo_day.game_date, graded_results(demo_day), generated_at=GENERATED_AT)
        )
    base = small(files, kind)
    spots = locations(base)
    reference = schemas.validator(kind)
    assert reference.is_valid(base) and schemas.is_valid(kind, base)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sampled_from(spots), st.sampled_from(["replace", "delete", "extra"]), JSON_VALUES)
    def agree(where, action, value):
        mutated = mutate(base, where, action, value)
        assert schemas.is_valid(kind, mutated) == reference.is_valid(mutated), (where, action, value)

    agree()


def test_every_schema_is_valid_draft_2020_12_and_closed():
    for name in ["common.json", *schemas.SCHEMA_FILES.values()]:
        doc = schemas.load(name)
        assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        schemas.Draft202012Validator.check_schema(doc)
    text = json.dumps(schemas.load("common.json"))
    assert '"additionalProperties": false' in text
