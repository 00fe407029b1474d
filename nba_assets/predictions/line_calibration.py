"""P(over) calibrated against real lines: fitted walk-forward on (estimate, line, outcome) pairs.

A system's raw estimate says little by itself about whether a player beats a book's line (books
shade toward the over; a stated 0.25 realised 0.48 on 2022-23). So P(over | no push) is a small
logistic model of the estimate *and the line*: the gap (estimate - line), that gap in units of the
spread the confidence states (the confidence already carries minutes and volatility), the
line's size, and the market's own P(over) from its prices with the vig removed (on BettingPros
the over price says a lot: the realised over rate falls from 0.51 at -140..-125 to 0.35 above
+110; ignoring it overstated the EV of picks by ~3.5 points on the 2021-22 development season).
All are on a prediction row and its line, so the exports recompute exactly what the picker saw. It is fitted only on
real lines (never the "reference" stand-ins) joined with graded outcomes, per system, and only on
pairs dated before the first day of the month being predicted, so a date never reads its own
outcome or a later one. Pairs come from out-of-sample predictions: the training hold-out
(``holdout_predictions.parquet``, joined with the real lines dated before the cut-off) and, in a
backtest, the window's own earlier months. Fewer than ``MIN_PAIRS`` pairs: uncalibrated.

The fit starts from the market: where the system agrees with the book, its prior is "the book's
de-vigged price is fair", worth ``PRIOR_PAIRS`` pairs, and the pairs must outweigh it. Without it
a few early-season weeks set the level of every later pick: on the 2021-22 development season,
fitted on that season's lines only
(``evaluate --lines`` with no earlier season, as a first season of stored lines is), October's over
rate of 0.42 made December's picks claim +7.4 % EV where they returned 0.0 %, the claim stood 2.3 to
2.9 points above the return for five of six systems, and one reliability bucket was 0.051 off.
With the prior (chosen there among 1,000 / 3,000 / 10,000 pairs and two other forms, all in
bench/RESULTS.md) every system's claim is within 1.7 points and every bucket within 0.014; with the
2020-21 season's pairs too, within 1.1 points either way.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, ndtr, ndtri

from nba_assets.features import season_of
from nba_assets.predictions.calibration import TOLERANCE
from nba_assets.predictions.odds import complete_prices, fair_over_probability

HOLDOUT_FILE = "holdout_predictions.parquet"  # every system's out-of-sample hold-out predictions
PAIRS_FILE = "line_pairs.parquet"  # those joined with real lines before the cut-off
FILE_NAME = "line_calibration.json"  # the fit on them: what the model version's picks use
STAND_IN = "reference"  # bookmaker prefix of the stand-in lines (inputs.lines.reference_lines)
MIN_PAIRS = 1000  # per system; fewer and its probabilities are "uncalibrated"
L2 = 1.0  # ridge penalty on the slopes, in units of log-loss
# The market's prior weight: as many pairs as a month of a full slate's lines (BettingPros ~2,600).
PRIOR_PAIRS = 3000
MIN_SIGMA, MAX_SIGMA = 1.0, 30.0
PAIR_COLUMNS = (
    "game_date",
    "system_id",
    "predicted_points",
    "confidence",
    "line",
    "market_p_over",
    "went_over",
)


def is_stand_in(bookmaker: pd.Series) -> pd.Series:
    """True for the stand-in lines: no pick, no probability and no calibration pair comes from them."""
    return bookmaker.astype("string").fillna("").str.startswith(STAND_IN)


def sigma_from_confidence(confidence) -> np.ndarray:
    """The normal spread whose P(|error| <= TOLERANCE) is the stated confidence."""
    c = np.clip(np.asarray(confidence, dtype=float) / 100.0, 0.02, 0.995)
    c = np.where(np.isnan(c), 0.6, c)
    return np.clip(TOLERANCE / ndtri((1.0 + c) / 2.0), MIN_SIGMA, MAX_SIGMA)


def push_probability(predicted, confidence, line) -> np.ndarray:
    """P(points == line): 0 on an x.5 line, else the normal predictive mass of that whole number."""
    mu, ln = np.asarray(predicted, dtype=float), np.asarray(line, dtype=float)
    s = sigma_from_confidence(confidence)
    whole = np.abs(ln - np.round(ln)) < 1e-9
    mass = ndtr((ln + 0.5 - mu) / s) - ndtr((ln - 0.5 - mu) / s)
    return np.where(whole, mass, 0.0)


def design(predicted, confidence, line, market) -> np.ndarray:
    """The model's inputs: intercept, gap, gap / spread, line size, logit of the market's P(over)."""
    mu, ln = np.asarray(predicted, dtype=float), np.asarray(line, dtype=float)
    gap = np.clip(mu - ln, -15.0, 15.0)
    z = np.clip(gap / sigma_from_confidence(confidence), -4.0, 4.0)
    m = np.clip(np.nan_to_num(np.asarray(market, dtype=float), nan=0.5), 0.05, 0.95)
    return np.column_stack([np.ones(len(ln)), gap / 5.0, z, ln / 10.0 - 1.5, np.log(m / (1.0 - m))])


@dataclass
class LineCalibration:
    """P(over | no push) = logistic(design . coef); ``pairs`` 0 means uncalibrated (apply gives NaN)."""

    coef: list[float] = field(default_factory=list)
    pairs: int = 0
    first_pair: str = ""
    last_pair: str = ""
    over_rate: float = float("nan")  # realised over rate of the pairs (books shade toward the over)
    # too few pairs from a season before the date's (``is_first_season``): P(over) and EV are
    # stated, no pick is made on them
    first_season: bool = False

    @property
    def calibrated(self) -> bool:
        return bool(self.coef) and self.pairs >= MIN_PAIRS

    def apply(self, predicted, confidence, line, market) -> np.ndarray:
        if not self.calibrated:
            return np.full(len(np.atleast_1d(line)), np.nan)
        return expit(design(predicted, confidence, line, market) @ np.asarray(self.coef))


def fit(pairs: pd.DataFrame) -> LineCalibration:
    """Ridge logistic regression on one system's pairs (PAIR_COLUMNS); too few pairs: uncalibrated.

    The market's logit is an offset, so every penalty pulls toward "the price is fair". The
    intercept is P(over) where the system agrees with the book (estimate on a 15-point line at even
    odds): there the prior is the market's price with the weight of ``PRIOR_PAIRS`` pairs (Fisher
    information 1/4 per pair at even odds); the slopes are held by ``L2`` only. The offset is folded
    into the market's coefficient, so ``apply`` is unchanged.
    """
    pairs = pairs.dropna(subset=["predicted_points", "line", "went_over"])
    if len(pairs) < MIN_PAIRS:
        return LineCalibration(pairs=len(pairs))
    x = design(pairs["predicted_points"], pairs["confidence"], pairs["line"], pairs["market_p_over"])
    y = pairs["went_over"].to_numpy(float)
    market = x[:, -1]
    penalty = np.r_[PRIOR_PAIRS / 4.0, np.full(x.shape[1] - 1, L2)]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w + market
        p = expit(z)
        value = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * np.sum(penalty * w * w)
        return float(value), x.T @ (p - y) + penalty * w

    w = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x
    w[-1] += 1.0
    days = pd.to_datetime(pairs["game_date"])
    return LineCalibration(
        [round(float(v), 6) for v in w],
        len(pairs),
        f"{days.min():%Y-%m-%d}",
        f"{days.max():%Y-%m-%d}",
        round(float(y.mean()), 4),
    )


def pairs_from(predictions: pd.DataFrame, lines: pd.DataFrame | None) -> pd.DataFrame:
    """(estimate, real line, outcome) pairs: predictions with points joined to each distinct real
    line of the player-date; stand-in lines and pushes are left out."""
    if lines is None or lines.empty or predictions.empty:
        return pd.DataFrame(columns=list(PAIR_COLUMNS))
    real = lines if "bookmaker" not in lines.columns else lines[~is_stand_in(lines["bookmaker"])]
    real = real.assign(game_date=pd.to_datetime(real["game_date"]).dt.date)
    for column in ("over_price", "under_price"):
        real[column] = pd.to_numeric(real[column], errors="coerce") if column in real else np.nan
    real = real.groupby(["game_date", "player_lookup", "line"], as_index=False)[
        ["over_price", "under_price"]
    ].median()
    real["market_p_over"] = fair_over_probability(*complete_prices(real["over_price"], real["under_price"]))
    known = predictions[predictions["points"].notna()]
    known = known.assign(game_date=pd.to_datetime(known["game_date"]).dt.date)
    joined = known.merge(real, on=["game_date", "player_lookup"])
    joined = joined[joined["points"] != joined["line"]]
    joined = joined.assign(went_over=(joined["points"] > joined["line"]).astype(float))
    return joined[list(PAIR_COLUMNS)].reset_index(drop=True)


def season_start(day: date) -> date:
    """The first day of ``day``'s NBA season (``features.season_of``: 2022-08-01 for any 2022-23 date)."""
    return date(season_of(day), 8, 1)


def is_first_season(pairs: pd.DataFrame, day: date) -> bool:
    """True when fewer than ``MIN_PAIRS`` pairs are from a season before ``day``'s: a calibration
    fitted on its own season's first weeks, whose picks' EV ran 1.3 to 5.5 points above their return
    on 2022-23 and 1.8 to 2.9 on 2021-22 (the module; bench/RESULTS.md). Its P(over) held (worst
    bucket 0.028 and 0.014 off), so it is stated; no pick is made on it."""
    dates = pd.to_datetime(pairs["game_date"]).dt.date
    return int((dates < season_start(day)).sum()) < MIN_PAIRS


def block_start(day: date) -> date:
    """The first day of ``day``'s month: a date is predicted with pairs before it (refit monthly)."""
    return date(day.year, day.month, 1)


class WalkForward:
    """Per system and month, the calibration fitted on the pairs dated before that month."""

    def __init__(self, pairs: pd.DataFrame | None = None) -> None:
        pairs = pairs if pairs is not None else pd.DataFrame(columns=list(PAIR_COLUMNS))
        self.pairs = pairs.assign(game_date=pd.to_datetime(pairs["game_date"]).dt.date)
        self._cache: dict[tuple[str, date], LineCalibration] = {}

    def add(self, pairs: pd.DataFrame) -> None:
        if pairs.empty:
            return
        extra = pairs.assign(game_date=pd.to_datetime(pairs["game_date"]).dt.date)
        frames = [f for f in (self.pairs, extra) if not f.empty]
        self.pairs = pd.concat(frames, ignore_index=True).drop_duplicates()
        self._cache.clear()

    def for_date(self, system_id: str, day: date) -> LineCalibration:
        start = block_start(day)
        key = (system_id, start)
        if key not in self._cache:
            mine = self.pairs[(self.pairs["system_id"] == system_id) & (self.pairs["game_date"] < start)]
            self._cache[key] = replace(fit(mine), first_season=is_first_season(mine, day))
        return self._cache[key]


def save_holdout(predictions: pd.DataFrame, directory: Path) -> Path:
    path = Path(directory) / HOLDOUT_FILE
    predictions.to_parquet(path, index=False)
    return path


def save(pairs: pd.DataFrame, cutoff: date, directory: Path) -> dict[str, LineCalibration]:
    """Store the pairs before ``cutoff`` and each system's fit on them beside the model."""
    before = pairs[pd.to_datetime(pairs["game_date"]).dt.date < cutoff]
    before.to_parquet(Path(directory) / PAIRS_FILE, index=False)
    fitted = {
        str(s): replace(fit(group), first_season=is_first_season(group, cutoff))
        for s, group in before.groupby("system_id")
    }
    (Path(directory) / FILE_NAME).write_text(
        json.dumps({k: asdict(v) for k, v in sorted(fitted.items())}, indent=2)
    )
    return fitted


def load_pairs(directory: Path | None) -> pd.DataFrame:
    """The pairs a model version stored; none (uncalibrated) without a version or real lines."""
    if directory is None or not (Path(directory) / PAIRS_FILE).is_file():
        return pd.DataFrame(columns=list(PAIR_COLUMNS))
    pairs = pd.read_parquet(Path(directory) / PAIRS_FILE)
    return pairs if "market_p_over" in pairs else pairs.assign(market_p_over=0.5)  # stored before prices


def load_holdout(directory: Path | None) -> pd.DataFrame:
    if directory is None or not (Path(directory) / HOLDOUT_FILE).is_file():
        return pd.DataFrame()
    return pd.read_parquet(Path(directory) / HOLDOUT_FILE)
