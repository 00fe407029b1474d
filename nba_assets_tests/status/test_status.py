"""`nba-assets status` against a real instance: a finished day, a stalled batch, a date with no batch."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3

import dagster as dg
import jsonschema
import pytest

from nba_assets.batch_state.local import SqliteBatchStore
from nba_assets.cli import main
from nba_assets.defs.batches import current_batch_id
from nba_assets.defs.status.report import schema, validate
from nba_assets.instance.day_run import prepare_home, run_day
from nba_assets_tests.fixtures import SMALL_DATE

DAY = SMALL_DATE.isoformat()  # 2025-02-19: one game, 20 players
pytestmark = pytest.mark.timeout(300)


@pytest.fixture()
def home(tmp_path, local_home, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return tmp_path / "dagster_home"


@pytest.fixture()
def day_instance(home):
    instance = prepare_home(home)
    yield instance
    instance.dispose()


def status_json(capsys, *args) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["status", *args, "--json"])
    report = json.loads(capsys.readouterr().out)
    validate(report)
    return code, report


def fingerprint(*folders) -> dict[str, str]:
    """Content hashes of every file that could be written (WAL side files come and go: not data)."""
    return {
        str(p): hashlib.sha256(content(p)).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def content(path) -> bytes:
    """A file's bytes; an SQLite database's rows. A WAL checkpoint moves committed pages into the
    main file when a connection of the finished run is closed (garbage-collected, whenever), which
    changes its bytes and no row."""
    data = path.read_bytes()
    if not data.startswith(b"SQLite format 3\x00"):
        return data
    with contextlib.closing(sqlite3.connect(path)) as db:
        return "\n".join(db.iterdump()).encode()


def test_status_of_a_finished_day(definitions, day_instance, local_home, home, capsys):
    result = run_day(definitions, day_instance, DAY)
    assert result.consolidated
    before = fingerprint(local_home, home)
    code, report = status_json(capsys, DAY)
    assert code == 0  # produced long after its date by a replay: no morning missed (issue 22 #8)
    (batch,) = report["batches"]
    assert (batch["batch_id"], batch["state"], batch["expected"], batch["missing"]) == (
        result.batch_id,
        "consolidated",
        20,
        [],
    )
    assert batch["done"] == batch["succeeded"] + batch["skipped"] == 20
    jobs = [r["job"] for r in report["runs"]]
    assert jobs[0] == "slate_job" and jobs[-1] == "consolidation_job" and "staging_job" in jobs
    assert all(r["status"] == "SUCCESS" for r in report["runs"])
    checks = {c["check"]: c["passed"] for c in report["checks"]}
    assert checks["consolidated_predictions_no_duplicate_keys"] and checks["front_end_exports_quality_gates"]
    assert report["exports"]["tonight"]["game_date"] == DAY
    assert report["exports"]["best_bets_latest"]["game_date"] == DAY
    # replayed long after that day: not late, and the in-run deadline checks say the same
    assert report["freshness"]["consolidated_predictions"]["verdict"] == "replayed"
    assert report["freshness"]["verdict"] == "replayed"
    assert (
        checks["consolidated_predictions_morning_deadline"] and checks["front_end_exports_morning_deadline"]
    )
    assert report["freshness"]["deadline"] == f"{DAY}T14:00:00+00:00"
    assert fingerprint(local_home, home) == before, "status wrote something"
    capsys.readouterr()
    assert main(["status", DAY]) == 0  # a replayed day is not a missed morning
    text = capsys.readouterr().out
    assert result.batch_id in text and "consolidated" in text and "front_end_exports_quality_gates" in text


def test_status_of_a_stalled_batch(definitions, day_instance, local_home, capsys):
    definitions.resolve_job_def("slate_job").execute_in_process(partition_key=DAY, instance=day_instance)
    batch_id = current_batch_id(day_instance, DAY)
    store = SqliteBatchStore(local_home / "batch_state.sqlite")
    shards = sorted(set(store.get_batch(batch_id).expected_players.values()))
    definitions.resolve_job_def("staging_job").execute_in_process(
        partition_key=dg.MultiPartitionKey({"date": DAY, "shard": f"{shards[0]:02d}"}), instance=day_instance
    )
    status = store.status(batch_id)
    assert status.missing  # the other shards never ran
    code, report = status_json(capsys, DAY)
    (batch,) = report["batches"]
    assert batch["state"] == "open" and batch["missing"] == list(status.missing)
    assert batch["done"] == status.done and batch["expected"] == 20
    assert [r["job"] for r in report["runs"]] == ["slate_job", "staging_job"]
    assert report["freshness"]["verdict"] == "missing" and code == 1
    assert report["exports"]["predictions_file"]["present"] is False


def test_status_of_a_date_without_a_batch(definitions, day_instance, local_home, capsys):
    code, report = status_json(capsys, "2025-07-04")  # the off-season: no games, no batch
    assert not (local_home / "batch_state.sqlite").exists()  # read-only: no empty store created
    assert code == 0
    assert report["batches"] == [] and report["runs"] == [] and report["checks"] == []
    assert report["game_day"] is False and report["freshness"]["verdict"] == "no_games"
    code, report = status_json(capsys, "2025-02-12")  # a game day nobody ran
    assert report["game_day"] is True and report["batches"] == []
    assert report["freshness"]["consolidated_predictions"]["verdict"] == "missing" and code == 1


def test_status_refuses_a_missing_instance(tmp_path, local_home, monkeypatch, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "nowhere"))
    assert main(["status", DAY]) == 2
    assert "no Dagster instance" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()


def test_the_schema_rejects_a_malformed_report():
    bad = {"schema_version": 1, "game_date": "19-02-2025"}
    with pytest.raises(jsonschema.ValidationError):
        validate(bad)
    assert schema()["properties"]["freshness"]["required"][1] == "verdict"


def test_morning_summary_of_a_finished_day(definitions, day_instance, local_home):
    from nba_assets.defs.alerts.summary import summary_alert
    from nba_assets.defs.status.report import day_report
    from nba_assets.exports.local import DirectorySink

    result = run_day(definitions, day_instance, DAY)
    store = SqliteBatchStore(local_home / "batch_state.sqlite")
    report = day_report(day_instance, store, DirectorySink(local_home / "exports"), SMALL_DATE, game_day=True)
    alert = summary_alert(report)
    payload = alert.payload()
    print("morning summary of a finished day:", json.dumps(payload, indent=2))  # noqa: T201 (shown with -s)
    details = payload["details"]
    assert payload["kind"] == "morning_summary" and payload["batch_id"] == result.batch_id
    assert (details["players"], details["batch_state"], details["tonight_pointer"]) == (
        20,
        "consolidated",
        DAY,
    )
    assert details["predictions"] > 0 and details["best_bets"] is not None
    assert details["succeeded"] + details["skipped"] == 20 and details["freshness"] == "replayed"
