"""Prop lines: (date, player, line, bookmaker, prices), validated; and reference lines for demos.

Files are taken as the sources write them, no reshaping by the user:

- the project's own / The Odds API shape: ``game_date, player_name, line[, bookmaker, over_price,
  under_price, home_team, away_team]`` (the fantasy-apps file of ``shared/data/prop_lines``);
- BettingPros' daily points pages: ``game_date, player_slug, line, price`` (``cameronjohnson-g``):
  the slug is the name, the bookmaker ``bettingpros``, and the one ``price`` is taken as the
  **over's** price (under price null). Evidence: on the 2021-23 rows matched to a played game the
  realised over rate falls steadily as that price rises (0.51 at -140..-125, 0.49 at -125..-115,
  0.46 at -115..-101, 0.44 at -101..+110, 0.35 above +110), as an over's price must; docs/lines.md.

Names are matched to the players who can be in that game (``feeds.identity``): with ``players``
(box scores and/or slate rows), each line's player is looked up among that date's players (the
event's two teams when the file names them); unmatched names are returned, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from nba_assets.feeds.identity import TEAMS, book_lookup, resolve
from nba_assets.inputs.sources import read_source
from nba_assets.inputs.validation import Checker, flag_duplicates, parse_dates, parse_numbers, require_text

COLUMNS = ("game_date", "player_lookup", "line", "bookmaker", "over_price", "under_price")
REQUIRED = ("game_date", "player_name", "line")
UNMATCHED_COLUMNS = ("game_date", "game", "player_name", "rows", "reason")
BETTINGPROS = "bettingpros"
LINE_MIN, LINE_MAX = 0.5, 80.0
# The seeds filled a missing line with 20.0; a value shared by this share of a day's lines is suspect.
SUSPICIOUS_SHARE, SUSPICIOUS_MIN_LINES = 0.25, 8
SuspiciousPolicy = Literal["reject", "warn", "allow"]


class SuspiciousLinesWarning(UserWarning):
    """Many players of one day share one line: probably a placeholder, not a sportsbook line."""


@dataclass(frozen=True)
class LoadedLines:
    """Validated lines, and the book names that matched no player who could be in that game."""

    lines: pd.DataFrame  # COLUMNS
    unmatched: pd.DataFrame  # UNMATCHED_COLUMNS: one row per (date, game, name)

    def describe(self, limit: int = 20) -> list[str]:
        """One line per unmatched name (for logs and the CLI), at most ``limit`` then a count."""
        rows = [
            f"{r.game_date} {r.game}: {r.player_name!r} ({r.rows} line(s), {r.reason})"
            for r in self.unmatched.itertuples(index=False)
        ]
        return rows[:limit] + ([f"... and {len(rows) - limit} more"] if len(rows) > limit else [])


def standard_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A known source's columns under the loader's names (BettingPros: slug -> name, price -> over)."""
    frame = frame.copy()
    if "player_name" not in frame.columns and "player_slug" in frame.columns:
        frame = frame.rename(columns={"player_slug": "player_name"})
        if "bookmaker" not in frame.columns:
            frame["bookmaker"] = BETTINGPROS
    if "price" in frame.columns and "over_price" not in frame.columns:
        frame = frame.rename(columns={"price": "over_price"})  # one price: the over's (module doc)
    return frame


def validate_line_values(check: Checker, raw: pd.Series, *, required: bool = True) -> pd.Series:
    column = str(raw.name)
    numbers = parse_numbers(check, column, minimum=None, required=required)
    check.flag((numbers < LINE_MIN) | (numbers > LINE_MAX), column, f"line outside {LINE_MIN:g}-{LINE_MAX:g}")
    check.flag(((numbers * 2) % 1).abs() > 1e-9, column, "line is not on a 0.5 step")
    return numbers


def suspicious_constant_lines(lines: pd.DataFrame) -> list[str]:
    """Per date, a line value shared by too many players (the seeds' placeholder 20.0)."""
    found = []
    for game_date, day in lines.groupby("game_date"):
        per_player = day.drop_duplicates(subset=["player_lookup", "line"])
        if len(per_player) < SUSPICIOUS_MIN_LINES:
            continue
        counts = per_player["line"].value_counts()
        if counts.iloc[0] / len(per_player) >= SUSPICIOUS_SHARE:
            found.append(f"{game_date}: {counts.iloc[0]} of {len(per_player)} lines are {counts.index[0]:g}")
    return found


def _book_lookups(check: Checker, names: pd.Series) -> pd.Series:
    """The normalised book spelling per distinct name (a slug's position suffix dropped)."""
    keys = {name: book_lookup(name) for name in pd.unique(names.dropna())}
    for name, key in keys.items():
        if key is None:
            for row in names.index[names == name]:
                check.add(int(row), "player_name", name, f"player name {name!r} has no letters or digits")
    return names.map({n: k for n, k in keys.items() if k is not None}).astype("string")


def validate_lines(
    frame: pd.DataFrame,
    source: str,
    on_suspicious: SuspiciousPolicy = "warn",
    players: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Validated lines (COLUMNS); with ``players`` names are matched (see :func:`read_lines`)."""
    return validated_lines(frame, source, on_suspicious, players).lines


def validated_lines(
    frame: pd.DataFrame,
    source: str,
    on_suspicious: SuspiciousPolicy = "warn",
    players: pd.DataFrame | None = None,
) -> LoadedLines:
    frame = standard_columns(frame)
    check = Checker(source, frame)
    if not check.require_columns(REQUIRED):
        check.raise_if_any()
    out = pd.DataFrame(index=frame.index)
    out["game_date"] = parse_dates(check, "game_date")
    names = require_text(check, "player_name")
    out["player_lookup"] = _book_lookups(check, names)
    out["line"] = validate_line_values(check, frame["line"])
    out["bookmaker"] = (
        frame["bookmaker"].astype("string").str.strip().replace("", "unknown")
        if "bookmaker" in frame.columns
        else "unknown"
    )
    for column in ("over_price", "under_price"):
        out[column] = (
            parse_numbers(check, column, minimum=None, required=False) if column in frame else np.nan
        )
    check.frame = out
    flag_duplicates(check, ["game_date", "player_lookup", "bookmaker", "line"], "line", "duplicate line")
    unmatched = pd.DataFrame(columns=list(UNMATCHED_COLUMNS))
    if players is not None and not check.problems:
        teams = frame[["home_team", "away_team"]] if {"home_team", "away_team"} <= set(frame) else None
        out["player_lookup"], unmatched = match_players(out, names, teams, players)
        # an unmatched line joins no one (it is reported); two spellings of one player on one page
        # ("moewagner", "moritzwagner") are one line
        out = out.dropna(subset=["player_lookup"])
        out = out.drop_duplicates(subset=["game_date", "player_lookup", "bookmaker", "line"])
        check.frame = out
    if on_suspicious != "allow" and not check.problems:
        for finding in suspicious_constant_lines(out):
            if on_suspicious == "reject":
                check.add(None, "line", None, f"suspicious constant line (placeholder?) {finding}")
            else:
                import warnings

                warnings.warn(
                    f"{source}: suspicious constant line {finding}", SuspiciousLinesWarning, stacklevel=2
                )
    check.raise_if_any()
    return LoadedLines(out[list(COLUMNS)].reset_index(drop=True), unmatched.reset_index(drop=True))


def match_players(
    lines: pd.DataFrame, names: pd.Series, teams: pd.DataFrame | None, players: pd.DataFrame
) -> tuple[pd.Series, pd.DataFrame]:
    """(player_lookup per line, unmatched names): each name matched among the players of its date
    (``players``: game_date, player_lookup, player_name[, team]: box scores and/or slate rows),
    narrowed to the game's two teams when ``teams`` (home_team, away_team full names) is given.

    A date without any player rows keeps the normalised spelling (nothing to match against). An
    unmatched line gets no lookup (NA: the caller drops it; it would join no one or, worse, a
    player of another game) and is reported with a reason: "did not play" when the name is a
    known player absent from that game, else "unknown name".
    """
    known = set(players["player_lookup"])
    last = players.drop_duplicates("player_lookup", keep="last")
    everyone = dict(zip(last["player_lookup"], last["player_name"], strict=True))
    by_date = {d: g for d, g in players.groupby("game_date")}
    game = pd.Series("", index=lines.index, dtype=object)
    if teams is not None:
        home, away = teams["home_team"].astype(str), teams["away_team"].astype(str)
        game = away + " @ " + home
    keys = pd.DataFrame({"game_date": lines["game_date"], "game": game, "name": names})
    pools: dict[tuple, dict[str, str]] = {}
    elsewhere: dict[str, str | None] = {}
    result, unmatched = {}, []
    for (game_date, where, name), group in keys.groupby(["game_date", "game", "name"], sort=True):
        day = by_date.get(game_date)
        if day is None:
            continue
        if (game_date, where) not in pools:
            pools[(game_date, where)] = _candidates(day, where)
        found = resolve(name, pools[(game_date, where)], known)
        if found is not None:
            result[(game_date, where, name)] = found
            continue
        if name not in elsewhere:
            elsewhere[name] = resolve(name, everyone)
        reason = "did not play" if elsewhere[name] is not None else "unknown name"
        unmatched.append((game_date, where or "(date)", name, len(group), reason))
    matched = pd.Series(
        [result.get(k) for k in zip(keys["game_date"], keys["game"], keys["name"], strict=True)],
        index=lines.index,
        dtype="string",
    )
    unmatched_rows = matched.isna() & keys["game_date"].isin(by_date.keys())
    return matched.fillna(lines["player_lookup"]).mask(unmatched_rows), pd.DataFrame(
        unmatched, columns=list(UNMATCHED_COLUMNS)
    )


def _candidates(day: pd.DataFrame, where: str) -> dict[str, str]:
    """lookup -> name of the date's players, of the game's two teams when both are known."""
    if where and "team" in day.columns:
        away, _, home = where.partition(" @ ")
        teams = {TEAMS.get(away), TEAMS.get(home)} - {None}
        if len(teams) == 2:
            day = day[day["team"].isin(teams)]
    return dict(zip(day["player_lookup"], day["player_name"], strict=True))


def read_lines(
    source: str | Path, on_suspicious: SuspiciousPolicy = "warn", players: pd.DataFrame | None = None
) -> LoadedLines:
    """A lines file (any shape of the module doc) validated, its names matched against ``players``."""
    return validated_lines(read_source(source), str(source), on_suspicious, players)


def load_lines(
    source: str | Path, on_suspicious: SuspiciousPolicy = "warn", players: pd.DataFrame | None = None
) -> pd.DataFrame:
    return read_lines(source, on_suspicious, players).lines


def reference_lines(features: pd.DataFrame, alternates: int = 0) -> pd.DataFrame:
    """Stand-in lines for the bundled sample, which has no sportsbook data.

    Main line = the player's point-in-time blend of last-10 and season averages rounded to the
    nearest x.5 (what books post is close to it); ``alternates`` adds ±1, ±2 ... lines around it.
    Players with no history get no line (NO_LINE), like a real book that posts none.
    """
    base = features[["game_date", "player_lookup", "pts_avg_last10", "pts_avg_season"]].copy()
    blend = 0.6 * base["pts_avg_last10"] + 0.4 * base["pts_avg_season"].fillna(base["pts_avg_last10"])
    base["main"] = np.floor(blend) + 0.5
    base = base[base["main"].notna() & (blend >= 2.0)]
    rows = []
    for offset in [0] + [s * k for k in range(1, alternates + 1) for s in (-1, 1)]:
        part = base.assign(line=(base["main"] + offset).clip(LINE_MIN, LINE_MAX))
        part["bookmaker"] = "reference" if offset == 0 else f"reference_alt{offset:+d}"
        rows.append(part)
    out = pd.concat(rows, ignore_index=True).drop_duplicates(subset=["game_date", "player_lookup", "line"])
    out["over_price"] = -110.0
    out["under_price"] = -110.0
    return out[list(COLUMNS)].reset_index(drop=True)
