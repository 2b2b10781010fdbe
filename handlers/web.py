"""`dealcoach serve`: one aiohttp server for every chat platform, plus the schedules.

Each platform adapter adds its routes to the same app; a platform without credentials is
simply not mounted (and the log says so), so an admin can start with one of them.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.delivery import Delivery
from bot.engine import Coach
from bot.processes import EngineProcesses
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
    processes: EngineProcesses | None = None,
) -> web.Application:
    """The web app with every configured platform mounted; used by `serve` and the tests.

    `inbox`: the journal of acked turns (storage/inbox.py); None keeps no journal.
    `processes`: Slack turns run in these engine processes (bot/processes.py), not threads.
    """
    app = web.Application()
    app.router.add_get("/healthz", health)
    deliveries: dict[str, Delivery] = {}
    app[DELIVERIES] = deliveries
    from handlers import slack

    if slack.mount(app, settings, db, coach, inbox, processes):
        deliveries["slack"] = app[slack.FRONTEND].delivery
    if settings.teams_enabled:
        from handlers import teams

        deliveries["teams"] = teams.mount(app, settings, coach)
    return app


def serve(
    settings: Settings,
    db: Database,
    coach: Coach,
    host: str,
    port: int,
    inbox: Inbox | None = None,
) -> None:
    processes = None
    if settings.engine_processes:
        processes = EngineProcesses(db.url, settings.default_timezone, settings.engine_processes)
        processes.warm_up()
    app = build_app(settings, db, coach, inbox, processes)
    if processes is not None:

        async def stop_processes(_app: web.Application) -> None:
            processes.shutdown()

        app.on_cleanup.append(stop_processes)
    from bot.schedule import Schedule
    from handlers.schedule import ConsoleDelivery, attach_schedules, cadence_from

    if not app[DELIVERIES]:
        log.warning(
            "No chat platform configured: set SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN "
            "and/or MicrosoftAppId (see README, docs/slack.md, docs/teams.md). "
            "Serving /healthz and the schedules only."
        )
    deliveries = {"console": ConsoleDelivery(), **app[DELIVERIES]}
    schedule = Schedule(db, deliveries, cadence_from(settings))
    attach_schedules(app, schedule, settings.schedule_every_minutes)
    log.info("dealcoach listening on http://%s:%s", host, port)
    web.run_app(app, host=host, port=port, print=None)
