"""The morning summary: a game day at its deadline, from the same report as ``nba-assets status``."""

from __future__ import annotations

from collections import Counter
from typing import Any

from nba_assets.defs.alerts.messages import Alert, AlertKind


def summary_alert(report: dict[str, Any]) -> Alert:
    day = report["game_date"]
    batches = report["batches"]
    current = batches[-1] if batches else None
    result = (current or {}).get("consolidation") or {}
    predictions = result.get("source_rows", result.get("inserted", 0)) if result else 0
    exports = report["exports"]
    skipped = Counter(p["reason"] or "no reason" for b in batches[-1:] for p in b["skipped_players"])
    failed = [p["player"] for b in batches[-1:] for p in b["failed_players"]]
    fresh = report["freshness"]
    lines = []
    if current is None:
        lines.append("no batch: the slate never ran")
    else:
        lines.append(
            f"players {current['expected']}: {current['succeeded']} predicted, {current['skipped']} skipped, "
            f"{current['failed']} failed, {len(current['missing'])} missing; batch {current['state']}"
        )
    lines.append(f"predictions merged: {predictions}")
    picks = exports["best_bets_picks"]
    lines.append(f"best bets: {picks if picks is not None else 'none published'}")
    lines.append(
        f"front end shows {exports['tonight']['game_date'] or 'nothing'} (tonight), "
        f"best-bets/latest {exports['best_bets_latest']['game_date'] or 'nothing'}"
    )
    if skipped:
        lines.append("skipped: " + ", ".join(f"{n} {reason}" for reason, n in skipped.most_common(5)))
    if failed:
        lines.append(
            f"failed: {', '.join(failed[:10])}" + (f" (+{len(failed) - 10})" if len(failed) > 10 else "")
        )
    lines.append(f"freshness: {fresh['verdict']}")
    return Alert(
        AlertKind.MORNING_SUMMARY,
        f"Morning summary {day}: {fresh['verdict']}",
        "\n".join(lines),
        game_date=day,
        batch_id=current["batch_id"] if current else "",
        details={
            "players": current["expected"] if current else 0,
            "succeeded": current["succeeded"] if current else 0,
            "skipped": current["skipped"] if current else 0,
            "failed": current["failed"] if current else 0,
            "missing": len(current["missing"]) if current else 0,
            "batch_state": current["state"] if current else None,
            "predictions": predictions,
            "best_bets": picks,
            "tonight_pointer": exports["tonight"]["game_date"],
            "best_bets_pointer": exports["best_bets_latest"]["game_date"],
            "skipped_reasons": dict(skipped),
            "freshness": fresh["verdict"],
        },
    )
