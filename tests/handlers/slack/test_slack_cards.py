"""Answered buttons update their card in place; file shares and thread replies in the DM.

Everything goes through the real server and the fake Slack, which answers chat.update as
Slack does (message_not_found, cant_update_message, the block limits).
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from bot.schedule import Schedule
from config import Settings
from handlers.schedule import cadence_from
from handlers.slack.app import FILES_NOT_READ
from handlers.web import DELIVERIES
from storage.models import PlanStep
from tests.conftest import FakeClock
from tests.handlers.slack.slack_fake import TEAM, Harness, button
from tests.handlers.test_schedule_platforms import MONDAY_MORNING_NY, seed_overdue_step


def text_of(msg: dict[str, Any]) -> str:
    return json.dumps(msg.get("blocks") or [], ensure_ascii=False)


def step_status(h: Harness) -> dict[str, str]:
    return h.db.run(lambda s: {p.description: p.status for p in s.exec(select(PlanStep))})


async def nudged(h: Harness, clock: FakeClock) -> dict[str, Any]:
    """Monday's nudge (with today's reminder cards) in U1's DM, as Slack shows it."""
    seed_overdue_step(h.db, f"slack:{TEAM}", "U1", clock.now)
    assert h.app is not None
    schedule = Schedule(
        h.db, h.app[DELIVERIES], cadence_from(Settings()), clock=lambda: MONDAY_MORNING_NY
    )
    report = await schedule.run_pass(MONDAY_MORNING_NY)
    assert len(report.sent) == 1, report.summary()
    (post,) = h.fake.posted()
    return post


async def plan_card(h: Harness, clock: FakeClock) -> dict[str, Any]:
    seed_overdue_step(h.db, f"slack:{TEAM}", "U1", clock.now)
    assert h.slack
    await h.slack.command("plan Acme")
    (card,) = await h.fake.wait_for("chat.postMessage")
    assert "Plan: Acme — renewal" in text_of(card)
    return card


def done_on(step: str):  # type: ignore[no-untyped-def]
    """The Done button whose accessibility label names `step`."""
    return lambda el: (
        el["type"] == "button"
        and el["text"]["text"] == "Done"
        and step in str(el.get("accessibility_label"))
    )


async def test_done_on_a_reminder_updates_that_reminder_instead_of_posting_a_card(
    h: Harness, clock: FakeClock
) -> None:
    nudge = await nudged(h, clock)
    assert h.slack
    labels = [
        el.get("accessibility_label")
        for b in nudge["blocks"]
        if b["type"] == "actions"
        for el in b["elements"]
    ]
    # the reminder card offers Done for the CFO's step; the nudge's own lists leave out a
    # step that already has its card in the message (so it is not listed twice)
    assert labels.count("Done: Their CFO signs off the budget") == 1, labels
    await h.slack.click(nudge, done_on("Their CFO signs off the budget"))
    (update,) = await h.fake.wait_for("chat.update")
    await h.fake.settle(0.2)
    assert len(h.fake.to("chat.postMessage")) == 1  # the nudge only: no plan card after it
    assert (update["channel"], update["ts"]) == ("DU1", nudge["ts"])
    shown = text_of(h.fake.message("DU1", nudge["ts"]))
    assert "Marked done: Their CFO signs off the budget" in shown
    assert "cmd:undo" in shown  # the plan's Undo, beside what happened
    assert "step:" in shown  # the other step keeps its buttons; this one has none left:
    assert not [
        el
        for b in update["blocks"]
        if b["type"] == "actions"
        for el in b["elements"]
        if "Their CFO" in str(el.get("accessibility_label"))
    ]
    assert step_status(h)["Their CFO signs off the budget"] == "done"
    # Undo from the reminder reopens the step (and says so in the DM).
    await h.slack.click({**nudge, "blocks": update["blocks"]}, button("Undo"))
    await h.fake.wait_for("chat.postMessage", 2)
    assert step_status(h)["Their CFO signs off the budget"] == "open"


async def test_done_on_a_plan_card_redraws_that_card(h: Harness, clock: FakeClock) -> None:
    card = await plan_card(h, clock)
    assert h.slack
    await h.slack.click(card, done_on("Send the SOC 2 report"))
    (update,) = await h.fake.wait_for("chat.update")
    await h.fake.settle(0.2)
    assert len(h.fake.to("chat.postMessage")) == 1
    assert update["ts"] == card["ts"]
    assert update["blocks"][0]["text"]["text"].startswith(":white_check_mark: Marked done")
    assert "Plan: Acme — renewal" in text_of(update)
    assert "~Send the SOC 2 report~" in text_of(update)  # the new plan, struck through
    assert not h.fake.rejected


async def test_someone_elses_step_leaves_the_card_as_it_was(h: Harness, clock: FakeClock) -> None:
    """A click is a request: the card the payload points at is only touched when the
    engine found the step among the actor's own deals."""
    card = await plan_card(h, clock)
    assert h.slack
    elsewhere = {**card, "channel": "C0DEALS", "posted_to": "C0DEALS"}  # seen by U2 too
    h.fake.history.setdefault("C0DEALS", []).append(
        {"ts": card["ts"], "bot_id": "BBOT", "text": card["text"], "blocks": card["blocks"]}
    )
    await h.slack.click(elsewhere, done_on("Send the SOC 2 report"), user="U2")
    told = (await h.fake.wait_for("chat.postMessage", 2))[-1]
    await h.fake.settle(0.2)
    assert "I can't find that step" in text_of(told)
    assert h.fake.to("chat.update") == []
    assert step_status(h)["Send the SOC 2 report"] == "open"


async def test_a_card_slack_will_not_update_is_answered_with_one_new_post(
    h: Harness, clock: FakeClock
) -> None:
    card = await plan_card(h, clock)
    assert h.slack
    h.fake.history["DU1"] = [m for m in h.fake.history["DU1"] if m["ts"] != card["ts"]]  # deleted
    await h.slack.click(card, done_on("Send the SOC 2 report"))
    posts = await h.fake.wait_for("chat.postMessage", 2)
    await h.fake.settle(0.2)
    assert [u.get("refused") for u in h.fake.to("chat.update")] == ["message_not_found"]
    assert len(posts) == 2
    assert "Marked done: Send the SOC 2 report" in text_of(posts[1])
    assert "Plan: Acme — renewal" in text_of(posts[1])
    assert step_status(h)["Send the SOC 2 report"] == "done"


async def test_a_message_that_is_not_the_bots_is_answered_with_one_new_post(
    h: Harness, clock: FakeClock
) -> None:
    """Slack answers cant_update_message for a message the bot did not post."""
    card = await plan_card(h, clock)
    assert h.slack
    (stored,) = [m for m in h.fake.history["DU1"] if m["ts"] == card["ts"]]
    stored["user"] = "U0OTHERAPP"  # as if another app had posted it
    await h.slack.click(card, done_on("Send the SOC 2 report"))
    posts = await h.fake.wait_for("chat.postMessage", 2)
    await h.fake.settle(0.2)
    assert [u.get("refused") for u in h.fake.to("chat.update")] == ["cant_update_message"]
    assert "Plan: Acme — renewal" in text_of(posts[1])


async def test_a_file_alone_is_answered_with_what_to_do_instead(h: Harness) -> None:
    assert h.slack
    await h.slack.dm("", files=[{"id": "F1", "name": "notes.pdf"}])
    (post,) = await h.fake.wait_for("chat.postMessage")
    assert FILES_NOT_READ in text_of(post)


async def test_a_files_comment_is_read_as_the_answer(h: Harness) -> None:
    assert h.slack
    await h.slack.dm("review", thread_ts=None)
    (question,) = await h.fake.wait_for("chat.postMessage")
    assert "Which deal shall we review" in text_of(question)
    await h.slack.dm("Initech - expansion", files=[{"id": "F2", "name": "deck.pptx"}])
    (_, answer) = await h.fake.wait_for("chat.postMessage", 2)
    assert "New deal: *Initech — expansion*" in text_of(answer)


async def test_a_reply_in_a_thread_of_the_dm_is_answered_in_that_thread(h: Harness) -> None:
    assert h.slack
    await h.slack.dm("review")
    (question,) = await h.fake.wait_for("chat.postMessage")
    await h.slack.dm("Initech - expansion", thread_ts=question["ts"])
    (_, answer) = await h.fake.wait_for("chat.postMessage", 2)
    assert "New deal: *Initech — expansion*" in text_of(answer)
    assert answer["thread_ts"] == question["ts"]
    # and a file alone in the thread is answered there too
    await h.slack.dm("", thread_ts=question["ts"], files=[{"id": "F3", "name": "a.png"}])
    posts = await h.fake.wait_for("chat.postMessage", 3)
    assert FILES_NOT_READ in text_of(posts[-1]) and posts[-1]["thread_ts"] == question["ts"]
