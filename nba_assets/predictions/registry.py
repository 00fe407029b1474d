"""The systems by id, in the order they run (the ensemble runs last and reads the others)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from nba_assets.predictions.base import PredictionSystem
from nba_assets.predictions.moving_average import MovingAverage

Factory = Callable[[Path | None], PredictionSystem]
_FACTORIES: dict[str, Factory] = {
    "moving_average": lambda model_dir: MovingAverage(),
}
DEFAULT_SYSTEM = "moving_average"


def available() -> tuple[str, ...]:
    return tuple(_FACTORIES)


def build_systems(names: Iterable[str] | None = None, model_dir: Path | None = None) -> list[PredictionSystem]:
    """Instances in run order; unknown names are an error listing the known ones."""
    wanted = list(names) if names else list(_FACTORIES)
    unknown = [n for n in wanted if n not in _FACTORIES]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; known: {', '.join(_FACTORIES)}")
    return [_FACTORIES[name](model_dir) for name in _FACTORIES if name in wanted]
