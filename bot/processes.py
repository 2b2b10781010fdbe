"""The engine in worker processes: turns run beside the web server, not inside it.

A turn is mostly CPU (SQLAlchemy, the dialog, steering); in threads of the web process it
holds the GIL the event loop needs to acknowledge Slack within its 3 seconds, and the
acks' p99 tripled under load (bench/slack_ack.py). `EngineProcesses` keeps one `Coach` per
worker process, built from the database URL, and runs `Coach` methods there by name; the
arguments and results (`Turn`, `UserRef`, `Outcome`, replies) are plain dataclasses that
pickle.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from bot.engine import Clock, Coach
from storage.db import Database

_coach: Coach | None = None
NICENESS = 10  # added to the engine processes' nice value


def _start(database_url: str, clock: Clock, options: dict[str, Any]) -> None:
    global _coach
    # Turns are background work; the web process's acks have Slack's 3-second deadline.
    # On a busy machine the scheduler should serve the acks first.
    os.nice(NICENESS)
    _coach = Coach(Database(database_url), clock=clock, **options)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A web server killed with -9 cannot stop its workers; they notice and stop themselves
    (a turn they were running is in the inbox journal and is replayed by the next server)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _ready() -> bool:
    return _coach is not None


def _call(method: str, *args: Any) -> Any:
    assert _coach is not None, "worker not initialised"
    return getattr(_coach, method)(*args)


class EngineProcesses:
    """A pool of `processes` workers, each with its own Coach and database connection pool."""

    def __init__(self, coach: Coach, processes: int = 1) -> None:
        """Workers with a Coach like `coach`: its database, settings and clock. The clock
        must pickle (a module-level function or a partial of one, as `app.make_clock`
        builds), so every process has the same time."""
        options = {
            "default_timezone": coach.default_timezone,
            "admins": coach.admins,
            "steering_model": coach.steering_model,
        }
        # spawn, not fork: the web process has threads and an event loop a fork would copy.
        self.pool = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(coach.db.url, coach.clock, options),
        )

    def submit(self, method: str, *args: Any) -> Future[Any]:
        """Run `Coach.<method>(*args)` in a worker; the future holds its result."""
        return self.pool.submit(_call, method, *args)

    def warm_up(self) -> None:
        """Start every worker now (imports take a second or two), not on the first turn."""
        for f in [self.pool.submit(_ready) for _ in range(self.pool._max_workers)]:
            f.result()

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
