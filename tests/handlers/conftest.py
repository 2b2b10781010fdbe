"""The fake Slack every handler test that talks to Slack uses (tests/handlers/slack/slack_fake.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.handlers.slack.slack_fake import FakeSlack


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = FakeSlack()
    await f.start()
    yield f
    f.release()  # a call a test held must not keep the fake from stopping
    await f.stop()
