"""Freshness of the published files: checked on stored data, not at write time."""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from nba_assets.defs.storage import ExportSinkResource
from nba_assets.exports.status import check_published

MAX_AGE = timedelta(hours=24)
# the blocking quality gates, evaluated while the exports are written (defs/exports/assets.py)
FRONT_END_QUALITY_GATES = "front_end_exports_quality_gates"
RESULTS_QUALITY_GATES = "results_export_quality_gates"


@dg.asset_check(
    asset="front_end_exports", description="the newest exported day is published, valid and fresh"
)
def front_end_exports_fresh(context: dg.AssetCheckExecutionContext, export_sink: ExportSinkResource):
    """Reads the live files back: what the front-end would see, not what the run believed it wrote."""
    records = context.instance.fetch_materializations(dg.AssetKey("front_end_exports"), limit=1).records
    if not records or records[0].partition_key is None:
        return dg.AssetCheckResult(passed=True, description="nothing exported yet")
    game_date = date.fromisoformat(records[0].partition_key)
    today = datetime.now(UTC).date()
    status = check_published(
        export_sink.get(), game_date, tonight=True, max_age=MAX_AGE if game_date >= today else None
    )
    return dg.AssetCheckResult(
        passed=status.ok,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "game_date": game_date.isoformat(),
            "generated_at": status.generated_at or "none",
            "findings": "; ".join(map(str, status.findings)) or "none",
        },
    )
