"""The ``season`` fixture of the slate-dependent feature tests (see tonight.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def season(box_scores: pd.DataFrame) -> pd.DataFrame:
    """2024-25 up to ten days after tonight.DAY: games before it, and some after it to hide."""
    return box_scores[box_scores["game_date"].between(date(2024, 10, 1), date(2025, 1, 25))]
