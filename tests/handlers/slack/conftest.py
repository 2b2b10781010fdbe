"""The real web app (handlers/web.build_app) on loopback, talking to a fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web
from slack_fake import SECRET, FakeSlack, SlackClient

from bot.engine import Coach
from config import Settings
from handlers.web import build_app
from storage.db import Database


@dataclass
class Harness:
    """Our server, the fake Slack it calls, and a client that signs like Slack."""

    fake: FakeSlack
    db: Database
    coach: Coach
    settings: Settings
    runner: web.AppRunner | None = None
    app: web.Application | None = None
    slack: SlackClient | None = None

    async def start(self) -> None:
        self.app = build_app(self.settings, self.db, self.coach)
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.slack = SlackClient(f"http://127.0.0.1:{port}", self.fake)

    async def stop(self) -> None:
        if self.slack:
            await self.slack.close()
        if self.runner:
            await self.runner.cleanup()

    async def restart(self) -> None:
        """A new process in all but name: new app, new caches, same database."""
        await self.stop()
        self.coach = Coach(self.db, clock=self.coach.clock, default_timezone="America/New_York")
        await self.start()


def slack_settings(fake: FakeSlack, **extra: object) -> Settings:
    values: dict[str, object] = {
        "slack_signing_secret": SECRET,
        "slack_bot_token": "xoxb-test",
        "slack_api_url": f"{fake.url}/api/",
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = FakeSlack()
    await f.start()
    yield f
    await f.stop()


@pytest.fixture
async def h(fake: FakeSlack, db: Database, coach: Coach) -> AsyncIterator[Harness]:
    harness = Harness(fake, db, coach, slack_settings(fake))
    await harness.start()
    yield harness
    await harness.stop()


@pytest.fixture
async def h_any(fake: FakeSlack, any_db: Database, clock: object) -> AsyncIterator[Harness]:
    """The same harness on SQLite and on PostgreSQL (skipped, saying why, when it is down)."""
    coach = Coach(any_db, clock=clock, default_timezone="America/New_York")  # type: ignore[arg-type]
    harness = Harness(fake, any_db, coach, slack_settings(fake))
    await harness.start()
    yield harness
    await harness.stop()
