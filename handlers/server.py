"""`dealcoach serve`: the web app of `handlers/web.py` plus the schedules of `handlers/schedule.py`.

Kept apart from both so the imports run one way: server -> schedule -> web.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.engine import Coach
from bot.processes import EngineProcesses
from bot.schedule import Schedule
from config import Settings
from handlers.schedule import ConsoleDelivery, attach_schedules, cadence_from
from handlers.web import DELIVERIES, build_app
from storage.db import Database
from storage.inbox import Inbox

log = logging.getLogger(__name__)


def serve(
    settings: Settings,
    db: Database,
    coach: Coach,
    host: str,
    port: int,
    inbox: Inbox | None = None,
) -> None:
    """Serve every configured platform on `host:port` and run the schedules until stopped.

    `inbox`: the journal of acked turns, replayed at startup. Slack turns run in
    `settings.engine_processes` worker processes (0: threads of this process).
    """
    processes = None
    if settings.engine_processes:
        processes = EngineProcesses(coach, settings.engine_processes)
        processes.warm_up()
    # Slack's signatures are checked against the product clock: `serve --now` (or
    # DEALCOACH_NOW) moves "now" for the 5-minute window as for everything else.
    app = build_app(settings, db, coach, inbox, processes, signature_clock=coach.clock)
    if processes is not None:

        async def stop_processes(_app: web.Application) -> None:
            processes.shutdown()

        app.on_cleanup.append(stop_processes)
    if not app[DELIVERIES]:
        log.warning(
            "No chat platform configured: set SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN "
            "and/or MicrosoftAppId (see README, docs/slack.md, docs/teams.md). "
            "Serving /healthz and the schedules only."
        )
    deliveries = {"console": ConsoleDelivery(), **app[DELIVERIES]}
    schedule = Schedule(db, deliveries, cadence_from(settings), clock=coach.clock)
    attach_schedules(app, schedule, settings.schedule_every_minutes)
    log.info("dealcoach listening on http://%s:%s", host, port)
    web.run_app(app, host=host, port=port, print=None)
