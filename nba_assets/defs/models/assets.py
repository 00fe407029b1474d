"""points_model: the gradient-boosting system's trained model, re-trained weekly and versioned."""

import time
from datetime import date
from pathlib import Path

import dagster as dg

from nba_assets import game_day
from nba_assets.defs.jobs import POINTS_MODEL_JOB
from nba_assets.defs.settings import NbaInputsResource, PipelineSettings
from nba_assets.defs.storage import WarehouseResource
from nba_assets.game_day import TIMEZONE
from nba_assets.inputs.day import past_real_lines


class TrainConfig(dg.Config):
    """Train on games strictly before this date (YYYY-MM-DD); empty means today.

    Backfills of past seasons train with an earlier date so no prediction sees its own future.
    """

    train_before: str = ""


@dg.asset(group_name="models", kinds={"lightgbm"})
def points_model(
    context: dg.AssetExecutionContext,
    config: TrainConfig,
    nba_inputs: NbaInputsResource,
    settings: PipelineSettings,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """The LightGBM points model the gradient_boosting system loads, saved with its version and its
    P(over) calibration on the real lines known before the cut-off (``inputs.day.past_real_lines``:
    the warehouse's stored real lines, and the line files' or the bundled sample's for dates it has
    not stored; never stand-ins)."""
    from nba_assets.features import build_features
    from nba_assets.predictions import line_calibration
    from nba_assets.predictions.training import train_points_model

    before = date.fromisoformat(config.train_before) if config.train_before else game_day.today()
    history = nba_inputs.history()
    started = time.perf_counter()
    info = train_points_model(
        build_features(history[history["game_date"] < before]), before, settings.models_path()
    )
    known = past_real_lines(nba_inputs.sources(), warehouse.get(), before)
    pairs = line_calibration.pairs_from(line_calibration.load_holdout(Path(info.path)), known)
    fitted = line_calibration.save(pairs, before, Path(info.path))
    context.log.info(f"trained points model {info.version} on games before {before}")
    first_season = line_calibration.is_first_season(pairs, before)
    if first_season and any(v.calibrated for v in fitted.values()):
        context.log.warning(
            "P(over) calibration is first-season: no real lines of a season before "
            f"{before} among its pairs; P(over) and EV are stated, no pick is made (docs/picks.md)"
        )
    return dg.MaterializeResult(
        metadata={
            "version": info.version,
            "train_before": before.isoformat(),
            "rows": info.rows,
            # real (line, outcome) pairs its P(over) calibration was fitted on, per system (0: uncalibrated)
            "calibration_pairs": dg.MetadataValue.json({k: v.pairs for k, v in fitted.items()}),
            # True: no earlier season's real lines among them: P(over) and EV stated, no pick (docs/picks.md)
            "calibration_first_season": first_season,
            "seconds": round(time.perf_counter() - started, 1),
            "path": dg.MetadataValue.path(str(settings.models_path())),
        }
    )


points_model_job = dg.define_asset_job(POINTS_MODEL_JOB, selection=[points_model])


@dg.schedule(cron_schedule="0 5 * * 1", execution_timezone=TIMEZONE, job=points_model_job)
def points_model_weekly_schedule(context: dg.ScheduleEvaluationContext):
    """Mondays 05:00 New York, before the daily slate: re-train on everything up to today."""
    return dg.RunRequest(run_key=f"points_model:{context.scheduled_execution_time.date()}")
