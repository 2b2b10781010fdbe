"""`dealcoach serve`: one aiohttp server for every chat platform, plus the schedules.

Each platform adapter adds its routes to the same app; a platform without credentials is
simply not mounted (and the log says so), so an admin can start with one of them.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.engine import Coach
from config import Settings
from storage.db import Database

log = logging.getLogger(__name__)


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def build_app(settings: Settings, db: Database, coach: Coach) -> web.Application:
    """The web app with every configured platform mounted; used by `serve` and the tests."""
    app = web.Application()
    app.router.add_get("/healthz", health)
    mounted: list[str] = []
    # Platform adapters register themselves here (handlers/slack, handlers/teams).
    from handlers import slack

    if slack.mount(app, settings, db, coach):
        mounted.append("slack")
    if settings.teams_enabled:
        from handlers import teams

        teams.mount(app, settings, coach)
        mounted.append("teams")
    if not mounted:
        log.warning(
            "No chat platform configured: set SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN "
            "and/or MicrosoftAppId (see README and docs/teams.md). Serving /healthz only."
        )
    return app


def serve(settings: Settings, db: Database, coach: Coach, host: str, port: int) -> None:
    app = build_app(settings, db, coach)
    from handlers.schedule import Schedule, attach_schedules, build_deliveries, cadence_from

    schedule = Schedule(db, build_deliveries(settings), cadence_from(settings))
    attach_schedules(app, schedule, settings.schedule_every_minutes)
    log.info("dealcoach listening on http://%s:%s", host, port)
    web.run_app(app, host=host, port=port, print=None)
