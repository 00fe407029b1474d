"""The systems by id, in the order they run (the ensemble and market_blend last: they read the others).

``model_dir`` is a trained-model root (or one version directory): gradient boosting loads its
model from it and every system its fitted confidence calibration; without one, systems use the
default calibration and gradient boosting skips every row with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from nba_assets.predictions import model_store
from nba_assets.predictions.base import PredictionSystem
from nba_assets.predictions.ensemble import Ensemble
from nba_assets.predictions.gradient_boosting import GradientBoosting
from nba_assets.predictions.market_blend import MarketBlend
from nba_assets.predictions.matchup import Matchup
from nba_assets.predictions.moving_average import MovingAverage
from nba_assets.predictions.similarity import Similarity

Factory = Callable[[Path | None], PredictionSystem]


def _version(model_dir: Path | None) -> Path | None:
    return model_store.version_dir(Path(model_dir)) if model_dir is not None else None


_FACTORIES: dict[str, Factory] = {
    "moving_average": lambda model_dir: MovingAverage.from_model_dir(_version(model_dir)),
    "matchup": lambda model_dir: Matchup.from_model_dir(_version(model_dir)),
    "similarity": lambda model_dir: Similarity.from_model_dir(_version(model_dir)),
    "gradient_boosting": lambda model_dir: GradientBoosting(model_dir),
    "ensemble": lambda model_dir: Ensemble.from_model_dir(_version(model_dir)),
    "market_blend": lambda model_dir: MarketBlend.from_model_dir(model_dir),
}
DEFAULT_SYSTEM = (
    "ensemble"  # the headline prediction in the front-end files (PipelineSettings.default_system)
)


def available() -> tuple[str, ...]:
    return tuple(_FACTORIES)


def build_systems(
    names: Iterable[str] | None = None, model_dir: Path | None = None
) -> list[PredictionSystem]:
    """Instances in run order; unknown names are an error listing the known ones."""
    wanted = list(names) if names else list(_FACTORIES)
    unknown = [n for n in wanted if n not in _FACTORIES]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; known: {', '.join(_FACTORIES)}")
    return [_FACTORIES[name](model_dir) for name in _FACTORIES if name in wanted]
