"""The Bot Framework adapter built from our Settings: inbound auth and outbound connector.

`ConfigurationBotFrameworkAuthentication` reads APP_ID / APP_PASSWORD / APP_TYPE /
APP_TENANTID from any object; we hand it our pydantic Settings under those names. With
no app id the SDK turns authentication off both ways (the Bot Framework Emulator case):
inbound requests need no token and outbound calls carry none.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from config import Settings

log = logging.getLogger(__name__)


def auth_config(settings: Settings, extra: dict[str, str] | None = None) -> SimpleNamespace:
    """Our settings under the attribute names the Bot Framework SDK looks for.

    `extra` adds the SDK's other keys (e.g. TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL for a
    sovereign cloud, or a test's own token issuer).
    """
    return SimpleNamespace(
        APP_ID=settings.microsoft_app_id or None,
        APP_PASSWORD=settings.microsoft_app_password or None,
        APP_TYPE=settings.microsoft_app_type or "MultiTenant",
        APP_TENANTID=settings.microsoft_app_tenant_id or None,
        **(extra or {}),
    )


def build_adapter(settings: Settings, sdk_config: dict[str, str] | None = None) -> CloudAdapter:
    """A CloudAdapter that logs (with ids) and answers briefly when a turn fails."""
    kind = (settings.microsoft_app_type or "MultiTenant").lower()
    if kind in ("singletenant", "userassignedmsi") and not settings.microsoft_app_tenant_id:
        raise SystemExit(
            f"MicrosoftAppType={settings.microsoft_app_type} needs MicrosoftAppTenantId "
            "(your Entra tenant id). Set it, or use MicrosoftAppType=MultiTenant. See docs/teams.md."
        )
    if kind == "singletenant" and not settings.microsoft_app_password:
        raise SystemExit(
            "MicrosoftAppType=SingleTenant needs MicrosoftAppPassword (the bot's secret)."
        )
    adapter = CloudAdapter(
        ConfigurationBotFrameworkAuthentication(auth_config(settings, sdk_config))
    )
    if not settings.microsoft_app_id:
        log.warning(
            "Teams: MicrosoftAppId is not set, so Bot Framework authentication is OFF. "
            "Fine for the Bot Framework Emulator on your machine; never expose this server."
        )

    async def on_error(context: TurnContext, error: Exception) -> None:
        activity = context.activity
        log.error(
            "Teams turn failed: activity=%s conversation=%s service=%s",
            activity.id,
            activity.conversation.id if activity.conversation else None,
            activity.service_url,
            exc_info=error,
        )
        try:
            await context.send_activity(
                "Something went wrong on my side; everything you answered before is saved. "
                "Please try again in a minute."
            )
        except Exception:  # the connector itself is failing: the log above says why
            log.warning("Teams: could not tell the user about the failure", exc_info=True)

    adapter.on_turn_error = on_error
    return adapter
