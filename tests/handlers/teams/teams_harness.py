"""Teams end-to-end harness: the real aiohttp app on loopback, a fake connector, Activity JSON.

`TeamsChat` plays the Teams service: it posts activities to `/api/messages` with
`serviceUrl` pointing at the fake connector, and clicks buttons on the cards the fake
recorded (an Action.Submit comes back as a message whose `value` is the button's data
merged with the card's inputs, and whose `replyToId` is the card's activity id).
"""

from __future__ import annotations

import itertools
from typing import Any

import aiohttp
from aiohttp import web

from bot.engine import Coach
from config import Settings
from handlers.web import build_app
from storage.db import Database
from tests.handlers.teams.fake_bot_connector import Call, FakeConnector

TENANT = "tenant-0001"
BOT_ID = "28:bot-0001"


def settings(db: Database, app_id: str = "") -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=str(db.url),
        microsoft_app_id=app_id,
        microsoft_app_password="secret" if app_id else "",
        microsoft_app_tenant_id=TENANT if app_id else "",
        teams_emulator=not app_id,
    )


class Server:
    """The real web app from `handlers.web.build_app`, started and stopped on loopback."""

    def __init__(self, db: Database, coach: Coach, app_id: str = "") -> None:
        self.app = build_app(settings(db, app_id), db, coach)
        self.runner = web.AppRunner(self.app)
        self.url = ""

    async def start(self) -> Server:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()


def find_action(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The first action titled `title` anywhere in a card (ActionSets, ShowCards included)."""
    stack: list[Any] = [card]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            if node.get("type", "").startswith("Action.") and node.get("title") == title:
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise AssertionError(f"no action {title!r} in card: {card}")


def card_texts(card: Any) -> list[str]:
    """Every TextBlock's text in document order (ShowCard sub-cards left out)."""
    if isinstance(card, list):
        return [t for item in card for t in card_texts(item)]
    if not isinstance(card, dict):
        return []
    own = [card["text"]] if card.get("type") == "TextBlock" else []
    return own + [t for k, v in card.items() if k != "card" for t in card_texts(v)]


def card_actions(card: Any) -> list[str]:
    """Every action title in document order (a ShowCard's inner Move button left out)."""
    if isinstance(card, list):
        return [t for item in card for t in card_actions(item)]
    if not isinstance(card, dict):
        return []
    own = [card["title"]] if str(card.get("type", "")).startswith("Action.") else []
    return own + [t for k, v in card.items() if k != "card" for t in card_actions(v)]


class TeamsChat:
    """One Teams user in a 1:1 chat (or a channel) with the bot."""

    _ids = itertools.count(1000)

    def __init__(
        self,
        server: Server,
        connector: FakeConnector,
        aad: str = "aad-dana",
        name: str = "Dana Rep",
        timezone: str = "America/New_York",
        conversation: dict[str, Any] | None = None,
    ) -> None:
        self.server = server
        self.connector = connector
        self.aad, self.name, self.timezone = aad, name, timezone
        self.conversation = conversation or {
            "conversationType": "personal",
            "tenantId": TENANT,
            "id": f"a:1chat-{aad}",
        }
        self.last_status = 0

    def activity(self, **fields: Any) -> dict[str, Any]:
        return {
            "type": "message",
            "id": f"1{next(self._ids)}",
            "timestamp": "2026-11-24T15:00:00.000Z",
            "localTimezone": self.timezone,
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": {"id": f"29:{self.aad}", "name": self.name, "aadObjectId": self.aad},
            "conversation": self.conversation,
            "recipient": {"id": BOT_ID, "name": "dealcoach"},
            "locale": "en-US",
            "channelData": {"tenant": {"id": TENANT}},
            **fields,
        }

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{self.server.url}/api/messages", json=activity, headers=headers or {}
            ) as resp,
        ):
            self.last_status = resp.status
            return resp.status

    async def exchange(self, activity: dict[str, Any]) -> list[Call]:
        """Post one activity; return what the bot sent in reply (it replies before answering)."""
        before = len(self.connector.sent)
        status = await self.post(activity)
        assert status in (200, 201), status
        return self.connector.sent[before:]

    async def invoke(self, name: str, value: dict[str, Any]) -> tuple[int, list[Call]]:
        """An `invoke` activity (a file consent answer); its HTTP status and what the bot
        sent meanwhile (it answers the invoke after sending)."""
        before = len(self.connector.sent)
        activity = self.activity(type="invoke", name=name, value=value)
        status = await self.post(activity)
        return status, self.connector.sent[before:]

    async def say(self, text: str) -> list[Call]:
        return await self.exchange(self.activity(text=text, textFormat="plain"))

    def submit_activity(self, on: Call, title: str, **inputs: Any) -> dict[str, Any]:
        assert on.card is not None, f"not a card: {on.body}"
        data = dict(find_action(on.card, title).get("data") or {})
        if title not in ("Use this date", "OK", "Move", "Save") and "form_id" not in data:
            assert "value" in data, data
        return self.activity(value={**data, **inputs}, replyToId=on.response_id)

    async def click(self, on: Call, title: str, **inputs: Any) -> list[Call]:
        return await self.exchange(self.submit_activity(on, title, **inputs))
