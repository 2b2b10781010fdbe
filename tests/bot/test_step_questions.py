"""The short questions that complete a step as it is added (tester's defects 4 and 5): a due
date on a weekend or public holiday is questioned once ("Fri Dec 25 is Christmas Day — keep
it or pick another date?"), and a customer step nobody was named for gets "Who on their side
owns this?" once, with Skip. Scripted through the real engine; today is Tue 2026-11-24 (New
York, so US holidays unless the workspace's process names others)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.engine import Coach
from process.sales_process import default_text
from storage import crud
from storage.db import Database
from storage.models import PlanStep
from tests.bot.chat import Chat
from tests.conftest import T0


def start(chat: Chat) -> None:
    chat.command("review", "Acme Corp - renewal")
    chat.say("Jan 29")
    chat.click("dstage:skip")
    chat.say("Pilot is running.")
    assert chat.stage == "customer_next"


def steps(db: Database) -> list[tuple[str | None, str, dt.date | None, str | None]]:
    with db.session() as s:
        rows = s.exec(select(PlanStep).order_by(PlanStep.number)).all()
        return [(r.side, r.description, r.due, r.owner) for r in rows]


# --- a due date on a day off ----------------------------------------------------------------


def test_a_public_holiday_is_said_once_and_the_rep_keeps_or_moves_it(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    start(chat)
    out = chat.say("Raj signs the order form by Dec 25")
    assert "Fri Dec 25 is Christmas Day — keep it or pick another date?" in out
    assert chat.stage == "step_day_off" and steps(db) == []
    assert [c.label for c in chat.question.choices] == [  # type: ignore[union-attr]
        "Keep Fri Dec 25",
        "Thu Dec 24",
        "Mon Dec 28",
    ]
    chat.click(chat.choice("Mon Dec 28"))
    assert chat.stage == "us_next"
    out = chat.say("I send the SOC 2 report by Dec 5")  # a Saturday
    assert "Sat Dec 5 is a Saturday — keep it or pick another date?" in out
    out = chat.say("keep it")
    assert "Added to the plan: Us (Alice): I send the SOC 2 report, due Sat Dec 5" in out
    assert steps(db) == [
        ("customer", "Raj signs the order form", dt.date(2026, 12, 28), "Raj"),
        ("us", "I send the SOC 2 report", dt.date(2026, 12, 5), "Alice"),
    ]


def test_a_working_day_is_not_questioned_and_the_country_follows_the_rep(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    start(chat)
    out = chat.say("Raj signs the order form by Dec 28")  # Boxing Day (observed) in the UK
    assert "keep it or pick another date" not in out and chat.stage == "us_next"
    london = Chat(coach, user="bob", tz="Europe/London")
    start(london)
    out = london.say("Raj signs the order form by 28 Dec")
    assert "Mon Dec 28 is Boxing Day (observed) — keep it" in out


def test_the_workspace_process_names_the_holidays(coach: Coach, db: Database) -> None:
    chat = Chat(coach)  # a New York rep in a workspace whose process counts German holidays
    text = default_text().replace("holidays: US", "holidays: DE")
    with db.session() as s:
        crud.save_workspace_process(s, "console:test", "DE", text, T0)
        s.commit()
    start(chat)
    out = chat.say("Raj signs the order form by Dec 26")  # Saturday, and Zweiter Weihnachtstag
    assert "Sat Dec 26 is Second Day of Christmas — keep it" in out, out


def test_moving_on_at_the_day_off_question_keeps_the_date(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    start(chat)
    chat.say("Raj signs the order form by Dec 25")
    out = chat.say("I send the SOC 2 report by Dec 4")  # the rep goes on: Dec 25 it is
    assert "Added to the plan: Customer (Raj): Raj signs the order form" not in out
    assert [s[1:3] for s in steps(db)] == [
        ("Raj signs the order form", dt.date(2026, 12, 25)),
        ("I send the SOC 2 report", dt.date(2026, 12, 4)),
    ]


# --- who on their side owns it ----------------------------------------------------------------


def test_a_customer_step_with_no_one_named_asks_who_owns_it(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    start(chat)
    out = chat.say("Their legal team reviews the MSA by Dec 10")
    assert "“Their legal team reviews the MSA”. Who on their side owns this?" in out
    assert [c.label for c in chat.question.choices] == ["Skip"]  # type: ignore[union-attr]
    out = chat.say("Dana Reid")
    assert "Added to the plan: Customer (Dana Reid): Their legal team reviews the MSA" in out
    assert chat.stage == "us_next"
    chat.say("I send the order form by Dec 11")
    out = chat.say("They send the PO by Dec 15")
    assert chat.stage == "step_owner"
    chat.click("owner:skip")
    assert chat.stage == "more"
    assert [s[3] for s in steps(db)] == ["Dana Reid", "Alice", None]


def test_no_owner_question_when_the_rep_named_someone(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    start(chat)
    chat.say("Raj sends the PO by Dec 10")  # a name
    assert chat.stage == "us_next"
    chat.say("I send the order form by Dec 11")
    chat.say("Their CFO signs the order form by Dec 15")  # a title one person holds
    assert chat.stage == "more"
    assert [s[3] for s in steps(db)] == ["Raj", "Alice", None]


def test_asked_once_per_step_in_a_review_and_moving_on_skips_it(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    start(chat)
    chat.say("They send the PO by Dec 10")
    assert chat.stage == "step_owner"
    # The rep answers the next question instead ("silence" on this one): the step is kept
    # without an owner, and their answer is taken at the next question.
    out = chat.say("I send the order form by Dec 11")
    assert "Added to the plan: Customer: They send the PO" in out
    assert "Added to the plan: Us (Alice): I send the order form" in out
    assert chat.stage == "more"
    chat.say("undo")  # our step
    chat.say("undo")  # the customer step: asked again at the customer question
    assert chat.stage == "customer_next"
    chat.say("They send the PO by Dec 10")  # the same step again: not asked twice
    assert chat.stage == "us_next"
    assert steps(db) == [("customer", "They send the PO", dt.date(2026, 12, 10), None)]
