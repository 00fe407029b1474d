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

from nba_assets.features import season_of as start_year
from nba_assets.predictions.base import PredictionSystem
from nba_assets.predictions.calibration import TOLERANCE
from nba_assets.predictions.line_calibration import is_first_season, pairs_from
from nba_assets.predictions.lines import EDGE_THRESHOLD
from nba_assets.predictions.odds import (
    american_from_probability,
    complete_prices,
    decimal_odds,
    implied_probability,
)
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
    if scored.empty:
        silent = ", ".join(f"{n} ({coverage[n]:.0%})" for n in names if coverage[n] < 1.0)
        raise ValueError(
            f"no game of {start} .. {end} has a prediction from every system; coverage: {silent}"
        )
    picker = picker or Picker()
    picks = line_picks(scored, [s.system_id for s in systems], lines, picker)
    meta = {"window_rows": len(window), "versions": {s.system_id: s.version for s in systems}}
    meta["calibration"] = calibration_basis(picker, start)
    if blend_weights:
        last = max(blend_weights)
        meta["market_blend"] = {"last_date": str(last), "weight": round(blend_weights[last][0], 4),
                                "pairs": int(blend_weights[last][1])}  # fmt: skip
    return Backtest(start, end, scored, names, coverage, lines_source, picks, meta)


def calibration_basis(picker: Picker, start: date) -> dict:
    """Where the calibration's real-line pairs begin, and whether it is first-season
    (``line_calibration.is_first_season``: too few pairs from a season before ``start``'s)."""
    pairs = picker.calibrations.pairs
    first = min(pairs["game_date"]) if len(pairs) else None
    return {"first_pair": str(first) if first else None, "first_season": is_first_season(pairs, start)}


def line_picks(
    scored: pd.DataFrame, systems: list[str], lines: pd.DataFrame, picker: Picker | None = None
) -> pd.DataFrame:
    """One row per system x line: calibrated P(over), the pick by EV at the real price, its result.

    The window's own real-line pairs join the picker's walk-forward calibration: a month's rows
    are judged by a fit on pairs dated before that month only (``line_calibration.WalkForward``).
    Profit is per unit staked at the real price (a push returns the stake: 0).
    """
    picker = picker or Picker()
    for system_id in systems:
        predictions = scored[["game_date", "player_lookup", "points"]].assign(
            system_id=system_id,
            predicted_points=scored[system_id],
            confidence=scored[system_id + "_conf"],
        )
        picker.calibrations.add(pairs_from(predictions, lines))
    keyed = scored.merge(priced_lines(lines), on=["game_date", "player_lookup"])
    actual, line = keyed["points"], keyed["line"]
    went_over = (actual > line).astype(float).where(actual != line)
    over_price, under_price = complete_prices(keyed["over_price"], keyed["under_price"])
    under_completed = keyed["under_price"].isna().to_numpy() & keyed["over_price"].notna().to_numpy()
    frames = []
    for system_id in systems:
        rows = pd.DataFrame(
            {
                "game_date": keyed["game_date"],
                "predicted_points": keyed[system_id],
                "confidence": keyed[system_id + "_conf"],
                "points_line": line,
                "over_price": over_price,
                "under_price": under_price,
                "stand_in": keyed["stand_in"],
            }
        )
        ev = picker.evaluate(rows, system_id)
        rec = ev["recommendation"]
        staked = rec.isin(["OVER", "UNDER"])
        decided = staked & (actual != line)
        hit = pd.Series(np.where(rec == "OVER", actual > line, actual < line), index=keyed.index)
        profit = side_profit(rec, actual, line, over_price, under_price)
        # the side every EV in the files is stated for (the pick's, or for PASS the better one)
        side = np.where(ev["ev_over"] >= ev["ev_under"], "OVER", "UNDER")
        known = ev["p_over"].notna()
        frames.append(
            pd.DataFrame(
                {
                    "system_id": system_id,
                    "game_date": keyed["game_date"],
                    "player_lookup": keyed["player_lookup"],
                    "season": season_of(keyed["game_date"]),
                    "minutes": keyed["minutes"],
                    "points": actual,
                    "predicted": keyed[system_id],
                    "line": line,
                    "stand_in": keyed["stand_in"],
                    "edge": (keyed[system_id] - line).round(2),
                    "recommendation": rec,
                    "confidence": keyed[system_id + "_conf"],
                    "calibration": ev["calibration"],
                    "p_over": ev["p_over"],
                    "went_over": went_over,
                    "ev": ev["expected_value"].where(staked),
                    "hit": hit.astype("boolean").where(decided, pd.NA),
                    "profit": pd.Series(profit, index=keyed.index).where(staked),
                    "side": pd.Series(side, index=keyed.index).where(known),
                    "side_ev": ev["expected_value"].where(known),
                    "side_profit": pd.Series(
                        side_profit(side, actual, line, over_price, under_price), index=keyed.index
                    ).where(known),
                    "over_price": over_price,
                    "under_price": under_price,
                    "under_completed": under_completed,
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def side_profit(side, actual, line, over_price, under_price) -> np.ndarray:
    """Profit per unit staked on ``side`` (OVER/UNDER; anything else: NaN) at its price; a push is 0."""
    side, actual, line = np.asarray(side), np.asarray(actual, float), np.asarray(line, float)
    staked = np.isin(side, ["OVER", "UNDER"])
    won = np.where(side == "OVER", actual > line, actual < line)
    price = np.where(side == "OVER", over_price, under_price)
    gain = np.asarray(decimal_odds(np.where(staked, price, -110.0))) - 1.0  # -110: a stand-in, masked below
    profit = np.where(actual == line, 0.0, np.where(won, gain, -1.0))
    return np.where(staked, profit, np.nan)


def season_of(dates: pd.Series) -> pd.Series:
    """``2022-23`` for any date of that season (``features.season_of``)."""
    first = start_year(dates)
    return first.astype(str) + "-" + ((first + 1) % 100).astype(str).str.zfill(2)


def bootstrap_interval(values: np.ndarray, level: float = 0.90, draws: int = 2000) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (fixed seed: the report is reproducible)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return (np.nan, np.nan)
    rng = np.random.default_rng(0)
    means = rng.choice(values, size=(draws, len(values)), replace=True).mean(axis=1)
    tail = (1.0 - level) / 2.0
    return float(np.quantile(means, tail)), float(np.quantile(means, 1.0 - tail))


def pick_table(result: Backtest, by_season: bool = False, by_side: bool = False) -> pd.DataFrame:
    """Per system (and season, or side: OVER/UNDER): picks, hit rate (pushes excluded) and ROI at the
    real prices, each with its bootstrap 90% interval, and the mean EV the picks claimed (claimed - realised: ``ev_gap``)."""
    picks = result.picks
    columns = ["system", "picks", "hits", "hit_rate", "roi_pct", "roi_lo_pct", "roi_hi_pct", "mean_ev_pct"]
    if picks.empty or picks["profit"].notna().sum() == 0:
        return pd.DataFrame(columns=columns)
    staked = picks[picks["profit"].notna()]
    extra = ["season"] if by_season else ["recommendation"] if by_side else []
    keys = ["system_id", *extra]
    out = []
    for key, group in staked.groupby(keys):
        key = key if isinstance(key, tuple) else (key,)
        lo, hi = bootstrap_interval(group["profit"].to_numpy(float))
        hits = group["hit"].dropna().astype(bool)
        hit_lo, hit_hi = bootstrap_interval(hits.to_numpy(float))
        out.append(
            {
                "system": key[0],
                **({extra[0]: key[1]} if extra else {}),
                "picks": len(group),
                "hits": int(hits.sum()),
                "hit_rate": float(hits.mean()) if len(hits) else np.nan,
                "hit_lo": hit_lo,
                "hit_hi": hit_hi,
                "roi_pct": 100 * group["profit"].mean(),
                "roi_lo_pct": 100 * lo,
                "roi_hi_pct": 100 * hi,
                "mean_ev_pct": 100 * group["ev"].mean(),
            }
        )
    table = pd.DataFrame(out)
    table["ev_gap_pts"] = table["mean_ev_pct"] - table["roi_pct"]
    return table


def ev_table(result: Backtest) -> pd.DataFrame:
    """Per system and claimed-EV bucket: picks, hit rate, ROI, mean claimed EV (in %)."""
    picks = result.picks
    if picks.empty or picks["profit"].notna().sum() == 0:
        return pd.DataFrame(columns=["system", "ev_bucket", "picks", "hit_rate", "roi_pct", "mean_ev_pct"])
    staked = picks[picks["profit"].notna()]
    edges = [-np.inf, 0.05, 0.10, 0.20, np.inf]
    labels = ["< 5%", "5-10%", "10-20%", ">= 20%"]
    bucket = pd.cut(staked["ev"], edges, right=False, labels=labels)
    grouped = staked.groupby(["system_id", bucket], observed=True)
    table = grouped.agg(
        picks=("profit", "size"),
        hit_rate=("hit", lambda h: h.dropna().astype(float).mean()),
        roi_pct=("profit", lambda p: 100 * p.mean()),
        mean_ev_pct=("ev", lambda e: 100 * e.mean()),
    )
    return table.reset_index().rename(columns={"system_id": "system", "ev": "ev_bucket"})


def stated_ev_table(result: Backtest) -> pd.DataFrame:
    """The EV the files state for every calibrated real line (the pick's side, or for PASS the
    better side), against what betting that side at its price returned: per system and stated-EV
    bucket, with the return's bootstrap 90% interval. Picks are few where the price is steep (the
    apps' -137); every stated EV is not, so this is where EV honesty can be seen there."""
    picks = result.picks
    columns = ["system", "stated_ev", "rows", "mean_ev_pct", "roi_pct", "roi_lo_pct", "roi_hi_pct", "gap_pts"]
    if picks.empty or "side_profit" not in picks or picks["side_profit"].notna().sum() == 0:
        return pd.DataFrame(columns=columns)
    known = picks[picks["side_profit"].notna()]
    bucket = pd.cut(
        known["side_ev"],
        [-np.inf, -0.10, -0.05, 0.0, 0.05, np.inf],
        right=False,
        labels=["< -10%", "-10..-5%", "-5..0%", "0..5%", ">= 5%"],
    )

    def row(system: str, label: str, group: pd.DataFrame) -> list:
        lo, hi = bootstrap_interval(group["side_profit"].to_numpy(float))
        ev, roi = 100 * group["side_ev"].mean(), 100 * group["side_profit"].mean()
        return [system, label, len(group), ev, roi, 100 * lo, 100 * hi]

    by_bucket = known.groupby([known["system_id"], bucket], observed=True)
    out = [row(system, label, group) for (system, label), group in by_bucket]
    out += [row(system, "all", group) for system, group in known.groupby("system_id")]
    table = pd.DataFrame(out, columns=columns[:-1])
    table["gap_pts"] = table["mean_ev_pct"] - table["roi_pct"]
    return table


def baseline_table(result: Backtest) -> pd.DataFrame:
    """Betting every OVER, or every UNDER, of the real lines at their prices, per season: what a
    system's picks must beat (books shade toward the over, so every UNDER alone can look good)."""
    picks = result.picks
    columns = ["season", "side", "bets", "hit_rate", "roi_pct", "roi_lo_pct", "roi_hi_pct"]
    if picks.empty or "over_price" not in picks:
        return pd.DataFrame(columns=columns)
    real = picks[~picks["stand_in"].astype(bool)].drop_duplicates(["game_date", "player_lookup", "line"])
    out = []
    for season, group in real.groupby("season"):
        for side in ("OVER", "UNDER"):
            profit = side_profit(
                np.full(len(group), side),
                group["points"],
                group["line"],
                group["over_price"],
                group["under_price"],
            )
            decided = profit[(group["points"] != group["line"]).to_numpy()]  # pushes left out
            lo, hi = bootstrap_interval(profit)
            out.append(
                [
                    season,
                    side,
                    len(group),
                    float((decided > 0).mean()) if len(decided) else np.nan,
                    100 * profit.mean(),
                    100 * lo,
                    100 * hi,
                ]
            )
    return pd.DataFrame(out, columns=columns)


def under_price_sensitivity(result: Backtest, overround: float = 2 * 115 / 215) -> pd.DataFrame:
    """UNDER picks whose under price was completed from the over's (BettingPros gives one price):
    their ROI at the completed price (the report's) and at a wider margin (-115/-115 by default),
    since the profit of such picks rests on that assumption."""
    picks = result.picks
    columns = ["system", "picks", "roi_pct", "roi_wider_pct", "roi_wider_lo_pct", "roi_wider_hi_pct"]
    if picks.empty or "under_completed" not in picks:
        return pd.DataFrame(columns=columns)
    mine = picks[(picks["recommendation"] == "UNDER") & picks["under_completed"].astype(bool)]
    out = []
    for system, group in mine.groupby("system_id"):
        rest = np.clip(overround - implied_probability(group["over_price"].to_numpy(float)), 0.01, 0.99)
        wider = np.round(american_from_probability(rest))
        profit = side_profit(
            np.full(len(group), "UNDER"), group["points"], group["line"], group["over_price"], wider
        )
        lo, hi = bootstrap_interval(profit)
        out.append(
            [system, len(group), 100 * group["profit"].mean(), 100 * profit.mean(), 100 * lo, 100 * hi]
        )
    return pd.DataFrame(out, columns=columns)


def reliability_table(result: Backtest, by_season: bool = False) -> pd.DataFrame:
    """Per system (and season) and P(over) bucket of 0.1: rows, mean stated P(over), realised over
    rate (pushes excluded), its standard error and whether it is within 0.03 (the target)."""
    picks = result.picks
    columns = ["system", "bucket", "rows", "mean_p_over", "realised_over"]
    if picks.empty:
        return pd.DataFrame(columns=columns)
    known = picks[picks["went_over"].notna() & picks["p_over"].notna()]
    if known.empty:
        return pd.DataFrame(columns=columns)
    bucket = pd.cut(known["p_over"], np.linspace(0, 1, 11), include_lowest=True)
    keys = ["system_id", "season", bucket] if by_season else ["system_id", bucket]
    grouped = known.groupby(keys, observed=True)
    table = grouped.agg(
        rows=("p_over", "size"), mean_p_over=("p_over", "mean"), realised_over=("went_over", "mean")
    )
    table = table.reset_index().rename(columns={"system_id": "system", "p_over": "bucket"})
    table["bucket"] = table["bucket"].map(lambda i: f"{max(i.left, 0):.1f}-{i.right:.1f}")
    table["gap"] = table["realised_over"] - table["mean_p_over"]
    table["std_err"] = np.sqrt(table["realised_over"] * (1 - table["realised_over"]) / table["rows"])
    table["within_0.03"] = np.where(table["rows"] >= 200, table["gap"].abs() <= 0.03, pd.NA)
    return table


def line_mae_table(result: Backtest) -> pd.DataFrame:
    """Per season: MAE of each system and of the real line itself on the same player-games (those
    with a real line; the median line when books differ)."""
    picks = result.picks
    if picks.empty or picks["stand_in"].all():
        return pd.DataFrame(columns=["season", "system", "rows", "mae", "line_mae"])
    real = picks[~picks["stand_in"].astype(bool)]
    keys = ["system_id", "season", "game_date", "player_lookup", "points", "predicted"]
    games = real.groupby(keys, as_index=False)["line"].median()
    games["err"] = (games["predicted"] - games["points"]).abs()
    games["line_err"] = (games["line"] - games["points"]).abs()
    table = games.groupby(["season", "system_id"]).agg(
        rows=("err", "size"), mae=("err", "mean"), line_mae=("line_err", "mean")
    )
    return table.reset_index().rename(columns={"system_id": "system"})


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
