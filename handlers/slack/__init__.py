"""Slack: `/dealreview`, the review in DMs, App Home, OAuth install, Socket Mode.

`mount` adds the Slack routes to the one aiohttp app `dealcoach serve` runs:
POST /slack/events (events, slash commands and interactivity all share one Request URL),
and GET /slack/install + /slack/oauth_redirect when OAuth is configured. With
SLACK_APP_TOKEN set, the same bolt app also listens over Socket Mode (no public URL).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import html
import logging
from collections.abc import Callable

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.engine import Coach
from config import Settings
from handlers.slack.app import ACKED, SlackFrontend
from handlers.slack.client import web_client
from storage.db import Database, DatabaseAway
from storage.inbox import Inbox

log = logging.getLogger(__name__)

INSTALL_AWAY = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dealcoach: try again in a minute</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto">
<h1>dealcoach can't reach its database</h1>
<p>{what} Nothing was installed and nothing else was changed.</p>
<p>Please try again in a minute: <a href="{install}">add dealcoach to Slack</a>.
If this keeps happening, tell whoever runs dealcoach for your company.</p>
</body></html>
"""

FRONTEND = web.AppKey("slack_frontend", SlackFrontend)
SOCKET = web.AppKey("slack_socket_mode", AsyncSocketModeHandler)
#: the startup task answering what a killed process acked and never answered
REPLAY = web.AppKey("slack_replay", asyncio.Task)


async def freeze_startup_objects(_app: web.Application) -> None:
    """Keep the garbage collector off everything loaded at startup.

    Without this, full collections walk every SQLAlchemy, bolt and dateparser object
    loaded at import and stall the event loop for ~100 ms every few hundred turns, which
    showed as the p99 of our slash-command acks (bench/slack_ack.py). `gc.freeze()` moves
    them to a generation the collector never scans; new garbage is collected as usual.
    """
    gc.collect()
    gc.freeze()


def enabled(settings: Settings) -> bool:
    """HTTP needs the signing secret; Socket Mode needs the app token; both need a bot token."""
    has_token = bool(settings.slack_bot_token or settings.slack_oauth_enabled)
    return has_token and bool(settings.slack_signing_secret or settings.slack_app_token)


def mount(
    app: web.Application,
    settings: Settings,
    db: Database,
    coach: Coach,
    inbox: Inbox | None = None,
    worker_fed: bool = False,
    signature_clock: Callable[[], dt.datetime] | None = None,
) -> bool:
    """Add Slack to `app` if it is configured; returns whether it was.

    With an `inbox`, every turn is written down before it is acked, and what a killed
    process acked but never answered is answered once the server has started: by this
    process, or with `worker_fed` by the turn workers (handlers/slack/worker.py), which
    then answer every turn while this process only acks.
    """
    if not enabled(settings):
        return False
    front = SlackFrontend(
        settings, db, coach, inbox=inbox, worker_fed=worker_fed, signature_clock=signature_clock
    )
    app[FRONTEND] = front

    async def dispatch(request: web.Request) -> web.Response:
        body = await request.text()
        # The listeners wait for this before their slow part, so the ack leaves first.
        acked = asyncio.Event()
        front.request_started()
        try:
            # A signed /dealreview from a workspace bolt has admitted: journaled and acked
            # without bolt's per-request machinery (the ack's CPU, bench/slack_ack.py).
            bolt_response = await front.ack_directly(body, request.headers, acked)
            if bolt_response is None:
                try:
                    bolt_request = AsyncBoltRequest(
                        body=body,
                        query=request.query_string,
                        headers=request.headers,  # type: ignore[arg-type]
                    )
                except Exception:  # a body bolt cannot even parse: not from Slack
                    log.warning("unparseable Slack request from %s", request.remote)
                    return web.Response(status=400, text="bad request")
                bolt_request.context[ACKED] = acked
                try:
                    bolt_response = await front.bolt.async_dispatch(bolt_request)
                except Exception:  # bolt trips over payloads missing what Slack always sends
                    log.warning("malformed Slack payload", exc_info=True)
                    return web.Response(status=400, text="malformed payload")
            response = await to_aiohttp_response(bolt_response)
            await response.prepare(request)
            await response.write_eof()
            return response
        finally:
            acked.set()
            front.request_answered()

    async def open_session(_app: web.Application) -> None:
        # One connection pool for every Web API call (slack_sdk opens a session per call
        # otherwise); bolt hands it on to the per-request clients it builds.
        front.client.session = aiohttp.ClientSession()

    async def close_session(_app: web.Application) -> None:
        if front.client.session is not None:
            await front.client.session.close()

    async def replay(_app: web.Application) -> None:
        # In the background: the server must not wait for a backlog before serving.
        task = asyncio.create_task(front.replay())
        app[REPLAY] = task

    app.on_startup.append(open_session)
    app.on_startup.append(freeze_startup_objects)
    if not front.worker_fed:
        app.on_startup.append(replay)
    app.on_cleanup.append(close_session)
    if settings.slack_signing_secret:
        app.router.add_post("/slack/events", dispatch)
    flow = front.bolt.oauth_flow
    if flow is not None:

        async def oauth(request: web.Request) -> web.Response:
            req = AsyncBoltRequest(
                body="",
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
            installing = request.path == flow.install_path
            try:
                if installing:
                    return await to_aiohttp_response(await flow.handle_installation(req))
                return await to_aiohttp_response(await flow.handle_callback(req))
            except DatabaseAway as exc:
                # The installer came from Slack's consent screen: a page that says what
                # happened and what to do, not a 500 (the log has the driver's reason).
                log.error("Slack install %s: the database is away: %s", request.path, exc)
                what = (
                    "It could not start the installation."
                    if installing
                    else "Slack approved the installation, but dealcoach could not save it."
                )
                page = INSTALL_AWAY.format(what=what, install=html.escape(flow.install_path))
                return web.Response(
                    status=503,
                    text=page,
                    content_type="text/html",
                    headers={"Retry-After": "60"},
                )

        app.router.add_get(flow.install_path, oauth)
        app.router.add_get(flow.redirect_uri_path, oauth)
    if settings.slack_app_token:
        socket = AsyncSocketModeHandler(
            front.bolt,
            settings.slack_app_token,
            web_client=web_client(None, settings.slack_api_url, front.handlers),
        )
        app[SOCKET] = socket

        async def connect(_app: web.Application) -> None:
            await socket.connect_async()
            log.info("Slack Socket Mode connected")

        async def close(_app: web.Application) -> None:
            await socket.close_async()

        app.on_startup.append(connect)
        app.on_cleanup.append(close)
    log.info(
        "Slack mounted: %s%s%s",
        "HTTP /slack/events" if settings.slack_signing_secret else "",
        ", OAuth /slack/install" if flow is not None else "",
        ", Socket Mode" if settings.slack_app_token else "",
    )
    return True
