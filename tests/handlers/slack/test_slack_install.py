"""Socket Mode and the OAuth install flow, wired through `handlers.web.build_app`."""

from __future__ import annotations

import html
import time
import urllib.parse

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.engine import Coach
from handlers.slack import FRONTEND, SOCKET
from handlers.web import build_app
from storage.db import Database
from tests.handlers.slack.slack_fake import TEAM, FakeSlack, Harness, slack_settings


async def test_socket_mode_handler_is_built_with_our_app(
    fake: FakeSlack, db: Database, coach: Coach
) -> None:
    app = build_app(slack_settings(fake, slack_app_token="xapp-test"), db, coach)
    socket = app[SOCKET]
    assert isinstance(socket, AsyncSocketModeHandler)
    assert socket.app is app[FRONTEND].bolt
    assert socket.app_token == "xapp-test"
    assert socket.client.web_client.base_url == f"{fake.url}/api/"


async def test_socket_mode_carries_a_slash_command_end_to_end(
    fake: FakeSlack, db: Database, coach: Coach
) -> None:
    fake.envelopes.append(
        {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "team_id": TEAM,
                "user_id": "U9",
                "channel_id": "C0GENERAL",
                "command": "/dealreview",
                "text": "help",
                "trigger_id": "trig.sock",
                "response_url": f"{fake.url}/response/sock",
            },
        }
    )
    settings = slack_settings(fake, slack_app_token="xapp-test", slack_signing_secret=None)
    h = Harness(fake, db, coach, settings)
    await h.start()  # on_startup connects over Socket Mode
    try:
        assert h.app is not None and "/slack/events" not in {
            r.resource.canonical
            for r in h.app.router.routes()
            if r.resource  # type: ignore[union-attr]
        }
        (post,) = await fake.wait_for("chat.postMessage")
        assert post["channel"] == "DU9"
        assert "*review* [deal]" in str(post["blocks"])
        assert fake.to("apps.connections.open")
        assert (
            fake.calls[[c.method for c in fake.calls].index("apps.connections.open")].headers[
                "Authorization"
            ]
            == "Bearer xapp-test"
        )
        deadline = time.monotonic() + 5
        while not fake.socket_acks and time.monotonic() < deadline:
            await fake.settle(0.05)
        assert fake.socket_acks[0]["envelope_id"] == "env-1"
    finally:
        await h.stop()


async def test_oauth_install_and_callback_store_the_installation(
    fake: FakeSlack, db: Database, coach: Coach
) -> None:
    settings = slack_settings(
        fake, slack_bot_token=None, slack_client_id="111.222", slack_client_secret="shh"
    )
    h = Harness(fake, db, coach, settings)
    await h.start()
    try:
        assert h.slack
        base = h.slack.base
        async with aiohttp.ClientSession() as s:
            install = await s.get(f"{base}/slack/install", allow_redirects=False)
            assert install.status == 200
            page = await install.text()
            assert "slack.com/oauth/v2/authorize" in page
            cookie = install.headers["Set-Cookie"]
            link = page.split('<a href="', 1)[1].split('"', 1)[0]
            authorize = html.unescape(link)
            state = urllib.parse.parse_qs(urllib.parse.urlparse(authorize).query)["state"][0]
            assert "scope=commands,chat:write,im:history,im:write,users:read" in authorize
            done = await s.get(
                f"{base}/slack/oauth_redirect?code=abc&state={state}",
                headers={"Cookie": cookie.split(";", 1)[0]},
                allow_redirects=False,
            )
            assert done.status == 200, await done.text()
        (access,) = fake.to("oauth.v2.access")
        assert access["code"] == "abc"
        front = h.app[FRONTEND]  # type: ignore[index]
        bot = await front.installations.async_find_bot(enterprise_id=None, team_id="T0OTHER")  # type: ignore[union-attr]
        assert bot is not None and bot.bot_token == "xoxb-installed"
        # Proactive delivery now finds that workspace's token in our database.
        client = await front.client_for("T0OTHER")
        assert client.token == "xoxb-installed"
        # A rep in the newly installed workspace is answered with that workspace's token.
        body = urllib.parse.urlencode(
            {
                "team_id": "T0OTHER",
                "user_id": "U5",
                "channel_id": "C1",
                "command": "/dealreview",
                "text": "help",
                "trigger_id": "trig.o",
                "response_url": f"{fake.url}/response/o",
            }
        )
        resp = await h.slack.raw(body, "application/x-www-form-urlencoded")
        assert resp.status == 200
        await fake.wait_for("chat.postMessage")
        post = next(c for c in fake.calls if c.method == "chat.postMessage")
        assert post.headers["Authorization"] == "Bearer xoxb-installed"
    finally:
        await h.stop()


def test_manifest_asks_for_exactly_the_scopes_the_oauth_flow_requests() -> None:
    import re
    from pathlib import Path

    import handlers.slack
    from handlers.slack.app import BOT_SCOPES, COMMAND

    text = (Path(handlers.slack.__file__).parent / "manifest.yml").read_text()
    bot_block = text.split("    bot:\n", 1)[1].split("settings:", 1)[0]
    scopes = re.findall(r"^\s+- ([a-z:.]+)", bot_block, re.M)
    assert tuple(scopes) == BOT_SCOPES
    assert f"command: {COMMAND}" in text
    assert re.findall(r"^      - (\w[\w.]*)$", text.split("bot_events:", 1)[1], re.M)[:2] == [
        "app_home_opened",
        "message.im",
    ]
    assert text.count("/slack/events") == 3
