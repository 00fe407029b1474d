"""nba_assets: the daily NBA player-points prop prediction pipeline as a Dagster asset graph."""

__version__ = "0.1.0"
