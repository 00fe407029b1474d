"""Best bets: calibrated OVER/UNDER picks on real lines only, one per player at his main line,
ranked by calibrated expected value; never against a stand-in line or without a calibration."""

from __future__ import annotations

from datetime import date

import pandas as pd

from nba_assets.exports.best_bets import rank
from nba_assets.exports.builders import build_day_exports
from nba_assets.predictions.lines import recommend
from nba_assets.rows import line_key, prediction_id
from nba_assets_tests.exports.conftest import GENERATED_AT
from nba_assets_tests.exports.day import to_table
from nba_assets_tests.predictions.real_pairs import calibrated_picker

DAY = date(2025, 3, 1)


def prediction_rows(spec: list[tuple[str, float, float, list[float | None]]], system: str = "moving_average"):
    """(player, predicted, confidence, lines) -> predictions table rows, one per line."""
    rows = []
    for player, predicted, confidence, lines in spec:
        for line in lines:
            rows.append(
                {
                    "game_date": DAY,
                    "game_id": "g1",
                    "player_lookup": player,
                    "player_name": player.title(),
                    "team": "BOS",
                    "opponent": "NYK",
                    "is_home": True,
                    "system_id": system,
                    "model_version": "t",
                    "points_line": line,
                    "line_key": line_key(line),
                    "predicted_points": predicted,
                    "confidence": confidence,
                    "prediction_id": prediction_id(DAY, "g1", player, system, line),
                }
            )
    frame = pd.DataFrame(rows)
    frame["points_line"] = frame["points_line"].astype(float)
    frame["edge"], frame["recommendation"] = recommend(frame["predicted_points"], frame["points_line"])
    return frame


def real_lines(frame: pd.DataFrame, bookmaker: str = "book") -> pd.DataFrame:
    """The lines the rows were made against, posted by ``bookmaker`` at -110 a side."""
    lines = frame[frame["points_line"].notna()][["game_date", "player_lookup", "points_line"]]
    return lines.rename(columns={"points_line": "line"}).assign(
        bookmaker=bookmaker, over_price=-110.0, under_price=-110.0
    )


def best_bets(frame: pd.DataFrame, bookmaker: str = "book", calibrated: bool = True, **kwargs) -> dict:
    picker = calibrated_picker(("moving_average", "ensemble"), DAY) if calibrated else None
    lines = real_lines(frame, bookmaker)
    files = build_day_exports(
        DAY,
        to_table(frame),
        None,
        lines,
        None,
        generated_at=GENERATED_AT,
        picker=picker,
        **{"default_system": "moving_average", **kwargs},
    )
    return next(f.payload for f in files if f.path == "v1/best-bets/2025-03-01.json")


def test_no_best_bet_without_a_calibration_or_against_a_stand_in_line():
    frame = prediction_rows([("high", 36.5, 90.0, [30.5]), ("under", 14.0, 80.0, [20.5])])
    assert best_bets(frame)["total_picks"] == 2
    assert best_bets(frame, calibrated=False)["picks"] == []
    assert best_bets(frame, bookmaker="reference")["picks"] == []
    assert best_bets(frame, bookmaker="reference_alt+1")["picks"] == []


def test_ranking_uses_the_calibrated_expected_value_and_only_over_under():
    frame = prediction_rows(
        [
            ("low", 13.5, 70.0, [9.5]),  # +4.0, sigma 4.8: P(over) 0.80, EV 0.52
            ("high", 36.5, 90.0, [30.5]),  # +6.0, sigma 3.0: P(over) 0.98, EV 0.86
            ("under", 14.0, 80.0, [20.5]),  # -6.5, sigma 3.9: P(under) 0.95, EV 0.82
            ("pass", 21.0, 99.0, [20.5]),  # +0.5: PASS, never a pick
            ("noline", 30.0, 99.0, [None]),  # NO_LINE, never a pick
        ]
    )
    payload = best_bets(frame)
    values = [p["expected_value"] for p in payload["picks"]]
    assert values == sorted(values, reverse=True) and all(v is not None for v in values)
    assert {p["player_lookup"] for p in payload["picks"]} == {"high", "under", "low"}
    assert [p["rank"] for p in payload["picks"]] == [1, 2, 3]
    assert all(p["calibration"] == "calibrated" and 0 <= p["p_over"] <= 1 for p in payload["picks"])
    assert all(p["score"] == round(max(p["expected_value"], 0.0), 4) for p in payload["picks"])
    assert payload["total_candidates"] == 3 and "expected_value" in payload["scoring"]


def test_one_pick_per_player_at_his_main_line_not_a_far_alternate():
    # main line 20.5 (median of 18.5..22.5): edge +2.0; the 18.5 alternate would show +4.0
    frame = prediction_rows([("alt", 22.5, 70.0, [18.5, 19.5, 20.5, 21.5, 22.5])])
    (pick,) = best_bets(frame)["picks"]
    assert (pick["line"], pick["edge"], pick["recommendation"]) == (20.5, 2.0, "OVER")


def test_top_n_and_deterministic_ties():
    frame = prediction_rows(
        [(f"p{i}", 25.0, 60.0, [20.5]) for i in (3, 1, 2)] + [("big", 32.0, 60.0, [20.5])]
    )
    payload = best_bets(frame, best_bets_top_n=3)
    assert [p["player_lookup"] for p in payload["picks"]] == ["big", "p1", "p2"]
    assert payload["total_candidates"] == 4 and payload["total_picks"] == 3


def test_default_system_is_a_parameter():
    frame = pd.concat(
        [
            prediction_rows([("a", 30.0, 80.0, [20.5]), ("b", 22.5, 80.0, [20.5])]),
            prediction_rows([("a", 21.0, 80.0, [20.5]), ("b", 29.0, 80.0, [20.5])], system="ensemble"),
        ]
    )
    assert [p["player_lookup"] for p in best_bets(frame)["picks"]] == ["a", "b"]
    ensemble = best_bets(frame, default_system="ensemble")
    assert ensemble["system_id"] == "ensemble" and [p["player_lookup"] for p in ensemble["picks"]] == ["b"]


def test_rank_tie_breaks_by_edge_then_confidence_then_lookup():
    picks = [
        {"player_lookup": "z", "expected_value": 0.1, "edge": 2.0, "confidence": 50.0},
        {"player_lookup": "a", "expected_value": 0.1, "edge": 2.0, "confidence": 50.0},
        {"player_lookup": "m", "expected_value": 0.1, "edge": -3.0, "confidence": 40.0},
        {"player_lookup": "c", "expected_value": 0.1, "edge": 2.0, "confidence": 60.0},
    ]
    assert [p["player_lookup"] for p in rank(picks)] == ["m", "c", "a", "z"]


def day_files(frame: pd.DataFrame, picker) -> dict[str, dict]:
    """Every file of DAY built from ``frame`` against its own lines (at -110 a side) with ``picker``."""
    files = build_day_exports(
        DAY, to_table(frame), None, real_lines(frame), None,
        generated_at=GENERATED_AT, default_system="moving_average", picker=picker,
    )  # fmt: skip
    return {f.path: f.payload for f in files}


def test_calibrated_files_validate_and_carry_probability_and_ev_only_when_calibrated():
    from nba_assets.exports import schemas

    frame = prediction_rows(
        [("high", 36.5, 90.0, [30.5]), ("pass", 21.0, 99.0, [20.5]), ("none", 9.0, 70.0, [None])]
    )
    files = day_files(frame, calibrated_picker(("moving_average",), DAY))
    rows = {r["player_lookup"]: r for r in files["v1/predictions/2025-03-01.json"]["predictions"]}
    assert rows["high"]["calibration"] == "calibrated" and 0.5 < rows["high"]["p_over"] <= 1
    assert rows["pass"]["calibration"] == "calibrated" and rows["pass"]["expected_value"] is not None
    assert rows["none"] | {"p_over": None, "expected_value": None, "calibration": "no_line"} == rows["none"]
    for kind, path in (("predictions", "v1/predictions/2025-03-01.json"), ("best_bets", "v1/best-bets/2025-03-01.json"),
                       ("all_players", "v1/tonight/all-players.json")):  # fmt: skip
        schemas.validator(kind).validate(files[path])
    # the contract: a number only when calibrated, null otherwise
    predictions = schemas.validator("predictions")
    bad = dict(files["v1/predictions/2025-03-01.json"])
    bad["predictions"] = [rows["high"] | {"calibration": "uncalibrated"}]
    assert not predictions.is_valid(bad)
    bad["predictions"] = [rows["high"] | {"p_over": None}]
    assert not predictions.is_valid(bad)
    bad["predictions"] = [rows["none"] | {"calibration": "uncalibrated"}]
    assert not predictions.is_valid(bad)


def test_a_first_season_calibration_is_stated_in_the_files_and_never_a_pick():
    """Pairs from the day's season only: every prediction carries P(over) and EV marked
    "first_season", the picker's call is PASS, there is no best bet, and the schema refuses a
    first-season prediction that is a pick."""
    from nba_assets.exports import schemas

    frame = prediction_rows([("high", 36.5, 90.0, [30.5]), ("low", 12.0, 90.0, [20.5])])
    picker = calibrated_picker(("moving_average",), DAY, earlier_season=False)
    priced = frame.assign(over_price=-110.0, under_price=-110.0)
    frame["recommendation"] = picker.evaluate(priced, "moving_average")["recommendation"].to_numpy()
    assert set(frame["recommendation"]) == {"PASS"}
    files = day_files(frame, picker)
    rows = {r["player_lookup"]: r for r in files["v1/predictions/2025-03-01.json"]["predictions"]}
    assert {r["calibration"] for r in rows.values()} == {"first_season"}
    assert all(r["p_over"] is not None and r["expected_value"] is not None for r in rows.values())
    assert rows["high"]["p_over"] > 0.5 > rows["low"]["p_over"]
    assert files["v1/best-bets/2025-03-01.json"]["picks"] == []
    for kind, path in (("predictions", "v1/predictions/2025-03-01.json"), ("best_bets", "v1/best-bets/2025-03-01.json"),
                       ("all_players", "v1/tonight/all-players.json")):  # fmt: skip
        schemas.validator(kind).validate(files[path])
    bad = dict(files["v1/predictions/2025-03-01.json"])
    bad["predictions"] = [rows["high"] | {"recommendation": "OVER"}]
    assert not schemas.validator("predictions").is_valid(bad)
