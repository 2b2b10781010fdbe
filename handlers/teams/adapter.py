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
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from config import Settings

log = logging.getLogger(__name__)


#: The Bot Framework's app types (MicrosoftAppType), lower-cased -> how docs/teams.md names them.
APP_TYPES = {
    "singletenant": "SingleTenant",
    "userassignedmsi": "UserAssignedMSI",
    "multitenant": "MultiTenant",
}


def auth_config(settings: Settings, extra: dict[str, str] | None = None) -> SimpleNamespace:
    """Our settings under the attribute names the Bot Framework SDK looks for.

    Without an app id authentication is off, which the SDK only allows as MultiTenant.
    `extra` adds the SDK's other keys (e.g. TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL for a
    sovereign cloud, or a test's own token issuer).
    """
    kind = settings.microsoft_app_type if settings.microsoft_app_id else "MultiTenant"
    return SimpleNamespace(
        APP_ID=settings.microsoft_app_id or None,
        APP_PASSWORD=settings.microsoft_app_password or None,
        APP_TYPE=kind,
        APP_TENANTID=settings.microsoft_app_tenant_id or None,
        **(extra or {}),
    )


def check_auth_settings(settings: Settings) -> None:
    """Stop with one line saying what to set when the Azure Bot's settings cannot work.

    SingleTenant (the default) and UserAssignedMSI need the Entra tenant id; SingleTenant
    and MultiTenant need the client secret; UserAssignedMSI uses the managed identity whose
    client id is MicrosoftAppId, so no secret. Raises SystemExit; silent with no app id.
    """
    if not settings.microsoft_app_id:
        return
    kind = APP_TYPES.get((settings.microsoft_app_type or "").lower())
    if kind is None:
        raise SystemExit(
            f"MicrosoftAppType={settings.microsoft_app_type!r} is not one of "
            f"{', '.join(APP_TYPES.values())}. See docs/teams.md, step 1."
        )
    if kind != "MultiTenant" and not settings.microsoft_app_tenant_id:
        raise SystemExit(
            f"MicrosoftAppType={kind} needs MicrosoftAppTenantId: the Directory (tenant) ID "
            "of the Entra tenant your Azure Bot was created in (Azure portal > your bot > "
            "Configuration). See docs/teams.md, step 1."
        )
    if kind != "UserAssignedMSI" and not settings.microsoft_app_password:
        raise SystemExit(
            f"MicrosoftAppType={kind} needs MicrosoftAppPassword (the bot's client secret)."
        )


def build_adapter(settings: Settings, sdk_config: dict[str, str] | None = None) -> CloudAdapter:
    """A CloudAdapter that logs (with ids) and answers briefly when a turn fails.

    Proactive sends do not go through the adapter's turns: `TeamsDelivery` posts them
    itself with the adapter's credentials (handlers/teams/connector.py).
    """
    check_auth_settings(settings)
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
