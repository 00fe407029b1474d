"""Grade stored predictions against what happened: the graded_results asset and season reports.

A pick hits when OVER and actual > line, or UNDER and actual < line. ``hit`` is null for PASS and
NO_LINE (no pick), for a push (actual == line: the stake comes back) and for a player who did not
play (no box-score row or 0 minutes: books void the bet).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_assets.rows import RESULTS_SCHEMA

RESULT_COLUMNS = tuple(RESULTS_SCHEMA.names)
_PLAYER_KEY = ["game_date", "player_lookup"]  # a player plays at most once a day; slate game ids vary


def grade(predictions: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """RESULTS_SCHEMA rows for the active predictions; ``actuals`` are that date's box scores."""
    rows = predictions
    if "is_active" in rows.columns:
        rows = rows[rows["is_active"].fillna(False).astype(bool)]
    played = actuals[actuals["minutes"].fillna(0) > 0][[*_PLAYER_KEY, "points"]]
    played = played.drop_duplicates(subset=_PLAYER_KEY).rename(columns={"points": "actual_points"})
    out = rows.merge(played, on=_PLAYER_KEY, how="left")
    actual, line = out["actual_points"].astype(float), out["points_line"].astype(float)
    rec = out["recommendation"]
    out["abs_error"] = (out["predicted_points"].astype(float) - actual).abs()
    decided = actual.notna() & line.notna() & rec.isin(["OVER", "UNDER"]) & (actual != line)
    won = np.where(rec == "OVER", actual > line, actual < line)
    out["hit"] = pd.Series(won, index=out.index, dtype="boolean").where(decided, pd.NA)
    out["actual_points"] = actual
    return out[list(RESULT_COLUMNS)].reset_index(drop=True)


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """Per system: predictions, graded players, MAE (one per player, not per line), picks, hit rate."""
    if results.empty:
        return pd.DataFrame(
            columns=["system_id", "predictions", "graded", "mae", "picks", "hits", "hit_rate", "pushes"]
        )
    per_player = results.drop_duplicates(subset=["game_date", "game_id", "player_lookup", "system_id"])
    picks = results[results["recommendation"].isin(["OVER", "UNDER"]) & results["actual_points"].notna()]
    pushes = picks[picks["actual_points"] == picks["points_line"]]
    decided = picks[picks["hit"].notna()]
    summary = pd.DataFrame(
        {
            "predictions": results.groupby("system_id").size(),
            "graded": per_player[per_player["actual_points"].notna()].groupby("system_id").size(),
            "mae": per_player.groupby("system_id")["abs_error"].mean().round(3),
            "picks": decided.groupby("system_id").size(),
            "hits": decided.groupby("system_id")["hit"].sum(),
            "pushes": pushes.groupby("system_id").size(),
        }
    )
    summary = summary.fillna({"graded": 0, "picks": 0, "hits": 0, "pushes": 0})
    for column in ("predictions", "graded", "picks", "hits", "pushes"):
        summary[column] = summary[column].astype(int)
    summary["hit_rate"] = (summary["hits"] / summary["picks"]).where(summary["picks"] > 0).round(4)
    cols = ["predictions", "graded", "mae", "picks", "hits", "hit_rate", "pushes"]
    return summary.reset_index(names="system_id")[["system_id", *cols]]
