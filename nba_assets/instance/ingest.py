"""Ingesting a range of dates: one in-process materialization of ``box_scores`` / ``prop_lines`` per date."""

from __future__ import annotations

from datetime import date

import dagster as dg

from nba_assets.instance.day_run import QUIET


def ingest_range(definitions, instance, asset: str, days: list[date], on_date=lambda d, rows: None) -> dict:
    """One in-process materialization per date; stops at the first failure, naming it."""
    job = definitions.resolve_implicit_job_def_def_for_assets([dg.AssetKey(asset)])
    total: dict = {"dates": 0, "rows": 0, "unmatched": []}
    for day in days:
        outcome = job.execute_in_process(
            partition_key=day.isoformat(),
            instance=instance,
            asset_selection=[dg.AssetKey(asset)],
            run_config=QUIET,
            raise_on_error=False,
        )
        if not outcome.success:
            failure = next((e for e in outcome.all_events if e.event_type_value == "STEP_FAILURE"), None)
            reason = failure.event_specific_data.error.message.strip() if failure else "run failed"
            reason = reason.split("Failure: ", 1)[-1]  # the message, not the exception's class path
            raise ValueError(f"{asset} {day}: {reason} (dates before it are ingested)")
        event = outcome.get_asset_materialization_events()[0].materialization
        rows = event.metadata.get("rows_on_date") or event.metadata.get("lines")
        count = int(rows.value) if rows is not None else 0
        total["dates"] += 1
        total["rows"] += count
        total["unmatched"] += _unmatched_names(event.metadata)
        on_date(day, count)
    return total


def _unmatched_names(metadata: dict) -> list[str]:
    """The lines whose name matched no player who could be in the game, one line each for the CLI
    (names of players absent from their game are counted in metadata, not printed)."""
    table = metadata.get("unmatched_players")
    records = getattr(getattr(table, "value", None), "records", None) or []
    return [
        f"{r.data['game_date']} {r.data['game']}: {r.data['name']!r} ({r.data['rows']} line(s))"
        for r in records
        if r.data.get("reason") != "did not play"
    ]
