"""Nothing is cut: real-size plans, lists and digests fit Slack's published limits whole.

The limits are checked by the fake's own reading of Slack's rules (slack_limits.py), not
by our renderer's constants.
"""

from __future__ import annotations

import json

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.delivery import TransientDeliveryError
from bot.messages import Choice, Reply, Section
from handlers.slack.client import retry_handlers, web_client
from handlers.slack.delivery import SlackDelivery
from handlers.slack.render import Renderer, home_view
from tests.handlers.big_replies import deal_list_60, digest_30_reps, every_text, plan_40_steps
from tests.handlers.slack import slack_limits as limits
from tests.handlers.slack.slack_fake import TEAM, FakeSlack


def render(replies: list[Reply]) -> list[dict]:
    return [{"text": m.text, "blocks": m.blocks} for m in Renderer().messages(replies)]


def assert_within_limits(messages: list[dict]) -> None:
    for m in messages:
        assert limits.message_error(m) is None, limits.message_error(m)


def test_a_40_step_plan_is_shown_whole_over_several_messages() -> None:
    card = plan_40_steps()
    messages = render([card])
    assert_within_limits(messages)
    assert len(messages) > 1
    shown = every_text(messages)
    for step in card.steps:
        assert step.description in shown
        assert any(f"dc:step:{step.id}:done" in json.dumps(m) for m in messages)
    assert "Budget is frozen" in shown and "3 steps overdue" in shown  # the footer too
    assert "Continued in the next message" in every_text(messages[0])
    assert "(continued)" in messages[1]["blocks"][0]["text"]["text"]


def test_a_60_deal_list_is_shown_whole() -> None:
    lst = deal_list_60()
    messages = render([lst])
    assert_within_limits(messages)
    shown = every_text(messages)
    assert all(d.title in shown for d in lst.deals)


def test_app_home_with_many_deals_says_how_many_are_not_shown() -> None:
    lst = deal_list_60()
    lst = type(lst)(lst.deals * 2)  # 120 deals: more than the Home tab's 100 blocks
    view = home_view(lst)
    assert limits.view_error(view) is None, limits.view_error(view)
    shown = sum(1 for b in view["blocks"] if "Expansion into the EMEA" in every_text(b))
    assert f"…and {120 - shown} more deals" in every_text(view)


def test_a_30_rep_digest_is_shown_whole_without_clipping() -> None:
    replies = digest_30_reps()
    messages = render(replies)
    assert_within_limits(messages)
    shown = every_text(messages)
    for reply in replies:
        assert isinstance(reply, Section)
        assert all(line in shown for line in reply.lines), reply.title


def test_a_section_longer_than_3000_characters_is_split_at_lines_not_cut() -> None:
    lines = tuple(f"• line {i} " + "x" * 90 for i in range(60))  # ~6,000 characters
    messages = render([Section("Long", lines)])
    assert_within_limits(messages)
    assert all(line in every_text(messages) for line in lines)


@pytest.fixture
def delivery(fake: FakeSlack) -> SlackDelivery:
    client = web_client(
        "xoxb-test",
        f"{fake.url}/api",
        retry_handlers(interval=FixedValueRetryIntervalCalculator(0.01)),
    )

    async def client_for(team: str) -> object:
        return client

    return SlackDelivery(client_for)  # type: ignore[arg-type]


async def test_the_digest_reaches_the_channel_whole(
    fake: FakeSlack, delivery: SlackDelivery
) -> None:
    replies = digest_30_reps()
    await delivery.to_channel(f"slack:{TEAM}", "C0LEADS", replies)
    refused = [a["refused"] for a in fake.to("chat.postMessage") if "refused" in a]
    assert refused == []
    shown = every_text([a["blocks"] for a in fake.posted()])
    assert all(line in shown for r in replies if isinstance(r, Section) for line in r.lines)


async def test_msg_blocks_too_long_is_split_and_retried_not_skipped(
    fake: FakeSlack, delivery: SlackDelivery
) -> None:
    """Slack's real threshold is fuzzy (it counts differently from us): when it still says
    msg_blocks_too_long, the message is posted in two halves."""
    fake.fail("chat.postMessage", error="msg_blocks_too_long")
    replies = digest_30_reps()[:3]
    await delivery.to_channel(f"slack:{TEAM}", "C0LEADS", replies)
    posted = fake.posted()
    assert len(posted) >= 2
    shown = every_text([a["blocks"] for a in posted])
    assert all(line in shown for r in replies if isinstance(r, Section) for line in r.lines)


async def test_a_retry_after_a_part_failed_posts_only_the_missing_parts(
    fake: FakeSlack, delivery: SlackDelivery
) -> None:
    """The outbox's retry (find_sent, then deliver again) never re-posts a part Slack has."""
    replies = digest_30_reps()
    key = "digest|slack:T0TEAM|channel:C0LEADS|team:1|2026-11-30"
    # The third part is answered with a 503 after Slack took it; the pass ends there.
    fake.fail("chat.postMessage", 503, "service_unavailable", after=2, after_taking=True)
    with pytest.raises(TransientDeliveryError):
        await delivery.to_channel(f"slack:{TEAM}", "C0LEADS", replies, key)
    assert len(fake.posted()) == 3
    assert await delivery.find_sent(f"slack:{TEAM}", "channel:C0LEADS", key) is None
    ref = await delivery.to_channel(f"slack:{TEAM}", "C0LEADS", replies, key)
    assert await delivery.find_sent(f"slack:{TEAM}", "channel:C0LEADS", key) == ref
    labels = [a["metadata"]["event_payload"]["part"] for a in fake.posted()]
    assert len(labels) == len(set(labels)) == len(Renderer().messages(replies)), labels
    first = fake.posted()[0]
    assert all(a.get("thread_ts") == first["ts"] for a in fake.posted()[1:])  # rest in thread


def test_repeated_buttons_say_which_step_within_the_published_75_characters() -> None:
    """Every step of a plan has a "Done" and a "Drop": a screen reader hears the step too."""
    card = plan_40_steps()
    messages = render([card])
    assert_within_limits(messages)  # the fake refuses a label over 75 (slack_limits.py)
    for m in messages:
        buttons = [
            el
            for b in m["blocks"]
            if b["type"] == "actions"
            for el in b["elements"]
            if el["type"] == "button"
        ]
        texts = [el["text"]["text"] for el in buttons]
        repeated = [el for el in buttons if texts.count(el["text"]["text"]) > 1]
        assert repeated  # Done and Drop, once per step
        labels = [el.get("accessibility_label") for el in repeated]
        assert all(labels), "a repeated button without an accessibility_label"
        assert len(set(labels)) == len(labels), "two repeated buttons read out the same"
        assert all(len(label) <= limits.ACCESSIBILITY_LABEL for label in labels)
    first = next(
        el
        for b in messages[0]["blocks"]
        if b["type"] == "actions"
        for el in b["elements"]
        if el.get("value") == f"step:{card.steps[0].id}:done"
    )
    assert first["accessibility_label"].startswith("Done: #1 Walk the customer's security team")
    assert first["accessibility_label"].endswith("…")  # the description is longer than 75


def test_reminder_buttons_name_their_step() -> None:
    replies = [
        Section(f"Send the order form to procurement, part {i}", ("*Acme* · Customer",), step)
        for i, step in enumerate(
            [
                (
                    Choice("Done", f"step:{n}:done", "primary"),
                    Choice("Reschedule", f"step:{n}:reschedule"),
                )
                for n in (1, 2, 3)
            ]
        )
    ]
    (message,) = render(replies)
    assert_within_limits([message])
    labels = [
        el.get("accessibility_label")
        for b in message["blocks"]
        if b["type"] == "actions"
        for el in b["elements"]
    ]
    assert labels[:2] == [
        "Done: Send the order form to procurement, part 0",
        "Reschedule: Send the order form to procurement, part 0",
    ]
