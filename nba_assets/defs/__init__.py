"""The orchestration layer: loaded by ``nba_assets.definitions`` with ``load_from_defs_folder``."""
