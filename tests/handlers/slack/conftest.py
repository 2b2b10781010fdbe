"""The real web app (handlers/web.build_app) on loopback, talking to a fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.engine import Coach
from storage.db import Database
from tests.handlers.slack.slack_fake import FakeSlack, Harness, slack_settings


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
