"""Live feeds: a season of box scores ingested from a local stats server, and a 30-player line refresh.

One command: `.venv/bin/python bench/bench_feeds.py [--bigquery]`. Prints and records in RESULTS.md:

1. A season of box scores (2023-24 of ../shared/data, ~26k rows, every date) fetched from a
   stats.nba.com stand-in on 127.0.0.1 (scoreboard + league game log per date, through nba-api's
   request path, no politeness delay) and written into DuckDB (and, with ``--bigquery``, the
   BigQuery emulator); baseline from the same run: the same rows written per date from the CSV file.
2. A line refresh of the 314-player demo day (lines from a file) with 30 players' lines moved:
   refresh start -> the exports showing the new lines; baseline from the same run: the whole day
   (run-day) that built it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).parent))
from results import write_section  # noqa: E402

from nba_assets.feeds.http import Politeness  # noqa: E402
from nba_assets.feeds.nba_stats import NbaApiStatsFeed  # noqa: E402
from nba_assets.feeds.stats_parsing import GAME_LOG_COLUMNS  # noqa: E402
from nba_assets.inputs.box_scores import validate_box_scores  # noqa: E402
from nba_assets.inputs.bundled import shared_data_dir  # noqa: E402
from nba_assets.inputs.ingest import box_score_rows, ingest_box_scores  # noqa: E402
from nba_assets.warehouse.local import DuckDBWarehouse  # noqa: E402

SEASON = "2023-24"


def _season() -> pd.DataFrame:
    root = shared_data_dir()
    if root is None:
        raise SystemExit("../shared/data/nba_player_logs is needed for a full season")
    return pd.read_csv(root / f"player_logs_{SEASON}.csv", dtype={"GAME_ID": str})


def _stats_server(season: pd.DataFrame) -> HTTPServer:
    by_date = {d: g for d, g in season.groupby("GAME_DATE")}
    teams = dict(zip(season["TEAM_ID"], season["TEAM_ABBREVIATION"], strict=False))

    def scoreboard(request: Request) -> Response:
        day = by_date.get(request.args["GameDate"], season.head(0))
        games, header, lines = [], [], []
        for game_id, g in day.groupby("GAME_ID"):
            home = g[g["MATCHUP"].str.contains("vs.")]["TEAM_ID"].iloc[0]
            away = g[g["MATCHUP"].str.contains("@")]["TEAM_ID"].iloc[0]
            header.append([game_id, "Final", int(home), int(away)])
            lines += [[int(home), teams[home]], [int(away), teams[away]]]
            games.append(game_id)
        body = {"resultSets": [
            {"name": "GameHeader", "headers": ["GAME_ID", "GAME_STATUS_TEXT", "HOME_TEAM_ID", "VISITOR_TEAM_ID"], "rowSet": header},
            {"name": "LineScore", "headers": ["TEAM_ID", "TEAM_ABBREVIATION"], "rowSet": lines}]}  # fmt: skip
        return Response(json.dumps(body), content_type="application/json")

    def game_log(request: Request) -> Response:
        day = dt.datetime.strptime(request.args["DateFrom"], "%m/%d/%Y").date().isoformat()
        rows = by_date.get(day, season.head(0))
        frame = rows.reindex(columns=list(GAME_LOG_COLUMNS)).astype(object).where(rows.notna(), None)
        body = {"resultSets": [{"name": "LeagueGameLog", "headers": list(GAME_LOG_COLUMNS),
                                "rowSet": frame.values.tolist()}]}  # fmt: skip
        return Response(json.dumps(body, default=str), content_type="application/json")

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access line per request otherwise
    server.expect_request("/stats/scoreboardv2").respond_with_handler(scoreboard)
    server.expect_request("/stats/leaguegamelog").respond_with_handler(game_log)
    server.start()
    return server


def season_ingest(use_bigquery: bool) -> list[tuple[str, float, int]]:
    season = _season()
    dates = sorted(dt.date.fromisoformat(d) for d in season["GAME_DATE"].unique())
    server = _stats_server(season)
    out = []
    try:
        feed = NbaApiStatsFeed(server.url_for("/stats"), Politeness(timeout_seconds=30, delay_seconds=0))
        targets = [("DuckDB", lambda d: DuckDBWarehouse(Path(d) / "w.duckdb", Path(d) / "s"))]
        if use_bigquery:
            targets.append(("BigQuery emulator", _bigquery_warehouse))
        for name, make in targets:
            with tempfile.TemporaryDirectory() as tmp:
                wh = make(tmp)
                wh.ensure_schema()
                started = time.perf_counter()
                rows = sum(ingest_box_scores(d, wh, feed, None, dt.date(2100, 1, 1)).rows for d in dates)
                out.append((f"{name}: from the local stats server", time.perf_counter() - started, rows))
                print(out[-1], flush=True)
                validated = validate_box_scores(season, SEASON)
                started = time.perf_counter()
                rows = sum(
                    wh.write_inputs(
                        "box_scores", d, box_score_rows(validated[validated["game_date"] == d], "files")
                    )
                    for d in dates
                )
                out.append(
                    (
                        f"{name}: baseline, from the CSV already validated in memory",
                        time.perf_counter() - started,
                        rows,
                    )
                )
    finally:
        server.stop()
        for emulator in _EMULATORS:
            emulator.stop()
    return out


_EMULATORS: list = []


def _bigquery_warehouse(tmp: str):
    from nba_assets_tests.emulators.bigquery import BigQueryEmulator, emulator_binary

    emulator = BigQueryEmulator(emulator_binary(), Path(tmp)).start()
    _EMULATORS.append(emulator)
    return emulator.warehouse("bench_feeds")


def line_refresh(moved: int = 30) -> dict[str, float]:
    from nba_assets.inputs.bundled import DEMO_DATE, bundled_box_scores
    from nba_assets.instance.day_run import prepare_home, run_day

    box = bundled_box_scores()
    day = box[box["game_date"] == dt.date.fromisoformat(DEMO_DATE)]
    with tempfile.TemporaryDirectory() as tmp:
        lines_file = Path(tmp) / "lines.csv"
        lines = pd.DataFrame({"game_date": DEMO_DATE, "player_name": day["player_name"],
                              "line": (day["points"].clip(lower=2) // 1 + 0.5), "bookmaker": "book"})  # fmt: skip
        lines.to_csv(lines_file, index=False)
        os.environ.update({"NBA_ASSETS_HOME": f"{tmp}/out", "NBA_ASSETS_LINES": str(lines_file),
                           "NBA_ASSETS_SYSTEMS": "moving_average,matchup,similarity,ensemble"})  # fmt: skip
        from nba_assets.definitions import defs
        from nba_assets.instance.line_refresh import refresh_lines

        instance, definitions = prepare_home(Path(tmp) / "dg"), defs()
        started = time.perf_counter()
        assert run_day(definitions, instance, DEMO_DATE).consolidated
        full = time.perf_counter() - started
        lines.loc[lines.index[:moved], "line"] += 3.0
        lines.to_csv(lines_file, index=False)
        started = time.perf_counter()
        result = refresh_lines(definitions, instance, DEMO_DATE)
        refresh = time.perf_counter() - started
        assert result.ok and len(result.moved) == moved, result
        export = json.loads((Path(tmp) / "out/exports/v1/tonight/all-players.json").read_text())
        shown = {
            p["player_name"]: {x["line"] for x in p["props"]} for g in export["games"] for p in g["players"]
        }
        assert all(line in shown[name] for name, line in lines.head(moved)[["player_name", "line"]].values)
        return {"refresh": refresh, "full_day": full, "players": len(lines), "runs": len(result.runs)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bigquery", action="store_true", help="also ingest into the BigQuery emulator")
    args = parser.parse_args()
    refresh = line_refresh()  # first: the season ingest's emulator would load the machine
    print(refresh, flush=True)
    ingest = season_ingest(args.bigquery)
    table = "\n".join(f"| {n} | {s:.1f} | {r:,} |" for n, s, r in ingest)
    load = os.getloadavg()
    section = f"""## Live feeds

Command: `.venv/bin/python bench/bench_feeds.py{" --bigquery" if args.bigquery else ""}`
Date: {dt.datetime.now(dt.UTC):%a %b %d %H:%M:%S UTC %Y}
Environment: Python {platform.python_version()}, 2 cores shared (load average {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f} at the end).

Season {SEASON} of box scores, every date (scoreboard + league game log per date through nba-api's
request path, no politeness delay; validation; replace-by-date into the warehouse):

| target | seconds | rows |
|---|---|---|
{table}

Line refresh, 314-player demo day, 4 systems, 30 players' lines moved: refresh start -> exports
showing the new lines **{refresh["refresh"]:.1f} s** ({refresh["runs"]} runs: lines + slate, the moved
players' shard runs, one consolidation with the exports); baseline, the whole day that built it
(run-day): {refresh["full_day"]:.1f} s. Target <= 20 s local: {"met" if refresh["refresh"] <= 20 else "not met"}.
"""
    print(section)
    write_section(section)


if __name__ == "__main__":
    main()
