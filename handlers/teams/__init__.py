"""Microsoft Teams front end (Bot Framework): `POST /api/messages` on the shared web app."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import jwt
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.schema import Activity

from bot.engine import Coach
from bot.references import References
from config import Settings
from handlers.teams.adapter import build_adapter
from handlers.teams.bot import REPLAY, TeamsBot
from handlers.teams.delivery import TeamsDelivery
from handlers.teams.retry import RetryPolicy
from storage.inbox import Inbox

log = logging.getLogger(__name__)

ADAPTER = web.AppKey("teams_adapter", object)
DELIVERY = web.AppKey("teams_delivery", TeamsDelivery)
#: the startup task answering what a killed process received and never answered
REPLAYING = web.AppKey("teams_replay", asyncio.Task)


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


def journal_key(activity: dict[str, Any]) -> str | None:
    """The inbox journal's key of an activity that runs a turn (a message or card submit);
    None for the others (installs, typing, reactions), which are not journaled."""
    conversation = activity.get("conversation") or {}
    if activity.get("type") != "message" or not isinstance(activity.get("id"), str):
        return None
    return f"teams:{conversation.get('id')}:{activity['id']}"


def mount(
    app: web.Application,
    settings: Settings,
    coach: Coach,
    retry: RetryPolicy | None = None,
    sdk_config: dict[str, str] | None = None,
    inbox: Inbox | None = None,
) -> TeamsDelivery:
    """Add `POST /api/messages`; return the matching `Delivery` for scheduled messages.

    `sdk_config`: extra Bot Framework SDK settings (see `adapter.auth_config`).
    `inbox`: the journal (storage/inbox.py). Each authenticated message activity is
    written down before its turn runs and marked answered after its replies are sent;
    at startup what a killed process left is run again (`replay`), once.
    """
    adapter = build_adapter(settings, sdk_config)
    references = References(coach.db, clock=coach.clock)
    bot = TeamsBot(coach, references, retry)
    #: journal key -> done when the startup replay has answered it (a redelivery waits)
    replaying: dict[str, asyncio.Future[None]] = {}

    async def messages(request: web.Request) -> web.StreamResponse:
        if settings.microsoft_app_id and not request.headers.get("Authorization"):
            # The SDK does this too, except on its parameterized (sovereign cloud) path,
            # where an empty header ends in a 500: refuse here, the same way everywhere.
            return web.Response(status=401, text="Bot Framework token required.")
        if request.content_type != "application/json":
            return web.Response(status=415, text="Expected an Activity as application/json.")
        body = await request.text()
        problem = activity_problem(body)
        if problem:
            log.warning("Teams: refused an activity from %s: %s", request.remote, problem)
            return web.Response(status=400, text=f"Not a Bot Framework Activity: {problem}.")
        raw = json.loads(body)
        try:
            activity = Activity().deserialize(raw)
            # Authenticated before anything is written down: the journal is replayed with
            # the bot's own identity, so nothing unauthenticated may enter it.
            auth = await adapter.bot_framework_authentication.authenticate_request(
                activity, request.headers.get("Authorization", "")
            )
        except (PermissionError, jwt.PyJWTError) as exc:  # forged, expired or mis-signed
            log.warning("Teams: token refused from %s: %s", request.remote, exc)
            return web.Response(status=401, text="Invalid Bot Framework token.")
        except ValueError:  # not an Activity
            log.warning("Teams: unreadable activity from %s", request.remote)
            return web.Response(status=400, text="Expected an Activity as application/json.")
        key = journal_key(raw) if inbox is not None else None
        if key is not None and key in replaying:  # redelivered while the replay answers it
            await asyncio.shield(replaying[key])
            return web.Response(status=201)
        if key is not None and inbox is not None:
            inbox.received(key, {"activity": raw}, coach.clock())
        try:
            invoke = await adapter.process_activity(auth, activity, bot.on_turn)
            if invoke:
                # the SDK's own invoke errors can hold what it cannot serialize (an
                # Exception as the value of a malformed card action): a ValueError, so 400
                body = serializer_helper(invoke.body)
                return web.json_response(data=body, status=invoke.status)
        except ValueError:
            log.warning("Teams: unreadable activity from %s", request.remote, exc_info=True)
            return web.Response(status=400, text="Expected an Activity as application/json.")
        finally:  # answered, or failed in a way the log and the user were told about
            if key is not None and inbox is not None:
                inbox.answered(key)
        return web.Response(status=201)

    async def replay(_app: web.Application) -> None:
        """Answer the message activities a killed process received and never answered."""
        if inbox is None:
            return
        pending = inbox.unanswered("teams:")
        loop = asyncio.get_running_loop()
        for key, _ in pending:
            replaying.setdefault(key, loop.create_future())
        if pending:
            app[REPLAYING] = asyncio.create_task(answer_replays(pending))

    async def answer_replays(pending: list[tuple[str, dict[str, Any]]]) -> None:
        assert inbox is not None
        claims = adapter.create_claims_identity(settings.microsoft_app_id or "")

        async def as_replay(context: TurnContext) -> None:
            context.turn_state[REPLAY] = True
            await bot.on_turn(context)

        for key, data in pending:
            log.info("Teams: answering %s, received before a restart", key)
            try:
                activity = Activity().deserialize(data["activity"])
                await adapter.process_proactive(claims, activity, None, as_replay)
            except Exception:
                log.exception("Teams: could not answer %s after the restart", key)
            finally:
                inbox.answered(key)
                done = replaying.pop(key, None)
                if done is not None and not done.done():
                    done.set_result(None)

    app.router.add_post("/api/messages", messages)
    app.on_startup.append(replay)
    delivery = TeamsDelivery(adapter, references, settings.microsoft_app_id, retry)
    bot.delivery = delivery
    app[ADAPTER] = adapter
    app[DELIVERY] = delivery

    async def close_connectors(_app: web.Application) -> None:
        await delivery.aclose()  # the proactive connector clients' HTTP session

    app.on_cleanup.append(close_connectors)
    return delivery
