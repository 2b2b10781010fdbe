"""Fixtures for the Teams tests: a fake connector, the real app on loopback, one chat."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.engine import Coach
from storage.db import Database
from tests.handlers.teams.fake_bot_connector import FakeConnector
from tests.handlers.teams.teams_harness import Server, TeamsChat


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def server(db: Database, coach: Coach) -> AsyncIterator[Server]:
    srv = await Server(db, coach).start()
    yield srv
    await srv.stop()


@pytest.fixture
def chat(server: Server, connector: FakeConnector) -> Iterator[TeamsChat]:
    yield TeamsChat(server, connector)
