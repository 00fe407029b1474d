"""A day's operational status read back from the instance, the batch store and the export sink."""
