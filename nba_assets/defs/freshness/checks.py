"""Morning-deadline freshness checks on consolidated_predictions and front_end_exports.

Dagster's built-in freshness checks cannot tell a game day from an off day, so these are plain
asset checks evaluated by ``morning_deadline_sensor`` once per game day, after its deadline, and
inside each day's consolidation run; a missed or late morning is a failed ERROR check (red in the
UI) and an alert. The verdict is the one rule of ``nba_assets.deadlines`` (a replayed day is not
late), on the facts ``nba_assets.defs.status.freshness`` reads, as ``nba-assets status`` judges it.
"""

from datetime import date

import dagster as dg

from nba_assets import deadlines
from nba_assets.defs.operations import OperationsSettings
from nba_assets.defs.settings import NbaInputsResource
from nba_assets.defs.status.freshness import FRESH_ASSETS, day_freshness


class DeadlineConfig(dg.Config):
    """The game day whose deadline is checked: set by the sensor; empty inside a day's own run
    (consolidation_job selects these checks with their assets), where the run's partition is used."""

    game_date: str = ""


def check_name(asset: str) -> str:
    return f"{asset}_morning_deadline"


def _build(asset: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=check_name(asset),
        description=f"{asset} of a game day was written by its morning deadline (default 09:00 New York)",
    )
    def _check(
        context: dg.AssetCheckExecutionContext,
        config: DeadlineConfig,
        operations: OperationsSettings,
        nba_inputs: NbaInputsResource,
    ) -> dg.AssetCheckResult:
        key = config.game_date or context.run.tags.get("dagster/partition", "")
        if not key:
            return dg.AssetCheckResult(
                passed=True, description="no game date to check (run config or partition)"
            )
        game_date = date.fromisoformat(key)
        fresh = day_freshness(
            context.instance,
            asset,
            game_date,
            game_day=len(nba_inputs.day(game_date).slate) > 0,
            at=deadlines.now(),
            deadline=operations.freshness_deadline,
        )
        context.log.info(fresh.describe(asset))
        return dg.AssetCheckResult(
            passed=fresh.ok,
            severity=dg.AssetCheckSeverity.ERROR,
            description=fresh.describe(asset),
            metadata={
                "game_date": key,
                "deadline": fresh.deadline.isoformat(),
                "verdict": fresh.verdict.value,
                "written_at": fresh.written_at.isoformat() if fresh.written_at else "never",
            },
        )

    return _check


morning_deadline_checks = [_build(asset) for asset in FRESH_ASSETS]
freshness_job = dg.define_asset_job(
    "freshness_job",
    selection=dg.AssetSelection.checks(*morning_deadline_checks),
    description="The morning-deadline freshness checks of one game day (run config: game_date).",
)


def freshness_run_config(game_date: str) -> dict:
    return {"ops": {op_name(asset): {"config": {"game_date": game_date}} for asset in FRESH_ASSETS}}


def op_name(asset: str) -> str:
    (check,) = [c for c in morning_deadline_checks if c.check_key.name == check_name(asset)]
    return check.op.name
