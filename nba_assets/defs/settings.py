"""Where a day's inputs come from, and the pipeline's knobs: both plain ConfigurableResources."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

import dagster as dg
import pandas as pd
from pydantic import field_validator

from nba_assets.defs.env import EnvConfigured, comma_list, is_env_var
from nba_assets.defs.partitions import MAX_SHARDS
from nba_assets.environment import local_root
from nba_assets.inputs.day import DayInputs, Sources, day_inputs, history, learned_history
from nba_assets.predictions import model_store, registry
from nba_assets.predictions.picks import EV_MARGIN, Picker
from nba_assets.warehouse.base import Warehouse

__all__ = ["DayInputs", "NbaInputsResource", "PipelineSettings"]


class NbaInputsResource(EnvConfigured, dg.ConfigurableResource):
    """Box scores, slates, lines, availability: files (CSV/Parquet) or ``bq://`` tables; default the
    bundled sample. The assembly is :mod:`nba_assets.inputs.day` (caches keyed by the data's version).

    Without slate files, a past date's slate is replayed from that date's box scores; without line
    files and no lines feed, reference lines stand in (labelled as such in metadata and exports);
    with either configured, never. Live feeds are the
    ``nba_stats_feed`` and ``odds_feed`` resources (``defs/feeds.py``).
    """

    box_scores: list[str] = []
    slates: list[str] = []
    lines: list[str] = []
    availability: list[str] = []  # game_date, player, status: players out are skipped "out: <status>"
    suspicious_lines: str = "warn"
    reference_line_alternates: int = 2
    # set where the odds feed is configured (defs/resources.py): then stand-in lines are never made
    lines_feed: bool = False

    # sources from comma lists: NBA_ASSETS_BOX_SCORES, _SLATES, _LINES, _AVAILABILITY
    ENV: ClassVar[dict[str, str]] = {
        f: f"NBA_ASSETS_{f.upper()}" for f in ("box_scores", "slates", "lines", "availability")
    }
    split_lists = field_validator("box_scores", "slates", "lines", "availability", mode="before")(comma_list)

    def sources(self) -> Sources:
        return Sources(
            tuple(self.box_scores),
            tuple(self.slates),
            tuple(self.lines),
            tuple(self.availability),
            self.suspicious_lines,
            self.reference_line_alternates,
            self.lines_feed,
        )

    def history(self, warehouse: Warehouse | None = None) -> pd.DataFrame:
        """Every box score known: the sources' rows, each date the warehouse holds taken from it."""
        return history(self.sources(), warehouse)

    def learned_history(self, game_date: date, warehouse: Warehouse | None = None) -> pd.DataFrame:
        """Feature rows of every game before the date, for systems that learn from history."""
        return learned_history(self.sources(), game_date, warehouse)

    def day(self, game_date: date, warehouse: Warehouse | None = None) -> DayInputs:
        """The date's inputs: what the warehouse holds (the graph's assets wrote it), else the sources."""
        return day_inputs(self.sources(), game_date, warehouse)


class PipelineSettings(EnvConfigured, dg.ConfigurableResource):
    """Knobs of the day's run; the same for every profile unless overridden (``NBA_ASSETS_<FIELD>``,
    ``NBA_ASSETS_SHARDS`` for shard_count)."""

    shard_count: int = 4  # 1..MAX_SHARDS: the one home of the shard limit (_shard_limit)
    systems: list[str] = list(registry.available())
    default_system: str = registry.DEFAULT_SYSTEM  # the headline prediction in the front-end files
    model_dir: str = ""  # default: <NBA_ASSETS_HOME>/models
    stall_idle_minutes: float = 30.0  # no completion for this long: re-run the missing players once
    stall_deadline_minutes: float = 120.0  # after the re-run, this long idle: consolidate what there is
    consolidation_lease_minutes: float = 30.0
    min_players_per_game: int = 5
    regression_share: float = 0.5  # an export with fewer players than this share of the live one is refused
    ev_margin: float = EV_MARGIN  # a pick needs calibrated EV at the real price >= this per unit staked

    ENV: ClassVar[dict[str, str]] = {
        "shard_count": "NBA_ASSETS_SHARDS",
        **{
            f: f"NBA_ASSETS_{f.upper()}"
            for f in (
                "systems",
                "default_system",
                "model_dir",
                "stall_idle_minutes",
                "stall_deadline_minutes",
                "consolidation_lease_minutes",
                "min_players_per_game",
                "regression_share",
                "ev_margin",
            )
        },
    }
    split_systems = field_validator("systems", mode="before")(comma_list)

    @field_validator("shard_count", mode="wrap")
    @classmethod
    def _shard_limit(cls, value, handler):
        if is_env_var(value):
            return value  # checked when the run reads the variable
        count = handler(value)
        if not 1 <= count <= MAX_SHARDS:
            raise ValueError(f"shard_count {count} must be between 1 and {MAX_SHARDS}")
        return count

    def build_systems(self, game_date: date) -> list:
        """The systems for one game day, with a model trained only on games before it."""
        return registry.build_systems(self.systems, model_store.version_before(self.models_path(), game_date))

    def picker(self, game_date: date) -> Picker:
        """Picks by calibrated EV with the calibration stored beside the model the date uses."""
        return Picker.from_model_dir(
            model_store.version_before(self.models_path(), game_date), self.ev_margin
        )

    def systems_for(self, dates: list[date]) -> dict[date, list]:
        """Each date's systems, built (the model loaded) once per model version, for a range."""
        built: dict[Path | None, list] = {}
        for game_date in sorted(dates):
            version = model_store.version_before(self.models_path(), game_date)
            if version not in built:
                built[version] = registry.build_systems(self.systems, version)
        return {d: built[model_store.version_before(self.models_path(), d)] for d in dates}

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
