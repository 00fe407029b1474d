"""Expected value at real prices, American odds, and picks made only on calibrated real-line EV."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nba_assets.predictions import line_calibration
from nba_assets.predictions.evaluation import line_picks
from nba_assets.predictions.line_calibration import WalkForward, push_probability
from nba_assets.predictions.odds import complete_prices, decimal_odds, expected_value, implied_probability
from nba_assets.predictions.picks import Picker
from nba_assets_tests.predictions.real_pairs import START, scored_window, synthetic_pairs, with_system

prices = st.one_of(st.floats(-10000, -100), st.floats(100, 10000))


def test_american_odds_and_expected_value_on_known_cases():
    assert decimal_odds(-110) == pytest.approx(1.909, abs=5e-4)
    assert decimal_odds(+150) == pytest.approx(2.5)
    assert expected_value(0.55, -110) == pytest.approx(0.05, abs=1e-9)
    assert expected_value(0.5, -110) == pytest.approx(-0.04545, abs=1e-5)  # the vig of a coin flip
    assert expected_value(110 / 210, -110) == pytest.approx(0.0, abs=1e-12)  # break-even at -110
    assert expected_value(0.4, +150) == pytest.approx(0.0)
    assert expected_value(0.5, -110, p_push=0.1) == pytest.approx(0.5 * 100 / 110 - 0.4)
    assert implied_probability(-137) == pytest.approx(0.578, abs=5e-4)  # the apps' price: 57.8% to break even
    with pytest.raises(ValueError, match="American odds"):
        decimal_odds(-50)


def test_a_missing_side_is_the_two_way_market_with_the_standard_vig():
    over, under = complete_prices(
        np.array([-130.0, np.nan, -137.0, -110.0, 40.0]), np.array([np.nan, np.nan, -137.0, np.nan, np.nan])
    )
    assert list(over) == [-130.0, -110.0, -137.0, -110.0, -110.0]  # 40 is no price: -110 a side
    assert list(under) == [107.0, -110.0, -137.0, -110.0, -110.0]


@given(prices)
def test_american_odds_round_trip_and_break_even(price):
    dec = decimal_odds(price)
    assert dec > 1.0
    back = (dec - 1) * 100 if dec >= 2 else -100 / (dec - 1)
    assert back == pytest.approx(price, rel=1e-9) or abs(price) == pytest.approx(100)  # -100, +100: evens
    assert expected_value(implied_probability(price), price) == pytest.approx(0.0, abs=1e-9)


def test_calibration_never_reads_an_outcome_of_its_own_date_or_later():
    scored, lines = scored_window()
    day = START + timedelta(days=100)
    full = line_picks(scored, ["gb"], lines, Picker())
    # truncate the future (the day included) from both the outcomes and the lines, and also
    # scramble the outcomes of the day and later: the day's probabilities and picks are unchanged
    past = scored[scored["game_date"] < day]
    today = scored[scored["game_date"] == day]
    scrambled = scored.assign(points=np.where(scored["game_date"] >= day, 0.0, scored["points"]))
    cut = line_picks(pd.concat([past, today]), ["gb"], lines[lines["game_date"] <= day], Picker())
    flipped = line_picks(scrambled, ["gb"], lines, Picker())
    columns = ["player_lookup", "p_over", "ev", "recommendation", "calibration"]
    mine = full[full["game_date"] == day][columns].reset_index(drop=True)
    assert (mine["calibration"] == "calibrated").all() and mine["p_over"].notna().all()
    pd.testing.assert_frame_equal(mine, cut[cut["game_date"] == day][columns].reset_index(drop=True))
    pd.testing.assert_frame_equal(mine, flipped[flipped["game_date"] == day][columns].reset_index(drop=True))


def test_the_walk_forward_fit_uses_only_pairs_before_the_month():
    pairs = synthetic_pairs()
    day = START + timedelta(days=100)
    fitted = WalkForward(pairs).for_date("gb", day)
    before = WalkForward(pairs[pairs["game_date"] < day]).for_date("gb", day)
    assert fitted.calibrated and fitted == before
    assert fitted.last_pair < line_calibration.block_start(day).isoformat()


def test_no_pick_probability_or_ev_against_a_stand_in_line():
    scored, lines = scored_window()
    stand_in = lines.assign(bookmaker="reference")
    picks = line_picks(scored, ["gb"], stand_in, Picker())
    assert (picks["recommendation"] == "PASS").all()
    assert picks["p_over"].isna().all() and picks["ev"].isna().all()
    assert set(picks["calibration"]) == {"uncalibrated"}
    # a real line and a stand-in side by side: only the real one can be picked, even with a fit
    mixed = pd.concat([lines, stand_in.assign(line=stand_in["line"] + 1.0)], ignore_index=True)
    picks = line_picks(scored, ["gb"], mixed, Picker())
    real = lines[["game_date", "player_lookup", "line"]].assign(real=True)
    picks = picks.merge(real, on=["game_date", "player_lookup", "line"], how="left")
    on_stand_ins = picks["real"].isna()
    assert on_stand_ins.sum() == len(lines) and picks["stand_in"].eq(on_stand_ins).all()
    assert (picks.loc[on_stand_ins, "recommendation"] == "PASS").all()
    assert picks.loc[on_stand_ins, "p_over"].isna().all() and picks.loc[on_stand_ins, "ev"].isna().all()
    assert picks.loc[~on_stand_ins, "recommendation"].isin(["OVER", "UNDER"]).sum() > 0


def test_uncalibrated_without_real_pairs_and_picks_only_above_the_margin():
    rows = pd.DataFrame(
        {
            "game_date": [START] * 4,
            "predicted_points": [25.0, 25.0, 25.0, 20.0],
            "confidence": [70.0] * 4,
            "points_line": [20.5, 20.5, 20.5, np.nan],
            "minutes_expected": 30.0,
            "over_price": [-110.0, -110.0, -2000.0, -110.0],
            "under_price": [-110.0, np.nan, 900.0, -110.0],
        }
    )
    out = Picker().evaluate(rows, "gb")  # no pairs at all
    assert list(out["calibration"]) == ["uncalibrated"] * 3 + ["no_line"]
    assert list(out["recommendation"]) == ["PASS"] * 3 + ["NO_LINE"]
    assert out["p_over"].isna().all() and out["expected_value"].isna().all()

    walk = WalkForward(synthetic_pairs())
    rows["game_date"] = START + timedelta(days=120)
    out = Picker(walk, margin=0.02).evaluate(rows, "gb")
    assert (out["calibration"][:3] == "calibrated").all()
    assert 0.5 < out.loc[0, "p_over"] < 1.0
    # a clear edge at -110: OVER at EV >= margin; at -2000 the same probability is worth nothing
    assert out.loc[0, "recommendation"] == "OVER" and out.loc[0, "expected_value"] >= 0.02
    assert out.loc[2, "recommendation"] != "OVER"
    assert Picker(walk, margin=5.0).evaluate(rows, "gb")["recommendation"].iloc[0] == "PASS"


def test_the_push_share_exists_only_on_whole_lines():
    p = push_probability(np.array([20.0, 20.0]), np.array([60.0, 60.0]), np.array([20.5, 20.0]))
    assert p[0] == 0.0 and 0.0 < p[1] < 0.2


def _level_pairs(n: int, over_rate: float, market: float = 0.5) -> pd.DataFrame:
    """n pairs that carry no information but their level: the estimate sits on a 15-point line."""
    went_over = np.zeros(n)
    went_over[: round(n * over_rate)] = 1.0
    return pd.DataFrame(
        {
            "game_date": [START] * n,
            "system_id": "gb",
            "predicted_points": 15.0,
            "confidence": 60.0,
            "line": 15.0,
            "market_p_over": market,
            "went_over": went_over,
        }
    )


def test_a_few_weeks_of_pairs_move_the_level_from_the_market_by_their_weight_only():
    """The prior is the market's price, worth 3,000 pairs: 1,000 pairs at an over rate 0.10 below it
    move P(over) a quarter of the way (1,000 / 4,000); 100,000 pairs move it all the way. Without
    the prior the first weeks' level would be taken whole (the 2021-22 over-claim, see the module)."""
    market = 0.5

    def level(n: int) -> float:
        fitted = line_calibration.fit(_level_pairs(n, market - 0.10, market))
        return float(fitted.apply([15.0], [60.0], [15.0], [market])[0])

    assert level(1000) == pytest.approx(market - 0.10 / 4, abs=0.01)
    assert level(100_000) == pytest.approx(market - 0.10, abs=0.005)


def test_a_calibration_from_the_windows_own_season_only_is_called_first_season():
    """The backtest says when every pair is of the window's own season (claims then ran up to 5.5
    points above the return, see ``evaluation.calibration_basis``), and not once an earlier
    season's pairs are in."""
    from nba_assets.predictions.evaluation import calibration_basis
    from nba_assets.reports.backtest import calibration_note

    own = _level_pairs(1000, 0.45).assign(game_date=START + timedelta(days=10))
    basis = calibration_basis(Picker(WalkForward(own)), START)
    assert basis == {"first_pair": str(START + timedelta(days=10)), "first_season": True}
    assert "First-season calibration" in calibration_note(basis)
    earlier = _level_pairs(1000, 0.45).assign(game_date=START - timedelta(days=200))
    basis = calibration_basis(Picker(WalkForward(pd.concat([own, earlier]))), START)
    assert basis["first_season"] is False and calibration_note(basis) == ""


def test_the_bettors_tables_state_every_ev_the_baselines_and_the_price_assumption():
    """Every calibrated line's stated EV is scored against betting its side; every OVER / every
    UNDER are the baselines; UNDER picks on a completed price are re-priced at a wider margin."""
    from nba_assets.predictions.evaluation import (
        Backtest,
        baseline_table,
        side_profit,
        stated_ev_table,
        under_price_sensitivity,
    )

    scored, lines = scored_window()
    picks = line_picks(scored, ["gb"], lines, Picker())
    result = Backtest(START, START, scored, ["gb"], {"gb": 1.0}, "files", picks)
    stated = stated_ev_table(result).set_index("stated_ev")
    calibrated = picks["p_over"].notna()
    assert stated.loc["all", "rows"] == calibrated.sum()
    assert stated.loc["all", "roi_pct"] == pytest.approx(100 * picks.loc[calibrated, "side_profit"].mean())
    # a pick's side is the stated side, so its profit is the stated side's
    staked = picks["profit"].notna()
    assert (picks.loc[staked, "side"] == picks.loc[staked, "recommendation"]).all()
    assert np.allclose(picks.loc[staked, "profit"], picks.loc[staked, "side_profit"])
    base = baseline_table(result)
    bets = base.groupby("side")["bets"].sum()
    assert bets["OVER"] == bets["UNDER"] == len(lines.drop_duplicates())
    assert np.allclose(base.groupby("season")["hit_rate"].sum(), 1.0) and base["season"].nunique() == 2
    wider = under_price_sensitivity(result).set_index("system")
    assert wider.loc["gb", "picks"] == (picks["recommendation"] == "UNDER").sum() > 0
    assert wider.loc["gb", "roi_wider_pct"] < wider.loc["gb", "roi_pct"]
    assert list(
        side_profit(["OVER", "UNDER", "PASS"], [20, 20, 20], [19.5, 20.0, 19.5], -110.0, 150.0)[:2]
    ) == [
        pytest.approx(100 / 110),
        0.0,
    ]


def test_a_first_season_calibration_states_p_over_and_ev_but_never_picks():
    """Pairs only from the window's own season: P(over) and EV are stated, every line is PASS (such
    picks claimed 1.3-5.5 points more EV than they returned on 2022-23). The same rows with the
    previous season's pairs in are picked."""
    scored, lines = scored_window(START, days=150)  # one season, 2021-22 only
    first = line_picks(scored, ["gb"], lines, Picker())
    stated = first["calibration"] == "first_season"
    assert stated.sum() > 1000 and first.loc[stated, "p_over"].notna().all()
    assert set(first["calibration"]) == {"first_season", "uncalibrated"}  # the first month: too few pairs
    assert first.loc[stated, "side_ev"].notna().all() and (first["recommendation"] == "PASS").all()
    pairs = line_calibration.pairs_from(with_system(scored, "gb"), lines)
    assert WalkForward(pairs).for_date("gb", START + timedelta(days=100)).first_season

    earlier, earlier_lines = scored_window()  # from 2021-05-01: the 2020-21 season's pairs too
    later = line_picks(earlier, ["gb"], earlier_lines, Picker())
    mine = later[later["game_date"] >= START + timedelta(days=60)]
    assert (
        set(mine["calibration"]) == {"calibrated"}
        and mine["recommendation"].isin(["OVER", "UNDER"]).sum() > 0
    )
