"""A step of its own typed at a question about the step being completed ("Who on their side
owns this?", "Theirs or ours?", "By when?") is the rep's next step, not the answer: it is
kept and planned, never lost or taken as an owner, a side or a date. Scripted through the
real engine; the coach's clock is conftest's T0, Tue Nov 24 2026 in New York."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from bot.engine import Coach
from storage.db import Database
from storage.models import Deal, PlanStep, Review
from tests.bot.chat import Chat
from tests.bot.test_tester_round2 import plan, skip_owner, to_context

TOMORROW = dt.date(2026, 11, 25)


def at_customer_step(chat: Chat) -> None:
    to_context(chat)
    chat.say("skip")
    assert chat.stage == "customer_next", chat.text


def planned(db: Database) -> list[tuple[str | None, str, dt.date | None, str | None]]:
    _, steps, _ = plan_any(db)
    return [(s.side, s.description, s.due, s.owner) for s in steps]


# --- "Who on their side owns this?" ---------------------------------------------------------


def test_a_new_step_at_the_owner_question_skips_it_and_is_planned(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say(
        "They send the security questionnaire back by Dec 4 and then procurement issues "
        "the PO the week after"
    )
    assert chat.stage == "step_owner", chat.text
    out = chat.say("I send the revised quote tmrw")
    assert "A name or a role" not in out, out
    assert "No owner for “They send the security questionnaire back” then (nor for" in out
    assert "Added 2 steps" in out and "Added to the plan: Us (Alice): I send the revised" in out
    assert chat.stage == "more", out  # answered as the our-step question, then "what else?"
    assert planned(db) == [
        ("customer", "They send the security questionnaire back", dt.date(2026, 12, 4), None),
        ("customer", "Procurement issues the PO", dt.date(2026, 12, 11), None),
        ("us", "I send the revised quote", TOMORROW, "Alice"),
    ]


def test_a_new_step_waits_while_a_step_of_the_same_answer_needs_a_date(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say(
        "They send the security questionnaire back by Dec 4 and then procurement issues the PO"
    )
    assert chat.stage == "step_owner", chat.text
    out = chat.say("I send the revised quote tmrw")
    assert chat.stage == "step_due" and "Procurement issues the PO" in out, out
    assert "I'll take “I send the revised quote tmrw” after this one." in out, out
    out = chat.click("date:2026-12-11")
    assert chat.stage == "more" and "I send the revised quote" in out, out
    assert planned(db) == [
        ("customer", "They send the security questionnaire back", dt.date(2026, 12, 4), None),
        ("customer", "Procurement issues the PO", dt.date(2026, 12, 11), None),
        ("us", "I send the revised quote", TOMORROW, "Alice"),
    ]


def test_a_new_step_without_its_doer_at_the_owner_question_is_no_owner(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say("They send the PO by Dec 4")
    assert chat.stage == "step_owner", chat.text
    chat.say("send revised quote Dec 3")  # read at the our-step question that follows
    assert planned(db) == [
        ("customer", "They send the PO", dt.date(2026, 12, 4), None),
        ("us", "Send revised quote", dt.date(2026, 12, 3), None),
    ]


@pytest.mark.parametrize(
    "owner",
    [
        "Priya",
        "their CFO",
        "procurement",
        "Priya in legal",
        "Sam from finance",
        "the CFO, Mark",
        "Jen from procurement will handle it",
    ],
)
def test_a_name_or_a_role_at_the_owner_question_is_the_owner(
    coach: Coach, db: Database, owner: str
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say("They send the PO by Dec 4")
    out = chat.say(owner)
    assert chat.stage == "us_next", out
    assert planned(db) == [("customer", "They send the PO", dt.date(2026, 12, 4), owner)]


# --- "Theirs or ours?" ------------------------------------------------------------------------


def test_a_new_step_at_theirs_or_ours_is_kept_and_does_not_answer_it(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say("skip")
    chat.say("skip")
    assert chat.stage == "more", chat.text
    chat.say("kickoff call Dec 10")
    assert chat.stage == "step_side", chat.text
    out = chat.say("I send the revised quote tmrw")  # "I" is no answer to whose the call is
    assert chat.stage == "step_side" and "I'll add “I send the revised quote” next" in out, out
    out = skip_owner(chat, chat.click("side:customer"))
    assert chat.stage == "more" and "I send the revised quote" in out, out
    assert planned(db) == [
        ("customer", "Kickoff call", dt.date(2026, 12, 10), None),
        ("us", "I send the revised quote", TOMORROW, "Alice"),
    ]


@pytest.mark.parametrize("answer", ["ours, I do it", "ours - we send it"])
def test_who_does_it_at_theirs_or_ours_is_the_side(coach: Coach, db: Database, answer: str) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say("skip")
    chat.say("skip")
    chat.say("kickoff call Dec 10")
    assert chat.stage == "step_side", chat.text
    out = chat.say(answer)
    assert chat.stage == "more" and "Added to the plan" in out, out
    assert [(s[0], s[1]) for s in planned(db)] == [("us", "Kickoff call")]


# --- "By when?" -------------------------------------------------------------------------------


def test_a_new_step_with_its_own_date_at_by_when_is_not_this_steps_date(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say("they send the PO")
    assert chat.stage == "step_due", chat.text
    out = chat.say("I send the revised quote tmrw")
    assert chat.stage == "step_due" and "I'll add “I send the revised quote” next" in out, out
    out = skip_owner(chat, chat.say("Dec 4"))
    assert "I send the revised quote" in out, out
    assert planned(db) == [
        ("customer", "They send the PO", dt.date(2026, 12, 4), None),
        ("us", "I send the revised quote", TOMORROW, "Alice"),
    ]


def test_a_date_and_a_new_step_at_by_when_gives_both(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say("they send the PO")
    skip_owner(chat, chat.say("by Dec 4, and I send the revised quote tmrw"))
    assert planned(db) == [
        ("customer", "They send the PO", dt.date(2026, 12, 4), None),
        ("us", "I send the revised quote", TOMORROW, "Alice"),
    ]


@pytest.mark.parametrize(
    "answer",
    [
        "they send it back by Dec 4",  # this step again, with its date
        "they should have it by Dec 4",
        "they'll have the PO to us by Dec 4",  # the PO again: this step
        "legal needs to sign off first, so Dec 4",  # a reason, then the date
        "Dec 4, after their board meets",  # a condition
        "Priya promised Dec 4",
        "moving it to Dec 4",
    ],
)
def test_a_date_said_with_words_around_it_at_by_when_is_this_steps_date(
    coach: Coach, db: Database, answer: str
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say("they send the PO")
    out = skip_owner(chat, chat.say(answer))
    assert chat.stage == "us_next", out
    assert planned(db) == [("customer", "They send the PO", dt.date(2026, 12, 4), None)]


# --- `edit #N due …` onto a day off -----------------------------------------------------------


def test_edit_onto_a_holiday_in_a_review_asks_as_a_new_steps_date_does(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    skip_owner(chat, chat.say("They send the PO by Dec 10"))
    assert chat.stage == "us_next", chat.text
    out = chat.command("edit", "#1 due Dec 25")
    assert "Fri Dec 25 is Christmas Day — keep it or pick another date?" in out, out
    out = chat.click(chat.choice("Mon Dec 28"))
    assert "is due Mon Dec 28" in out and chat.stage == "us_next", out
    assert planned(db) == [("customer", "They send the PO", dt.date(2026, 12, 28), None)]


def test_edit_onto_a_weekend_outside_a_review_asks_before_moving(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    skip_owner(chat, chat.say("They send the PO by Dec 10"))
    chat.command("cancel")
    out = chat.command("edit", "#1 due Dec 26")
    assert "Sat Dec 26 is a Saturday — keep it or pick another date?" in out, out
    assert planned(db)[0][2] == dt.date(2026, 12, 10)  # nothing moved yet
    out = chat.say("monday")  # read around the day questioned: Mon Dec 28
    assert "Moved “They send the PO” to Mon Dec 28" in out, out
    assert planned(db) == [("customer", "They send the PO", dt.date(2026, 12, 28), None)]
    chat.command("edit", "#1 due Dec 26")
    out = chat.click("day:keep")
    assert planned(db)[0][2] == dt.date(2026, 12, 26), out


def test_edit_of_an_earlier_reviews_step_in_a_review_asks_then_resumes(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    skip_owner(chat, chat.say("They send the PO by Dec 10"))
    chat.command("cancel")
    chat.command("review")
    chat.click(chat.choice("Zed"))
    asked = chat.stage
    out = chat.command("edit", "#1 due Dec 25")
    assert "Fri Dec 25 is Christmas Day — keep it or pick another date?" in out, out
    out = chat.click(chat.choice("Thu Dec 24"))
    assert "Moved “They send the PO” to Thu Dec 24" in out and chat.stage == asked, out
    _, steps, _ = plan_any(db)
    assert steps[0].due == dt.date(2026, 12, 24) and steps[0].slips == 1


def test_a_typed_reschedule_onto_a_holiday_asks_and_cancel_moves_nothing(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    skip_owner(chat, chat.say("They send the PO by Dec 10"))
    chat.command("cancel")
    step_id = plan(db)[1][0].id
    chat.click(f"step:{step_id}:reschedule")
    assert chat.stage == "reschedule", chat.text
    out = chat.say("Dec 25")
    assert "Fri Dec 25 is Christmas Day — keep it or pick another date?" in out, out
    chat.command("cancel")
    assert planned(db)[0][2] == dt.date(2026, 12, 10)
    chat.click(f"step:{step_id}:reschedule")
    chat.say("Dec 25")
    out = chat.click("day:keep")
    assert "Moved “They send the PO” to Fri Dec 25" in out, out
    assert planned(db)[0][2] == dt.date(2026, 12, 25)


def plan_any(db: Database) -> tuple[Deal, list[PlanStep], list[Review]]:
    """The deal, its steps and every review of it (a second review was started)."""
    with db.session() as s:
        deal = s.exec(select(Deal)).one()
        steps = list(s.exec(select(PlanStep).order_by(PlanStep.number)))
        reviews = list(s.exec(select(Review)))
    return deal, steps, reviews
