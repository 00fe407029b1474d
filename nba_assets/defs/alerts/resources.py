"""AlertsResource: where alerts go — Slack, else a webhook, else nowhere (said once in the log).

Slack goes through dagster-slack's ``SlackResource`` (a ``slack_sdk`` WebClient); the token is an
``EnvVar``, so it never appears in the definitions, the UI or a log.
"""

from __future__ import annotations

import logging
import os
import threading

import dagster as dg
import requests

from nba_assets.defs.alerts.messages import Alert

log = logging.getLogger(__name__)
_nowhere_said = threading.Event()


class AlertDeliveryError(Exception):
    """Slack or the webhook refused or could not be reached; the sensor tick fails and is retried."""


class AlertsResource(dg.ConfigurableResource):
    """``NBA_ASSETS_SLACK_TOKEN`` + ``NBA_ASSETS_SLACK_CHANNEL`` (Slack), else
    ``NBA_ASSETS_ALERT_WEBHOOK_URL`` (a JSON POST), else nowhere. ``NBA_ASSETS_WEBSERVER_URL`` adds a
    link to the run; ``NBA_ASSETS_SLACK_API_URL`` points the Slack client elsewhere (a proxy, a test)."""

    slack_token: str = ""
    slack_channel: str = ""
    slack_api_url: str = ""  # empty: Slack's own https://slack.com/api/
    webhook_url: str = ""
    webserver_url: str = ""
    timeout_seconds: float = 10.0

    @classmethod
    def from_env(cls) -> AlertsResource:
        env = os.environ
        secret = {
            field: dg.EnvVar(name)
            for field, name in (
                ("slack_token", "NBA_ASSETS_SLACK_TOKEN"),
                ("webhook_url", "NBA_ASSETS_ALERT_WEBHOOK_URL"),
            )
            if env.get(name)
        }
        resource = cls(
            **secret,
            slack_channel=env.get("NBA_ASSETS_SLACK_CHANNEL", ""),
            slack_api_url=env.get("NBA_ASSETS_SLACK_API_URL", ""),
            webserver_url=env.get("NBA_ASSETS_WEBSERVER_URL", ""),
        )
        if resource.route() == "none":
            _say_nowhere()  # at load, so a deployment without routing hears it before any incident
        return resource

    def route(self) -> str:
        if self.slack_token and self.slack_channel:
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
        from dagster_slack import SlackResource
        from slack_sdk.errors import SlackApiError

        client = SlackResource(token=self.slack_token).get_client()
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
