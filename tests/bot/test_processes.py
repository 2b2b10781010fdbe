"""The engine in a worker process answers like the one in-process (turns and replies pickle)."""

from __future__ import annotations

import datetime as dt
import functools

from bot.engine import Coach
from bot.messages import Question, Turn, UserRef
from bot.processes import EngineProcesses
from storage.db import Database
from tests.conftest import T0


def test_a_turn_in_an_engine_process(db: Database) -> None:
    # The clock crosses into the worker pickled: a partial of a builtin, fixed at T0.
    at_t0 = functools.partial(dt.datetime.fromisoformat, T0.isoformat())
    processes = EngineProcesses(Coach(db, clock=at_t0, default_timezone="Europe/Berlin"))
    try:
        rep = UserRef("slack:T1", "U1", "Dana", "Europe/Berlin")
        first = processes.submit("handle", Turn(user=rep, command="review", event_id="k1"))
        outcome = first.result(timeout=60)
        assert any(isinstance(r, Question) and "Which deal" in r.text for r in outcome.replies)
        again = processes.submit("handle", Turn(user=rep, command="review", event_id="k1"))
        assert again.result(timeout=60).duplicate  # same database, same idempotency key
        assert processes.submit("in_review", rep).result(timeout=60) is True
    finally:
        processes.shutdown()
