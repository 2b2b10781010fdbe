"""Nothing is cut on Teams: real-size cards stay under Microsoft's limit as it counts (UTF-16).

The fake connector refuses a message over ~100 KB of UTF-16 with 413 MessageSizeTooBig, as
Microsoft documents; our budget keeps each message under the 80 KB Microsoft recommends.
"""

from __future__ import annotations

import json

import pytest

from bot.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.messages import DealList, PlanCard, Reply, Section, Text
from handlers.teams import DELIVERY, cards
from tests.handlers.big_replies import deal_list_60, digest_30_reps, every_text, plan_40_steps
from tests.handlers.teams.fake_bot_connector import MAX_MESSAGE_UTF16, FakeConnector, utf16_size
from tests.handlers.teams.teams_harness import TENANT, Server, TeamsChat

WORKSPACE = f"teams:{TENANT}"
RECOMMENDED = 80 * 1024  # Microsoft: "within 80 KB to guarantee successful message delivery"


def wire_sizes(replies: list[Reply]) -> tuple[list[int], str]:
    activities = [a.serialize() for a in cards.render(replies)]
    return [utf16_size(json.dumps(a)) for a in activities], every_text(activities)


def must_show(reply: Reply) -> list[str]:
    """The texts a reader needs from `reply`: every step, deal and rep, and the footers."""
    if isinstance(reply, PlanCard):
        return [s.description for s in reply.steps] + [reply.risk or "", *reply.gaps]
    if isinstance(reply, DealList):
        return [d.title for d in reply.deals]
    if isinstance(reply, Section):
        return [reply.title.split(":")[0], *(line.split(" · ")[-1] for line in reply.lines)]
    return []


@pytest.mark.parametrize(
    "replies",
    [[plan_40_steps()], [deal_list_60()], digest_30_reps()],
    ids=["plan-40-steps", "list-60-deals", "digest-30-reps"],
)
def test_real_size_replies_fit_microsofts_limit_whole(replies: list[Reply]) -> None:
    sizes, shown = wire_sizes(replies)
    assert max(sizes) <= RECOMMENDED < MAX_MESSAGE_UTF16
    for reply in replies:
        assert all(text in shown for text in must_show(reply)), type(reply).__name__


def test_a_list_over_the_limit_is_split_into_cards_each_under_it() -> None:
    big = DealList(deal_list_60().deals * 2)  # 120 deals: ~160 KB of UTF-16 in one card
    sizes, shown = wire_sizes([big])
    assert len(sizes) > 1 and max(sizes) <= RECOMMENDED
    assert shown.count("cmd:plan:Account number") == 120  # every deal, with its buttons
    assert "Continued in the next message." in shown
    assert "(continued)" in shown


async def test_a_big_card_reaches_the_user_whole_instead_of_a_413(
    chat: TeamsChat, connector: FakeConnector, server: Server
) -> None:
    await chat.say("help")  # first contact: the bot remembers how to reach Dana
    connector.clear()
    big = DealList(deal_list_60().deals * 2)
    await server.app[DELIVERY].to_user(WORKSPACE, chat.aad, [big])
    assert [c.status for c in connector.calls if c.status != 200] == []
    assert every_text([c.card for c in connector.sent]).count("cmd:plan:Account number") == 120


async def test_a_413_splits_the_message_and_sends_the_halves(
    chat: TeamsChat, connector: FakeConnector, server: Server
) -> None:
    await chat.say("help")
    connector.clear()
    connector.fail_next(413)  # the connector counts differently from us: split and resend
    section = Section("Digest", tuple(f"• line {i}" for i in range(40)))
    await server.app[DELIVERY].to_user(WORKSPACE, chat.aad, [section])
    statuses = [c.status for c in connector.calls]
    assert statuses[0] == 413 and statuses[1:] == [200] * (len(statuses) - 1)
    assert all(f"• line {i}" in every_text([c.card for c in connector.sent]) for i in range(40))


async def test_a_413_that_cannot_be_split_is_not_called_an_uninstall(
    chat: TeamsChat, connector: FakeConnector, server: Server
) -> None:
    await chat.say("help")
    for _ in range(4):
        connector.fail_next(413)
    with pytest.raises(PermanentDeliveryError) as caught:
        await server.app[DELIVERY].to_user(WORKSPACE, chat.aad, [Text("one paragraph")])
    assert "too big" in str(caught.value) and "uninstalled" not in str(caught.value)


async def test_a_message_that_failed_half_way_is_resumed_not_repeated(
    chat: TeamsChat, connector: FakeConnector, server: Server
) -> None:
    await chat.say("help")
    connector.clear()
    replies = digest_30_reps()[:6]  # six cards
    connector.fail_after(2, 429, times=4)  # the third card stays throttled past the retries
    delivery = server.app[DELIVERY]
    with pytest.raises(TransientDeliveryError):
        await delivery.to_user(WORKSPACE, chat.aad, replies, "digest|k")
    assert len(connector.sent) == 2
    first = await delivery.to_user(WORKSPACE, chat.aad, replies, "digest|k")  # the outbox retry
    titles = [c.card["body"][0]["text"] for c in connector.sent if c.card]
    assert len(titles) == len(set(titles)) == 6
    assert first == connector.sent[0].response_id


async def test_412_is_retried_like_a_429(chat: TeamsChat, connector: FakeConnector) -> None:
    """Teams answers 412 Precondition Failed to concurrent posts: worth another try."""
    connector.fail_next(412, {"Retry-After": "0"})
    await chat.say("help")
    assert [c.status for c in connector.calls] == [412, 200]
