"""Best bets: the day's top OVER/UNDER picks of one system, ranked by expected value.

score = expected profit per unit staked of the recommended side at -110, from the prediction's
predictive distribution (``predictions.picks``: normal around the prediction with the spread its
confidence states, whole-number points against the line), floored at 0. A bigger edge, a lower
line relative to the spread and a surer prediction all raise it, on one scale: money.

Candidates are each player's headline prediction (the main line, see ``frames.main_line``), only
OVER or UNDER (PASS and NO_LINE never qualify), so there is exactly one pick per player and an
alternate line far from the market never outranks the line people actually bet. Ties are broken
by |edge|, then confidence (both descending), then player_lookup, so the order is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nba_assets.predictions.odds import DEFAULT_PRICE, expected_value
from nba_assets.predictions.picks import probabilities, sigma_from_confidence

DEFAULT_TOP_N = 10
SCORING = (
    "score = expected value per unit staked at -110 of the recommended side (P(over/under) from a normal "
    "predictive distribution whose spread the confidence states), floored at 0, over each player's main-line "
    "prediction of the system, OVER/UNDER only, one pick per player; ties by |edge|, confidence, player_lookup"
)
PICKS = ("OVER", "UNDER")


def expected_value_score(predicted: float, line: float, confidence: float, recommendation: str) -> float:
    """The ranking score of one pick: its expected value at -110, floored at 0."""
    sigma = sigma_from_confidence(np.array([confidence]))
    p_over, p_under, p_push = probabilities(np.array([predicted]), sigma, np.array([line]))
    p_win = p_over if recommendation == "OVER" else p_under
    return round(max(float(expected_value(p_win[0], DEFAULT_PRICE, p_push[0])), 0.0), 4)


def candidates(players: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Scored picks from (game_id, all-players entry) pairs; one per player, OVER/UNDER only."""
    seen: set[str] = set()
    out = []
    for game_id, player in players:
        pred = player.get("prediction")
        if not pred or pred["recommendation"] not in PICKS or pred["line"] is None or pred["edge"] is None:
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
                "score": expected_value_score(
                    pred["predicted"], pred["line"], pred["confidence"], pred["recommendation"]
                ),
            }
        )
    return out


def rank(picks: list[dict[str, Any]], top_n: int = DEFAULT_TOP_N) -> list[dict[str, Any]]:
    ordered = sorted(
        picks, key=lambda p: (-p["score"], -abs(p["edge"]), -p["confidence"], p["player_lookup"])
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
