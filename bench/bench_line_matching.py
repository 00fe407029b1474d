"""How many real lines find their player: both files of ../shared/data/prop_lines through the loader.

One command: `.venv/bin/python bench/bench_line_matching.py`. Prints and records in RESULTS.md, per
file: the rows whose player played (a box-score row on that date), how many of them the loader
matched (``inputs.lines.read_lines`` with the box scores as players, the path of ``ingest lines``,
``evaluate --lines`` and ``predict --lines``), and the baseline of a plain normalised-name join.

"Played rows" = rows matched to a player with a box-score row on the date + rows whose name matches
no known player at all (counted as played and missed: the conservative reading). Rows of a known
player with no box-score row that date ("did not play": posted, then ruled out) are left out.
Target: >= 99% of played rows matched on both files (issue 24).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import write_section  # noqa: E402

from nba_assets.feeds.identity import book_lookup  # noqa: E402
from nba_assets.inputs.box_scores import load_box_scores  # noqa: E402
from nba_assets.inputs.bundled import shared_data_dir, shared_paths  # noqa: E402
from nba_assets.inputs.lines import read_lines, standard_columns  # noqa: E402
from nba_assets.inputs.sources import read_source  # noqa: E402

FILES = ("bettingpros_points_2021_2023.csv", "fantasy_apps_points_2024_25.csv")
SEASONS = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]


def measure(path: Path, history: pd.DataFrame) -> dict:
    played = set(zip(history["game_date"], history["player_lookup"], strict=True))
    started = time.perf_counter()
    loaded = read_lines(path, "allow", history[["game_date", "player_lookup", "player_name", "team"]])
    seconds = time.perf_counter() - started
    lines, unmatched = loaded.lines, loaded.unmatched
    keys = zip(lines["game_date"], lines["player_lookup"], strict=True)
    matched = sum(k in played for k in keys)
    unknown = unmatched[unmatched["reason"] == "unknown name"]
    missed = int(unknown["rows"].sum())
    raw = standard_columns(read_source(path))
    dates = pd.to_datetime(raw["game_date"]).dt.date
    plain = sum((d, book_lookup(n)) in played for d, n in zip(dates, raw["player_name"], strict=True))
    no_games = int((~lines["game_date"].isin(set(history["game_date"]))).sum())
    return {
        "file": path.name,
        "rows": len(raw),
        "played": matched + missed,
        "matched": matched,
        "share": matched / (matched + missed),
        "plain": plain,
        "absent": int(unmatched.loc[unmatched["reason"] == "did not play", "rows"].sum()),
        "unknown": unknown.groupby("player_name")["rows"].sum().sort_values(ascending=False),
        "seconds": seconds,
        "no_games": no_games,
    }


def main() -> int:
    logs = shared_data_dir()
    lines_dir = logs.parent / "prop_lines" if logs else None
    if lines_dir is None or not lines_dir.is_dir():
        print("needs ../shared/data/nba_player_logs and ../shared/data/prop_lines beside the checkout")
        return 2
    history = load_box_scores(shared_paths(SEASONS))
    results = [measure(lines_dir / name, history) for name in FILES]
    rows = []
    for r in results:
        missed = ", ".join(f"{n} ({c})" for n, c in r["unknown"].items()) or "none"
        rows.append(
            f"| `{r['file']}` | {r['rows']:,} | {r['played']:,} | {r['matched']:,} | "
            f"**{r['share']:.2%}** | {r['plain'] / r['played']:.2%} | {r['absent']:,} | {missed} | "
            f"{r['no_games']:,} | {r['seconds']:.1f} s |"
        )
        print(f"{r['file']}: {r['matched']:,} of {r['played']:,} played rows matched ({r['share']:.2%}); "
              f"plain join {r['plain'] / r['played']:.2%}; unmatched names: {missed}")  # fmt: skip
    section = "\n".join(
        [
            "## Real lines: names matched to the box scores",
            "",
            f"Command: `.venv/bin/python bench/bench_line_matching.py` ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} "
            f"UTC; box scores {SEASONS[0]}..{SEASONS[-1]} of ../shared/data). Loader: "
            "`inputs.lines.read_lines` with the box scores as players (each date's players; the "
            "event's two teams where the file names them), as `ingest lines`, `evaluate --lines` "
            "and `predict --lines` read a file. Played rows = matched + rows naming no known player "
            "(counted as missed); rows of a known player absent that day are left out, and so are rows of dates the box "
            "scores do not hold (the shared logs are regular seasons; BettingPros includes playoffs). "
            "Target >= 99%.",
            "",
            "| file | rows | played rows | matched | share | plain normalised join | absent player | "
            "unmatched names (rows) | rows on dates without box scores (playoffs) | load+match |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    write_section(section)
    return 0 if all(r["share"] >= 0.99 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
