"""Following up a due step in plain words (issue 10). The first review's customer step is
due Fri 2026-11-27; four days after T0 (Sat Nov 28) the next review asks about it."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.engine import Coach
from storage.db import Database
from storage.models import Deal, PlanStep
from tests.bot.chat import Chat
from tests.bot.test_review import first_review
from tests.conftest import FakeClock


def due_review(coach: Coach, clock: FakeClock) -> Chat:
    chat = Chat(coach)
    first_review(chat)
    clock.advance(days=4)
    chat.command("review", "acme")
    assert chat.stage == "confirm_due"
    return chat


def plan(db: Database) -> list[PlanStep]:
    with db.session() as s:
        return list(s.exec(select(PlanStep).order_by(PlanStep.number)))


def test_half_done_closes_the_done_part_and_keeps_the_rest_open(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    chat = due_review(coach, clock)
    out = chat.say("half done - they sent the questionnaire back but the call isn't booked")
    assert (
        "Still open, as #3: Book the call "
        "(to finish: Their security team has to finish the vendor risk assessment)" in out
    )
    assert chat.stage == "reschedule"  # the rest had no date: asked at once
    chat.say("Dec 8")
    assert chat.stage == "decision_check"
    first, _, rest = plan(db)
    assert (first.status, first.close_reason) == ("done", "they sent the questionnaire back")
    assert (rest.description, rest.side, rest.status, rest.due, rest.slips) == (
        "Book the call (to finish: Their security team has to finish the vendor risk assessment)",
        "customer",
        "open",
        dt.date(2026, 12, 8),
        0,
    )


def test_a_reason_and_a_new_date_in_one_answer_reschedules(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    chat = due_review(coach, clock)
    out = chat.say("CFO cancelled, moving it to next Thursday")
    assert "Moved" in out and "slip 1" in out and chat.stage == "decision_check"
    step = plan(db)[0]
    today = clock.now.date()
    assert step.status == "open" and step.slips == 1
    assert step.due is not None and step.due.weekday() == 3 and 0 < (step.due - today).days <= 14


def test_didnt_need_it_drops_the_step_with_that_reason(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    chat = due_review(coach, clock)
    assert "Dropped" in chat.say("didn't need it anymore")
    step = plan(db)[0]
    assert (step.status, step.close_reason) == ("dropped", "didn't need it anymore")


def test_a_new_date_after_the_decision_says_so_at_once(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    chat = due_review(coach, clock)
    out = chat.say("pushed to Jan 8")  # the decision date is Fri Dec 18
    assert "after the decision date" in out and chat.stage == "reschedule_late"
    assert chat.question is not None and chat.question.initial_date == dt.date(2026, 12, 18)
    chat.say("Dec 16")  # moved earlier: not another slip
    assert chat.stage == "decision_check"
    step = plan(db)[0]
    assert (step.due, step.slips) == (dt.date(2026, 12, 16), 1)


def test_keeping_a_date_after_the_decision(coach: Coach, db: Database, clock: FakeClock) -> None:
    chat = due_review(coach, clock)
    chat.say("moving it to Jan 8")
    chat.click("late:keep")
    assert chat.stage == "decision_check" and plan(db)[0].due == dt.date(2027, 1, 8)


def test_a_step_repeating_an_open_one_is_pointed_out_not_added(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    first_review(chat)  # has "I'll send them the revised proposal"
    chat.command("review", "acme")
    chat.click("decision:keep")
    chat.say("Legal is reading the MSA.")
    assert chat.stage == "customer_next"
    chat.say("Their CFO signs the order form by Dec 11")
    out = chat.say("We send the revised proposal by Dec 2")
    assert "already in the plan as #2" in out and "won't add it twice" in out
    assert chat.stage == "more"
    assert [s.description for s in plan(db)].count("I'll send them the revised proposal") == 1
    assert len(plan(db)) == 3


def test_same_as_before_keeps_the_earlier_risk_shown_first(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    chat.command("review", "Globex")
    chat.say("Dec 18")
    chat.say("Pilot went fine.")
    chat.say("Their IT lead approves the pilot by Dec 4")
    chat.say("I'll send the pricing proposal by Dec 2")
    chat.say("that's all")
    chat.say("Their budget may move to next year")
    chat.click("summary:confirm")
    chat.command("review", "globex")
    chat.click("decision:keep")
    chat.say("Still waiting on IT.")
    chat.say("Their IT lead signs the pilot report by Dec 9")
    chat.say("I'll book the pricing call by Dec 3")
    chat.say("that's all")
    assert chat.stage == "risk"
    assert "last time the risk of *no decision* was “Their budget may move to next year”" in (
        chat.question.text if chat.question else ""
    )
    out = chat.say("same as before")
    assert "Keeping the risk: Their budget may move to next year" in out
    with db.session() as s:
        assert s.exec(select(Deal)).one().risk == "Their budget may move to next year"
