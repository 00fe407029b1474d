"""front_end_exports and results_export: the v1/ JSON files, written only when every gate passes."""

from datetime import UTC, date, datetime

import dagster as dg

from nba_assets.defs.exports.checks import FRONT_END_QUALITY_GATES, RESULTS_QUALITY_GATES
from nba_assets.defs.partitions import game_days, ranged_runs
from nba_assets.defs.settings import NbaInputsResource, PipelineSettings
from nba_assets.defs.storage import ExportSinkResource, WarehouseResource
from nba_assets.exports import frames
from nba_assets.exports.builders import build_day_exports
from nba_assets.exports.publish import PublishReport, publish
from nba_assets.exports.quality import GateConfig
from nba_assets.exports.results import build_results_export


def _gates(settings: PipelineSettings) -> GateConfig:
    return GateConfig(
        min_players_per_game=settings.min_players_per_game, min_published_ratio=settings.regression_share
    )


def _outcome(report: PublishReport, check_name: str, asset: str):
    """The gate verdict as a blocking check; a refused export fails the step with nothing written (L13)."""
    metadata = report.metadata()
    yield dg.AssetCheckResult(
        check_name=check_name,
        asset_key=asset,
        passed=report.ok,
        severity=dg.AssetCheckSeverity.ERROR,
        description="schema, finite numbers, every game, players per game, totals, no regression vs the live file",
        metadata={
            "findings": "; ".join(metadata["findings"][:20]) or "none",
            "files_checked": report.checked_files,
        },
    )
    if not report.ok:
        raise dg.Failure(
            f"export refused, nothing written: {len(report.findings)} finding(s), e.g. {report.findings[0]}",
            allow_retries=False,
        )
    yield dg.MaterializeResult(
        asset_key=asset, metadata={k: v for k, v in metadata.items() if k != "findings"}
    )


@dg.asset(
    partitions_def=game_days,
    group_name="exports",
    kinds={"json"},
    deps=["consolidated_predictions"],
    check_specs=[dg.AssetCheckSpec(FRONT_END_QUALITY_GATES, asset="front_end_exports", blocking=True)],
    backfill_policy=ranged_runs,  # a backfill's range: each date published in order, in one run
)
def front_end_exports(
    context: dg.AssetExecutionContext,
    nba_inputs: NbaInputsResource,
    settings: PipelineSettings,
    warehouse: WarehouseResource,
    export_sink: ExportSinkResource,
):
    """tonight/all-players, tonight/player/*, predictions/{date}, best-bets/{date} and latest.

    A range is published date by date in order (the pointers end on its last date, as day by day);
    a refused date stops there: the dates before stay published, nothing of it is written.
    """
    wh, sink = warehouse.get(), export_sink.get()
    report = None
    for key in context.partition_keys:
        game_date = date.fromisoformat(key)
        day = nba_inputs.day(game_date, wh)  # the stored slate and current lines
        files = build_day_exports(
            game_date,
            wh.predictions_for(game_date),
            day.slate,
            day.lines,
            day.history,
            generated_at=datetime.now(UTC),
            default_system=settings.headline_system(),
            picker=settings.picker(game_date),
        )
        gates = _gates(settings).for_slate(frames.slate_games(day.slate, game_date))
        report = publish(files, sink, gates)
        context.log.info(f"exports of {game_date}: {len(report.written)} files, {report.total_bytes:,} bytes")
        if not report.ok:
            break
    yield from _outcome(report, FRONT_END_QUALITY_GATES, "front_end_exports")


@dg.asset(
    partitions_def=game_days,
    group_name="exports",
    kinds={"json"},
    deps=["graded_results"],
    check_specs=[dg.AssetCheckSpec(RESULTS_QUALITY_GATES, asset="results_export", blocking=True)],
    backfill_policy=dg.BackfillPolicy.single_run(),  # graded a range at a time, published the same way
)
def results_export(
    context: dg.AssetExecutionContext,
    settings: PipelineSettings,
    warehouse: WarehouseResource,
    export_sink: ExportSinkResource,
):
    """results/{date}.json: the graded day (actual points, hit/miss per system, hit rate and MAE)."""
    wh, sink, keys = warehouse.get(), export_sink.get(), context.partition_keys
    report = None
    for key in keys:
        game_date = date.fromisoformat(key)
        results = wh.results_for(game_date)
        if len(keys) > 1 and results.num_rows == 0:
            continue  # a day of the range without games: graded_results skipped it too
        report = publish(
            build_results_export(game_date, results, generated_at=datetime.now(UTC)), sink, _gates(settings)
        )
        if not report.ok:
            break  # the days before stay published; this one is refused below
    if report is None:
        raise dg.Failure(
            f"no graded results in {keys[0]}..{keys[-1]}: grade before publishing", allow_retries=False
        )
    yield from _outcome(report, RESULTS_QUALITY_GATES, "results_export")
