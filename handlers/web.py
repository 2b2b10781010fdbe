"""One aiohttp app for every chat platform (used by `dealcoach serve`, `run-due` and tests).

Each platform adapter adds its routes to the same app; a platform without credentials is
simply not mounted (and the log says so), so an admin can start with one of them. The
schedules are attached by `handlers/server.py`, which imports this module, never the reverse.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable

from aiohttp import web

from bot.delivery import Delivery
from bot.engine import Coach
from config import Settings
from storage.db import Database
from storage.inbox import Inbox

log = logging.getLogger(__name__)

#: seconds between looks at the journal's size while serving
COMPACT_CHECK = 5.0
#: the background task that compacts the journal while serving
COMPACTOR = web.AppKey("inbox_compactor", asyncio.Task)

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
    is what a killed process left, and again while serving whenever it passes
    `settings.inbox_compact_bytes` (`compacting`). `worker_fed`: Slack turns are
    answered by turn worker processes that follow the journal (handlers/slack/worker.py);
    this app only acks them.
    `signature_clock`: what Slack's signature timestamps are checked against (None: the
    system time); `serve` passes the product clock.
    """
    if inbox is not None:
        inbox.compact(coach.clock())
    app = web.Application()
    if inbox is not None and not worker_fed:  # else the first turn worker compacts it
        keep_compact(app, inbox, coach, settings.inbox_compact_bytes)
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


def keep_compact(app: web.Application, inbox: Inbox, coach: Coach, most: int) -> None:
    """Run `compacting` while `app` serves (when no turn worker does it)."""
    if most <= 0:
        return

    async def start(_app: web.Application) -> None:
        app[COMPACTOR] = asyncio.create_task(compacting(inbox, coach.clock, most))

    async def stop(_app: web.Application) -> None:
        task = app.get(COMPACTOR)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


async def compacting(inbox: Inbox, clock: Callable[[], dt.datetime], most: int) -> None:
    """Until cancelled, compact the journal whenever it has grown past `most` bytes and
    twice what the last compaction kept (looked at every COMPACT_CHECK seconds).

    Under `serve` with turn workers, the first worker runs this (at nice +10, so the
    parsing never competes with the acks for the web process's GIL); without them, the
    web process does, in a thread. Either way the acks wait only for the swap itself
    (storage/inbox.py), and the workers follow it.
    """
    kept = 0  # bytes the last compaction could not drop (unanswered, recent marks)
    while True:
        await asyncio.sleep(COMPACT_CHECK)
        if inbox.size() <= max(most, 2 * kept):  # not again for the same lines
            continue
        started = time.perf_counter()
        try:
            before, kept = await asyncio.to_thread(inbox.compact, clock())
        except OSError:
            log.exception("could not compact the inbox journal %s", inbox.path)
            continue
        log.info(
            "inbox journal compacted: %s -> %s bytes in %.0f ms",
            before,
            kept,
            (time.perf_counter() - started) * 1000,
        )
