"""The jobs users, schedules and sensors launch: ``<domain>_job``; their names are constants here."""

import dagster as dg

SLATE_JOB = "slate_job"
STAGING_JOB = "staging_job"
CONSOLIDATION_JOB = "consolidation_job"
GRADING_JOB = "grading_job"
POINTS_MODEL_JOB = "points_model_job"  # defined beside its asset (defs/models/assets.py)
LINES_REFRESH_JOB = "lines_refresh_job"  # defined beside its schedule (defs/slate/schedules.py)

slate_job = dg.define_asset_job(
    SLATE_JOB,
    selection=dg.AssetSelection.assets("box_scores", "prop_lines", "slate"),
    description="Validate the day's inputs and open its batch.",
)
staging_job = dg.define_asset_job(
    STAGING_JOB,
    selection=dg.AssetSelection.assets("staging_predictions"),
    description="Predict every player of one (date, shard) and record each completion.",
)
consolidation_job = dg.define_asset_job(
    CONSOLIDATION_JOB,
    # the day's merge and its exports; grading (and the results file) waits for the games
    selection=dg.AssetSelection.assets("consolidated_predictions").downstream()
    - dg.AssetSelection.assets("graded_results").downstream(),
    description="One MERGE of the day's staging, verification, clean-up, then the exports.",
)
grading_job = dg.define_asset_job(
    GRADING_JOB,
    # box_scores first: its materialization stores the day's actual points (feed or files)
    selection=dg.AssetSelection.assets("box_scores")
    | dg.AssetSelection.assets("graded_results").downstream(),
    description="Ingest a played day's box scores, then grade its predictions against actual points.",
)
