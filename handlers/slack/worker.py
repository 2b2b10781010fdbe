"""Slack turn workers: processes that answer what the web process acked, read from the journal.

Why processes: the web process must acknowledge every Slack request within 3 seconds,
and its p99 is what `bench/slack_ack.py` holds within 1.3x of a bare bolt app. A turn's
follow-up (users.info, the engine's transaction, rendering Block Kit, chat.postMessage)
is CPU work; on the acking event loop, or in a thread of the same process (the GIL), it
delays the acks queued behind it. With workers the web process only verifies, writes the
turn to the inbox journal (storage/inbox.py: one O_APPEND write) and acks; each worker
follows the journal, answers the turns of its share of users (a stable hash of team and
user, so one user's turns stay in order on one worker), and marks them answered. Workers
run at nice +10 so the kernel serves the acks first on a busy machine.

The journal is both the queue and the crash record: a worker that starts (with the
server, or restarted after it died) first answers what was received and never answered,
as a replay (the turn's idempotency key makes it take effect once), then follows new
lines. A worker whose web process is killed dies with it (PR_SET_PDEATHSIG on Linux, a
poll elsewhere); the next server's workers answer what was left.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import zlib
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.engine import Clock, Coach
from config import Settings
from handlers.slack.app import ACKS_FIRST, Inbound, SlackFrontend
from handlers.web import compacting
from storage.db import Database
from storage.inbox import Inbox, Pending

log = logging.getLogger(__name__)

NICENESS = 10  # added to the workers' nice value: the acks come first
POLL = 0.02  # seconds between looks at the journal for new turns
SUPERVISE = 1.0  # seconds between checks that every worker is alive
ACKS_POLL = 0.005  # seconds between looks at the web process's pending acks
#: seconds with no ack pending that end a burst: within one, the count touches 0 for a
#: fraction of a millisecond between a response and the client's next request
ACKS_QUIET = 0.02
PR_SET_PDEATHSIG = 1


def share_of(team_id: str, user_id: str, workers: int) -> int:
    """Which worker answers this user (0 ≤ n < workers): the same one for all their turns."""
    return zlib.crc32(f"{team_id}:{user_id}".encode()) % workers


class TurnWorkers:
    """`count` worker processes started with the web app and stopped with it.

    Started once the app has compacted the journal (`handlers.web.build_app`); a worker
    that dies is started again within `SUPERVISE` seconds and replays what it left.
    """

    def __init__(self, settings: Settings, coach: Coach, inbox_path: Path, count: int) -> None:
        """`coach.clock` must pickle (`app.make_clock` builds one that does), so the
        workers keep the server's time (`--now`)."""
        self.args = (
            settings,
            coach.db.url,
            str(inbox_path),
            coach.clock,
            {
                "default_timezone": coach.default_timezone,
                "admins": coach.admins,
                "sales_process": coach.sales_process,
                "steering_model": coach.steering_model,
            },
            logging.getLogger().getEffectiveLevel(),
        )
        self.count = count
        #: requests the web process has not acked yet (set by SlackFrontend, read here)
        self.acks_pending = multiprocessing.get_context("spawn").RawValue("i", 0)
        self.procs: list[BaseProcess | None] = [None] * count
        self._ctx = multiprocessing.get_context("spawn")  # the web process has threads
        self._watch: asyncio.Task[None] | None = None

    def attach(self, app: web.Application) -> None:
        """Start with `app` (after its startup, so the journal is compacted), stop with it."""
        from handlers.slack import FRONTEND

        if FRONTEND in app:
            app[FRONTEND].acks_pending = self.acks_pending

        async def start(_app: web.Application) -> None:
            for n in range(self.count):
                self._start(n)
            self._watch = asyncio.create_task(self._supervise())

        async def stop(_app: web.Application) -> None:
            if self._watch is not None:
                self._watch.cancel()
            self.stop()

        app.on_startup.append(start)
        app.on_cleanup.append(stop)

    def _start(self, n: int) -> None:
        proc = self._ctx.Process(
            target=run,
            args=(*self.args, self.acks_pending, n, self.count),
            name=f"slack-turns-{n}",
            daemon=True,
        )
        proc.start()
        self.procs[n] = proc

    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(SUPERVISE)
            for n, proc in enumerate(self.procs):
                if proc is not None and not proc.is_alive():
                    log.error(
                        "Slack turn worker %s exited (status %s); starting it again",
                        n,
                        proc.exitcode,
                    )
                    self._start(n)

    def stop(self) -> None:
        """Stop every worker: what they were answering stays unanswered in the journal, and
        the next server answers it."""
        for proc in self.procs:
            if proc is not None and proc.is_alive():
                proc.terminate()
        for proc in self.procs:
            if proc is not None:
                proc.join(timeout=5)


# --- in the worker process ----------------------------------------------------------


def _die_with_parent() -> None:
    """Linux: the kernel kills us when the web process dies (even by kill -9); elsewhere a
    thread polls for it. Either way the turns we were answering stay in the journal."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # it died before the call took effect
                os._exit(0)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def run(
    settings: Settings,
    database_url: str,
    inbox_path: str,
    clock: Clock,
    options: dict[str, Any],
    log_level: int,
    acks_pending: Any,
    n: int,
    workers: int,
) -> None:
    """A worker's main: its own Coach, database pool, Slack client and event loop."""
    _die_with_parent()
    os.nice(NICENESS)
    logging.basicConfig(
        level=log_level,
        format=f"%(asctime)s %(levelname)s [turns-{n}] %(name)s: %(message)s",
        stream=sys.stderr,
    )
    coach = Coach(Database(database_url), clock=clock, **options)
    inbox = Inbox(Path(inbox_path))
    front = SlackFrontend(settings, coach.db, coach, inbox=inbox)
    most = settings.inbox_compact_bytes if n == 0 else 0
    asyncio.run(follow(front, inbox, n, workers, acks_pending, compact_past=most))


class AcksFirst:
    """Holds a turn back (at most ACKS_FIRST seconds) while the web process has requests
    not yet acked.

    A turn started mid-burst takes a core the acks could use (two cores, other load);
    started a moment later it is answered no later than a person notices, and Slack's
    3-second deadline is the acks', not the turns'. The same policy as
    `SlackFrontend.after_ack` when turns run in the web process. A burst is over when
    no ack has been pending for ACKS_QUIET seconds: released at the first instant the count
    read 0, turns ran between the acks of a burst (bench/slack_ack.py). One poller serves
    every waiting turn: a burst queues hundreds of them, and each polling on its own every
    ACKS_POLL seconds cost this worker most of a core while the acks were being answered.
    """

    def __init__(self, acks_pending: Any) -> None:
        """`acks_pending`: the web process's shared count of requests not yet acked (None:
        no web process to wait for)."""
        self.acks_pending = acks_pending
        self._quiet = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None

    async def wait(self) -> None:
        if self.acks_pending is None:
            return
        burst = self._poller is not None and not self._poller.done()
        # between two acks of a burst the count touches 0: a turn arriving then still waits
        if self.acks_pending.value <= 0 and not burst:
            return
        if self._poller is None or self._poller.done():
            self._quiet.clear()
            self._poller = asyncio.create_task(self._poll())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), ACKS_FIRST)

    async def _poll(self) -> None:
        loop = asyncio.get_running_loop()
        busy = loop.time()  # when an ack was last seen pending
        while loop.time() - busy < ACKS_QUIET:
            await asyncio.sleep(ACKS_POLL)
            if self.acks_pending.value > 0:
                busy = loop.time()
        self._quiet.set()


async def follow(
    front: SlackFrontend,
    inbox: Inbox,
    n: int,
    workers: int,
    acks_pending: Any = None,
    compact_past: int = 0,
) -> None:
    """Answer the journal's Slack turns that are this worker's: first those a previous
    process left unanswered (as replays), then each new one as it is written.

    With `compact_past` > 0 (the first worker) this worker also compacts the journal
    whenever it passes that many bytes (`handlers.web.compacting`); every follower
    (`storage.inbox.Follower`) then reads the new file from its start and gives out only
    what it had not given out before."""
    front.client.session = aiohttp.ClientSession()
    acks_first = AcksFirst(acks_pending)
    compactor = None
    if compact_past > 0:
        compactor = asyncio.create_task(compacting(inbox, front.coach.clock, compact_past))

    def take(pending: Pending, replay: bool) -> None:
        if not pending.key.startswith("slack:"):
            return  # another platform's (Teams answers its own, handlers/teams)
        inbound = Inbound.from_dict(pending.turn)
        if share_of(inbound.team_id, inbound.user_id, workers) != n:
            return

        async def answer() -> None:
            await acks_first.wait()
            await front.work(inbound, replay=replay, replies=pending.replies)

        front.later(answer(), inbound)  # a failure is logged there

    follower = inbox.follower()
    left = follower.turns()
    if left:
        log.info("answering %s turns acknowledged and not answered before", len(left))
    for pending, replay in left:
        take(pending, replay)
    log.info("Slack turn worker %s of %s following %s", n + 1, workers, inbox.path)
    try:
        while True:
            await asyncio.sleep(POLL)
            for pending, replay in follower.turns():
                take(pending, replay)
    finally:
        if compactor is not None:
            compactor.cancel()
        follower.close()
        await front.client.session.close()
