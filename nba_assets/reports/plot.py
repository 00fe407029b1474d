"""The season plot: hit rate and MAE per system by week, two panels sharing the week axis."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a display (CI, servers)

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from nba_assets.predictions.odds import BREAK_EVEN  # noqa: E402


def plot_weekly(weekly: pd.DataFrame, out: Path, title: str) -> None:
    """A PNG at ``out`` (format given explicitly, so any file name works)."""
    fig, (hit_ax, mae_ax) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, constrained_layout=True)
    try:
        for system_id, rows in weekly.groupby("system_id", sort=True):
            weeks = pd.to_datetime(rows["week_start"])
            hit_ax.plot(weeks, rows["hit_rate"] * 100, marker="o", markersize=3, label=system_id)
            mae_ax.plot(weeks, rows["mae"], marker="o", markersize=3, label=system_id)
        hit_ax.axhline(BREAK_EVEN * 100, color="grey", linestyle="--", linewidth=1, label="break-even (-110)")
        hit_ax.set_ylabel("hit rate, % of bets")
        mae_ax.set_ylabel("MAE, points")
        mae_ax.set_xlabel("week starting")
        hit_ax.set_title(title)
        for ax in (hit_ax, mae_ax):
            ax.grid(alpha=0.3)
        if not weekly.empty:
            hit_ax.legend(loc="best", fontsize=8, ncols=3)
        else:
            hit_ax.text(0.5, 0.5, "no graded results", ha="center", va="center", transform=hit_ax.transAxes)
        fig.autofmt_xdate()
        fig.savefig(out, format="png", dpi=100)
    finally:
        plt.close(fig)


def plot_reliability(table: pd.DataFrame, path: Path) -> Path:
    """Reliability diagram of P(over): on the diagonal, a stated 60 % goes over 60 % of the time."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for name, group in table.groupby("system", sort=False):
        ax.plot(group["mean_p_over"], group["realised_over"], marker="o", label=name)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("stated P(over)")
    ax.set_ylabel("realised over rate")
    ax.set_title("P(over) calibration")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    if not table.empty:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no calibrated probability", ha="center", va="center")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)
    plt.close(fig)
    return path
