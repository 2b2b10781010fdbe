"""Request handling: signatures, acks, retries, double clicks, malformed payloads."""

from __future__ import annotations

import json
import time

from sqlmodel import select

from storage.models import ProcessedEvent, User
from tests.handlers.slack.slack_fake import TEAM, Harness, button


def stored_users(h: Harness) -> list[User]:
    return h.db.run(lambda s: list(s.exec(select(User))))


async def test_url_verification_echoes_the_challenge(h: Harness) -> None:
    assert h.slack
    resp = await h.slack.raw(
        json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}),
        "application/json",
    )
    assert resp.status == 200
    assert (await resp.json())["challenge"] == "abc123"


async def test_slash_command_acks_then_continues_in_the_dm(h: Harness) -> None:
    assert h.slack
    started = time.monotonic()
    resp = await h.slack.command("")
    assert resp.status == 200
    assert time.monotonic() - started < 1.5
    # A slash command does not say whether its user is from a Slack Connect workspace
    # (docs/sharing.md), so in a channel the ack is plain and "On it" follows through the
    # response_url once users.info said the user is ours.
    assert not await resp.text()
    (on_it,) = await h.fake.wait_for("response_url")
    assert "direct message" in on_it["text"] and on_it["response_type"] == "ephemeral"
    posts = await h.fake.wait_for("chat.postMessage")
    assert h.fake.to("conversations.open")[0]["users"] == "U1"
    assert posts[0]["channel"] == "DU1"
    assert "Which deal shall we review" in json.dumps(posts[0]["blocks"])
    # The profile came from users.info and was stored with the user.
    (user,) = stored_users(h)
    assert (user.workspace_id, user.display_name, user.timezone) == (
        f"slack:{TEAM}",
        "rep-u1",
        "Europe/Berlin",
    )
    assert user.profile_checked_at is not None


async def test_profile_is_looked_up_once_a_day(h: Harness) -> None:
    assert h.slack
    await h.slack.command("help")
    await h.fake.wait_for("chat.postMessage", 1)
    await h.slack.command("list")
    await h.fake.wait_for("chat.postMessage", 2)
    assert len(h.fake.to("users.info")) == 1
    h.coach.clock.advance(days=1, minutes=1)  # type: ignore[attr-defined]
    await h.slack.command("list")
    await h.fake.wait_for("chat.postMessage", 3)
    assert len(h.fake.to("users.info")) == 2


async def test_forged_unsigned_and_stale_requests_get_401_and_touch_nothing(h: Harness) -> None:
    assert h.slack
    body = "command=%2Fdealreview&text=&user_id=U1&team_id=T0TEAM&trigger_id=t"
    ct = "application/x-www-form-urlencoded"
    unsigned = await h.slack.raw(body, ct, signed=False)
    forged = await h.slack.raw(body, ct, headers={"X-Slack-Signature": "v0=" + "0" * 64})
    from tests.handlers.slack.slack_fake import sign

    stale = await h.slack.raw(body, ct, headers=sign(body, ts=int(time.time()) - 6 * 60))
    wrong_secret = await h.slack.raw(body, ct, headers=sign(body, secret="nope"))
    assert [r.status for r in (unsigned, forged, stale, wrong_secret)] == [401] * 4
    await h.fake.settle(0.2)
    assert h.fake.calls == []
    assert stored_users(h) == []


async def test_event_retries_take_effect_once(h: Harness) -> None:
    assert h.slack
    await h.slack.dm("help", event_id="Ev1")
    await h.fake.wait_for("chat.postMessage")
    again = await h.slack.dm(
        "help",
        event_id="Ev1",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert again.status == 200
    await h.fake.settle(0.2)
    assert len(h.fake.to("chat.postMessage")) == 1
    keys = h.db.run(lambda s: [e.key for e in s.exec(select(ProcessedEvent))])
    assert "slack:ev:Ev1" in keys


async def test_double_click_takes_effect_once_and_retires_the_buttons(h: Harness) -> None:
    assert h.slack
    await h.slack.dm("hello")
    (post,) = await h.fake.wait_for("chat.postMessage")
    first = await h.slack.click(post, button("Help"))
    second = await h.slack.click(post, button("My deals"))  # the neighbour, a moment later
    assert (first.status, second.status) == (200, 200)
    await h.fake.wait_for("chat.postMessage", 2)
    await h.fake.settle(0.2)
    assert len(h.fake.to("chat.postMessage")) == 2
    (update,) = h.fake.to("chat.update")
    assert update["ts"] == post["ts"] and update["channel"] == "DU1"
    assert not [b for b in update["blocks"] if b["type"] == "actions"]
    assert "You chose *Help*" in json.dumps(update["blocks"])


async def test_ignores_bots_edits_joins_and_channels(h: Harness) -> None:
    assert h.slack
    base = {
        "type": "message",
        "channel": "DU1",
        "channel_type": "im",
        "user": "U1",
        "text": "help",
        "ts": "1.0",
    }
    for event in (
        {**base, "bot_id": "B1"},
        {**base, "subtype": "message_changed"},
        {**base, "subtype": "channel_join"},
        {**base, "channel": "C1", "channel_type": "channel"},
        {**base, "user": "UBOT"},
    ):
        resp = await h.slack.event(event)
        assert resp.status == 200
    await h.fake.settle(0.2)
    assert h.fake.to("chat.postMessage") == []
    assert stored_users(h) == []


async def test_malformed_payloads_get_400_or_an_ack_never_500(h: Harness) -> None:
    assert h.slack
    form = "application/x-www-form-urlencoded"
    cases = [
        ("not json at all", "application/json"),
        ('{"type": "event_callback"}', "application/json"),
        ('{"type": "event_callback", "event": {"type": "message"}}', "application/json"),
        ("payload=%7Bnot+json", form),
        ("payload=" + json.dumps({"type": "block_actions"}), form),
        (
            "payload="
            + json.dumps({"type": "block_actions", "user": {"id": "U1"}, "actions": [{}]}),
            form,
        ),
        (
            "payload="
            + json.dumps({"type": "view_submission", "view": {"callback_id": "dc:settings"}}),
            form,
        ),
        ("command=%2Fdealreview", form),
        ("", form),
    ]
    for body, ct in cases:
        resp = await h.slack.raw(body, ct)
        assert resp.status in (200, 400, 404), (body, resp.status)
    await h.fake.settle(0.2)
    assert not h.fake.to("chat.postMessage")


async def test_a_new_users_first_requests_arriving_together_all_get_answers(
    h_any: Harness,
) -> None:
    """Concurrent first contact used to lose turns to a unique-constraint race."""
    import asyncio

    h = h_any
    assert h.slack
    slack = h.slack
    resps = await asyncio.gather(*(slack.command("help", user="UNEW") for _ in range(6)))
    assert {r.status for r in resps} == {200}
    await h.fake.wait_for("chat.postMessage", 6)
    users = stored_users(h)
    assert [u.platform_user_id for u in users] == ["UNEW"]
