"""The review dialog with answers as reps type them (issue 11): several steps in one answer,
history before a step, a side it cannot tell, a bare date, a rep who writes DD/MM."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from bot.engine import Coach
from storage.db import Database
from storage.models import PlanStep, Review
from tests.bot.chat import Chat


def start(chat: Chat) -> None:
    chat.command("review")
    chat.say("Globex - platform deal")
    chat.say("Feb 2")
    chat.say("Renewal of their analytics platform.")
    assert chat.stage == "customer_next"


def steps(db: Database) -> list[tuple[str | None, str, dt.date | None, str | None]]:
    with db.session() as s:
        rows = s.exec(select(PlanStep).order_by(PlanStep.id)).all()
        return [(r.side, r.description, r.due, r.owner) for r in rows]


def test_two_steps_in_one_answer_are_both_stored_and_the_history_kept(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    start(chat)
    out = chat.say(
        "We had a budget meeting on Monday, anyway Raj needs to send the finance approval "
        "by Dec 4 and then their CFO signs the order form by Dec 11"
    )
    assert "Added 2 steps to the plan:" in out
    assert steps(db) == [
        ("customer", "Raj needs to send the finance approval", dt.date(2026, 12, 4), "Raj"),
        ("customer", "Their CFO signs the order form", dt.date(2026, 12, 11), None),
    ]
    with db.session() as s:
        assert "We had a budget meeting on Monday" in s.exec(select(Review)).one().context
    assert chat.stage == "us_next"


def test_an_unsure_side_is_asked_with_one_tap(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    start(chat)
    chat.say("Their CFO signs the order form by Dec 11")
    chat.say("I send the revised SOW by Friday")
    assert chat.stage == "more"
    out = chat.say("Legal reviews the MSA by Dec 10")  # whose legal?
    assert chat.stage == "step_side" and "Theirs or ours?" in out
    chat.click(chat.choice("Globex"))
    assert chat.stage == "step_owner"  # "Legal" names no one
    chat.click("owner:skip")
    assert steps(db)[-1] == ("customer", "Legal reviews the MSA", dt.date(2026, 12, 10), None)


def test_a_bare_date_is_asked_about_and_adds_nothing(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    start(chat)
    out = chat.say("dec 9")
    assert "What happens on Wed Dec 9, and who does it?" in out
    assert steps(db) == [] and chat.stage is None  # the question stands


def test_a_rep_in_london_writes_the_day_first(coach: Coach, db: Database) -> None:
    chat = Chat(coach, tz="Europe/London")
    start(chat)
    chat.say("Their CFO signs the order form by 3/12")
    assert steps(db)[0][2] == dt.date(2026, 12, 3)



@pytest.mark.parametrize("word", ["skip", "that's all", "looks good"])
def test_control_words_at_a_step_question_skip_it_and_keep_no_context(
    coach: Coach, db: Database, word: str
) -> None:
    """'skip', "that's all", 'looks good' at the customer/us step mean "no step here", not history."""
    chat = Chat(coach)
    start(chat)
    out = chat.say(word)
    assert "kept it as context" not in out and "Skipped: no customer step" in out
    assert chat.stage == "us_next"
    out = chat.say(word)
    assert "kept it as context" not in out and "Skipped: no step of ours" in out
    assert chat.stage == "more"
    assert steps(db) == []
    with db.session() as s:
        assert word not in s.exec(select(Review)).one().context.lower()


def test_a_bare_role_after_their_step_stays_theirs_at_our_question(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    start(chat)
    chat.say("skip")
    assert chat.stage == "us_next"  # "What do we do next?": the question does not make it ours
    chat.say("their legal reviews the MSA by Dec 4 and then finance issues the PO by Dec 9")
    while chat.stage == "step_owner":
        chat.click("owner:skip")
    assert [(side, due) for side, _, due, _ in steps(db)] == [
        ("customer", dt.date(2026, 12, 4)),
        ("customer", dt.date(2026, 12, 9)),
    ]
