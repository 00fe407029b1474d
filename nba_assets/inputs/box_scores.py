"""Box scores: one row per player per game, from the NBA stats export or our canonical columns."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from nba_assets.inputs.sources import read_source
from nba_assets.inputs.validation import (
    Checker,
    InputValidationError,
    flag_duplicates,
    parse_dates,
    parse_numbers,
    require_text,
)
from nba_assets.naming import InvalidIdentifier, player_lookup

STAT_COLUMNS = ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast", "tov")
COLUMNS = (
    "game_date",
    "game_id",
    "player_id",
    "player_name",
    "player_lookup",
    "team",
    "opponent",
    "is_home",
    "minutes",
    "points",
    *STAT_COLUMNS,
)
REQUIRED = (
    "game_date",
    "game_id",
    "player_id",
    "player_name",
    "team",
    "opponent",
    "is_home",
    "minutes",
    "points",
)
# The NBA stats export (the shared data set and the bundled sample's origin).
_NBA_STATS = {
    "GAME_DATE": "game_date",
    "GAME_ID": "game_id",
    "PLAYER_ID": "player_id",
    "PLAYER_NAME": "player_name",
    "TEAM_ABBREVIATION": "team",
    "MIN": "minutes",
    "PTS": "points",
    "FGM": "fgm",
    "FGA": "fga",
    "FG3M": "fg3m",
    "FG3A": "fg3a",
    "FTM": "ftm",
    "FTA": "fta",
    "OREB": "oreb",
    "DREB": "dreb",
    "REB": "reb",
    "AST": "ast",
    "TOV": "tov",
}
_TRUE = {"true", "1", "yes", "y", "t", "home", "h"}
_FALSE = {"false", "0", "no", "n", "f", "away", "a"}


def _from_nba_stats(frame: pd.DataFrame, check: Checker) -> pd.DataFrame:
    """``MATCHUP`` ("DAL vs. UTA" at home, "DAL @ UTA" away) becomes opponent and is_home."""
    out = frame.rename(columns=_NBA_STATS)
    matchup = frame["MATCHUP"].astype("string").str.strip()
    parts = matchup.str.extract(r"^(?P<team>[A-Z]{2,4})\s+(?P<sep>vs\.|@)\s+(?P<opp>[A-Z]{2,4})$")
    check.flag(parts["team"].isna(), "MATCHUP", "expected 'TEAM vs. OPP' or 'TEAM @ OPP'", raw=matchup)
    # A bad MATCHUP is reported once, as MATCHUP, not again as a missing opponent and home flag.
    out["opponent"] = parts["opp"].fillna("?")
    out["is_home"] = parts["sep"].map({"vs.": "true", "@": "false"}).fillna("true")
    return out


def parse_bool(check: Checker, column: str) -> pd.Series:
    text = check.frame[column].astype("string").str.strip().str.lower()
    valid = text.isin(_TRUE | _FALSE)
    check.flag(~valid, column, "expected true/false (or home/away)")
    return text.isin(_TRUE)


def lookups(check: Checker, names: pd.Series) -> pd.Series:
    """player_lookup of each name, computed once per distinct name (a season repeats ~500 names
    26,000 times); every row of a bad name is flagged."""
    keys: dict = {}
    for name in pd.unique(names.dropna()):
        try:
            keys[name] = player_lookup(name) if isinstance(name, str) and name else None
        except InvalidIdentifier as exc:
            keys[name] = exc
    for name, key in keys.items():
        if isinstance(key, InvalidIdentifier):
            for row in names.index[names == name]:
                check.add(int(row), "player_name", name, str(key))
    good = {name: key for name, key in keys.items() if not isinstance(key, InvalidIdentifier)}
    return names.map(good).astype("string")


def validate_box_scores(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Canonical, validated box scores; raises InputValidationError listing every problem."""
    check = Checker(source, frame)
    if "MATCHUP" in frame.columns and "PLAYER_NAME" in frame.columns:
        check.frame = frame = _from_nba_stats(frame, check)
    if not check.require_columns(REQUIRED):
        check.raise_if_any()
    out = pd.DataFrame(index=frame.index)
    out["game_date"] = parse_dates(check, "game_date")
    out["game_id"] = require_text(check, "game_id")
    out["player_id"] = parse_numbers(check, "player_id").astype("Int64")
    out["player_name"] = require_text(check, "player_name")
    out["player_lookup"] = lookups(check, out["player_name"])
    out["team"] = require_text(check, "team").str.upper()
    out["opponent"] = require_text(check, "opponent").str.upper()
    out["is_home"] = parse_bool(check, "is_home")
    out["minutes"] = parse_numbers(check, "minutes")
    out["points"] = parse_numbers(check, "points")
    for column in STAT_COLUMNS:
        out[column] = (
            parse_numbers(check, column, required=False) if column in frame.columns else float("nan")
        )
    check.frame = out
    flag_duplicates(check, ["game_id", "player_id"], "player_id", "duplicate (game_id, player_id) row")
    check.raise_if_any()
    return out.reset_index(drop=True)


def load_box_scores(sources: Iterable[str | Path]) -> pd.DataFrame:
    """Validate each source, then combine; duplicates across files are problems too."""
    frames, problems = [], []
    for source in sources:
        try:
            frames.append(validate_box_scores(read_source(source), str(source)))
        except InputValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputValidationError(problems)
    if not frames:
        raise ValueError("no box score sources given")
    combined = pd.concat(frames, ignore_index=True)
    combined.index = pd.RangeIndex(1, len(combined) + 1)
    check = Checker("combined box scores", combined)
    flag_duplicates(
        check, ["game_id", "player_id"], "player_id", "the same (game_id, player_id) in two sources"
    )
    check.raise_if_any()
    return combined.sort_values(["game_date", "game_id", "player_id"], kind="stable").reset_index(drop=True)
