"""`dealcoach serve`: the web app of `handlers/web.py` plus the schedules of `handlers/schedule.py`.

Kept apart from both so the imports run one way: server -> schedule -> web.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.engine import Coach
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

    `inbox`: the journal of acked turns, replayed at startup. With Slack configured and
    `settings.engine_processes` > 0, that many turn worker processes answer Slack's turns
    from the journal (handlers/slack/worker.py), so this process only acks them; 0 answers
    them in tasks and threads of this process.
    """
    from handlers import slack

    workers = bool(inbox is not None and settings.engine_processes and slack.enabled(settings))
    # Slack's signatures are checked against the product clock: `serve --now` (or
    # DEALCOACH_NOW) moves "now" for the 5-minute window as for everything else.
    app = build_app(settings, db, coach, inbox, worker_fed=workers, signature_clock=coach.clock)
    if workers:
        from handlers.slack.worker import TurnWorkers

        assert inbox is not None
        TurnWorkers(settings, coach, inbox.path, settings.engine_processes).attach(app)
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
