"""Enterprise Grid installs are found like bolt finds them; an uninstall stops the schedules."""

from __future__ import annotations

import datetime as dt
import urllib.parse

from slack_sdk.oauth.installation_store import Installation
from sqlmodel import select

from bot.engine import Coach
from bot.schedule import Schedule
from config import Settings
from handlers.schedule import cadence_from
from handlers.slack import FRONTEND
from handlers.web import DELIVERIES
from storage.db import Database
from storage.models import Outbox, Workspace
from tests.handlers.slack.slack_fake import TEAM, FakeSlack, Harness, slack_settings
from tests.handlers.test_schedule_platforms import MONDAY_MORNING_NY, seed_overdue_step


def oauth_settings(fake: FakeSlack) -> Settings:
    return slack_settings(
        fake, slack_bot_token=None, slack_client_id="111.222", slack_client_secret="shh"
    )


def installation(
    team: str | None, enterprise: str | None, token: str, org_wide: bool = False
) -> Installation:
    return Installation(
        app_id="A1",
        enterprise_id=enterprise,
        team_id=team,
        bot_token=token,
        bot_id="B1",
        bot_user_id="UBOT",
        bot_scopes="commands,chat:write",
        user_id="U0ADMIN",
        is_enterprise_install=org_wide,
    )


async def command_from(h: Harness, team: str, enterprise: str, org_wide: bool = False) -> None:
    assert h.slack
    body = {
        "team_id": team,
        "enterprise_id": enterprise,
        "user_id": "U5",
        "channel_id": "C1",
        "command": "/dealreview",
        "text": "help",
        "trigger_id": f"trig.{team}",
        "response_url": f"{h.fake.url}/response/{team}",
    }
    if org_wide:
        body["is_enterprise_install"] = "true"
    resp = await h.slack.raw(urllib.parse.urlencode(body), "application/x-www-form-urlencoded")
    assert resp.status == 200


async def test_grid_workspace_and_org_wide_installs_are_found_for_proactive_delivery(
    fake: FakeSlack, db: Database, coach: Coach
) -> None:
    h = Harness(fake, db, coach, oauth_settings(fake))
    await h.start()
    try:
        front = h.app[FRONTEND]  # type: ignore[index]
        await front.installations.async_save(installation("T0GRID", "E1", "xoxb-grid"))
        await front.installations.async_save(installation(None, "E2", "xoxb-org", org_wide=True))
        await command_from(h, "T0GRID", "E1")
        await command_from(h, "T0ORGWS", "E2", org_wide=True)
        await fake.wait_for("chat.postMessage", 2)
        assert (await front.client_for("T0GRID")).token == "xoxb-grid"
        assert (await front.client_for("T0ORGWS")).token == "xoxb-org"
        # A pass in another process (run-due) finds them from what was recorded.
        seed_overdue_step(db, "slack:T0GRID", "U5", coach.clock())
        fresh = Harness(fake, db, coach, oauth_settings(fake))
        await fresh.start()
        try:
            schedule = Schedule(
                db, fresh.app[DELIVERIES], cadence_from(Settings()), clock=lambda: MONDAY_MORNING_NY
            )  # type: ignore[index]
            report = await schedule.run_pass(MONDAY_MORNING_NY)
            assert len(report.sent) == 1, report.summary()
            nudge = next(c for c in reversed(fake.calls) if c.method == "chat.postMessage")
            assert nudge.headers["Authorization"] == "Bearer xoxb-grid"
        finally:
            await fresh.stop()
    finally:
        await h.stop()


async def test_app_uninstalled_stops_the_schedules_and_skips_what_was_queued(
    h: Harness, db: Database, clock: object
) -> None:
    assert h.slack and h.app
    seed_overdue_step(db, f"slack:{TEAM}", "U1", h.coach.clock())
    schedule = Schedule(
        db, h.app[DELIVERIES], cadence_from(Settings()), clock=lambda: MONDAY_MORNING_NY
    )
    schedule.plan(MONDAY_MORNING_NY)  # queued, not sent yet
    resp = await h.slack.event({"type": "app_uninstalled"})
    assert resp.status == 200
    await h.fake.settle(0.2)
    report = await schedule.run_pass(MONDAY_MORNING_NY)
    assert report.sent == [] and h.fake.to("chat.postMessage") == []
    rows = db.run(lambda s: [(r.kind, r.status) for r in s.exec(select(Outbox))])
    assert ("nudge", "skipped") in rows and all(status != "pending" for _, status in rows)
    next_week = MONDAY_MORNING_NY + dt.timedelta(days=7)
    assert (await schedule.run_pass(next_week)).planned == []
    # Talking to us again means it was installed again: schedules resume.
    await h.slack.command("help")
    await h.fake.wait_for("chat.postMessage")
    ws = db.run(lambda s: s.get(Workspace, f"slack:{TEAM}"))
    assert ws is not None and ws.uninstalled_at is None
    assert (await schedule.run_pass(next_week + dt.timedelta(days=7))).planned


async def test_tokens_revoked_forgets_the_bot_token(
    fake: FakeSlack, db: Database, coach: Coach
) -> None:
    h = Harness(fake, db, coach, oauth_settings(fake))
    await h.start()
    try:
        assert h.slack
        front = h.app[FRONTEND]  # type: ignore[index]
        await front.installations.async_save(installation(TEAM, None, "xoxb-one"))
        assert (await front.client_for(TEAM)).token == "xoxb-one"
        resp = await h.slack.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}})
        assert resp.status == 200
        await fake.settle(0.2)
        assert await front.installations.async_find_bot(enterprise_id=None, team_id=TEAM) is None
        ws = db.run(lambda s: s.get(Workspace, f"slack:{TEAM}"))
        assert ws is not None and ws.uninstalled_at is not None
    finally:
        await h.stop()
