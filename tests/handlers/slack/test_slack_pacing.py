"""Delivery at scale: workspaces deliver side by side, a 429 pauses only its workspace,
and a pass uses one HTTP session (timings are measured in bench/delivery.py, not here)."""

from __future__ import annotations

import asyncio

from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.messages import Text
from bot.schedule import Schedule
from config import Settings
from handlers.schedule import cadence_from
from handlers.slack.client import retry_handlers, web_client
from handlers.slack.delivery import SlackDelivery
from handlers.slack.pacing import Pacers
from storage.db import Database
from tests.conftest import FakeClock
from tests.handlers.slack.slack_fake import FakeSlack
from tests.handlers.test_schedule_platforms import MONDAY_MORNING_NY, seed_overdue_step


async def test_a_429_pauses_its_workspace_and_no_other() -> None:
    pacers = Pacers()
    loop = asyncio.get_running_loop()
    pacers.posts("T1").pause(30)
    assert pacers.posts("T1").next_at - loop.time() > 29
    assert pacers.posts("T2").next_at <= loop.time()  # another workspace goes on at once


class Gate:
    """A delivery whose first workspace hangs until the other workspace has delivered."""

    platform = "slack"

    def __init__(self) -> None:
        self.other_done = asyncio.Event()
        self.order: list[str] = []

    async def to_user(self, workspace_id, user_id, replies, key=None):  # type: ignore[no-untyped-def]
        if workspace_id == "slack:TSLOW":
            await asyncio.wait_for(self.other_done.wait(), 5)
        else:
            self.other_done.set()
        self.order.append(workspace_id)
        return f"{workspace_id}:{user_id}"

    async def to_channel(self, workspace_id, channel, replies, key=None):  # type: ignore[no-untyped-def]
        raise AssertionError("no channel posts here")


async def test_workspaces_deliver_side_by_side(db: Database, clock: FakeClock) -> None:
    """Sequential delivery would wait 5 s on the slow workspace and then fail it."""
    seed_overdue_step(db, "slack:TSLOW", "U1", clock.now)
    seed_overdue_step(db, "slack:TFAST", "U2", clock.now)
    gate = Gate()
    schedule = Schedule(
        db, {"slack": gate}, cadence_from(Settings()), clock=lambda: MONDAY_MORNING_NY
    )
    report = await schedule.run_pass(MONDAY_MORNING_NY)
    assert len(report.sent) == 2, report.summary()
    assert gate.order == ["slack:TFAST", "slack:TSLOW"]


async def test_a_pass_opens_one_http_session_and_closes_it(fake: FakeSlack) -> None:
    handlers = retry_handlers(interval=FixedValueRetryIntervalCalculator(0.01))
    clients = []

    async def client_for(team: str):  # type: ignore[no-untyped-def]
        client = web_client("xoxb-" + team, f"{fake.url}/api", handlers)  # no session of its own
        clients.append(client)
        return client

    delivery = SlackDelivery(client_for)  # type: ignore[arg-type]
    await delivery.to_user("slack:T1", "U1", [Text("one")])
    await delivery.to_user("slack:T2", "U2", [Text("two")])
    sessions = {id(c.session) for c in clients}
    assert len(sessions) == 1 and clients[0].session is not None
    session = clients[0].session
    await delivery.aclose()
    assert session.closed and all(c.session is None for c in clients)
