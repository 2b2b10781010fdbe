"""One aiohttp app for every chat platform (used by `dealcoach serve`, `run-due` and tests).

Each platform adapter adds its routes to the same app; a platform without credentials is
simply not mounted (and the log says so), so an admin can start with one of them. The
schedules are attached by `handlers/server.py`, which imports this module, never the reverse.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from aiohttp import web

from bot.delivery import Delivery
from bot.engine import Coach
from config import Settings
from storage.db import Database
from storage.inbox import Inbox

log = logging.getLogger(__name__)

#: platform -> `bot.delivery.Delivery` for every platform mounted on the app, so the
#: schedules can reach users on whatever is configured.
DELIVERIES = web.AppKey("deliveries", dict)


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def build_app(
    settings: Settings,
    db: Database,
    coach: Coach,
    inbox: Inbox | None = None,
    worker_fed: bool = False,
    signature_clock: Callable[[], dt.datetime] | None = None,
) -> web.Application:
    """The web app with every configured platform mounted; used by `serve` and the tests.

    `inbox`: the journal of acked turns (storage/inbox.py); None keeps no journal. It is
    compacted here, before anything is served, so what each platform replays at startup
    is what a killed process left. `worker_fed`: Slack turns are answered by turn worker
    processes that follow the journal (handlers/slack/worker.py); this app only acks them.
    `signature_clock`: what Slack's signature timestamps are checked against (None: the
    system time); `serve` passes the product clock.
    """
    if inbox is not None:
        inbox.compact()
    app = web.Application()
    app.router.add_get("/healthz", health)
    deliveries: dict[str, Delivery] = {}
    app[DELIVERIES] = deliveries
    from handlers import slack

    if slack.mount(app, settings, db, coach, inbox, worker_fed, signature_clock):
        deliveries["slack"] = app[slack.FRONTEND].delivery
    if settings.teams_enabled:
        from handlers import teams

        deliveries["teams"] = teams.mount(app, settings, coach, inbox=inbox)
    return app
