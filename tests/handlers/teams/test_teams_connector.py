"""Proactive sends posted by `handlers/teams/connector.py` itself, seen from the connector.

They replace the SDK's `continue_conversation` + `TurnContext.send_activity` (too much CPU
per message for a Monday of thousands of reps), so the connector must receive exactly
what the SDK sent: each test sends the same replies both ways to the fake connector on
loopback and compares what arrived.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from bot.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.messages import Choice, File, Form, FormField, Question, Reply, Section, Text
from bot.references import References
from handlers.teams import cards
from handlers.teams.adapter import build_adapter
from handlers.teams.connector import activity_json
from handlers.teams.delivery import TeamsDelivery
from handlers.teams.retry import RetryPolicy
from storage.db import Database
from tests.handlers.big_replies import deal_list_60, digest_30_reps, plan_40_steps
from tests.handlers.teams.fake_bot_connector import Call, FakeConnector
from tests.handlers.teams.teams_harness import BOT_ID, TENANT, settings

WORKSPACE = f"teams:{TENANT}"
FAST = RetryPolicy(attempts=4, base_wait=0.0, max_wait=0.0)


def every_kind() -> list[Reply]:
    """One of each reply a proactive message can carry (a digest's sections, a plan, a list,
    a question, a form, a file consent card), with non-ASCII text and a long card."""
    return [
        Text("Monday nudge — *3 deals* need a next step", "coach"),
        Text("Grüße: naïve café ✅"),
        plan_40_steps(),
        deal_list_60(),
        *digest_30_reps()[:2],
        Question(
            "When will they decide?",
            (Choice("End of month", "date:eom", "primary"), Choice("Skip", "skip")),
            date_input=True,
            initial_date=dt.date(2026, 12, 18),
            progress="Step 2 of 8",
        ),
        Form("settings", "Settings", (FormField("tz", "Time zone", "timezone", "Europe/Berlin"),)),
        File("acme-plan.md", b"# Acme\n\nStep one\n", "Acme plan"),
    ]


def reference(connector: FakeConnector, aad: str, conversation: str) -> dict[str, Any]:
    return {
        "bot": {"id": BOT_ID, "name": "dealcoach"},
        "user": {"id": f"29:{aad}", "aadObjectId": aad, "name": "Dana Müller"},
        "conversation": {
            "id": conversation,
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelId": "msteams",
        "serviceUrl": connector.url,
        "locale": "de-DE",
    }


def delivery_for(db: Database, clock) -> TeamsDelivery:  # type: ignore[no-untyped-def]
    return TeamsDelivery(build_adapter(settings(db)), References(db, clock=clock), retry=FAST)


async def sdk_sends(
    connector: FakeConnector, stored: dict[str, Any], replies: list[Reply], db: Database
) -> None:
    """What the SDK alone does for a proactive message (our delivery before this module)."""
    sdk = CloudAdapter(build_adapter(settings(db)).bot_framework_authentication)

    async def logic(ctx: TurnContext) -> None:
        ctx.activity.id = None
        for activity in cards.render(replies):
            await ctx.send_activity(activity)

    await sdk.continue_conversation(ConversationReference().deserialize(stored), logic, None)


def wire(calls: list[Call]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [(c.method, c.path, c.headers.get("Content-Type", ""), c.body) for c in calls]


async def test_a_proactive_message_reaches_the_connector_as_the_sdk_sent_it(
    db: Database, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    stored = reference(connector, "aad-dana", "a:1chat/with:odd?chars")
    References(db, clock=clock).remember(WORKSPACE, "user:aad-dana", stored)
    replies = every_kind()
    await sdk_sends(connector, stored, replies, db)
    by_sdk = wire(connector.sent)
    connector.clear()
    delivery = delivery_for(db, clock)
    try:
        first = await delivery.to_user(WORKSPACE, "aad-dana", replies)
    finally:
        await delivery.aclose()
    ours = wire(connector.sent)
    assert len(ours) >= 8 and ours == by_sdk
    assert first == connector.sent[0].response_id
    # the conversation id arrives whole (quoted as msrest quotes it: `/` and `?` too)
    assert {c.conversation_id for c in connector.sent} == {"a:1chat/with:odd?chars"}


async def test_a_shared_plan_update_reaches_the_connector_as_the_sdk_sent_it(
    db: Database, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    channel = "19:abc123@thread.tacv2"
    stored = reference(connector, "aad-dana", channel) | {"user": None}
    References(db, clock=clock).remember(WORKSPACE, f"channel:{channel}", stored)
    plan = (Section("Acme × Initech: mutual plan", ("• *Us*: send the SOW",)),)
    sdk = CloudAdapter(build_adapter(settings(db)).bot_framework_authentication)

    async def logic(ctx: TurnContext) -> None:
        ctx.activity.id = None
        activity = cards.shared_card(plan)
        activity.id = "bot-msg-7"
        await ctx.update_activity(activity)

    await sdk.continue_conversation(ConversationReference().deserialize(stored), logic, None)
    by_sdk = wire(connector.updates)
    connector.clear()
    delivery = delivery_for(db, clock)
    try:
        assert await delivery.shared_plan(WORKSPACE, channel, "bot-msg-7", plan) == "bot-msg-7"
        posted = await delivery.shared_plan(WORKSPACE, channel, None, plan)
    finally:
        await delivery.aclose()
    assert wire(connector.updates) == by_sdk
    assert by_sdk[0][1] == "/v3/conversations/19:abc123@thread.tacv2/activities/bot-msg-7"
    assert posted == connector.sent[-1].response_id and connector.sent[-1].method == "POST"


def test_activity_json_is_the_sdks_serialization_of_every_card() -> None:
    activities = cards.render(every_kind())
    kinds = {a.attachments[0].content_type for a in activities if a.attachments}
    assert kinds == {cards.budget.ADAPTIVE, "application/vnd.microsoft.teams.card.file.consent"}
    for activity in activities:
        assert activity_json(activity) == activity.serialize()
    # and the activity is left as it was (its cards are put back, not lost)
    assert all(a.attachments[0].content for a in activities if a.attachments)


async def test_a_connector_that_cannot_be_reached_is_retried_later_not_an_uninstall(
    db: Database, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stored = reference(connector, "aad-dana", "a:1chat-dana") | {
        "serviceUrl": f"http://127.0.0.1:{port}/"
    }
    References(db, clock=clock).remember(WORKSPACE, "user:aad-dana", stored)
    delivery = delivery_for(db, clock)
    try:
        with pytest.raises(TransientDeliveryError, match="failed"):
            await delivery.to_user(WORKSPACE, "aad-dana", [Text("Nudge")])
    finally:
        await delivery.aclose()


async def test_the_connectors_error_is_read_into_the_reason(
    db: Database, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    References(db, clock=clock).remember(
        WORKSPACE, "user:aad-dana", reference(connector, "aad-dana", "a:1chat-dana")
    )
    connector.fail_next(404)  # the conversation is gone: the app was removed
    delivery = delivery_for(db, clock)
    try:
        with pytest.raises(PermanentDeliveryError, match="HTTP 404") as caught:
            await delivery.to_user(WORKSPACE, "aad-dana", [Text("Nudge")])
        assert "(ServiceError) fake" in str(caught.value.__cause__)
        connector.fail_next(503, {"Retry-After": "7"})
        for _ in range(3):
            connector.fail_next(503, {"Retry-After": "0"})
        with pytest.raises(TransientDeliveryError) as busy:
            await delivery.to_user(WORKSPACE, "aad-dana", [Text("Nudge")])
        assert busy.value.retry_after == 0  # the last answer's Retry-After, for the outbox
        assert [c.status for c in connector.calls] == [404, 503, 503, 503, 503]
    finally:
        await delivery.aclose()


async def test_a_retry_takes_its_turn_in_the_conversation_like_any_send(
    db: Database, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    """Microsoft counts every request, a throttled one too: three cards and the retry of
    the first are four sends into one conversation, so the fourth waits for the pacer
    (a burst of 3, then 2 a second) instead of leaving at once."""
    References(db, clock=clock).remember(
        WORKSPACE, "user:aad-dana", reference(connector, "aad-dana", "a:1chat-dana")
    )
    cards_ = [Section(f"Deal {i}", (f"• step {i}",)) for i in range(3)]
    connector.fail_next(429, {"Retry-After": "0"})
    delivery = delivery_for(db, clock)
    loop = asyncio.get_running_loop()
    try:
        started = loop.time()
        await delivery.to_user(WORKSPACE, "aad-dana", list(cards_))
        took = loop.time() - started
    finally:
        await delivery.aclose()
    assert [c.status for c in connector.calls] == [429, 200, 200, 200]
    assert took >= 0.4  # the fourth request waited its turn (60 / 120 a minute / 0.95)
