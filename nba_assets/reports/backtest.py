"""Write a backtest as report.md, CSV tables and one PNG (error by system, confidence calibration)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nba_assets.predictions.calibration import TOLERANCE
from nba_assets.predictions.evaluation import (
    HEADLINE_MINUTES,
    Backtest,
    baseline_table,
    calibration_table,
    edge_table,
    ev_table,
    line_mae_table,
    metrics,
    minutes_table,
    pick_table,
    reliability_table,
    stated_ev_table,
    under_price_sensitivity,
)
from nba_assets.predictions.picks import EV_MARGIN
from nba_assets.reports.plot import plot_reliability

LINES_NOTE = {
    "reference": "against **reference lines** (stand-ins: each player's last-10/season blend rounded to x.5): "
    "no probability, EV or pick is made against a stand-in - pass `--lines` with real ones",
    "files": "against the real lines given with `--lines`",
}


def _md(frame: pd.DataFrame, floatfmt: str = ".3f") -> str:
    """A GitHub Markdown table without the optional tabulate dependency."""

    def cell(v: object) -> str:
        if isinstance(v, float):
            return "" if pd.isna(v) else format(v, floatfmt)
        return str(v)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def headline(result: Backtest) -> pd.DataFrame:
    """The main table: one row per system, headline population first, all-rows columns after."""
    table = metrics(result)
    head = table[table["population"] == "min15"].set_index("system")
    rest = table[table["population"] == "all"].set_index("system")
    out = head[["rows", "mae", "rmse", "bias", "vs_season_avg_pct"]].copy()
    out["mae_all"], out["bias_all"] = rest["mae"], rest["bias"]
    out["coverage_pct"] = 100 * rest["coverage"]
    return out.reset_index()


def plot(result: Backtest, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table, calib = headline(result), calibration_table(result)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    x = range(len(table))
    left.bar([i - 0.2 for i in x], table["mae"], width=0.4, label=f">= {HEADLINE_MINUTES:g} min")
    left.bar([i + 0.2 for i in x], table["mae_all"], width=0.4, label="all rows")
    left.set_xticks(list(x), table["system"], rotation=30, ha="right")
    left.set_ylim(max(0.0, table[["mae", "mae_all"]].min().min() - 0.6), None)
    left.set_ylabel("MAE (points)")
    left.set_title(f"Error by system, {result.start} .. {result.end}")
    left.legend()
    for name, group in calib.groupby("system", sort=False):
        right.plot(group["mean_confidence"], group["realised_within_pct"], marker="o", label=name)
    right.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1)
    right.set_xlim(20, 100)
    right.set_ylim(20, 100)
    right.set_xlabel("stated confidence")
    right.set_ylabel(f"% of predictions within {TOLERANCE:g} points")
    right.set_title("Calibration (on the diagonal = honest)")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(result: Backtest, out_dir: Path, command: str = "") -> list[Path]:
    """report.md, metrics.csv, calibration.csv, edges.csv, minutes.csv and evaluation.png."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table, calib, edges, minutes = (
        headline(result),
        calibration_table(result),
        edge_table(result),
        minutes_table(result),
    )
    edges = edges.assign(hit_rate=100 * edges["hit_rate"]).rename(columns={"hit_rate": "hit_rate_pct"})
    calib = calib.assign(pick_hit_rate=100 * calib["pick_hit_rate"]).rename(
        columns={"pick_hit_rate": "pick_hit_pct"}
    )
    paths = [out_dir / name for name in ("metrics.csv", "calibration.csv", "edges.csv", "minutes.csv")]
    metrics(result).to_csv(paths[0], index=False)
    calib.to_csv(paths[1], index=False)
    edges.to_csv(paths[2], index=False)
    minutes.to_csv(paths[3])
    png = plot(result, out_dir / "evaluation.png")
    picks, reliability = pick_table(result), reliability_table(result)
    seasons, by_ev = pick_table(result, by_season=True), ev_table(result)
    sides = pick_table(result, by_side=True)
    stated, baselines, under = (
        stated_ev_table(result),
        baseline_table(result),
        under_price_sensitivity(result),
    )
    reliability_seasons, line_mae = reliability_table(result, by_season=True), line_mae_table(result)
    for name, frame in (
        ("picks.csv", picks),
        ("picks_by_season.csv", seasons),
        ("picks_by_ev.csv", by_ev),
        ("picks_by_side.csv", sides),
        ("over_calibration.csv", reliability),
        ("over_calibration_by_season.csv", reliability_seasons),
        ("line_mae.csv", line_mae),
        ("stated_ev.csv", stated),
        ("baselines.csv", baselines),
        ("under_price_sensitivity.csv", under),
    ):
        frame.to_csv(out_dir / name, index=False)
        paths.append(out_dir / name)
    over_png = plot_reliability(reliability, out_dir / "over_calibration.png")
    versions = ", ".join(f"{k} {v}" for k, v in result.meta.get("versions", {}).items())
    margin = result.meta.get("ev_margin", EV_MARGIN)
    none = "No real lines matched the scored games: nothing is calibrated, no pick is made."
    first = result.meta.get("calibration", {}).get("first_season") and not result.picks.empty
    no_pick = "No pick: the calibration is first-season (above)." if first else none
    text = [
        f"# Backtest {result.start} .. {result.end}",
        "",
        f"Command: `{command}`" if command else "",
        f"Scored games: {len(result.scored):,} of {result.meta.get('window_rows', 0):,} in the window "
        "(those every system and both baselines predicted). Versions: " + versions + ".",
        _blend_note(result.meta.get("market_blend")),
        "",
        f"## Error (players who played >= {HEADLINE_MINUTES:g} minutes; `_all` columns: every scored row)",
        "",
        "`vs_season_avg_pct`: how much lower the MAE is than the season-to-date average's on the same rows.",
        "",
        _md(table),
        "",
        "## MAE by minutes played",
        "",
        _md(minutes.reset_index(names="system")),
        "",
        "## Against the real lines: the system's MAE beside the line's own, same player-games",
        "",
        _md(line_mae) if not line_mae.empty else none,
        "",
        f"## Picks by calibrated expected value ({LINES_NOTE.get(result.lines_source, result.lines_source)}; "
        f"OVER/UNDER only where the calibrated EV at the real price is >= {margin:g} "
        "per unit staked)",
        "",
        calibration_note(result.meta.get("calibration")),
        "",
        "Hit rate (pushes excluded; `hit_lo`..`hit_hi`) and ROI per unit staked at the real prices (a push returns the stake), each with "
        "a bootstrap 90% interval; `mean_ev_pct`: the EV the picks claimed; `ev_gap_pts` = claimed - realised.",
        "",
        _md(picks) if not picks.empty else no_pick,
        "",
        "By season:",
        "",
        _md(seasons) if not seasons.empty else no_pick,
        "",
        "By side (a price missing from the line file is completed as the two-way market with the -110/-110 "
        "vig: see docs/picks.md):",
        "",
        _md(sides) if not sides.empty else no_pick,
        "",
        "By the EV the pick claimed:",
        "",
        _md(by_ev) if not by_ev.empty else no_pick,
        "",
        "What to beat: every OVER, or every UNDER, of the same real lines at their prices:",
        "",
        _md(baselines) if not baselines.empty else none,
        "",
        "UNDER picks whose under price was completed from the over's (one-price files such as "
        "BettingPros): ROI at the completed price and at a -115/-115 margin instead of -110/-110:",
        "",
        _md(under) if not under.empty else "No UNDER pick rests on a completed price.",
        "",
        "## Every stated EV (each calibrated line's better side, as the files state it, picked or not) "
        "against what betting that side returned",
        "",
        _md(stated) if not stated.empty else none,
        "",
        "By |edge| (prediction - line):",
        "",
        _md(edges) if not edges.empty else none,
        "",
        "## Calibration of P(over) (reliability: stated probability vs realised over rate, every real line)",
        "",
        "`within_0.03`: the target for buckets with >= 200 rows; `std_err`: the realised rate's binomial "
        "standard error.",
        "",
        _md(reliability) if not reliability.empty else none,
        "",
        "By season:",
        "",
        _md(reliability_seasons) if not reliability_seasons.empty else none,
        "",
        f"![P(over) reliability]({over_png.name})",
        "",
        f"## Confidence calibration (all scored rows; confidence = estimated % chance of landing within "
        f"{TOLERANCE:g} points; pick_hit_pct: picks against the lines above in that bucket)",
        "",
        _md(calib, ".1f"),
        "",
        f"![error and calibration]({png.name})",
        "",
    ]
    (out_dir / "report.md").write_text("\n".join(text))
    return [out_dir / "report.md", *paths, png, over_png]


def calibration_note(basis: dict | None) -> str:
    """A warning when every calibration pair is of the window's own season (see
    ``evaluation.calibration_basis``); empty otherwise."""
    if not basis or not basis.get("first_season") or not basis.get("first_pair"):
        return ""
    return (
        f"First-season calibration: every real-line pair is from {basis['first_pair']} on, the window's own "
        "season. P(over) and EV are stated but no pick is made on them: fitted on a season's first weeks, "
        "picks claimed 1.3 to 5.5 points more EV than they returned on 2022-23 (bench/RESULTS.md). Give the "
        "earlier seasons' lines too (`train --lines`, or in the `--lines` file)."
    )


def _blend_note(blend: dict | None) -> str:
    """market_blend's weight of the model on the window's last date and the real (line, outcome)
    pairs before it that it was learned from (0 pairs: the prior)."""
    if not blend:
        return ""
    return (f"market_blend on {blend['last_date']}: model weight {blend['weight']:.3f}, learned from "
            f"{blend['pairs']:,} (line, outcome) pairs strictly before it" + (" (0: the prior)" if not blend["pairs"] else "") + ".")  # fmt: skip
