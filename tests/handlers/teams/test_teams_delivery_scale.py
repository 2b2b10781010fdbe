"""Proactive Teams delivery at scale, seen from the connector: how the bot uses HTTP.

The SDK alone builds a connector client (and a `requests` session) per proactive turn and
sends from the event loop's default thread pool (at most `min(32, cores + 4)` at once).
`handlers/teams/connector.py` keeps one client per service URL on one aiohttp session.
"""

from __future__ import annotations

import asyncio

from bot.messages import Text
from bot.references import References
from handlers.teams import DELIVERY
from storage.db import Database
from tests.handlers.teams.fake_bot_connector import FakeConnector
from tests.handlers.teams.teams_harness import BOT_ID, TENANT, Server

WORKSPACE = f"teams:{TENANT}"


def remember(db: Database, connector: FakeConnector, users: int, clock) -> list[str]:  # type: ignore[no-untyped-def]
    """Store the 1:1 conversation references of `users` Teams users, as a first contact does."""
    references = References(db, clock=clock)
    aads = [f"aad-rep-{i:03d}" for i in range(users)]
    for aad in aads:
        references.remember(
            WORKSPACE,
            f"user:{aad}",
            {
                "bot": {"id": BOT_ID, "name": "dealcoach"},
                "user": {"id": f"29:{aad}", "aadObjectId": aad},
                "conversation": {
                    "id": f"a:1chat-{aad}",
                    "conversationType": "personal",
                    "tenantId": TENANT,
                },
                "channelId": "msteams",
                "serviceUrl": connector.url,
                "locale": "en-US",
            },
        )
    return aads


async def test_one_connection_per_service_url_for_a_pass(
    db: Database, server: Server, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    aads = remember(db, connector, 8, clock)
    delivery = server.app[DELIVERY]
    for aad in aads:
        await delivery.to_user(WORKSPACE, aad, [Text(f"Nudge for {aad}")])
    assert len(connector.sent) == 8
    # One kept-alive connection for the pass, not a new client (and socket) per message.
    assert len(connector.connections) == 1
    await delivery.aclose()  # the pass ends; the next one opens its own
    await delivery.to_user(WORKSPACE, aads[0], [Text("Next pass")])
    assert len(connector.connections) == 2
    assert [c.conversation_id for c in connector.sent] == [f"a:1chat-{a}" for a in aads] + [
        f"a:1chat-{aads[0]}"
    ]


async def test_sends_to_many_conversations_are_in_flight_together(
    db: Database, server: Server, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    """40 reps at a 1 s connector: each send may go at once (40 conversations, 40 under the
    tenant's 50 a second), so all 40 wait on the connector together, more than any thread
    pool of the SDK's sender allows (32 at most)."""
    aads = remember(db, connector, 40, clock)
    connector.latency = 1.0
    delivery = server.app[DELIVERY]
    ids = await asyncio.gather(
        *(delivery.to_user(WORKSPACE, aad, [Text(f"Nudge for {aad}")]) for aad in aads)
    )
    assert connector.max_in_flight > 32
    assert len(set(ids)) == 40 and all(ids)
    assert sorted(c.conversation_id for c in connector.sent) == sorted(
        f"a:1chat-{a}" for a in aads
    )  # every rep once, nobody twice
    assert [c.status for c in connector.calls if c.status != 200] == []
