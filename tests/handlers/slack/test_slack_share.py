"""A plan shared in a Slack Connect channel (issue 16), end to end through the fake Slack:
the rep shares, a buyer (user.team_id is not team.id) confirms one step and proposes a date
for another, the rep accepts in the DM; crafted payloads from the buyer change nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.engine import Coach
from bot.messages import UserRef
from storage.inbox import Inbox
from storage.models import BuyerAction, PlanStep
from tests.handlers.slack.slack_fake import TEAM, Harness, button
from tests.handlers.slack.test_slack_review import blocks_text, click, say

CHANNEL = "C0ACME"
BUYER, BUYER_TEAM = "W0MARIA", "T0ACME"
CONTEXT = "Pilot went fine, champion is nervous about budget."
RISK = "CFO may freeze budget."


async def review_two_customer_steps(h: Harness) -> None:
    assert h.slack
    await h.slack.command("Acme - renewal")
    await h.fake.wait_for("chat.postMessage")
    await say(h, "Jan 29")
    await say(h, CONTEXT)
    await say(h, "Their CFO signs off the budget by Dec 11")
    q = await say(h, "We send the security review by Dec 4")
    q = await say(h, "Their IT lead Sam runs the pilot sign-off by Dec 9")
    for label in ("That's all", "Skip"):
        if label in blocks_text(q):
            q = await click(h, q, button(label))
    if "risk" in blocks_text(q).lower() and "Looks good" not in blocks_text(q):
        q = await say(h, RISK)
    q = await click(h, q, button("Looks good"))


def records(h: Harness) -> dict[str, Any]:
    coach = Coach(h.db, clock=h.coach.clock, default_timezone="America/New_York")
    (deal,) = coach.deal_records(UserRef(f"slack:{TEAM}", "U1"), "Acme")
    return deal


def dms(h: Harness) -> list[dict[str, Any]]:
    """What reached the rep U1 directly (their DM, or posted to their user id)."""
    return [c for c in h.fake.to("chat.postMessage") if c.get("channel") in ("DU1", "U1")]


def step_rows(h: Harness) -> dict[str, PlanStep]:
    rows = h.db.run(lambda s: list(s.exec(select(PlanStep))))
    return {r.description: r for r in rows}


def shared_messages(h: Harness) -> list[dict[str, Any]]:
    """Every version of the shared post: the first chat.postMessage in CHANNEL, its updates."""
    posts = [c for c in h.fake.to("chat.postMessage") if c.get("channel") == CHANNEL]
    updates = [c for c in h.fake.to("chat.update") if c.get("channel") == CHANNEL]
    return posts + updates


def latest_shared(h: Harness) -> dict[str, Any]:
    msgs = shared_messages(h)
    assert msgs, "nothing was shared"
    latest = dict(msgs[-1])
    latest["ts"] = shared_messages(h)[0]["ts"]
    latest["channel"] = CHANNEL
    return latest


async def click_step(
    h: Harness, step_text: str, label: str, user: str = BUYER, team: str = BUYER_TEAM
) -> None:
    """Click `label` in the actions block that follows the header naming `step_text`."""
    assert h.slack
    msg = latest_shared(h)
    blocks = msg["blocks"]
    for i, block in enumerate(blocks):
        if block.get("type") == "header" and step_text in block["text"]["text"]:
            actions = next(b for b in blocks[i:] if b.get("type") == "actions")
            one = dict(msg, blocks=[actions])
            resp = await h.slack.click(
                one, lambda el: el["text"]["text"] == label, user=user, user_team=team
            )
            assert resp.status == 200
            await h.fake.settle()
            return
    raise AssertionError(f"no step {step_text!r} in {json.dumps(blocks)[:600]}")


async def share(h: Harness) -> None:
    assert h.slack
    h.fake.person(BUYER, "Maria", team_id=BUYER_TEAM)
    await h.slack.command("share Acme", channel=CHANNEL, shared=True)
    await h.fake.settle()


async def submit_buyer_date(h: Harness, date: str) -> None:
    assert h.slack
    view = h.fake.to("views.open")[-1]["view"]
    await h.slack.interactive(
        {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": BUYER, "team_id": BUYER_TEAM},
            "is_ext_shared_channel": True,
            "api_app_id": "A1",
            "view": {
                "id": "V7",
                "hash": "h7",
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "state": {
                    "values": {"due": {"f:due": {"type": "datepicker", "selected_date": date}}}
                },
            },
        }
    )
    await h.fake.settle()


async def test_share_confirm_propose_accept(h: Harness) -> None:
    assert h.slack
    await review_two_customer_steps(h)
    await share(h)
    (post,) = [c for c in h.fake.to("chat.postMessage") if c.get("channel") == CHANNEL]
    text = blocks_text(post)
    assert "Our plan together: Acme — renewal" in text
    assert "Their CFO signs off the budget" in text and "We send the security review" in text
    assert "Decision date" in text and "0 of 2 customer steps confirmed by Acme" in text
    for internal in (CONTEXT, "health", "Gaps", "Risk", "/100", "Pilot went fine"):
        assert internal not in text, internal

    # the buyer confirms the CFO step
    await click_step(h, "Their CFO", "Confirm")
    msg = blocks_text(latest_shared(h))
    assert "confirmed by Maria" in msg and "1 of 2 customer steps confirmed by Acme" in msg
    dm = dms(h)
    assert "Maria (Acme) confirmed #" in blocks_text(dm[-1])
    eph = h.fake.to("chat.postEphemeral")[-1]
    assert eph["user"] == BUYER and eph["channel"] == CHANNEL

    # the buyer proposes another date for the pilot sign-off: a modal, then a proposal
    sam = step_rows(h)
    pilot = next(s for d, s in sam.items() if "pilot sign-off" in d)
    before = pilot.due
    await click_step(h, "pilot sign-off", "Propose another date")
    assert h.fake.to("views.open"), "the buyer's proposal modal did not open"
    await submit_buyer_date(h, "2026-12-16")
    assert next(s for d, s in step_rows(h).items() if "pilot sign-off" in d).due == before
    proposal = dms(h)[-1]
    assert "proposes" in blocks_text(proposal)

    # the rep accepts in the DM
    await click(h, dict(proposal, channel="DU1"), button("Accept"))
    await h.fake.settle()
    record = records(h)
    by_text = {s["text"]: s for s in record["steps"]}
    cfo = next(s for t, s in by_text.items() if "CFO" in t)
    pilot_rec = next(s for t, s in by_text.items() if "pilot sign-off" in t)
    assert cfo["confirmed_by"] == "Maria"
    assert pilot_rec["due"] == "2026-12-16" and pilot_rec["confirmed_by"] is None
    assert record["decision_date"] == "2027-01-29"
    assert record["confirmed"] == "1 of 2 customer steps confirmed by Acme"
    # the shared message was updated in place, never reposted, never with an internal note
    assert len([c for c in h.fake.to("chat.postMessage") if c.get("channel") == CHANNEL]) == 1
    assert "Wed Dec 16" in blocks_text(latest_shared(h))
    for version in shared_messages(h):
        for internal in (CONTEXT, RISK, "health", "/100"):
            assert internal not in blocks_text(version)
    actions = h.db.run(lambda s: list(s.exec(select(BuyerAction))))
    assert [(a.kind, a.actor_id, a.status) for a in actions] == [
        ("confirm", BUYER, "done"),
        ("propose", BUYER, "accepted"),
    ]


async def test_crafted_buyer_payloads_are_refused_and_change_nothing(h: Harness) -> None:
    assert h.slack
    await review_two_customer_steps(h)
    await h.slack.command("Globex - pilot")  # a second deal of the same rep, never shared
    await h.fake.settle()
    await say(h, "cancel")
    await share(h)
    before = {d: (s.status, s.due, s.confirmed_by) for d, s in step_rows(h).items()}
    ours = next(s for d, s in step_rows(h).items() if d.startswith("We send"))
    cfo = next(s for d, s in step_rows(h).items() if "CFO" in d)
    share_id = json.loads(json.dumps(latest_shared(h)["blocks"]))
    value = next(
        el["value"]
        for b in share_id
        if b.get("type") == "actions"
        for el in b["elements"]
        if el["value"].startswith("buyer:")
    )
    sid = int(value.split(":")[1])

    async def crafted(val: str, channel: str = CHANNEL) -> str:
        n = len(h.fake.to("chat.postEphemeral"))
        msg = {
            "ts": latest_shared(h)["ts"],
            "channel": channel,
            "blocks": [
                {
                    "type": "actions",
                    "block_id": f"x{val}",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "dc:choice:0",
                            "value": val,
                            "text": {"type": "plain_text", "text": "X"},
                        }
                    ],
                }
            ],
        }
        await h.slack.click(msg, lambda el: True, user=BUYER, user_team=BUYER_TEAM)
        await h.fake.settle()
        return blocks_text(h.fake.to("chat.postEphemeral")[n])

    # our step, from the right share
    assert "Nothing changed" in await crafted(f"buyer:{sid}:{ours.id}:done")
    # another deal's step through this share (and a share id that does not exist)
    other = h.db.run(
        lambda s: s.exec(select(PlanStep).where(PlanStep.deal_id != cfo.deal_id)).all()
    )
    for step in other:
        assert "Nothing changed" in await crafted(f"buyer:{sid}:{step.id}:confirm")
    assert "Nothing changed" in await crafted(f"buyer:{sid + 7}:{cfo.id}:confirm")
    # this share from another channel
    assert "Nothing changed" in await crafted(f"buyer:{sid}:{cfo.id}:confirm", "C0OTHER")
    # the rep's own buttons and commands
    assert "Nothing changed" in await crafted(f"step:{cfo.id}:done")
    assert "Nothing changed" in await crafted("cmd:list")
    assert "Nothing changed" in await crafted("cmd:digest:C0ACME")
    for cmd in ("plan Acme", "list", "digest #C0ACME", "share Acme"):
        n = len(h.fake.to("chat.postEphemeral"))
        await h.slack.command(cmd, user=BUYER, channel=CHANNEL, shared=True)
        await h.fake.settle()
        refusal = blocks_text(h.fake.to("chat.postEphemeral")[n])
        assert "Nothing changed" in refusal and "Their CFO" not in refusal
    after = {d: (s.status, s.due, s.confirmed_by) for d, s in step_rows(h).items()}
    assert after == before
    assert h.db.run(lambda s: list(s.exec(select(BuyerAction)))) == []
    # nothing of ours leaked to the buyer in a DM either
    assert not [c for c in h.fake.to("chat.postMessage") if c.get("channel") == f"D{BUYER}"]


async def test_export_button_uploads_the_customer_plan(h: Harness) -> None:
    assert h.slack
    await review_two_customer_steps(h)
    n = len(h.fake.to("chat.postMessage"))
    await h.slack.command("plan Acme")
    await h.fake.wait_for("chat.postMessage", n + 1)
    card = h.fake.to("chat.postMessage")[-1]
    resp = await h.slack.click(card, button("Export"))
    assert resp.status == 200
    await h.fake.wait_for("files.completeUploadExternal")
    (done,) = h.fake.to("files.completeUploadExternal")
    assert done["channel_id"] == "DU1"  # the rep's DM, never a shared channel
    names = [c["filename"] for c in h.fake.to("files.getUploadURLExternal")]
    assert [n.rsplit(".", 1)[1] for n in names] == ["md", "ics"]
    md, ics = (h.fake.uploads[c] for c in sorted(h.fake.uploads))
    assert b"Their CFO signs off the budget" in md and CONTEXT.encode() not in md
    decision = records(h)["decision_date"].replace("-", "")
    assert b"BEGIN:VCALENDAR" in ics and f"DTSTART;VALUE=DATE:{decision}".encode() in ics


async def test_a_failed_update_of_the_shared_post_is_tried_again(h: Harness) -> None:
    assert h.slack
    await review_two_customer_steps(h)
    await share(h)
    h.fake.fail("chat.update", error="fatal_error")
    await click_step(h, "Their CFO", "Confirm")
    shared = [c for c in h.fake.calls if c.method == "chat.update" and c.args["channel"] == CHANNEL]
    assert len(shared) == 1  # tried, and Slack refused it
    await say(h, "list")  # the rep's next turn, which changes nothing in the plan
    await h.fake.settle()
    latest = blocks_text(latest_shared(h))
    assert len([c for c in h.fake.to("chat.update") if c["channel"] == CHANNEL]) == 2
    assert "confirmed by Maria" in latest
    await say(h, "list")
    await h.fake.settle()
    assert len([c for c in h.fake.to("chat.update") if c["channel"] == CHANNEL]) == 2


async def test_buyer_turns_are_journaled_and_answered_after_a_restart(
    h: Harness, tmp_path: Path
) -> None:
    """A buyer's click and modal are written down before the ack like the rep's turns; one
    acked and never answered (the server was killed) is answered when the app starts."""
    assert h.slack
    await h.stop()
    h.inbox = Inbox(tmp_path / "inbox.jsonl")
    await h.start()
    await review_two_customer_steps(h)
    await share(h)
    await click_step(h, "Their CFO", "Confirm")
    await click_step(h, "pilot sign-off", "Propose another date")
    await submit_buyer_date(h, "2026-12-16")
    assert h.inbox.unanswered() == []
    journal = [json.loads(line) for line in h.inbox.path.read_text().splitlines()]
    buyers = [e["turn"] for e in journal if "turn" in e and e["turn"]["external"]]
    assert [t["kind"] for t in buyers] == ["click", "click", "form"]
    assert {t["conversation"] for t in buyers} == {CHANNEL}

    # what a server killed after the ack of a second confirm would leave unanswered
    confirm = buyers[0]
    pilot = next(s for d, s in step_rows(h).items() if "pilot sign-off" in d)
    value = confirm["raw"]["value"].rsplit(":", 2)[0] + f":{pilot.id}:confirm"
    killed = dict(confirm, raw={"value": value}, key="slack:act:killed")
    h.inbox.received("slack:act:killed", killed, h.coach.clock())
    n = len(h.fake.to("chat.postEphemeral"))
    await h.restart()
    await h.fake.wait_for("chat.postEphemeral", n + 1)
    await h.fake.settle()
    assert next(s for d, s in step_rows(h).items() if "pilot sign-off" in d).confirmed_by == (
        "Maria"
    )
    assert h.fake.to("chat.postEphemeral")[-1]["user"] == BUYER
    assert "2 of 2 customer steps confirmed by Acme" in blocks_text(latest_shared(h))
    assert h.inbox.unanswered() == []
    h.inbox.close()


async def test_a_step_the_coach_proposed_is_shared_in_customer_words(h: Harness) -> None:
    """The no-decision answer adds the coach's de-risking step, worded for the rep; the
    shared post, and the buyer's own answer about it, carry its customer wording only."""
    assert h.slack
    await h.slack.command("Acme - renewal")
    await h.fake.wait_for("chat.postMessage")
    await say(h, "Jan 29")
    await say(h, CONTEXT)
    await say(h, "Their CFO signs off the budget by Dec 11")
    q = await say(h, "We send the security review by Dec 4")
    q = await click(h, q, button("That's all"))
    assert "no decision" in blocks_text(q)
    q = await click(h, q, button("Not enough information"))
    assert "Send the two facts they still need to decide" in blocks_text(q)  # the rep's words
    q = await click(h, q, button("Add it to the plan"))
    q = await click(h, q, button("Proposed"))
    await click(h, q, button("Looks good"))
    assert any("two facts" in d for d in step_rows(h))
    await share(h)
    text = blocks_text(latest_shared(h))
    assert "Send you the facts you still need for your decision" in text
    for internal in ("two facts", "stop adding more", "still need to decide", "information"):
        assert internal not in text, internal
