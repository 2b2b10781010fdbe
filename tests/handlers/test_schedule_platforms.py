"""Scheduled messages end to end through the real platform adapters: the weekly nudge of a
Slack rep reaches the fake Slack Web API, a Teams rep's reaches the fake Bot Framework
connector through the reference stored when they first wrote, and each is sent once."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.engine import Coach
from bot.schedule import Schedule
from config import Settings
from handlers.schedule import cadence_from
from handlers.web import DELIVERIES
from storage import crud, outbox
from storage.db import Database
from storage.models import Outbox
from tests.conftest import FakeClock
from tests.handlers.slack.slack_fake import TEAM, FakeSlack, Harness, slack_settings
from tests.handlers.teams.fake_bot_connector import FakeConnector
from tests.handlers.teams.teams_harness import TENANT, Server, TeamsChat

#: Monday Nov 30, 09:05 in New York: the default weekly nudge slot; the step due Friday
#: Nov 27 is overdue by then, so its reminder rides inside the nudge.
MONDAY_MORNING_NY = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)


def seed_overdue_step(db: Database, workspace: str, user_id: str, now: dt.datetime) -> None:
    def work(s):  # type: ignore[no-untyped-def]
        rep = crud.ensure_user(s, workspace, user_id, now, "Dana Rep", "America/New_York")
        deal = crud.create_deal(s, rep, "Acme", "renewal", now)
        crud.set_decision_date(s, deal, dt.date(2026, 12, 18), now)
        deal.last_reviewed_at = now
        crud.add_step(
            s, deal, "Their CFO signs off the budget", "customer", dt.date(2026, 11, 27), now
        )
        crud.add_step(s, deal, "Send the SOC 2 report", "us", dt.date(2026, 12, 2), now)

    db.run(work)


@pytest.fixture
async def slack(db: Database, coach: Coach) -> AsyncIterator[Harness]:
    """Our real app on loopback, talking to the fake Slack Web API."""
    fake = FakeSlack()
    await fake.start()
    h = Harness(fake, db, coach, slack_settings(fake))
    await h.start()
    yield h
    await h.stop()
    await fake.stop()


async def test_weekly_nudge_reaches_a_slack_rep_once(
    db: Database, slack: Harness, clock: FakeClock
) -> None:
    fake = slack.fake
    seed_overdue_step(db, f"slack:{TEAM}", "U1", clock.now)
    assert slack.app is not None
    schedule = Schedule(
        db, slack.app[DELIVERIES], cadence_from(Settings()), clock=lambda: MONDAY_MORNING_NY
    )
    report = await schedule.run_pass(MONDAY_MORNING_NY)
    assert len(report.sent) == 1, report.summary()
    assert fake.to("conversations.open")[-1]["users"] == "U1"
    text = "\n".join(fake.posted_texts())
    assert "Their CFO signs off the budget" in text and "Acme" in text
    assert "Done" in text  # the reminder's buttons came through as Block Kit
    again = await schedule.run_pass(MONDAY_MORNING_NY + dt.timedelta(minutes=10))
    assert again.sent == [] and len(fake.to("chat.postMessage")) == 1


async def test_weekly_nudge_reaches_a_teams_rep_through_the_stored_reference(
    db: Database, coach: Coach, clock: FakeClock
) -> None:
    connector = await FakeConnector().start()
    server = await Server(db, coach).start()
    try:
        chat = TeamsChat(server, connector)
        await chat.say("help")  # first contact: the bot stores how to reach Dana later
        seed_overdue_step(db, f"teams:{TENANT}", chat.aad, clock.now)
        before = len(connector.sent)
        schedule = Schedule(
            db, server.app[DELIVERIES], cadence_from(Settings()), clock=lambda: MONDAY_MORNING_NY
        )
        report = await schedule.run_pass(MONDAY_MORNING_NY)
        assert len(report.sent) == 1, report.summary()
        sent = connector.sent[before:]
        assert sent and all(c.conversation_id == chat.conversation["id"] for c in sent)
        shown = " ".join(c.text + str(c.card or "") for c in sent)
        assert "Their CFO signs off the budget" in shown
        again = await schedule.run_pass(MONDAY_MORNING_NY + dt.timedelta(minutes=10))
        assert again.sent == [] and len(connector.sent) == before + len(sent)
    finally:
        await server.stop()
        await connector.stop()


class Killed(BaseException):
    """The process dies here: nothing in the pass may catch it."""


class DiesAfterPosting:
    """The real Slack delivery, and then the process dies before the outbox hears back."""

    platform = "slack"

    def __init__(self, real: object) -> None:
        self.real = real

    async def to_user(self, workspace_id, user_id, replies, key=None):  # type: ignore[no-untyped-def]
        await self.real.to_user(workspace_id, user_id, replies, key)  # type: ignore[attr-defined]
        raise Killed


async def test_a_crash_after_slack_took_the_nudge_does_not_send_it_twice(
    db: Database, slack: Harness, clock: FakeClock
) -> None:
    fake = slack.fake
    seed_overdue_step(db, f"slack:{TEAM}", "U1", clock.now)
    assert slack.app is not None
    delivery = slack.app[DELIVERIES]["slack"]
    dying = Schedule(
        db, {"slack": DiesAfterPosting(delivery)}, cadence_from(Settings()),
        clock=lambda: MONDAY_MORNING_NY,
        worker="dies",
    )
    with pytest.raises(Killed):
        await dying.run_pass(MONDAY_MORNING_NY)
    assert len(fake.to("chat.postMessage")) == 1
    after_lease = MONDAY_MORNING_NY + outbox.LEASE + dt.timedelta(minutes=1)
    survivor = Schedule(
        db, {"slack": delivery}, cadence_from(Settings()), clock=lambda: after_lease
    )
    report = await survivor.run_pass(after_lease)
    assert report.sent and len(fake.to("chat.postMessage")) == 1  # found, not posted again
    assert fake.to("conversations.history")
    first = fake.to("chat.postMessage")[0]
    rows = db.run(lambda s: list(s.exec(select(Outbox).where(Outbox.kind == "nudge"))))
    assert [(r.status, r.platform_message_id) for r in rows] == [
        ("sent", f"{first['channel']}:{first['ts']}")
    ]
