"""Morning-deadline freshness checks on consolidated_predictions and front_end_exports.

Dagster's built-in freshness checks cannot tell a game day from an off day, so these are plain
asset checks evaluated by ``morning_deadline_sensor`` once per game day, after its deadline; a
missed or late morning is a failed ERROR check (red in the UI) and an alert.
"""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from nba_assets.defs.freshness.rules import deadline_of, verdict
from nba_assets.defs.operations import OperationsSettings
from nba_assets.defs.settings import NbaInputsResource
from nba_assets.status.report import written_at

FRESH_ASSETS = ("consolidated_predictions", "front_end_exports")


IN_RUN_HORIZON = timedelta(days=1)


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
        due, now = deadline_of(game_date, operations.freshness_deadline), datetime.now(UTC)
        if not config.game_date and now - due > IN_RUN_HORIZON:
            # a backfill or re-run of a past day: its morning was judged by the sensor at the time
            return dg.AssetCheckResult(
                passed=True,
                description=f"{key} is a past day: its morning deadline is not re-judged by a re-run",
                metadata={"game_date": key, "verdict": "not_checked"},
            )
        game_day = len(nba_inputs.day(game_date).slate) > 0
        fresh = verdict(game_day, written_at(context.instance, asset, game_date), now, due)
        context.log.info(fresh.describe(asset))
        return dg.AssetCheckResult(
            passed=fresh.ok,
            severity=dg.AssetCheckSeverity.ERROR,
            description=fresh.describe(asset),
            metadata={
                "game_date": key,
                "deadline": due.isoformat(),
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
