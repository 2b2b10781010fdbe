"""Microsoft Teams front end (Bot Framework): `POST /api/messages` on the shared web app."""

from __future__ import annotations

import json
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


def activity_problem(body: str) -> str | None:
    """What makes `body` no Activity the Bot Framework would send, or None if it may be one.

    The SDK deserializes whatever it is given and fails later, deep in a turn (a null
    body, a `from` that is a number, nesting deeper than the JSON parser's recursion
    limit), which ended in 500s. The Bot Framework's activity schema makes `type`,
    `serviceUrl`, `conversation.id` and `from.id` strings on every activity it sends to a
    bot (https://github.com/microsoft/botframework-sdk/blob/main/specs/botframework-activity/botframework-activity.md).
    """
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError):
        return "not JSON (or nested too deep)"
    if not isinstance(activity, dict):
        return "not a JSON object"
    if not isinstance(activity.get("type"), str) or not activity["type"]:
        return "no type"
    url = activity.get("serviceUrl")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        # Without one the SDK would call the public Bot Framework for 30 seconds, then 500.
        return "no http(s) serviceUrl"
    for field in ("conversation", "from", "recipient"):
        account = activity.get(field)
        if field == "recipient" and account is None:
            continue
        if not isinstance(account, dict) or not isinstance(account.get("id"), str):
            return f"no {field}.id"
    return None


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
        problem = activity_problem(await request.text())
        if problem:
            log.warning("Teams: refused an activity from %s: %s", request.remote, problem)
            return web.Response(status=400, text=f"Not a Bot Framework Activity: {problem}.")
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

    async def close_connectors(_app: web.Application) -> None:
        await delivery.aclose()  # the proactive connector clients' HTTP session

    app.on_cleanup.append(close_connectors)
    return delivery
