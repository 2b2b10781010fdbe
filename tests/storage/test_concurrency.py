"""Concurrent deliveries on each database: a retried event takes effect once, a new user's
first two messages both work (no one sees an error because another insert won a race)."""

from __future__ import annotations

import threading

from sqlmodel import select

from bot.engine import Coach
from bot.messages import Outcome, Turn, UserRef
from storage.db import Database
from storage.models import Deal, ProcessedEvent
from tests.conftest import FakeClock


def run_together(coach: Coach, turns: list[Turn]) -> list[Outcome]:
    results: list[Outcome | None] = [None] * len(turns)
    barrier = threading.Barrier(len(turns))

    def go(i: int) -> None:
        barrier.wait()
        results[i] = coach.handle(turns[i])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(turns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


def test_the_same_delivery_eight_times_at_once_takes_effect_once(
    any_db: Database, clock: FakeClock
) -> None:
    coach = Coach(any_db, clock=clock)
    user = UserRef("slack:T1", "U1", "Ann")
    coach.handle(Turn(user, command="review"))  # user and conversation exist
    turns = [Turn(user, text="Acme - renewal", event_id="slack:Ev42") for _ in range(8)]
    results = run_together(coach, turns)
    effective = [r for r in results if not r.duplicate]
    assert len(effective) == 1, [r.replies for r in results]
    assert not any(r.replies and "went wrong" in str(r.replies) for r in results)
    with any_db.session() as s:
        assert len(s.exec(select(Deal)).all()) == 1
        assert s.get(ProcessedEvent, "slack:Ev42") is not None


def test_a_new_users_first_messages_racing_both_work(any_db: Database, clock: FakeClock) -> None:
    coach = Coach(any_db, clock=clock)
    user = UserRef("slack:T1", "Unew", "Neo")
    results = run_together(
        coach,
        [Turn(user, command="list", event_id="e1"), Turn(user, command="help", event_id="e2")],
    )
    assert all(not r.duplicate for r in results)
    texts = " ".join(str(r.replies) for r in results)
    assert "went wrong" not in texts and "can't reach" not in texts
