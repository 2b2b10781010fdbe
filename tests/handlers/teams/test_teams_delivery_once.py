"""Teams under real conditions: redelivered activities, double submits, a restart mid-review."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from bot.engine import Coach
from storage.db import Database
from storage.models import Deal, DecisionDateChange, PlanStep
from tests.handlers.teams.fake_bot_connector import FakeConnector
from tests.handlers.teams.teams_harness import Server, TeamsChat, card_texts


async def test_same_activity_id_twice_takes_effect_once(
    chat: TeamsChat, connector: FakeConnector, db: Database
):
    await chat.say("dealreview")
    message = chat.activity(text="Acme - renewal")
    first = await chat.exchange(message)
    assert "New deal" in first[0].text
    again = await chat.exchange(message)  # Teams redelivers the very same activity
    assert again == []
    with Session(db.engine) as s:
        assert len(s.exec(select(Deal)).all()) == 1


async def test_a_card_submitted_twice_takes_effect_once(
    chat: TeamsChat, connector: FakeConnector, db: Database
):
    await chat.say("dealreview")
    calls = await chat.say("Acme - renewal")
    decision = calls[-1]
    # Two clicks on the same button of the same card: different activity ids, same card and value.
    first = await chat.click(decision, "End of next month (Dec 31)")
    assert "Target decision date: **Thu Dec 31**" in first[0].text
    second = await chat.click(decision, "End of next month (Dec 31)")
    assert second == []
    assert len(connector.updates) == 1  # the card was replaced once, by the first click
    with Session(db.engine) as s:
        assert [c.new_date for c in s.exec(select(DecisionDateChange)).all()] == [
            dt.date(2026, 12, 31)
        ]


async def test_plan_card_done_clicked_twice_closes_the_step_once(chat: TeamsChat, db: Database):
    await chat.say("dealreview")
    await chat.say("Acme - renewal")
    await chat.say("end of january")
    await chat.say("They liked the demo")
    await chat.say("Their CFO signs off the budget by Dec 12")
    await chat.say("We send the security review by Friday")
    await chat.say("that's all")
    await chat.say("skip")
    await chat.say("looks good")
    card = (await chat.say("plan Acme"))[-1]
    assert card.card is not None
    done = await chat.click(card, "Done")
    assert done[0].text.startswith("✅ Marked done")
    # The step id is the same; the second click on that card is recognised as the same submit.
    assert await chat.click(card, "Done") == []
    with Session(db.engine) as s:
        assert sorted(p.status for p in s.exec(select(PlanStep)).all()) == ["done", "open"]


async def test_review_resumes_after_a_restart(
    db: Database, coach: Coach, connector: FakeConnector, clock
):  # type: ignore[no-untyped-def]
    server = await Server(db, coach).start()
    chat = TeamsChat(server, connector)
    await chat.say("dealreview")
    await chat.say("Acme - renewal")
    await chat.say("end of january")
    await server.stop()  # the process goes away mid-review

    fresh = await Server(db, Coach(db, clock=clock, default_timezone="UTC")).start()
    try:
        chat.server = fresh
        calls = await chat.say("dealreview")
        assert calls[0].text == "Picking up where we left off."
        assert "Where is **Acme** in their buying journey?" in " ".join(card_texts(calls[-1].card))
        calls = await chat.say("They liked the demo")
        assert "What does **Acme** have to do next, and by when?" in card_texts(calls[-1].card)
    finally:
        await fresh.stop()


async def test_an_empty_date_picker_asks_for_a_date_without_touching_the_review(chat: TeamsChat):
    await chat.say("dealreview")
    decision = (await chat.say("Acme - renewal"))[-1]
    calls = await chat.click(decision, "Use this date")  # nothing picked
    assert calls[0].text == "⚠️ Pick a date in the box first, then press **Use this date**."
    calls = await chat.click(decision, "Use this date", dc_date="2027-02-26")
    assert "Target decision date: **Fri Feb 26, 2027**" in calls[0].text


async def _reviewed(chat: TeamsChat) -> None:
    """A finished review of Acme with a customer step and one of ours."""
    for line in (
        "dealreview",
        "Acme - renewal",
        "end of january",
        "They liked the demo",
        "Their CFO signs off the budget by Dec 12",
        "We send the security review by Friday",
        "that's all",
        "skip",
        "looks good",
    ):
        await chat.say(line)


async def test_read_only_buttons_on_an_old_card_answer_every_click(chat: TeamsChat, db: Database):
    await _reviewed(chat)
    listing = (await chat.say("list"))[-1]
    assert listing.card is not None
    for _ in range(3):  # Plan on the same (old) list card, again and again
        calls = await chat.click(listing, "Plan")
        assert calls, "a read-only button was taken for a duplicate"
        assert "**Acme — renewal**" in card_texts(calls[-1].card)
    calls = await chat.click(listing, "Review")
    assert calls
    again = await chat.click(listing, "Review")
    assert again, "Review on the same card a second time went unanswered"
    # Teams redelivering the very same activity is still recognised.
    plan = chat.submit_activity(listing, "Plan")
    assert await chat.exchange(plan)
    assert await chat.exchange(plan) == []


async def test_done_is_keyed_by_conversation_as_well_as_by_card(
    chat: TeamsChat, server: Server, connector: FakeConnector, db: Database
):
    """Teams message ids are unique within a conversation only: the same card id in another
    chat is another card, so a Done there is not mistaken for a double click."""
    await _reviewed(chat)
    card = (await chat.say("plan Acme"))[-1]
    done = chat.submit_activity(card, "Done")
    done["replyToId"] = "1700000000001"
    assert (await chat.exchange(done))[0].text.startswith("✅ Marked done")
    assert "open again" in (await chat.say("undo"))[0].text
    other = TeamsChat(
        server,
        connector,
        conversation={
            "conversationType": "personal",
            "tenantId": chat.conversation["tenantId"],
            "id": "a:1chat-aad-dana-reinstalled",
        },
    )
    again = other.submit_activity(card, "Done")
    again["replyToId"] = "1700000000001"
    calls = await other.exchange(again)
    assert calls and calls[0].text.startswith("✅ Marked done")
    with Session(db.engine) as s:
        assert sorted(p.status for p in s.exec(select(PlanStep)).all()) == ["done", "open"]
