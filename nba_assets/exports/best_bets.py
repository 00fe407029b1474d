"""Best bets: the day's top OVER/UNDER picks of one system, ranked by a documented composite score.

score = |edge| / sqrt(line) x confidence / 100

- ``|edge| / sqrt(line)``: a player's points spread grows roughly with the square root of his
  scoring level (points behave like an over-dispersed count), so a 3-point edge on a 9.5 line is
  worth more than on a 30.5 line. Dividing by sqrt(line) puts edges of all lines on one scale
  without letting tiny lines dominate the way |edge| / line would.
- ``confidence / 100``: the system's own 0-100 confidence scales the pick down when it is unsure.

Candidates are each player's headline prediction (the main line, see ``frames.main_line``), only
OVER or UNDER (PASS and NO_LINE never qualify), so there is exactly one pick per player and an
alternate line far from the market never outranks the line people actually bet. Ties are broken
by |edge|, then confidence (both descending), then player_lookup, so the order is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

DEFAULT_TOP_N = 10
SCORING = (
    "score = |edge| / sqrt(line) * confidence / 100 over each player's main-line prediction of the "
    "system, OVER/UNDER only, one pick per player; ties by |edge|, confidence, player_lookup"
)
PICKS = ("OVER", "UNDER")


def composite_score(edge: float, line: float, confidence: float) -> float:
    """The ranking score of one pick (see the module docstring for why this shape)."""
    return round(abs(edge) / math.sqrt(max(line, 0.5)) * confidence / 100.0, 4)


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
                "score": composite_score(pred["edge"], pred["line"], pred["confidence"]),
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
