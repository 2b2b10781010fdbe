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
    assert fake.to("chat.postMessage")[-1]["channel"] == "U1"  # the user id: no DM to open
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
        db,
        {"slack": DiesAfterPosting(delivery)},
        cadence_from(Settings()),
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
        ("sent", f"{first['posted_to']}:{first['ts']}")
    ]


async def test_a_nudge_answered_with_a_5xx_after_slack_took_it_is_posted_once(
    db: Database, slack: Harness, clock: FakeClock
) -> None:
    """The SDK does not retry the post; the outbox does, and finds the post Slack kept."""
    fake = slack.fake
    seed_overdue_step(db, f"slack:{TEAM}", "U1", clock.now)
    assert slack.app is not None
    fake.fail("chat.postMessage", status=500, error="internal_error", after_taking=True)
    pass_clock = FakeClock(MONDAY_MORNING_NY)
    schedule = Schedule(db, slack.app[DELIVERIES], cadence_from(Settings()), clock=pass_clock)
    first = await schedule.run_pass(MONDAY_MORNING_NY)
    assert first.retrying and not first.sent
    assert len(fake.to("chat.postMessage")) == 1
    pass_clock.advance(minutes=5)
    second = await schedule.run_pass(pass_clock.now)
    assert second.sent and len(fake.to("chat.postMessage")) == 1


async def test_a_big_digest_is_one_outbox_row_per_post_and_a_failed_post_is_the_only_one_resent(
    db: Database, slack: Harness, clock: FakeClock
) -> None:
    from tests.schedule_seed import add_deal, add_rep, set_digest

    fake = slack.fake
    ws = f"slack:{TEAM}"
    reps = [
        add_rep(db, f"Rep{i:02d}", "Europe/Berlin", clock.now, workspace=ws, nudge_weekday=3)
        for i in range(12)
    ]
    for i, rep in enumerate(reps):
        add_deal(db, rep, f"Account {i:02d}", dt.date(2026, 12, 18), [], clock.now)
    set_digest(db, reps[0], "C0LEADS", "Europe/Berlin")
    monday_ten_berlin = dt.datetime(2026, 11, 30, 9, 5, tzinfo=dt.UTC)
    fake.fail("chat.postMessage", status=429, retry_after=0, times=3, after=1)  # post 2 fails
    assert slack.app is not None
    pass_clock = FakeClock(monday_ten_berlin)
    schedule = Schedule(db, slack.app[DELIVERIES], cadence_from(Settings()), clock=pass_clock)
    first = await schedule.run_pass(monday_ten_berlin)
    digests = [k for k in first.added if k.startswith("digest")]
    assert len(digests) == 3  # 12 reps, 5 per post
    assert len(first.sent) == 2 and len(first.retrying) == 1, first.summary()
    pass_clock.advance(minutes=5)
    second = await schedule.run_pass(pass_clock.now)
    assert len(second.sent) == 1
    posted = fake.posted()
    assert len(posted) == 3  # each post once
    shown = " ".join(str(p["blocks"]) for p in posted)
    assert all(f"Rep{i:02d}" in shown for i in range(12))
