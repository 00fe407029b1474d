"""Real line files as their sources write them: BettingPros slugs with one price, the apps' names
with both prices and the event's teams; names matched to the date's players (issue 24)."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import pandas as pd

from nba_assets.cli import main
from nba_assets.inputs.lines import BETTINGPROS, read_lines

D = date(2024, 11, 4)  # in the bundled box scores and the MIT fantasy-apps lines: 15 games
# the date's players as the box scores spell them (game_date, player_lookup, player_name, team)
PLAYERS = pd.DataFrame(
    [(D, "cameronjohnson", "Cameron Johnson", "BKN"), (D, "nicclaxton", "Nic Claxton", "BKN"),
     (D, "moritzwagner", "Moritz Wagner", "ORL"), (D, "jalenwilliams", "Jalen Williams", "OKC"),
     (D, "bubcarrington", "Bub Carrington", "WAS"), (D, "georgesniang", "Georges Niang", "CLE"),
     (date(2024, 11, 2), "enesfreedom", "Enes Freedom", "POR")],
    columns=["game_date", "player_lookup", "player_name", "team"],
)  # fmt: skip

BETTINGPROS_CSV = """game_date,season_end,player_slug,line,price
2024-11-04,2025,cameronjohnson-g,16.5,-118
2024-11-04,2025,nicolasclaxton,9.5,-110
2024-11-04,2025,moewagner,11.5,-122
2024-11-04,2025,moritzwagner,11.5,-125
2024-11-04,2025,eneskanter,8.5,105
2024-11-04,2025,nobodyatall,8.5,-110
"""
# rows of ../shared/data/prop_lines/fantasy_apps_points_2024_25.csv (MIT, spon7ge/NBA-Prop-Predictor)
APPS_CSV = """game_date,commence_time,player_name,bookmaker,line,over_price,under_price,home_team,away_team,event_id
2024-11-04,2024-11-05T01:00:00Z,Cameron Johnson,PrizePicks,16.0,-137,-137,Brooklyn Nets,Memphis Grizzlies,5bfef772da68c1f21b2f64b5d51a8335
2024-11-04,2024-11-05T00:15:00Z,Carlton Carrington,PrizePicks,10.5,-137,-137,Washington Wizards,Golden State Warriors,6e5283e3561335f5b8aaa8ac235a3649
2024-11-04,2024-11-05T00:15:00Z,Carlton Carrington,Underdog,10.5,-137,-137,Washington Wizards,Golden State Warriors,6e5283e3561335f5b8aaa8ac235a3649
2024-11-04,2024-11-05T00:00:00Z,George Niang,Underdog,6.5,-137,-137,Cleveland Cavaliers,Milwaukee Bucks,a8a342f91ff1a2a962cd0208f6d134ae
2024-11-04,2024-11-05T00:00:00Z,Jalen Williams,Underdog,19.5,-137,,Cleveland Cavaliers,Milwaukee Bucks,a8a342f91ff1a2a962cd0208f6d134ae
"""


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_bettingpros_slugs_and_their_one_price_are_read_as_they_are(tmp_path):
    loaded = read_lines(_write(tmp_path, "bp.csv", BETTINGPROS_CSV), "allow", PLAYERS)
    lines = loaded.lines.set_index("player_lookup")
    assert set(lines["bookmaker"]) == {BETTINGPROS}
    # the slug's position suffix, the nickname, the renamed player: each finds the box score's name
    assert {"cameronjohnson", "nicclaxton", "moritzwagner"} <= set(lines.index)
    # one price: the over's; the under is unknown
    assert lines.loc["cameronjohnson", "over_price"] == -118 and math.isnan(
        lines.loc["cameronjohnson", "under_price"]
    )
    # "moewagner" and "moritzwagner" on one page: one player, one line
    assert len(lines.loc[["moritzwagner"]]) == 1
    # Enes Kanter (Freedom) did not play that date: listed as absent; a name nobody has: unknown;
    # neither line is kept
    assert set(lines.index) == {"cameronjohnson", "nicclaxton", "moritzwagner"}
    reasons = dict(zip(loaded.unmatched["player_name"], loaded.unmatched["reason"], strict=True))
    assert reasons == {"eneskanter": "did not play", "nobodyatall": "unknown name"}
    assert all(loaded.unmatched["game_date"] == D)


def test_the_apps_names_are_matched_within_the_events_two_teams(tmp_path):
    loaded = read_lines(_write(tmp_path, "apps.csv", APPS_CSV), "allow", PLAYERS)
    lines = loaded.lines
    # Jalen Williams offered in another game joins no one (he played for OKC, not in this event)
    assert sorted(set(lines["player_lookup"])) == ["bubcarrington", "cameronjohnson", "georgesniang"]
    assert set(lines["bookmaker"]) == {"PrizePicks", "Underdog"} and set(lines["over_price"]) == {-137}
    # Jalen Williams played (OKC) but not in Bucks @ Cavaliers: reported with that event
    row = loaded.unmatched.iloc[0]
    assert len(loaded.unmatched) == 1
    assert (row.player_name, row.game, row.reason) == ("Jalen Williams", "Milwaukee Bucks @ Cleveland Cavaliers",
                                                       "did not play")  # fmt: skip


def test_ingest_lines_takes_both_real_shapes_from_the_configured_files(tmp_path, monkeypatch, capsys):
    bp = _write(tmp_path, "bp.csv", BETTINGPROS_CSV)
    apps = _write(tmp_path, "apps.csv", APPS_CSV)
    monkeypatch.setenv("NBA_ASSETS_HOME", str(tmp_path / "out"))
    monkeypatch.setenv("NBA_ASSETS_LINES", f"{bp},{apps}")
    assert main(["ingest", "lines", "--from", str(D), "--dagster-home", str(tmp_path / "dg")]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "unmatched: 2024-11-04 (date): 'nobodyatall' (1 line(s))" in out
    with duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select player_lookup, bookmaker, line, over_price, under_price from prop_lines "
            "where player_lookup in ('cameronjohnson', 'bubcarrington') order by 1, 2"
        ).fetchall()
    assert rows == [
        ("bubcarrington", "PrizePicks", 10.5, -137.0, -137.0),
        ("bubcarrington", "Underdog", 10.5, -137.0, -137.0),
        ("cameronjohnson", "PrizePicks", 16.0, -137.0, -137.0),
        ("cameronjohnson", BETTINGPROS, 16.5, -118.0, None),
    ]


def test_a_date_of_the_bundled_real_lines_takes_them_by_default(tmp_path, monkeypatch):
    from nba_assets.inputs.bundled import bundled_lines_dates

    assert D in bundled_lines_dates()
    monkeypatch.setenv("NBA_ASSETS_HOME", str(tmp_path / "out"))
    monkeypatch.delenv("NBA_ASSETS_LINES", raising=False)
    assert main(["ingest", "lines", "--from", str(D), "--dagster-home", str(tmp_path / "dg"), "-q"]) == 0
    with duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True) as con:
        books = dict(con.execute("select bookmaker, count(*) from prop_lines group by 1").fetchall())
        sources = {r[0] for r in con.execute("select distinct source from prop_lines").fetchall()}
    assert set(books) == {"PrizePicks", "Underdog"} and sum(books.values()) >= 250  # no stand-ins
    assert sources == {"bundled"}


def test_the_demo_date_has_a_full_slate_and_enough_real_lines_before_it_to_be_calibrated():
    """README command 1's day: a busy real slate with the apps' real lines, late enough that the
    lines before its month (what the P(over) calibration may learn from) exceed MIN_PAIRS, so its
    exports show calibrated probabilities and EVs rather than "uncalibrated"."""
    import pandas as pd

    from nba_assets.inputs.bundled import BUNDLED_LINES, DEMO_DATE, bundled_box_scores, bundled_lines_dates
    from nba_assets.predictions.line_calibration import MIN_PAIRS, block_start

    demo = date.fromisoformat(DEMO_DATE)
    played = bundled_box_scores()[lambda b: b["game_date"] == demo]
    assert demo in bundled_lines_dates() and played["game_id"].nunique() >= 12
    lines = pd.read_csv(BUNDLED_LINES, usecols=["game_date"])
    assert (lines["game_date"] < block_start(demo).isoformat()).sum() > 2 * MIN_PAIRS
