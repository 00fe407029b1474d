"""Point-in-time features: for a game on date D, only games strictly before D are used."""

from nba_assets.features.builder import FEATURE_COLUMNS, build_features, season_of

__all__ = ["FEATURE_COLUMNS", "build_features", "season_of"]
