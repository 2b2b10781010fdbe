"""`kill -9` in the middle of a Teams turn: after a restart the activity is answered, once.

The real `dealcoach serve` runs as a subprocess (Bot Framework authentication off, as with
the Emulator) against the fake connector. The connector holds the bot's reply unanswered
(as if it never reached the Bot Framework), so the test kills the server after the turn
was saved and before its reply left. The restarted server answers from the inbox journal;
the same activity delivered again (the Bot Framework may retry a request that failed) is
not answered a second time.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import Deal
from tests.handlers.served import ServedProcess
from tests.handlers.slack.test_slack_restart import until
from tests.handlers.teams.fake_bot_connector import Call, FakeConnector
from tests.handlers.teams.teams_harness import TeamsChat

DECISION = "When must"


class Served(ServedProcess):
    """`dealcoach serve` with Teams only, in a subprocess the test can kill -9."""

    def __init__(self, db_path: Path, log: Path) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "Microsoft"))},
            "DATABASE_URL": f"sqlite:///{db_path}",
            "TEAMS_EMULATOR": "1",
            "SCHEDULE_EVERY_MINUTES": "600",
        }
        super().__init__(env, log)


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    yield fake
    await fake.stop()


def said(calls: list[Call]) -> list[str]:
    return [c.text + json.dumps(c.card or {}) for c in calls]


async def test_a_turn_killed_before_its_reply_left_is_answered_once_after_restart(
    connector: FakeConnector, tmp_path: Path
) -> None:
    served = Served(tmp_path / "coach.db", tmp_path / "serve.log")
    await served.start()
    try:
        dana = TeamsChat(served, connector)  # type: ignore[arg-type]
        first = await dana.say("dealreview")
        assert any("Which deal" in t for t in said(first)), said(first)

        connector.hold()
        answer = dana.activity(text="Acme Corp - 2027 renewal", textFormat="plain")
        posting = asyncio.create_task(dana.post(answer))
        await until(lambda: connector.held, "the bot never sent its reply")
        sent = len(connector.sent)
        served.kill()
        with pytest.raises(aiohttp.ClientError):
            await posting  # the Bot Framework saw the request fail
        connector.release()
        await served.start()

        await until(lambda: len(connector.sent) > sent, "the turn was never answered")
        await asyncio.sleep(0.5)
        replies = said(connector.sent[sent:])
        assert sum(DECISION in r and "Acme Corp" in r for r in replies) == 1, replies

        # The Bot Framework delivers the failed request again: it is not answered twice.
        assert await dana.post(answer) in (200, 201)
        await asyncio.sleep(0.5)
        assert said(connector.sent[sent:]) == replies
        db = Database(served.env["DATABASE_URL"])
        assert db.run(lambda s: [d.title for d in s.exec(select(Deal))]) == [
            "Acme Corp — 2027 renewal"
        ]
        db.dispose()

        # A clean restart with nothing pending says nothing; the review goes on.
        served.stop()
        await served.start()
        await asyncio.sleep(0.5)
        assert said(connector.sent[sent:]) == replies
        nxt = await dana.say("end of January")
        assert any("Target decision date" in t for t in said(nxt)), said(nxt)
    finally:
        served.stop()
