"""The alerts this project sends: one value type, one JSON payload, one Slack text (no I/O here)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any

SOURCE = "nba_assets"


class AlertKind(enum.StrEnum):
    RUN_FAILURE = "run_failure"  # a slate, consolidation, export or grading run failed
    CHECK_FAILURE = "check_failure"  # an ERROR-severity asset check failed in a run that succeeded
    MISSED_DEADLINE = "missed_deadline"  # a freshness check: no consolidated day / exports by the deadline
    STALL_RERUN = "stall_rerun"  # the stall policy re-ran a batch's unfinished players
    FORCED_PARTIAL = "forced_partial"  # a batch was consolidated without every player
    MORNING_SUMMARY = "morning_summary"  # the day at the deadline: players, predictions, best bets
    FEED_WARNING = "feed_warning"  # a live feed's answer needed help (a stored roster, a trade-day row)


SEVERITY = {
    AlertKind.RUN_FAILURE: "error",
    AlertKind.CHECK_FAILURE: "error",
    AlertKind.MISSED_DEADLINE: "error",
    AlertKind.STALL_RERUN: "warning",
    AlertKind.FORCED_PARTIAL: "warning",
    AlertKind.MORNING_SUMMARY: "info",
    AlertKind.FEED_WARNING: "warning",
}
_ICON = {"error": ":red_circle:", "warning": ":large_orange_circle:", "info": ":large_blue_circle:"}


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    title: str
    text: str
    game_date: str = ""
    run_id: str = ""
    job: str = ""
    batch_id: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]

    def link(self, webserver_url: str) -> str:
        if not webserver_url or not self.run_id:
            return ""
        return f"{webserver_url.rstrip('/')}/runs/{self.run_id}"

    def payload(self, webserver_url: str = "") -> dict[str, Any]:
        """The webhook's JSON body (documented in docs/operations.md)."""
        return {
            "source": SOURCE,
            "kind": self.kind.value,
            "severity": self.severity,
            "title": self.title,
            "text": self.text,
            "game_date": self.game_date or None,
            "run_id": self.run_id or None,
            "job": self.job or None,
            "batch_id": self.batch_id or None,
            "url": self.link(webserver_url) or None,
            "details": self.details,
        }

    def slack_text(self, webserver_url: str = "") -> str:
        link = self.link(webserver_url)
        lines = [f"{_ICON[self.severity]} *{self.title}*", self.text]
        if link:
            lines.append(f"<{link}|View the run in Dagster>")
        return "\n".join(line for line in lines if line)


def clip(text: str, limit: int = 600) -> str:
    """Error texts can be long (tracebacks); a message carries the start, the UI has the rest."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Dagster's own wrapper around an op's exception: its message names the op, the cause says why
_WRAPPERS = {"DagsterExecutionStepExecutionError", "DagsterUserCodeExecutionError"}


def error_text(error: Any, limit: int = 400) -> str:
    """A step's error (Dagster's ``SerializableErrorInfo`` of a step-failure event) as one line.

    Skips Dagster's wrapper for the exception the op raised and drops the class path
    (``nba_assets.inputs.validation.InputValidationError: why`` -> ``InputValidationError: why``);
    a ``dg.Failure`` (raised on purpose, its text says why) keeps only its text.
    """
    while error.cause is not None and error.cls_name in _WRAPPERS:
        error = error.cause
    path = r"(?:[A-Za-z_]\w*\.)*Failure: " if error.cls_name == "Failure" else r"(?:[A-Za-z_]\w*\.)+(?=\w+: )"
    return clip(re.sub(f"^{path}", "", error.message.strip()), limit)
