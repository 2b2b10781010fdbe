"""Proactive Teams delivery at scale, seen from the connector: how the bot uses HTTP.

The SDK alone builds a connector client (and a `requests` session) per proactive turn and
sends from the event loop's default thread pool (at most `min(32, cores + 4)` at once).
`handlers/teams/connector.py` posts on one aiohttp session with one set of the SDK's
credentials per service URL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter

import pytest
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import MicrosoftAppCredentials, ServiceClientCredentialsFactory
from sqlalchemy import event

from bot.messages import Text
from bot.references import References
from bot.schedule import Schedule
from handlers.teams import DELIVERY
from handlers.teams.adapter import auth_config, build_adapter
from handlers.teams.delivery import TeamsDelivery
from handlers.teams.retry import RetryPolicy
from process.cadence import Cadence
from storage.db import Database
from tests.handlers.teams.fake_bot_connector import FakeConnector
from tests.handlers.teams.teams_harness import BOT_ID, TENANT, Server, settings
from tests.handlers.test_schedule_platforms import seed_overdue_step

WORKSPACE = f"teams:{TENANT}"
APP_ID = "0f6a3b8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


def remember(  # type: ignore[no-untyped-def]
    db: Database, connector: FakeConnector, users: int, clock, workspace: str = WORKSPACE
) -> list[str]:
    """Store the 1:1 conversation references of `users` Teams users, as a first contact does."""
    references = References(db, clock=clock)
    tag = "" if workspace == WORKSPACE else f"{workspace.split(':')[1]}-"
    aads = [f"aad-rep-{tag}{i:03d}" for i in range(users)]
    for aad in aads:
        references.remember(
            workspace,
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


class EntraId:
    """Stands in for Entra ID behind the SDK's credentials: counts the credentials the SDK
    builds and the tokens they ask for (a new `MicrosoftAppCredentials` has an empty msal
    cache, so each one asks)."""

    def __init__(self) -> None:
        self.credentials = 0
        self.tokens = 0

    def factory(self) -> ServiceClientCredentialsFactory:
        entra = self

        class Credentials(MicrosoftAppCredentials):
            def get_access_token(self, force_refresh: bool = False) -> str:
                if not getattr(self, "_token", None):
                    entra.tokens += 1
                    self._token = f"token-{entra.tokens}"
                return self._token

        class Factory(ServiceClientCredentialsFactory):
            async def is_valid_app_id(self, app_id: str) -> bool:
                return app_id == APP_ID

            async def is_authentication_disabled(self) -> bool:
                return False

            async def create_credentials(
                self, app_id, oauth_scope, login_endpoint, validate_authority
            ):  # type: ignore[no-untyped-def]
                entra.credentials += 1
                return Credentials(app_id, "secret", TENANT, oauth_scope)

        return Factory()


async def test_with_auth_on_a_pass_asks_for_one_token_and_every_send_carries_it(
    db: Database, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    entra = EntraId()
    config = auth_config(settings(db, APP_ID))
    adapter = CloudAdapter(
        ConfigurationBotFrameworkAuthentication(config, credentials_factory=entra.factory())
    )
    delivery = TeamsDelivery(adapter, References(db, clock=clock), APP_ID)
    aads = remember(db, connector, 5, clock)
    try:
        for aad in aads:
            await delivery.to_user(WORKSPACE, aad, [Text(f"Nudge for {aad}")])
    finally:
        await delivery.aclose()
    assert [c.headers.get("Authorization") for c in connector.sent] == ["Bearer token-1"] * 5
    # One token for the pass, not one per message. (The SDK still builds credentials for
    # a user-token client per proactive turn, `entra.credentials`; they ask for nothing.)
    assert entra.tokens == 1
    assert delivery.pool.built == 1  # the SDK's credentials asked for once, not per message


async def test_a_pass_ending_does_not_cut_a_send_in_flight(
    db: Database, server: Server, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    """In `serve`, a share may be sending when a scheduled pass ends and closes the pool:
    the send finishes on its connection (cut, it would be retried: maybe posted twice)."""
    [aad] = remember(db, connector, 1, clock)
    connector.latency = 0.5
    delivery = server.app[DELIVERY]
    send = asyncio.create_task(delivery.to_user(WORKSPACE, aad, [Text("A shared plan")]))
    async with asyncio.timeout(5):
        while connector.in_flight == 0:
            await asyncio.sleep(0.01)
    await delivery.aclose()
    assert await send == connector.sent[0].response_id
    assert [c.status for c in connector.calls] == [200]
    await delivery.to_user(WORKSPACE, aad, [Text("The next pass")])  # a new session
    assert len(connector.sent) == 2


async def test_a_pass_reads_the_references_of_a_batch_in_one_query(
    db: Database, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    """The scheduler hands each claimed batch to `TeamsDelivery.prefetch`: one query for
    the references of 30 reps, not one per message (a third of a big pass's CPU)."""
    now = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)  # Monday 09:05 in New York
    aads = remember(db, connector, 30, clock)
    for aad in aads:
        seed_overdue_step(db, WORKSPACE, aad, now)
    delivery = TeamsDelivery(
        build_adapter(settings(db)), References(db, clock=clock), retry=RetryPolicy()
    )
    schedule = Schedule(
        db, {"teams": delivery}, Cadence(default_timezone="America/New_York"), clock=lambda: now
    )
    reads: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if "FROM conversationref" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        report = await schedule.run_pass(now)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert sorted(report.sent) == sorted(report.added) and len(report.sent) == 30
    assert sorted({c.conversation_id for c in connector.sent}) == sorted(
        f"a:1chat-{a}" for a in aads
    )
    assert len(reads) == 1 and " IN " in reads[0]


async def test_shards_split_a_pass_by_workspace_and_together_deliver_it_once(
    db: Database, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    """`run-due --shard I/N`: N processes deliver one pass side by side, each a share of
    the workspaces (a workspace's pacing stays in one process), every message once, while
    every one of them plans too."""
    now = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)
    workspaces = [f"teams:tenant-{c}" for c in "abcdef"]
    reps = {ws: remember(db, connector, 3, clock, ws) for ws in workspaces}
    for ws, aads in reps.items():
        for aad in aads:
            seed_overdue_step(db, ws, aad, now)

    def shard(i: int) -> Schedule:
        delivery = TeamsDelivery(build_adapter(settings(db)), References(db, clock=clock))
        return Schedule(
            db,
            {"teams": delivery},
            Cadence(default_timezone="America/New_York"),
            clock=lambda: now,
            shard=(i, 2),
        )

    shards = [shard(0), shard(1)]
    reports = await asyncio.gather(*(s.run_pass(now) for s in shards))
    delivered = [{key.split("|")[1] for key in r.sent} for r in reports]
    assert delivered[0] and delivered[1] and not delivered[0] & delivered[1]
    assert delivered[0] | delivered[1] == set(workspaces)
    assert [{ws for ws in workspaces if s.owns(ws)} for s in shards] == delivered
    assert sorted({c.conversation_id for c in connector.sent}) == sorted(
        f"a:1chat-{a}" for aads in reps.values() for a in aads
    )
    # a nudge is several activities (text, cards): none of them arrived twice
    posted = [(c.conversation_id, json.dumps(c.body, sort_keys=True)) for c in connector.sent]
    assert len(set(posted)) == len(posted)
    per_rep = Counter(c.conversation_id for c in connector.sent)
    assert len(set(per_rep.values())) == 1  # every rep got the same nudge, whole
    with pytest.raises(ValueError):
        Schedule(db, {}, clock=lambda: now, shard=(2, 2))
