"""Shared fixtures over the bundled real sample (no network, no ../shared needed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from nba_assets.inputs.bundled import bundled_box_scores
from nba_assets.inputs.slates import slate_from_box_scores

DEMO_DATE = date(2025, 2, 12)  # 15 games, 314 players in the bundled sample
SMALL_DATE = date(2025, 2, 19)  # the All-Star break's one game day: 20 players
NBA_STATS_CSV_HEADER = (
    "SEASON_ID,PLAYER_ID,PLAYER_NAME,TEAM_ID,TEAM_ABBREVIATION,TEAM_NAME,GAME_ID,GAME_DATE,MATCHUP,WL,MIN,PTS,"
    "FGM,FGA,FG_PCT,FG3M,FG3A,FG3_PCT,FTM,FTA,FT_PCT,OREB,DREB,REB,AST,STL,BLK,TOV,PF,PLUS_MINUS,SEASON_LABEL"
)


@pytest.fixture(scope="session")
def box_scores() -> pd.DataFrame:
    return bundled_box_scores()


@pytest.fixture(scope="session")
def demo_slate(box_scores: pd.DataFrame) -> pd.DataFrame:
    return slate_from_box_scores(box_scores, DEMO_DATE)


@pytest.fixture()
def nba_stats_csv(tmp_path: Path):
    """Write NBA-stats-format rows (header + given lines) and return the path."""

    def write(*rows: str, name: str = "logs.csv", header: str = NBA_STATS_CSV_HEADER) -> Path:
        path = tmp_path / name
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return path

    return write
