"""Write the two real line files of ../shared/data/prop_lines as prop_lines-shaped CSVs (development only).

Until the lines loader reads them itself, this joins them to the box scores' names on (date,
normalised name): BettingPros slugs lose their position suffix (``cameronjohnson-g``), and a row
whose name has no box-score match on that date keeps its slug (it then joins nothing). That is
~87-90 % of the rows, enough to fit and report calibration; the file shape is the loader's:
game_date, player_name, line, bookmaker, over_price, under_price. BettingPros gives one price,
the over's (see the data README); its under price stays empty and the picker completes it.

    .venv/bin/python bench/real_lines.py --out out/lines
"""

from __future__ import annotations

import argparse
import glob
import re
from pathlib import Path

import pandas as pd

from nba_assets.naming import player_lookup

DATA = Path("/work/shared/data")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def box_names(seasons: list[str]) -> pd.DataFrame:
    frames = [
        pd.read_csv(path, usecols=["GAME_DATE", "PLAYER_NAME"])
        for path in sorted(glob.glob(str(DATA / "nba_player_logs/player_logs_*.csv")))
        if any(s in path for s in seasons)
    ]
    names = pd.concat(frames).drop_duplicates()
    names["key"] = [player_lookup(n) for n in names["PLAYER_NAME"]]
    return names.rename(columns={"GAME_DATE": "game_date", "PLAYER_NAME": "player_name"})


def bettingpros(names: pd.DataFrame) -> pd.DataFrame:
    raw = pd.read_csv(DATA / "prop_lines/bettingpros_points_2021_2023.csv", dtype={"game_date": str})
    raw["key"] = [_key(s.split("-")[0]) for s in raw["player_slug"]]
    out = raw.merge(names, on=["game_date", "key"], how="left")
    out["player_name"] = out["player_name"].fillna(out["player_slug"])
    out["bookmaker"], out["over_price"], out["under_price"] = "bettingpros_consensus", out["price"], pd.NA
    return out


def fantasy_apps(names: pd.DataFrame) -> pd.DataFrame:
    raw = pd.read_csv(DATA / "prop_lines/fantasy_apps_points_2024_25.csv", dtype={"game_date": str})
    raw["key"] = [player_lookup(n) for n in raw["player_name"]]
    known = names[["game_date", "key"]].assign(matched=True).drop_duplicates()
    return raw.merge(known, on=["game_date", "key"], how="left")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/lines"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    columns = ["game_date", "player_name", "line", "bookmaker", "over_price", "under_price"]
    names = box_names(["2020-21", "2021-22", "2022-23", "2024-25"])
    bp = bettingpros(names)
    for season, part in bp.groupby("season_end"):
        path = args.out / f"bettingpros_{season - 1}-{season % 100:02d}.csv"
        part.drop_duplicates(["game_date", "player_name"])[columns].to_csv(path, index=False)
        print(f"{path}: {len(part):,} rows, {part['game_date'].nunique()} dates")
    matched = bp["player_name"] != bp["player_slug"]
    print(f"bettingpros: {matched.mean():.1%} of {len(bp):,} rows matched a box-score name on the date")
    apps = fantasy_apps(names)
    print(f"fantasy apps: {apps['matched'].notna().mean():.1%} of {len(apps):,} rows matched")
    print("fantasy apps prices:", apps[["over_price", "under_price"]].value_counts().to_dict())
    path = args.out / "fantasy_apps_2024-25.csv"
    apps[columns].to_csv(path, index=False)
    print(f"{path}: {len(apps):,} rows")


if __name__ == "__main__":
    main()
