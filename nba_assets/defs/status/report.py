"""What ``nba-assets status`` and the morning summary report about one date. Reads only.

Everything comes from where the truth is recorded (L12): batches from the batch store, runs and
asset checks from the Dagster instance, pointers from the published files.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import dagster as dg

from nba_assets import deadlines
from nba_assets.batch_state.base import BatchStore, CompletionStatus
from nba_assets.deadlines import deadline_of, overall
from nba_assets.defs.status.freshness import FRESH_ASSETS, day_freshness
from nba_assets.defs.status.runs import run_records
from nba_assets.exports.files import all_players_path, best_bets_path, predictions_path
from nba_assets.exports.sink import ExportSink

SCHEMA_VERSION = 1


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def batch_report(store: BatchStore | None, game_date: date) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for batch in store.batches_on(game_date) if store is not None else []:
        status = store.status(batch.batch_id)
        by_status: dict[str, list[dict[str, str]]] = {"failed": [], "skipped": []}
        if status.failed or status.skipped:
            for c in store.completions(batch.batch_id):
                if c.status is not CompletionStatus.SUCCEEDED:
                    by_status[c.status.value].append({"player": c.player_lookup, "reason": c.reason})
        out.append(
            {
                "batch_id": batch.batch_id,
                "state": status.state.value,
                "expected": status.expected,
                "done": status.done,
                "succeeded": status.succeeded,
                "skipped": status.skipped,
                "failed": status.failed,
                "missing": list(status.missing),
                "failed_players": by_status["failed"],
                "skipped_players": by_status["skipped"],
                "stall_retries": status.stall_retries,
                "created_at": _iso(batch.created_at),
                "last_activity": _iso(status.last_activity),
                "expire_at": _iso(batch.expire_at),
                "consolidation": batch.consolidation,
            }
        )
    return out


def _checks(instance: dg.DagsterInstance, run_ids: list[str]) -> list[dict[str, Any]]:
    """The newest evaluation of each asset check in the date's runs."""
    latest: dict[str, dict[str, Any]] = {}
    for run_id in run_ids:  # oldest run first: a re-run's evaluation replaces the earlier one
        for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
            evaluation = event.dagster_event.event_specific_data
            name = evaluation.check_name
            latest[name] = {
                "check": name,
                "asset": evaluation.asset_key.to_user_string(),
                "passed": bool(evaluation.passed),
                "severity": evaluation.severity.value,
                "run_id": run_id,
                "description": evaluation.description or "",
            }
    return sorted(latest.values(), key=lambda c: c["check"])


def _pointer(sink: ExportSink, path: str) -> dict[str, Any]:
    data = sink.read(path)
    if data is None:
        return {"path": path, "present": False, "game_date": None, "generated_at": None}
    try:
        payload = json.loads(data)
        return {
            "path": path,
            "present": True,
            "game_date": payload.get("game_date"),
            "generated_at": payload.get("generated_at"),
        }
    except (ValueError, AttributeError):
        return {"path": path, "present": True, "game_date": None, "generated_at": None}


def exports_report(sink: ExportSink, game_date: date) -> dict[str, Any]:
    """The pointers the front end reads (tonight, latest best bets) and the date's own files."""
    bets = sink.read(best_bets_path(game_date))
    picks = json.loads(bets).get("total_picks") if bets else None
    return {
        "tonight": _pointer(sink, all_players_path()),
        "best_bets_latest": _pointer(sink, best_bets_path(None)),
        "predictions_file": _pointer(sink, predictions_path(game_date)),
        "best_bets_file": _pointer(sink, best_bets_path(game_date)),
        "best_bets_picks": picks,
    }


def freshness_report(
    instance: dg.DagsterInstance, game_date: date, game_day: bool, now: datetime, deadline: str
) -> dict[str, Any]:
    """Each output's verdict by the one rule of ``nba_assets.deadlines``, and the day's (the worst)."""
    out: dict[str, Any] = {"deadline": _iso(deadline_of(game_date, deadline))}
    verdicts = []
    for asset in FRESH_ASSETS:
        fresh = day_freshness(instance, asset, game_date, game_day=game_day, at=now, deadline=deadline)
        verdicts.append(fresh.verdict)
        out[asset] = {
            "verdict": fresh.verdict.value,
            "written_at": _iso(fresh.written_at),
            "note": fresh.describe(asset),
        }
    out["verdict"] = overall(verdicts).value
    return out


def day_report(
    instance: dg.DagsterInstance,
    store: BatchStore | None,
    sink: ExportSink,
    game_date: date,
    *,
    game_day: bool,
    now: datetime | None = None,
    deadline: str = "09:00",
    profile: str = "local",
) -> dict[str, Any]:
    """Everything ``nba-assets status --json`` prints; matches ``status/schema.json``."""
    now = now or deadlines.now()
    batches = batch_report(store, game_date)
    records = run_records(instance, game_date)
    runs = [
        {
            "run_id": r.dagster_run.run_id,
            "job": r.dagster_run.job_name,
            "status": r.dagster_run.status.value,
            "partition": r.dagster_run.tags.get("dagster/partition", ""),
            "created_at": _iso(datetime.fromtimestamp(r.create_timestamp.timestamp(), UTC)),
            "tags": {
                k.split("/", 1)[1]: v for k, v in r.dagster_run.tags.items() if k.startswith("nba_assets/")
            },
        }
        for r in records
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "game_date": game_date.isoformat(),
        "profile": profile,
        "generated_at": _iso(now),
        "game_day": bool(game_day or batches),
        "batches": batches,
        "runs": runs,
        "checks": _checks(instance, [r["run_id"] for r in runs]),
        "exports": exports_report(sink, game_date),
        "freshness": freshness_report(instance, game_date, bool(game_day or batches), now, deadline),
    }


def schema() -> dict[str, Any]:
    from importlib import resources

    return json.loads(resources.files("nba_assets.defs.status").joinpath("schema.json").read_text())


def validate(report: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` naming the field when the report breaks its schema."""
    import jsonschema

    jsonschema.validate(report, schema(), format_checker=jsonschema.FormatChecker())
