"""PostgreSQL goes away under a running server, then comes back: who hears what, what is kept.

The real web app on loopback talks to PostgreSQL through a proxy the test cuts
(tests/pg_proxy.py), so only this server loses its database. Users it has not seen
before (no cached profile) are the case that used to get silence, or a 500 from the
settings modal.
"""

from __future__ import annotations

import html
import json
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from bot.engine import Coach
from handlers.slack import FRONTEND
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


async def test_app_home_says_the_database_is_away_then_shows_the_deals(
    slack: Harness, pg: tuple[Database, PgProxy]
) -> None:
    h, (_, proxy) = slack, pg
    assert h.slack
    await h.slack.command("")
    await h.fake.wait_for("chat.postMessage")
    await dm_reply(h, "Acme Corp - 2027 renewal")

    async def home(user: str) -> str:
        n = len(h.fake.to("views.publish"))
        resp = await h.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
        assert resp.status == 200
        (*_, published) = await h.fake.wait_for("views.publish", n + 1)
        assert published["user_id"] == user and published["view"]["type"] == "home"
        return json.dumps(published["view"], ensure_ascii=False)

    proxy.cut()
    for user in ("U1", "U7"):  # a rep with a deal, and one the server has never seen
        away = await home(user)
        assert "can't reach my database" in away and "in a minute" in away, away
        assert "Acme" not in away
    proxy.restore()
    assert "Acme Corp" in await home("U1")
    assert "no open deals" in await home("U7")


def oauth_settings(fake: FakeSlack) -> Any:
    return slack_settings(
        fake, slack_bot_token=None, slack_client_id="111.222", slack_client_secret="shh"
    )


async def test_oauth_install_with_the_database_away_gets_a_page_saying_so(
    fake: FakeSlack, pg: tuple[Database, PgProxy], clock: FakeClock
) -> None:
    db, proxy = pg
    h = Harness(fake, db, Coach(db, clock=clock), oauth_settings(fake))
    await h.start()
    try:
        assert h.slack
        base = h.slack.base
        async with aiohttp.ClientSession() as s:
            proxy.cut()
            refused = await s.get(f"{base}/slack/install", allow_redirects=False)
            page = await refused.text()
            assert refused.status == 503, page
            assert "can't reach its database" in page and "/slack/install" in page
            assert "Traceback" not in page
            proxy.restore()

            install = await s.get(f"{base}/slack/install", allow_redirects=False)
            assert install.status == 200
            text = await install.text()
            link = html.unescape(text.split('<a href="', 1)[1].split('"', 1)[0])
            state = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["state"][0]
            cookie = install.headers["Set-Cookie"].split(";", 1)[0]
            callback = f"{base}/slack/oauth_redirect?code=abc&state={state}"

            # Slack sends the installer back while the database is away.
            proxy.cut()
            done = await s.get(callback, headers={"Cookie": cookie}, allow_redirects=False)
            page = await done.text()
            assert done.status == 503, page
            assert "can't reach its database" in page and "nothing was installed" in page.lower()
            assert "Traceback" not in page and "invalid_state" not in page
            assert not fake.to("oauth.v2.access")  # the code is still unused
            proxy.restore()
            front = h.app[FRONTEND]  # type: ignore[index]
            assert front.installations is not None
            assert await front.installations.async_find_bot(
                enterprise_id=None, team_id="T0OTHER"
            ) is None

            # The database is back: following the same link again finishes the install.
            again = await s.get(callback, headers={"Cookie": cookie}, allow_redirects=False)
            assert again.status == 200, await again.text()
        bot = await front.installations.async_find_bot(enterprise_id=None, team_id="T0OTHER")
        assert bot is not None and bot.bot_token == "xoxb-installed"
    finally:
        await h.stop()


async def test_oauth_install_saved_while_the_database_goes_away_says_so(
    fake: FakeSlack, pg: tuple[Database, PgProxy], clock: FakeClock
) -> None:
    """The state is consumed and the code exchanged, then the installation can't be saved."""
    db, proxy = pg
    h = Harness(fake, db, Coach(db, clock=clock), oauth_settings(fake))
    await h.start()
    try:
        assert h.slack
        base = h.slack.base
        async with aiohttp.ClientSession() as s:
            install = await s.get(f"{base}/slack/install", allow_redirects=False)
            text = await install.text()
            link = html.unescape(text.split('<a href="', 1)[1].split('"', 1)[0])
            state = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["state"][0]
            cookie = install.headers["Set-Cookie"].split(";", 1)[0]
            fake.on_call("oauth.v2.access", proxy.cut)  # the database goes while Slack answers
            done = await s.get(
                f"{base}/slack/oauth_redirect?code=abc&state={state}",
                headers={"Cookie": cookie},
                allow_redirects=False,
            )
            page = await done.text()
            assert done.status == 503, page
            assert "can't reach its database" in page and "/slack/install" in page
            assert "Traceback" not in page
    finally:
        proxy.restore()
        await h.stop()
