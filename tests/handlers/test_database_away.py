"""PostgreSQL goes away under a running server, then comes back: who hears what, what is kept.

The real web app on loopback talks to PostgreSQL through a proxy the test cuts
(tests/pg_proxy.py), so only this server loses its database. Users it has not seen
before (no cached profile) are the case that used to get silence, or a 500 from the
settings modal.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlmodel import select

from bot.engine import Coach
from storage.db import Database
from storage.models import Answer, Deal
from tests.conftest import PG_SKIP, FakeClock, postgres_up
from tests.handlers.slack.slack_fake import FakeSlack, Harness, slack_settings
from tests.handlers.slack.test_slack_control import submission
from tests.handlers.teams.fake_bot_connector import FakeConnector
from tests.handlers.teams.teams_harness import Server, TeamsChat
from tests.pg_proxy import PgProxy, database_behind_proxy

AWAY = "I can't reach my database"


@pytest.fixture
def pg() -> Iterator[tuple[Database, PgProxy]]:
    if not postgres_up():
        pytest.skip(PG_SKIP)
    with database_behind_proxy() as pair:
        yield pair


@pytest.fixture
async def slack(
    fake: FakeSlack, pg: tuple[Database, PgProxy], clock: FakeClock
) -> AsyncIterator[Harness]:
    db, _ = pg
    coach = Coach(db, clock=clock, default_timezone="America/New_York")
    harness = Harness(fake, db, coach, slack_settings(fake))
    await harness.start()
    yield harness
    await harness.stop()


def text_of(msg: dict[str, Any]) -> str:
    return json.dumps(msg.get("blocks") or [], ensure_ascii=False) + msg.get("text", "")


async def dm_reply(h: Harness, text: str, user: str = "U1") -> str:
    assert h.slack
    n = len(h.fake.to("chat.postMessage"))
    await h.slack.dm(text, user=user)
    return text_of((await h.fake.wait_for("chat.postMessage", n + 1))[-1])


def settings_submission(user: str) -> dict[str, Any]:
    timezone = {"f:timezone": {"type": "plain_text_input", "value": "Europe/Paris"}}
    modal = {"callback_id": "dc:settings", "private_metadata": "settings"}
    return submission(modal, {"timezone": timezone}, user=user)


def saved(db: Database) -> tuple[list[str], list[str]]:
    deals = db.run(lambda s: [d.title for d in s.exec(select(Deal))])
    answers = db.run(lambda s: [a.text for a in s.exec(select(Answer).order_by(Answer.id))])
    return deals, answers


async def test_slack_users_hear_the_database_is_away_and_keep_what_they_said(
    slack: Harness, pg: tuple[Database, PgProxy]
) -> None:
    h, (db, proxy) = slack, pg
    assert h.slack
    await h.slack.command("")
    await h.fake.wait_for("chat.postMessage")
    assert "When must *Acme Corp* make their decision" in await dm_reply(
        h, "Acme Corp - 2027 renewal"
    )
    before = saved(db)
    assert before[0] == ["Acme Corp — 2027 renewal"]

    proxy.cut()
    posts = len(h.fake.to("chat.postMessage"))
    # A rep the server has never seen: /dealreview is acked, then the DM says why nothing happens.
    resp = await h.slack.command("", user="U2")
    assert resp.status == 200
    (*_, told) = await h.fake.wait_for("chat.postMessage", posts + 1)
    assert told["channel"] == "DU2" and AWAY in text_of(told)
    # Another one types in the DM; and the rep mid-review answers.
    assert AWAY in await dm_reply(h, "hello", user="U3")
    assert AWAY in await dm_reply(h, "end of January")
    # The settings modal stays open with the reason instead of failing with a 500.
    modal = await h.slack.interactive(settings_submission("U4"))
    assert modal.status == 200
    body = await modal.json()
    assert body["response_action"] == "errors" and AWAY in body["errors"]["timezone"]

    proxy.restore()
    assert saved(db) == before  # nothing saved before is lost, nothing half-done was kept
    # The rep sends the same answer again and the review goes on from the saved question.
    assert "Target decision date" in await dm_reply(h, "end of January")
    assert "Which deal shall we review" in await dm_reply(h, "review", user="U2")
    again = await h.slack.interactive(settings_submission("U4"))
    assert again.status == 200 and (await again.read()) in (b"", b"{}")


async def test_teams_users_hear_the_database_is_away(
    pg: tuple[Database, PgProxy], clock: FakeClock
) -> None:
    db, proxy = pg
    coach = Coach(db, clock=clock, default_timezone="America/New_York")
    server = await Server(db, coach).start()
    connector = await FakeConnector().start()
    try:
        dana = TeamsChat(server, connector)
        first = await dana.say("dealreview")
        assert first and first[0].card is not None
        await dana.say("Acme Corp - 2027 renewal")
        before = saved(db)

        proxy.cut()
        newcomer = TeamsChat(server, connector, aad="aad-new", name="New Rep")
        for chat, text in ((newcomer, "dealreview"), (dana, "end of January")):
            (reply,) = await chat.say(text)
            assert AWAY in reply.text, reply.body

        proxy.restore()
        assert saved(db) == before
        replies = await dana.say("end of January")
        assert "Target decision date" in " ".join(r.text + json.dumps(r.card) for r in replies)
    finally:
        await connector.stop()
        await server.stop()
