"""Where a day's inputs come from, and the pipeline's knobs: both plain ConfigurableResources."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import dagster as dg
import pandas as pd
from pydantic import Field

from nba_assets.defs.partitions import MAX_SHARDS
from nba_assets.environment import local_root
from nba_assets.features import build_features
from nba_assets.inputs.box_scores import load_box_scores
from nba_assets.inputs.bundled import bundled_box_scores
from nba_assets.inputs.lines import load_lines, reference_lines
from nba_assets.inputs.slates import load_slate, slate_from_box_scores
from nba_assets.predictions import model_store, registry
from nba_assets.predictions.runner import history_features


@dataclass(frozen=True)
class DayInputs:
    game_date: date
    history: pd.DataFrame  # every box score known (features use only rows before game_date)
    slate: pd.DataFrame
    lines: pd.DataFrame
    features: pd.DataFrame  # point-in-time features of the slate's players
    lines_source: str  # "files" or "reference" (stand-in lines, see inputs/lines.py)


@lru_cache(maxsize=4)
def _history(sources: tuple[str, ...]) -> pd.DataFrame:
    return load_box_scores(list(sources)) if sources else bundled_box_scores()


@lru_cache(maxsize=2)
def _learned_history(sources: tuple[str, ...], game_date: date) -> pd.DataFrame:
    return history_features(_history(sources), game_date)


@lru_cache(maxsize=8)
def _day(
    sources: tuple[str, ...],
    slates: tuple[str, ...],
    lines: tuple[str, ...],
    policy: str,
    alternates: int,
    game_date: date,
) -> DayInputs:
    history = _history(sources)
    if slates:
        frames = [load_slate(s) for s in slates]
        slate = pd.concat([f[0] for f in frames], ignore_index=True)
        slate = slate[slate["game_date"] == game_date].reset_index(drop=True)
        slate_lines = pd.concat([f[1] for f in frames], ignore_index=True)
    else:  # replay: the players who appeared in that day's box scores (never their stats)
        slate, slate_lines = slate_from_box_scores(history, game_date), None
    features = build_features(history, slate)
    if lines:
        all_lines = pd.concat([load_lines(p, policy) for p in lines], ignore_index=True)
        day_lines, source = all_lines[all_lines["game_date"] == game_date], "files"
    elif slate_lines is not None and not slate_lines.empty:
        day_lines, source = slate_lines[slate_lines["game_date"] == game_date], "files"
    else:
        day_lines, source = reference_lines(features, alternates), "reference"
    return DayInputs(game_date, history, slate, day_lines.reset_index(drop=True), features, source)


class NbaInputsResource(dg.ConfigurableResource):
    """Box scores, slates and lines: files (CSV/Parquet) or ``bq://`` tables; default the bundled sample.

    Without slate files, a past date's slate is replayed from that date's box scores; without line
    files, reference lines stand in (labelled as such in metadata and exports).
    """

    box_scores: list[str] = []
    slates: list[str] = []
    lines: list[str] = []
    suspicious_lines: str = "warn"
    reference_line_alternates: int = 2

    def history(self) -> pd.DataFrame:
        return _history(tuple(self.box_scores))

    @classmethod
    def from_env(cls) -> NbaInputsResource:
        """Sources from ``NBA_ASSETS_BOX_SCORES``, ``NBA_ASSETS_SLATES``, ``NBA_ASSETS_LINES`` (comma lists)."""
        lists = {f: os.environ.get(f"NBA_ASSETS_{f.upper()}", "") for f in ("box_scores", "slates", "lines")}
        return cls(**{f: [p for p in v.split(",") if p] for f, v in lists.items() if v})

    def learned_history(self, game_date: date) -> pd.DataFrame:
        """Feature rows of every game before the date, for systems that learn from history."""
        return _learned_history(tuple(self.box_scores), game_date)

    def day(self, game_date: date) -> DayInputs:
        return _day(
            tuple(self.box_scores),
            tuple(self.slates),
            tuple(self.lines),
            self.suspicious_lines,
            self.reference_line_alternates,
            game_date,
        )


class PipelineSettings(dg.ConfigurableResource):
    """Knobs of the day's run; the same for every profile unless overridden."""

    shard_count: int = Field(default=4, ge=1, le=MAX_SHARDS)  # the one home of the shard limit
    systems: list[str] = list(registry.available())
    default_system: str = "ensemble"  # the headline prediction in the front-end files
    model_dir: str = ""  # default: <NBA_ASSETS_HOME>/models
    stall_idle_minutes: float = 30.0  # no completion for this long: re-run the missing players once
    stall_deadline_minutes: float = 120.0  # after the re-run, this long idle: consolidate what there is
    consolidation_lease_minutes: float = 30.0
    min_players_per_game: int = 5
    regression_share: float = 0.5  # an export with fewer players than this share of the live one is refused

    @classmethod
    def from_env(cls) -> PipelineSettings:
        """Defaults overridden by ``NBA_ASSETS_<FIELD>`` variables (``NBA_ASSETS_SHARDS`` for shard_count)."""
        overrides: dict[str, object] = {}
        for name, field in cls.model_fields.items():
            env = "NBA_ASSETS_SHARDS" if name == "shard_count" else f"NBA_ASSETS_{name.upper()}"
            if env in os.environ:
                raw = os.environ[env]
                kind = field.annotation
                overrides[name] = raw.split(",") if kind == list[str] else kind(raw)  # type: ignore[misc,operator]
        return cls(**overrides)

    def build_systems(self, game_date: date) -> list:
        """The systems for one game day, with a model trained only on games before it."""
        return registry.build_systems(self.systems, model_store.version_before(self.models_path(), game_date))

    def headline_system(self) -> str:
        """The default system when it runs, else the first one that does."""
        return self.default_system if self.default_system in self.systems else self.systems[0]

    def needs_model(self, game_date: date) -> bool:
        return (
            "gradient_boosting" in self.systems
            and model_store.version_before(self.models_path(), game_date) is None
        )

    def models_path(self) -> Path:
        return Path(self.model_dir) if self.model_dir else local_root() / "models"
