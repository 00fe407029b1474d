"""Walk-forward backtest: how far off each system is, where, and whether its probabilities are honest.

The window is walked month by month. Features are point-in-time by construction and every
system sees only games before each row's date (the same engine as ``predict``: a player-date
gets the same prediction here as there); the gradient-boosting model must have been trained on
games before the window starts (checked). Scored rows are those every selected system and both
baselines (season-to-date average, last-10 average) predicted, so all are compared on the same
games; MAE/RMSE/bias are given for players who played >= 15 minutes and for all rows. Against
the lines, picks are made by expected value (``picks.Picker``) and reported as hit rate and ROI
at the offered prices, with the reliability of the stated P(over).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from nba_assets.predictions.base import PredictionSystem
from nba_assets.predictions.calibration import TOLERANCE
from nba_assets.predictions.lines import EDGE_THRESHOLD
from nba_assets.predictions.odds import DEFAULT_PRICE, decimal_odds
from nba_assets.predictions.picks import Picker
from nba_assets.predictions.runner import priced_lines, run_systems

BASELINES = {"season_avg": "pts_avg_season", "last10_avg": "pts_avg_last10"}
HEADLINE_MINUTES = 15.0
MINUTE_BUCKETS = [0, 15, 25, 35, 100]
EDGE_BUCKETS = [0.0, EDGE_THRESHOLD, 3.0, 5.0, np.inf]
CONFIDENCE_BUCKETS = [0, 40, 50, 60, 70, 80, 90, 100.01]


@dataclass
class Backtest:
    start: date
    end: date
    scored: pd.DataFrame  # one row per scored game: keys, points, minutes, <system> and <system>_conf columns
    systems: list[str]  # prediction systems, then baselines
    coverage: dict[str, float]  # share of the window's rows each system predicted
    lines_source: str
    picks: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per system x line
    meta: dict = field(default_factory=dict)


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """[start, end] cut at month boundaries: the walk-forward steps."""
    spans, lo = [], start
    while lo <= end:
        following = (pd.Timestamp(lo) + pd.offsets.MonthBegin(1)).date()
        spans.append((lo, min(end, following - timedelta(days=1))))
        lo = following
    return spans


def backtest(
    features: pd.DataFrame,
    start: date,
    end: date,
    systems: list[PredictionSystem],
    lines: pd.DataFrame,
    lines_source: str,
    step: Callable[[str], None] | None = None,
    picker: Picker | None = None,
) -> Backtest:
    """Run ``systems`` over [start, end] of ``features`` (the labelled feature frame, all dates)."""
    for system in systems:
        trained_to = getattr(system, "metadata", {}).get("train_end")
        if trained_to and date.fromisoformat(trained_to) >= start:
            raise ValueError(
                f"model {system.version} saw games up to {trained_to}: retrain with --train-before {start}"
            )
    dates = features["game_date"]
    parts, blend_weights = [], {}
    for lo, hi in _months(start, end):
        rows = features[(dates >= lo) & (dates <= hi) & features["points"].notna()]
        if rows.empty:
            continue
        outputs = run_systems(rows, systems, history=features[dates <= hi], lines=lines)
        for system in systems:  # market_blend: (weight, pairs) of each date, learned before it
            blend_weights.update(getattr(system, "weights", None) or {})
        part = rows[
            ["game_date", "game_id", "player_lookup", "player_name", "team", "points", "minutes"]
        ].copy()
        part["minutes_expected"] = rows["min_ewm_fast"].fillna(rows["min_avg_season"])
        for system_id, out in outputs.items():
            part[system_id], part[system_id + "_conf"] = out["predicted_points"], out["confidence"]
        for name, column in BASELINES.items():
            part[name] = rows[column]
        parts.append(part)
        if step:
            step(f"{lo:%Y-%m}")
    if not parts:
        raise ValueError(f"no games between {start} and {end} in the history given")
    window = pd.concat(parts, ignore_index=True)
    names = [s.system_id for s in systems] + list(BASELINES)
    coverage = {n: float(window[n].notna().mean()) for n in names}
    scored = window.dropna(subset=names).reset_index(drop=True)
    picks = line_picks(scored, [s.system_id for s in systems], lines, picker)
    meta = {"window_rows": len(window), "versions": {s.system_id: s.version for s in systems}}
    if blend_weights:
        last = max(blend_weights)
        meta["market_blend"] = {"last_date": str(last), "weight": round(blend_weights[last][0], 4),
                                "pairs": int(blend_weights[last][1])}  # fmt: skip
    return Backtest(start, end, scored, names, coverage, lines_source, picks, meta)


def line_picks(
    scored: pd.DataFrame, systems: list[str], lines: pd.DataFrame, picker: Picker | None = None
) -> pd.DataFrame:
    """One row per system x line: P(over), the pick by expected value, its result and profit."""
    picker = picker or Picker()
    keyed = scored.merge(priced_lines(lines), on=["game_date", "player_lookup"])
    actual, line = keyed["points"], keyed["line"]
    went_over = (actual > line).astype(float).where(actual != line)
    frames = []
    for system_id in systems:
        rows = pd.DataFrame(
            {
                "predicted_points": keyed[system_id],
                "confidence": keyed[system_id + "_conf"],
                "points_line": line,
                "minutes_expected": keyed["minutes_expected"],
                "over_price": keyed["over_price"],
                "under_price": keyed["under_price"],
            }
        )
        ev = picker.evaluate(rows, system_id)
        rec = ev["recommendation"]
        decided = rec.isin(["OVER", "UNDER"]) & (actual != line)
        hit = pd.Series(np.where(rec == "OVER", actual > line, actual < line), index=keyed.index)
        price = np.where(rec == "OVER", _price(rows["over_price"]), _price(rows["under_price"]))
        profit = np.where(hit, decimal_odds(price) - 1.0, -1.0)
        frames.append(
            pd.DataFrame(
                {
                    "system_id": system_id,
                    "minutes": keyed["minutes"],
                    "line": line,
                    "edge": (keyed[system_id] - line).round(2),
                    "recommendation": rec,
                    "confidence": keyed[system_id + "_conf"],
                    "p_over": ev["p_over"],
                    "went_over": went_over,
                    "ev": np.where(rec == "OVER", ev["ev_over"], ev["ev_under"]),
                    "hit": hit.astype("boolean").where(decided, pd.NA),
                    "profit": pd.Series(profit, index=keyed.index).where(decided),
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _price(prices: pd.Series) -> np.ndarray:
    values = pd.to_numeric(prices, errors="coerce").to_numpy(float)
    return np.where(np.isnan(values) | (np.abs(values) < 100), DEFAULT_PRICE, values)


def pick_table(result: Backtest) -> pd.DataFrame:
    """Per system: picks by expected value, hit rate and ROI at the offered prices (pushes excluded)."""
    picks = result.picks
    if picks.empty:
        return pd.DataFrame(columns=["system", "picks", "hits", "hit_rate", "roi_pct", "mean_ev"])
    decided = picks[picks["hit"].notna()]
    grouped = decided.groupby("system_id")
    table = pd.DataFrame(
        {
            "picks": grouped.size(),
            "hits": grouped["hit"].sum().astype(int),
            "hit_rate": grouped["hit"].mean().astype(float),
            "roi_pct": 100 * grouped["profit"].mean(),
            "mean_ev": grouped["ev"].mean(),
        }
    )
    return table.reset_index(names="system")


def reliability_table(result: Backtest) -> pd.DataFrame:
    """Per system and P(over) decile: rows, mean stated P(over), realised over rate (pushes excluded)."""
    picks = result.picks
    if picks.empty:
        return pd.DataFrame(columns=["system", "bucket", "rows", "mean_p_over", "realised_over"])
    known = picks[picks["went_over"].notna() & picks["p_over"].notna()]
    bucket = pd.cut(known["p_over"], np.linspace(0, 1, 11), include_lowest=True)
    grouped = known.groupby(["system_id", bucket], observed=True)
    table = grouped.agg(
        rows=("p_over", "size"), mean_p_over=("p_over", "mean"), realised_over=("went_over", "mean")
    )
    table = table.reset_index().rename(columns={"system_id": "system", "p_over": "bucket"})
    table["bucket"] = table["bucket"].map(lambda i: f"{max(i.left, 0):.1f}-{i.right:.1f}")
    return table


def _population(result: Backtest, population: str) -> pd.DataFrame:
    rows = result.scored
    return rows[rows["minutes"] >= HEADLINE_MINUTES] if population == "min15" else rows


def metrics(result: Backtest) -> pd.DataFrame:
    """Per system and population: rows, MAE, RMSE, bias, % MAE below the season-average baseline."""
    out = []
    for population in ("min15", "all"):
        rows = _population(result, population)
        base = (rows["season_avg"] - rows["points"]).abs().mean()
        for name in result.systems:
            err = rows[name] - rows["points"]
            mae = err.abs().mean()
            out.append(
                {
                    "system": name,
                    "population": population,
                    "rows": len(rows),
                    "mae": mae,
                    "rmse": float(np.sqrt((err**2).mean())),
                    "bias": err.mean(),
                    "vs_season_avg_pct": 100.0 * (1 - mae / base),
                    "coverage": result.coverage[name],
                }
            )
    return pd.DataFrame(out)


def minutes_table(result: Backtest) -> pd.DataFrame:
    """MAE per system by the minutes actually played (all scored rows)."""
    rows = result.scored
    bucket = pd.cut(rows["minutes"], MINUTE_BUCKETS, right=False, labels=["0-15", "15-25", "25-35", "35+"])
    table = {
        n: (rows[n] - rows["points"]).abs().groupby(bucket, observed=False).mean() for n in result.systems
    }
    out = pd.DataFrame(table).T
    counts = bucket.value_counts()
    return out.rename(columns={c: f"{c} min (n={counts.get(c, 0):,})" for c in out.columns})


def edge_table(result: Backtest) -> pd.DataFrame:
    """Per system and |edge| bucket: picks, hits, hit rate (pushes and PASS excluded)."""
    picks = result.picks
    if picks.empty:
        return pd.DataFrame(columns=["system", "edge", "picks", "hits", "hit_rate"])
    decided = picks[picks["hit"].notna()]
    labels = [
        f"{a:g}-{b:g}" if np.isfinite(b) else f"{a:g}+"
        for a, b in zip(EDGE_BUCKETS[:-1], EDGE_BUCKETS[1:], strict=True)
    ]
    bucket = pd.cut(decided["edge"].abs(), EDGE_BUCKETS, right=False, labels=labels)
    grouped = decided.groupby(["system_id", bucket], observed=False)["hit"]
    table = pd.DataFrame({"picks": grouped.size(), "hits": grouped.sum()}).reset_index()
    total = decided.groupby("system_id")["hit"].agg(picks="size", hits="sum").reset_index().assign(edge="all")
    table = pd.concat([table, total], ignore_index=True).rename(columns={"system_id": "system"})
    table["hit_rate"] = (table["hits"] / table["picks"]).where(table["picks"] > 0)
    return table[["system", "edge", "picks", "hits", "hit_rate"]]


def calibration_table(result: Backtest) -> pd.DataFrame:
    """Per system and confidence bucket: mean confidence vs realised % within TOLERANCE points."""
    rows, out = result.scored, []
    picks = result.picks
    for name in [n for n in result.systems if n + "_conf" in rows.columns]:
        conf = rows[name + "_conf"]
        within = (rows[name] - rows["points"]).abs() <= TOLERANCE
        bucket = pd.cut(conf, CONFIDENCE_BUCKETS, right=False)
        mine = picks[(picks["system_id"] == name) & picks["hit"].notna()] if not picks.empty else picks
        pick_bucket = pd.cut(mine["confidence"], CONFIDENCE_BUCKETS, right=False) if not mine.empty else None
        for interval, group in conf.groupby(bucket, observed=True):
            hits = mine[pick_bucket == interval]["hit"] if pick_bucket is not None else pd.Series(dtype=float)
            out.append(
                {
                    "system": name,
                    "bucket": f"{interval.left:g}-{min(interval.right, 100):g}",
                    "rows": len(group),
                    "mean_confidence": group.mean(),
                    "realised_within_pct": 100.0 * within[group.index].mean(),
                    "picks": len(hits),
                    "pick_hit_rate": hits.mean() if len(hits) else np.nan,
                }
            )
    return pd.DataFrame(out)
