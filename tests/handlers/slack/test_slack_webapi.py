"""Web API failures: retries (429 Retry-After, 5xx), what the rep is told, proactive delivery."""

from __future__ import annotations

import json

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from sqlmodel import select

from bot.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.messages import Choice, Section, Text
from handlers.slack.client import retry_handlers, web_client
from handlers.slack.delivery import SlackDelivery
from storage.models import Conversation
from tests.handlers.slack.slack_fake import TEAM, FakeSlack, Harness


async def test_rate_limit_is_retried_after_retry_after(h: Harness) -> None:
    assert h.slack
    h.fake.fail("chat.postMessage", status=429, retry_after=0)
    await h.slack.command("help")
    posts = await h.fake.wait_for("chat.postMessage", 2)
    assert posts[0]["blocks"] == posts[1]["blocks"]  # the same message, sent again
    await h.fake.settle(0.2)
    assert len(h.fake.to("chat.postMessage")) == 2


async def test_server_errors_are_retried(h: Harness) -> None:
    assert h.slack
    h.fake.fail("conversations.open", status=503, error="service_unavailable")
    await h.slack.command("help")
    posts = await h.fake.wait_for("chat.postMessage")
    assert len(h.fake.to("conversations.open")) == 2
    assert posts[0]["channel"] == "DU1"


async def test_a_reply_answered_with_a_5xx_is_not_posted_again(h: Harness) -> None:
    """Slack may have taken a post it answered 500: retrying it could show the rep two."""
    assert h.slack
    h.fake.fail("chat.postMessage", status=500, error="internal_error", after_taking=True)
    await h.slack.command("help")
    await h.fake.wait_for("chat.postMessage", 2)
    await h.fake.settle(0.2)
    posts = h.fake.to("chat.postMessage")
    assert len(posts) == 2 and "couldn't send my last reply" in posts[1]["text"]


async def test_a_dm_that_cannot_be_opened_is_explained_where_the_rep_typed(h: Harness) -> None:
    assert h.slack
    h.fake.fail("conversations.open", error="user_disabled")
    await h.slack.command("")
    # after the "On it" every command typed in a channel gets (docs/sharing.md)
    told = (await h.fake.wait_for("response_url", 2))[-1]
    assert "couldn't open a direct message" in told["text"]
    assert "user_disabled" in told["text"]


async def test_a_failed_reply_is_told_in_the_dm_and_the_review_is_kept(h: Harness) -> None:
    assert h.slack
    await h.slack.command("Umbrella - 2027")
    await h.fake.wait_for("chat.postMessage")
    h.fake.fail("chat.postMessage", error="invalid_blocks")
    await h.slack.dm("end of march")
    posts = await h.fake.wait_for("chat.postMessage", 3)
    assert "couldn't send my last reply" in posts[-1]["text"]
    # The answer was saved: the review moved on to the deal's stage in the sales process.
    (conv,) = h.db.run(lambda s: list(s.exec(select(Conversation))))
    assert conv.state["stage"] == "deal_stage"


@pytest.fixture
def delivery(fake: FakeSlack) -> SlackDelivery:
    handlers = retry_handlers(interval=FixedValueRetryIntervalCalculator(0.01))
    client = web_client("xoxb-test", f"{fake.url}/api", handlers)

    async def client_for(team: str) -> object:
        assert team == TEAM
        return client

    return SlackDelivery(client_for)  # type: ignore[arg-type]


REPLIES = [
    Section(
        "Due this week",
        ("*Acme*: send the proposal (Fri Dec 4)",),
        (Choice("Done", "step:1:done"),),
    ),
    Text("Keep going!", "coach"),
]


async def test_delivery_to_user_posts_to_the_user_id_without_opening_a_dm(
    fake: FakeSlack, delivery: SlackDelivery
) -> None:
    """Slack posts to a user id in the app's DM with them: no conversations.open per message."""
    ref = await delivery.to_user(f"slack:{TEAM}", "U7", REPLIES)
    await delivery.to_user(f"slack:{TEAM}", "U7", REPLIES)
    assert fake.to("conversations.open") == []
    post = fake.to("chat.postMessage")[0]
    assert post["channel"] == "U7"
    assert ref == f"DU7:{post['ts']}"
    assert post["text"] == "Due this week"
    text = json.dumps(post["blocks"])
    assert "send the proposal" in text and '"value": "step:1:done"' in text


async def test_delivery_to_channel_posts_there(fake: FakeSlack, delivery: SlackDelivery) -> None:
    await delivery.to_channel(f"slack:{TEAM}", "C0SALES", REPLIES)
    assert fake.to("conversations.open") == []
    assert fake.to("chat.postMessage")[0]["channel"] == "C0SALES"


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "is_archived", "account_inactive"]
)
async def test_delivery_permanent_errors(
    fake: FakeSlack, delivery: SlackDelivery, error: str
) -> None:
    fake.fail("chat.postMessage", error=error)
    with pytest.raises(PermanentDeliveryError, match=error):
        await delivery.to_channel(f"slack:{TEAM}", "C0GONE", REPLIES)


async def test_delivery_user_not_found_is_permanent(
    fake: FakeSlack, delivery: SlackDelivery
) -> None:
    fake.fail("chat.postMessage", error="channel_not_found")  # Slack's answer for a bad user id
    with pytest.raises(PermanentDeliveryError, match="channel_not_found"):
        await delivery.to_user(f"slack:{TEAM}", "U404", REPLIES)


async def test_delivery_rate_limit_after_retries_is_transient(
    fake: FakeSlack, delivery: SlackDelivery
) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=0, times=3)
    with pytest.raises(TransientDeliveryError) as caught:
        await delivery.to_channel(f"slack:{TEAM}", "C0SALES", REPLIES)
    assert caught.value.retry_after == 0
    assert len(fake.to("chat.postMessage")) == 3  # the first try and two retries


async def test_delivery_5xx_is_not_retried_by_the_sdk_but_left_to_the_outbox(
    fake: FakeSlack, delivery: SlackDelivery
) -> None:
    """Slack may have taken a post it answered with a 5xx: posting it again could post twice."""
    fake.fail("chat.postMessage", status=500, error="internal_error", after_taking=True)
    with pytest.raises(TransientDeliveryError):
        await delivery.to_channel(f"slack:{TEAM}", "C0SALES", REPLIES)
    assert len(fake.to("chat.postMessage")) == 1


async def test_delivery_connection_refused_is_transient() -> None:
    handlers = retry_handlers(interval=FixedValueRetryIntervalCalculator(0.01))
    client = web_client("xoxb-test", "http://127.0.0.1:9/api/", handlers)

    async def client_for(_team: str) -> object:
        return client

    with pytest.raises(TransientDeliveryError):
        await SlackDelivery(client_for).to_channel(f"slack:{TEAM}", "C1", REPLIES)  # type: ignore[arg-type]


async def test_delivery_rejects_other_platforms(delivery: SlackDelivery) -> None:
    with pytest.raises(PermanentDeliveryError):
        await delivery.to_user("teams:abc", "U1", REPLIES)
