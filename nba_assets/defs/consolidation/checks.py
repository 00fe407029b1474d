"""The names of the consolidation's checks (``<asset>_<rule>``), evaluated inside the MERGE step."""

NO_DUPLICATE_KEYS = "consolidated_predictions_no_duplicate_keys"  # blocking (L9, L10)
MERGED_EQUALS_STAGED = "consolidated_predictions_merged_equals_staged"  # blocking (L8)
BATCH_COMPLETE = "consolidated_predictions_batch_complete"  # warns on a partial batch (L5)
SANE_VALUES = "consolidated_predictions_sane_values"
