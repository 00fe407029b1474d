"""Reports over graded results (pure pandas + matplotlib; no Dagster, no cloud client)."""
