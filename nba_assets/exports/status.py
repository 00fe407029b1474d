"""What is published for a date: present, valid, the right day, fresh (for asset checks)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from nba_assets.exports.files import (
    PLAYER_DIR,
    all_players_path,
    best_bets_path,
    player_path,
    predictions_path,
)
from nba_assets.exports.quality import Finding
from nba_assets.exports.schemas import is_valid
from nba_assets.exports.sink import ExportSink


@dataclass
class PublishedStatus:
    game_date: str
    findings: list[Finding] = field(default_factory=list)
    generated_at: str | None = None
    present: dict[str, bool] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings


def check_published(
    sink: ExportSink,
    game_date: date,
    *,
    tonight: bool = True,
    max_age: timedelta | None = None,
    now: datetime | None = None,
) -> PublishedStatus:
    """The dated files of ``game_date`` exist, parse, match their schema and date; with ``tonight``
    the all-players index shows that date and every listed player has a file; with ``max_age`` the
    newest ``generated_at`` is recent enough."""
    status = PublishedStatus(game_date.isoformat())
    wanted = {predictions_path(game_date): "predictions", best_bets_path(game_date): "best_bets"}
    if tonight:
        wanted[all_players_path()] = "all_players"
    payloads = {}
    for path, kind in wanted.items():
        data = sink.read(path)
        status.present[path] = data is not None
        if data is None:
            status.findings.append(Finding("published", path, f"is not published ({sink.location(path)})"))
            continue
        try:
            payload = json.loads(data)
        except ValueError as exc:
            status.findings.append(Finding("published", path, f"is not valid JSON: {exc}"))
            continue
        if not isinstance(payload, dict) or not is_valid(kind, payload):
            status.findings.append(Finding("published", path, "does not match its JSON Schema"))
            continue
        if payload["game_date"] != status.game_date:
            status.findings.append(
                Finding("published", path, f"shows {payload['game_date']}, not {status.game_date}")
            )
            continue
        payloads[kind] = payload
    if "all_players" in payloads:
        listed = [e["player_lookup"] for g in payloads["all_players"]["games"] for e in g["players"]]
        have = set(sink.list(PLAYER_DIR))
        missing = [p for p in listed if player_path(p) not in have]
        if missing:
            status.findings.append(
                Finding(
                    "published",
                    all_players_path(),
                    f"lists {len(missing)} player(s) without a file, e.g. {missing[0]}",
                )
            )
    stamps = [p["generated_at"] for p in payloads.values()]
    status.generated_at = max(stamps) if stamps else None
    if max_age is not None and status.generated_at is not None:
        age = (now or datetime.now(UTC)) - datetime.fromisoformat(status.generated_at.replace("Z", "+00:00"))
        if age > max_age:
            status.findings.append(
                Finding(
                    "freshness",
                    status.game_date,
                    f"newest export is {age} old (generated {status.generated_at}), more than {max_age}",
                )
            )
    return status
