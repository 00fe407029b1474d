"""The CLI's glue to the Dagster instance: a day (``day_run``), a line refresh (``line_refresh``),
asset backfills (``backfills``). With ``defs/`` and ``definitions.py``, the only place that imports
Dagster; the commands reach the instance through it."""
