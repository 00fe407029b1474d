"""Best bets: the day's top OVER/UNDER picks of one system, ranked by calibrated expected value.

Only picks whose P(over) is calibrated on real lines (``calibration == "calibrated"``) qualify: a
pick against a stand-in line, or one the model version cannot calibrate, is never a best bet.
Ranked by ``expected_value`` (calibrated EV per unit staked of the recommended side at the real
price, ``predictions.picks``); ``score`` repeats it floored at 0 for older readers.

Candidates are each player's headline prediction (the main line, see ``frames.main_line``), only
OVER or UNDER (PASS and NO_LINE never qualify), so there is exactly one pick per player and an
alternate line far from the market never outranks the line people actually bet. Ties are broken
by |edge|, then confidence (both descending), then player_lookup, so the order is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

DEFAULT_TOP_N = 10
SCORING = (
    "expected_value = calibrated expected profit per unit staked of the recommended side at the line's real "
    "price (P(over) fitted on real lines and outcomes before the date); only calibrated OVER/UNDER picks on "
    "real lines, each player's main line, one pick per player; descending expected_value, ties by |edge|, "
    "confidence, player_lookup; score = expected_value floored at 0"
)
PICKS = ("OVER", "UNDER")


def candidates(players: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Scored picks from (game_id, all-players entry) pairs; one per player, OVER/UNDER only."""
    seen: set[str] = set()
    out = []
    for game_id, player in players:
        pred = player.get("prediction")
        if not pred or pred["recommendation"] not in PICKS or pred["line"] is None or pred["edge"] is None:
            continue
        if pred.get("calibration") != "calibrated" or pred.get("expected_value") is None:
            continue
        if player["player_lookup"] in seen:
            continue
        seen.add(player["player_lookup"])
        out.append(
            {
                "game_id": game_id,
                "player_lookup": player["player_lookup"],
                "player_name": player["player_name"],
                "team": player["team"],
                "opponent": player["opponent"],
                "line": pred["line"],
                "recommendation": pred["recommendation"],
                "predicted": pred["predicted"],
                "edge": pred["edge"],
                "confidence": pred["confidence"],
                "p_over": pred["p_over"],
                "expected_value": pred["expected_value"],
                "calibration": pred["calibration"],
                "score": round(max(pred["expected_value"], 0.0), 4),
            }
        )
    return out


def rank(picks: list[dict[str, Any]], top_n: int = DEFAULT_TOP_N) -> list[dict[str, Any]]:
    ordered = sorted(
        picks, key=lambda p: (-p["expected_value"], -abs(p["edge"]), -p["confidence"], p["player_lookup"])
    )
    return [{**pick, "rank": i} for i, pick in enumerate(ordered[:top_n], start=1)]


def best_bets_payload(
    game_date: str,
    generated_at: str,
    system_id: str,
    players: Iterable[tuple[str, dict[str, Any]]],
    top_n: int = DEFAULT_TOP_N,
) -> dict[str, Any]:
    scored = candidates(players)
    picks = rank(scored, top_n)
    return {
        "game_date": game_date,
        "generated_at": generated_at,
        "system_id": system_id,
        "scoring": SCORING,
        "total_candidates": len(scored),
        "total_picks": len(picks),
        "picks": picks,
    }
