"""AlertsResource: where alerts go — Slack, else a webhook, else nowhere (said once in the log).

Slack goes through dagster-slack's ``SlackResource`` (a ``slack_sdk`` WebClient), a nested resource
built once with the definitions; its token is an ``EnvVar``, so it never appears in the
definitions, the UI or a log.
"""

from __future__ import annotations

import logging
import threading
from typing import ClassVar

import dagster as dg
import requests
from dagster_slack import SlackResource

from nba_assets.defs.alerts.messages import Alert
from nba_assets.defs.env import EnvConfigured

log = logging.getLogger(__name__)
_nowhere_said = threading.Event()


class AlertDeliveryError(Exception):
    """Slack or the webhook refused or could not be reached; the sensor tick fails and is retried."""


class AlertsResource(EnvConfigured, dg.ConfigurableResource):
    """``NBA_ASSETS_SLACK_TOKEN`` + ``NBA_ASSETS_SLACK_CHANNEL`` (Slack), else
    ``NBA_ASSETS_ALERT_WEBHOOK_URL`` (a JSON POST), else nowhere. ``NBA_ASSETS_WEBSERVER_URL`` adds a
    link to the run; ``NBA_ASSETS_SLACK_API_URL`` points the Slack client elsewhere (a proxy, a test)."""

    slack: SlackResource | None = None  # NBA_ASSETS_SLACK_TOKEN
    slack_channel: str = ""
    slack_api_url: str = ""  # empty: Slack's own https://slack.com/api/
    webhook_url: str = ""
    webserver_url: str = ""
    timeout_seconds: float = 10.0

    ENV: ClassVar[dict[str, str]] = {
        "slack_channel": "NBA_ASSETS_SLACK_CHANNEL",
        "slack_api_url": "NBA_ASSETS_SLACK_API_URL",
        "webhook_url": "NBA_ASSETS_ALERT_WEBHOOK_URL",
        "webserver_url": "NBA_ASSETS_WEBSERVER_URL",
    }
    SLACK_TOKEN: ClassVar[str] = "NBA_ASSETS_SLACK_TOKEN"

    @classmethod
    def from_env(cls, **fields) -> AlertsResource:
        token = {"slack": SlackResource(token=dg.EnvVar(cls.SLACK_TOKEN))} if cls.has(cls.SLACK_TOKEN) else {}
        resource = super().from_env(**token, **fields)
        if resource.route() == "none":
            _say_nowhere()  # at load, so a deployment without routing hears it before any incident
        return resource

    def route(self) -> str:
        if self.slack is not None and self.slack_channel:
            return "slack"
        return "webhook" if self.webhook_url else "none"

    def send(self, alert: Alert) -> str:
        """Deliver one alert; returns the route used. Raises AlertDeliveryError when delivery fails."""
        route = self.route()
        if route == "slack":
            self._slack(alert)
        elif route == "webhook":
            self._webhook(alert)
        else:
            _say_nowhere()
        log.info("alert %s (%s) via %s: %s", alert.kind.value, alert.severity, route, alert.title)
        return route

    def _slack(self, alert: Alert) -> None:
        from slack_sdk.errors import SlackApiError

        assert self.slack is not None  # route() == "slack"
        client = self.slack.get_client()
        client.timeout = int(self.timeout_seconds)
        if self.slack_api_url:
            client.base_url = self.slack_api_url.rstrip("/") + "/"
        try:
            client.chat_postMessage(
                channel=self.slack_channel,
                text=alert.slack_text(self.webserver_url),
                unfurl_links=False,
            )
        except (SlackApiError, OSError) as exc:
            raise AlertDeliveryError(f"Slack refused alert {alert.kind.value}: {_reason(exc)}") from exc

    def _webhook(self, alert: Alert) -> None:
        try:
            response = requests.post(
                self.webhook_url, json=alert.payload(self.webserver_url), timeout=self.timeout_seconds
            )
        except requests.RequestException as exc:
            raise AlertDeliveryError(f"alert webhook unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 300:
            # the URL may embed a secret: name the status, never the URL
            raise AlertDeliveryError(f"alert webhook answered HTTP {response.status_code}")


def _say_nowhere() -> None:
    if not _nowhere_said.is_set():
        _nowhere_said.set()
        log.warning(
            "alerts go nowhere: set NBA_ASSETS_SLACK_TOKEN and NBA_ASSETS_SLACK_CHANNEL, or "
            "NBA_ASSETS_ALERT_WEBHOOK_URL (this is said once per process)"
        )


def _reason(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    error = response.get("error") if response is not None and hasattr(response, "get") else None
    return str(error or type(exc).__name__)
