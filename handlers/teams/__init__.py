"""Microsoft Teams front end (Bot Framework): `POST /api/messages` on the shared web app."""

from __future__ import annotations

import logging

import jwt
from aiohttp import web

from bot.engine import Coach
from bot.references import References
from config import Settings
from handlers.teams.adapter import build_adapter
from handlers.teams.bot import TeamsBot
from handlers.teams.delivery import TeamsDelivery
from handlers.teams.retry import RetryPolicy

log = logging.getLogger(__name__)

ADAPTER = web.AppKey("teams_adapter", object)
DELIVERY = web.AppKey("teams_delivery", TeamsDelivery)


async def has_service_url(request: web.Request) -> bool:
    """Whether the body is a JSON object with an http(s) `serviceUrl` (aiohttp keeps the body,
    so the adapter reads it again)."""
    try:
        body = await request.json()
    except ValueError:
        return True  # not JSON: the adapter answers that with its own 400
    url = body.get("serviceUrl") if isinstance(body, dict) else None
    return isinstance(url, str) and url.startswith(("https://", "http://"))


def mount(
    app: web.Application,
    settings: Settings,
    coach: Coach,
    retry: RetryPolicy | None = None,
    sdk_config: dict[str, str] | None = None,
) -> TeamsDelivery:
    """Add `POST /api/messages`; return the matching `Delivery` for scheduled messages.

    `sdk_config`: extra Bot Framework SDK settings (see `adapter.auth_config`).
    """
    adapter = build_adapter(settings, sdk_config)
    references = References(coach.db, clock=coach.clock)
    bot = TeamsBot(coach, references, retry)

    async def messages(request: web.Request) -> web.StreamResponse:
        if settings.microsoft_app_id and not request.headers.get("Authorization"):
            # The SDK does this too, except on its parameterized (sovereign cloud) path,
            # where an empty header ends in a 500: refuse here, the same way everywhere.
            return web.Response(status=401, text="Bot Framework token required.")
        if request.content_type != "application/json":
            return web.Response(status=415, text="Expected an Activity as application/json.")
        if not await has_service_url(request):
            # Without it the SDK would call the public Bot Framework for 30 seconds, then 500.
            return web.Response(status=400, text="An Activity needs its serviceUrl.")
        try:
            response = await adapter.process(request, bot)
        except jwt.PyJWTError as exc:  # forged, expired or mis-signed token: the SDK lets it out
            log.warning("Teams: token refused from %s: %s", request.remote, exc)
            return web.Response(status=401, text="Invalid Bot Framework token.")
        except ValueError:  # not JSON, or not an Activity
            log.warning("Teams: unreadable activity from %s", request.remote)
            return web.Response(status=400, text="Expected an Activity as application/json.")
        return response or web.Response(status=201)

    app.router.add_post("/api/messages", messages)
    delivery = TeamsDelivery(adapter, references, settings.microsoft_app_id, retry)
    bot.delivery = delivery
    app[ADAPTER] = adapter
    app[DELIVERY] = delivery
    return delivery
