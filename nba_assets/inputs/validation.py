"""One validation step for every input: all problems of a file, each naming source, row, column, value.

A bad row never half-writes a day: loaders validate the whole frame before returning anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_MAX_LISTED = 25


@dataclass(frozen=True)
class Problem:
    source: str
    row: int | None  # 1-based data row as a person counts it in the file (header excluded); None: whole file
    column: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.message}{value}"


class InputValidationError(ValueError):
    """Every problem found in one input; nothing of it was used."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n  ".join(str(p) for p in problems[:_MAX_LISTED])
        more = f"\n  ... and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
        super().__init__(f"{len(problems)} problem(s) in input:\n  {shown}{more}")


class Checker:
    """Collects problems over a frame whose index is the 1-based file row."""

    def __init__(self, source: str, frame: pd.DataFrame) -> None:
        self.source, self.frame, self.problems = source, frame, []

    def add(self, row: int | None, column: str | None, value: object, message: str) -> None:
        self.problems.append(Problem(self.source, row, column, value, message))

    def flag(self, mask: pd.Series, column: str, message: str, raw: pd.Series | None = None) -> None:
        values = self.frame[column] if raw is None else raw
        for row in mask[mask.fillna(False).astype(bool)].index:
            value = values.loc[row]
            self.add(int(row), column, None if _is_missing(value) else _plain(value), message)

    def require_columns(self, required: tuple[str, ...]) -> bool:
        missing = [c for c in required if c not in self.frame.columns]
        for column in missing:
            self.add(
                None,
                column,
                None,
                f"missing required column (has: {', '.join(map(str, self.frame.columns))})",
            )
        return not missing

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputValidationError(self.problems)


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def parse_dates(check: Checker, column: str) -> pd.Series:
    """Dates as ``datetime.date``; unparseable or out-of-range values are problems."""
    raw = check.frame[column]
    parsed = pd.to_datetime(raw.astype("string").str.strip(), errors="coerce", format="mixed")
    in_range = parsed.between(pd.Timestamp("1946-11-01"), pd.Timestamp("2100-12-31"))
    check.flag(parsed.isna() | ~in_range, column, "not a valid date (YYYY-MM-DD, 1946..2100)")
    return parsed.dt.date


def parse_numbers(
    check: Checker, column: str, *, minimum: float | None = 0.0, required: bool = True
) -> pd.Series:
    """Finite numbers >= minimum; blanks are problems only when ``required``."""
    raw = check.frame[column]
    numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
    # only a value that is not a number can be blank: strip just those (a season is 26,000 rows)
    blank = raw.isna().copy()
    maybe = numbers.isna() & ~blank
    blank[maybe] = raw[maybe].astype("string").str.strip() == ""
    bad = (numbers.isna() & ~blank) | ~np.isfinite(numbers.fillna(0.0))
    check.flag(bad, column, "not a finite number")
    if required:
        check.flag(blank, column, "missing value")
    if minimum is not None:
        check.flag(numbers < minimum, column, f"must be >= {minimum:g}")
    return numbers.where(~bad)


def require_text(check: Checker, column: str) -> pd.Series:
    text = check.frame[column].astype("string").str.strip()
    check.flag(text.isna() | (text == ""), column, "missing value")
    return text


def flag_duplicates(check: Checker, keys: list[str], column: str, message: str) -> None:
    dup = check.frame.duplicated(subset=keys, keep="first")
    check.flag(dup, column, message)
