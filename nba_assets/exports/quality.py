"""Blocking quality gates of the front-end files, run before anything is written (DESIGN L13).

The old system once replaced a good all-players file (400 players) with one of 3. Here every file
is checked on its own (serialisable without NaN/inf, schema, totals) and the day as a whole
(every slate game present, enough players per game, a player file per player, no collapse
against what is already published for the same date). Each finding is one plain sentence.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from nba_assets.exports.files import ExportFile, player_path, serialise
from nba_assets.exports.schemas import schema_errors

# Files whose total_players the regression gate compares with the published file of the same date
# (predictions/{date}.json holds the same players as all-players; re-parsing its megabytes buys nothing).
COUNTED = ("all_players", "results")


@dataclass(frozen=True)
class GateConfig:
    """Thresholds (per deployment) and the slate's game ids (per day, see ``for_slate``)."""

    min_players_per_game: int = 5
    # refuse a file with fewer than this share of the players of the published file of the same date
    min_published_ratio: float = 0.5
    expected_games: frozenset[str] = frozenset()
    require_player_files: bool = True
    max_findings_per_gate: int = 20

    def for_slate(self, game_ids: Collection[str]) -> GateConfig:
        return replace(self, expected_games=frozenset(str(g) for g in game_ids))


@dataclass(frozen=True)
class Finding:
    gate: str  # schema | non_finite | totals | games | players_per_game | player_files | regression
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def nonfinite_paths(value: Any, where: str = "$") -> Iterable[str]:
    """JSON paths of every NaN or infinity (only walked when serialisation refused the payload)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from nonfinite_paths(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from nonfinite_paths(item, f"{where}[{i}]")


def check_file(file: ExportFile) -> tuple[list[Finding], bytes | None]:
    """Gates of one file on its own; returns the serialised bytes when it can be serialised."""
    try:
        data = serialise(file.payload)
    except ValueError:
        bad = list(nonfinite_paths(file.payload))
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        return [Finding("non_finite", file.path, f"has {len(bad)} NaN/infinite number(s), at {shown}")], None
    findings = [
        Finding("schema", file.path, f"violates its JSON Schema {e}")
        for e in schema_errors(file.kind, file.payload)
    ]
    if not findings:  # totals are only meaningful on a structurally valid payload
        findings += [Finding("totals", file.path, m) for m in _totals(file.kind, file.payload)]
    return findings, data


def _totals(kind: str, p: dict[str, Any]) -> list[str]:
    out = []

    def same(name: str, stated: int, actual: int) -> None:
        if stated != actual:
            out.append(f"states {name}={stated} but holds {actual}")

    if kind == "all_players":
        players = [e for g in p["games"] for e in g["players"]]
        same("total_players", p["total_players"], len(players))
        same("total_with_lines", p["total_with_lines"], sum(1 for e in players if e["props"]))
        lookups = [e["player_lookup"] for e in players]
        if len(set(lookups)) != len(lookups):
            out.append(f"lists {len(lookups) - len(set(lookups))} player(s) more than once")
    elif kind == "predictions":
        same("total_predictions", p["total_predictions"], len(p["predictions"]))
        same("total_players", p["total_players"], len({r["player_lookup"] for r in p["predictions"]}))
    elif kind == "best_bets":
        same("total_picks", p["total_picks"], len(p["picks"]))
        if [x["rank"] for x in p["picks"]] != list(range(1, len(p["picks"]) + 1)):
            out.append("has ranks that are not 1..n in order")
        scores = [x["score"] for x in p["picks"]]
        if scores != sorted(scores, reverse=True):
            out.append("has picks not in descending score order")
    elif kind == "results":
        same("total_players", p["total_players"], len(p["players"]))
        same(
            "total_graded", p["total_graded"], sum(1 for x in p["players"] if x["actual_points"] is not None)
        )
    return out


def check_day(all_players: dict[str, Any], config: GateConfig, path: str) -> list[Finding]:
    """Every slate game present, each with at least ``min_players_per_game`` players."""
    counts = {g["game_id"]: len(g["players"]) for g in all_players["games"]}
    findings = [
        Finding("games", path, f"game {gid} of the slate is missing (no player of it has a prediction)")
        for gid in sorted(config.expected_games - counts.keys())
    ]
    findings += [
        Finding(
            "players_per_game",
            path,
            f"game {gid} has {n} player(s), fewer than the minimum {config.min_players_per_game}",
        )
        for gid, n in sorted(counts.items())
        if n < config.min_players_per_game
    ]
    return findings


def check_regression(file: ExportFile, published: bytes | None, config: GateConfig) -> list[Finding]:
    """Refuse a file that shrinks far below the published one of the same date (400 -> 3)."""
    if file.kind not in COUNTED or published is None:
        return []
    try:
        old = json.loads(published)
        old_date, old_total = old["game_date"], int(old["total_players"])
    except (ValueError, KeyError, TypeError):
        return []  # an unreadable published file is not worth protecting
    new_total = int(file.payload.get("total_players", 0))
    if old_date != file.game_date or new_total >= config.min_published_ratio * old_total:
        return []
    return [
        Finding(
            "regression",
            file.path,
            f"has {new_total} players where the published file for {old_date} has {old_total} "
            f"(below {config.min_published_ratio:.0%}); refusing to replace it",
        )
    ]


@dataclass
class QualityRun:
    """The gates over a stream of files: per-file as they pass, cross-file at ``finish``."""

    config: GateConfig
    published: Callable[[str], bytes | None] = lambda path: None
    findings: list[Finding] = field(default_factory=list)
    _players: list[str] = field(default_factory=list)
    _player_paths: set[str] = field(default_factory=set)
    _all_players_path: str = ""

    def add(self, file: ExportFile) -> bytes | None:
        """Run the per-file gates; the serialised bytes (None if they could not be made)."""
        found, data = check_file(file)
        if data is not None and not found:
            found += check_regression(
                file, self.published(file.path) if file.kind in COUNTED else None, self.config
            )
            if file.kind == "all_players":
                found += check_day(file.payload, self.config, file.path)
                self._all_players_path = file.path
                self._players = [e["player_lookup"] for g in file.payload["games"] for e in g["players"]]
        if file.kind == "player":
            self._player_paths.add(file.path)
        self.findings += found
        return data

    def finish(self) -> list[Finding]:
        if self.config.require_player_files and self._all_players_path:
            missing = [p for p in self._players if player_path(p) not in self._player_paths]
            if missing:
                self.findings.append(
                    Finding(
                        "player_files",
                        self._all_players_path,
                        f"lists {len(missing)} player(s) with no tonight/player file, e.g. {', '.join(missing[:5])}",
                    )
                )
        return self.capped()

    def capped(self) -> list[Finding]:
        """All findings, at most ``max_findings_per_gate`` per gate plus one line saying how many more."""
        out, seen = [], {}
        for f in self.findings:
            seen[f.gate] = seen.get(f.gate, 0) + 1
            if seen[f.gate] <= self.config.max_findings_per_gate:
                out.append(f)
        for gate, n in seen.items():
            if n > self.config.max_findings_per_gate:
                out.append(
                    Finding(
                        gate, "*", f"{n - self.config.max_findings_per_gate} more {gate} finding(s) not shown"
                    )
                )
        return out


def check_files(
    files: Iterable[ExportFile], config: GateConfig, published: Callable[[str], bytes | None] | None = None
) -> list[Finding]:
    """Every gate over ``files`` without writing anything (for asset checks and tests)."""
    run = QualityRun(config, published or (lambda path: None))
    for file in files:
        run.add(file)
    return run.finish()
