"""No credential in logs, metadata or exports; identifiers only from the one encoder; values as parameters.

Every day run in this suite has look-alike secrets in its environment (a service-account key
path, a database password, an access token: conftest.SECRETS); the whole instance, the stores
and the exports are searched for them. Two lint-style tests read the package's source: SQL built
with f-strings may interpolate only reviewed identifiers (constants, column lists, table names
built from validated parts, the parameter sigil), never a value; Firestore document paths only
come from validated batch ids, ``safe_key`` or dates. Hostile names end to end are in
test_hostile_names (store, staging files, MERGE) and on the emulators in the crash tests.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import dagster as dg
import pytest

from nba_assets.batch_state.gcp import FirestoreBatchStore
from nba_assets.naming import InvalidIdentifier
from nba_assets_tests.reliability.conftest import local_env
from nba_assets_tests.reliability.harness import SECRET, SECRETS, assert_no_secret, files_with_secret

PACKAGE = Path(__file__).resolve().parents[2] / "nba_assets"
pytestmark = pytest.mark.timeout(180)


def test_no_secret_in_the_instance_logs_metadata_or_exports(local_templates, monkeypatch, tmp_path):
    assert all(local_env(Path("/x"))[k] == v for k, v in SECRETS.items())  # the day ran with them set
    (tmp_path / "planted.log").write_text(f"token={SECRET}")
    assert files_with_secret(tmp_path)  # the search does find one
    root = local_templates.roots["consolidated"]
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    with dg.DagsterInstance.get() as instance:
        assert {r.job_name for r in instance.get_runs()} >= {"slate_job", "staging_job", "consolidation_job"}
        assert_no_secret(root, instance, local_templates.baseline.exports)


def sql_interpolations() -> list[tuple[str, str]]:
    """(file, expression) of each ``{...}`` in an f-string that is a SQL statement."""
    statement = re.compile(
        r"^\s*(SELECT|INSERT|UPDATE|DELETE|MERGE INTO|CREATE|DROP|WITH)\b|\bFROM\b.*\bWHERE\b", re.S
    )
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.JoinedStr):
                continue
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            if statement.search(text):
                found += [
                    (path.relative_to(PACKAGE).as_posix(), ast.get_source_segment(source, v.value))
                    for v in node.values
                    if isinstance(v, ast.FormattedValue)
                ]
    return found


# Reviewed: each is a constant, a column list from the schema module, the parameter sigil ("$" or
# "@"), a sub-statement or clause from warehouse/sql.py, or a table reference built from
# check_sql_identifier/check_batch_id parts (BigQueryWarehouse._ref/_wildcard). A new entry needs
# the same review; a value (date, batch id, player, line) must be a query parameter instead.
VETTED = {
    ("batch_state/local.py", "q.COMPLETION_COLS"),
    ("warehouse/gcp.py", "self._wildcard(batch_id)"),
    ("warehouse/local.py", "name"),  # _ddl(TABLE | RESULTS_TABLE, ...)
    ("warehouse/local.py", "cols"),
    ("warehouse/local.py", "', '.join(RESULTS_SCHEMA.names)"),
    ("warehouse/local.py", "', '.join(STAGING_COLUMNS)"),
    ("warehouse/local.py", "RESULTS_TABLE"),
    ("warehouse/sql.py", "', '.join(STAGING_COLUMNS)"),
    ("warehouse/sql.py", "', '.join(columns)"),
    ("warehouse/sql.py", '", ".join(f"s.{c}" for c in RESULTS_COLUMNS)'),
    ("warehouse/sql.py", "source"),
    ("warehouse/sql.py", "target"),
    ("warehouse/sql.py", "where"),
    ("warehouse/sql.py", "KEY"),
    ("warehouse/sql.py", "p"),
    ("warehouse/sql.py", "cols"),
    ("warehouse/sql.py", "updates"),
    ("warehouse/sql.py", "insert_cols"),
    ("warehouse/sql.py", "insert_vals"),
    ("warehouse/sql.py", "active"),
    ("warehouse/sql.py", "order"),
    ("warehouse/sql.py", 'deduped_source(source, f"game_date = {p}game_date")'),
    ("warehouse/sql.py", 'deduped_source(source, "TRUE")'),
    ("warehouse/sql.py", '_on("t", "s", MERGE_KEY, p if prune else "")'),
    ("warehouse/sql.py", '_on("t", "s", MERGE_KEY)'),
    ("warehouse/sql.py", '_on("t", "s", RESULTS_KEY, p)'),
    # the input tables (box_scores, prop_lines, slate_players): columns, keys and order are the
    # package's own schema constants; `scope` is a fixed clause over `source` and `p`
    ("warehouse/sql.py", '", ".join(f"s.{c}" for c in columns)'),
    ("warehouse/sql.py", "', '.join(order)"),
    ("warehouse/sql.py", '_on("t", "s", keys, p)'),
    ("warehouse/sql.py", "scope"),
    ("warehouse/sql.py", "position"),  # input_version: the int index of a table in the UNION ALL
    ("batch_state/local.py", "_CLOSED_SQL"),  # the closed states' enum values, quoted once at import
}
VALUES = re.compile(r"game_date|batch_id|player|lookup|line|reason|now|status|value")
ENCODED = re.compile(
    r"^(self\._wildcard|self\._ref|staging_name|safe_key|check_sql_identifier|check_batch_id)\("
)


def test_sql_interpolates_only_vetted_identifiers_never_values():
    found = set(sql_interpolations())
    assert found, "the scan found no SQL: the detector is broken"
    assert found <= VETTED, f"review these SQL interpolations: {sorted(found - VETTED)}"
    for path, expression in found:
        names = [n.id for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)]
        assert not any(VALUES.search(n) for n in names) or ENCODED.match(expression), (path, expression)


DOCUMENT_PATHS = {
    'f"{collection_prefix}prediction_batches"',
    'f"{collection_prefix}consolidation_locks"',
    '"completions"',
    "c.check_id(batch_id)",
    "game_date.isoformat()",
    "key",  # key = c.doc_id(player) = safe_key(player)
    "batch_id",  # only after check_open / check_id in the same method (open_batch, _completions callers)
}


def test_document_paths_come_only_from_validated_parts():
    source = (PACKAGE / "batch_state" / "gcp.py").read_text()
    parts = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("document", "collection")
        ):
            parts |= {ast.get_source_segment(source, a) for a in node.args}
    assert parts and parts <= DOCUMENT_PATHS, sorted(parts - DOCUMENT_PATHS)
    keys = [
        n
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Assign) and "key" in ast.unparse(n.targets[0])
    ]
    assert keys and all(
        "c.doc_id(player_lookup)" in ast.unparse(n.value) for n in keys
    )  # key = safe_key(player)


@pytest.mark.parametrize("prefix", ["a/b_", "../", "x.y", "__x__", "UPPER_"])
def test_a_collection_prefix_that_could_change_the_path_is_refused(prefix):
    class NoClient:
        def collection(self, path):  # pragma: no cover - never reached
            raise AssertionError(f"collection({path!r}) built from an unchecked prefix")

    with pytest.raises(InvalidIdentifier, match="Firestore collection prefix"):
        FirestoreBatchStore(NoClient(), prefix)  # type: ignore[arg-type]
