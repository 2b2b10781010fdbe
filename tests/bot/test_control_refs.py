"""Defects found after issue 10 ("the rep stays in control"): which deal "#N" means, undo
after closing a deal, dates that just passed, dates inside sentences, a decision date of
today. Scripted conversations through the real engine and a real (SQLite) store; the
instant is fixed by the test (the `clock` fixture: Tue 2026-11-24 15:00 UTC, or set here)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.engine import Coach
from storage import crud
from storage.db import Database
from storage.models import Deal, PlanStep
from tests.bot.chat import Chat
from tests.conftest import FakeClock


def two_deals(db: Database, clock: FakeClock) -> None:
    """Alice's "Acme — renewal" and "Acme Labs — pilot", each with steps #1 and #2."""
    now = clock()
    today = now.date()
    with db.session() as s:
        user = crud.ensure_user(s, "console:test", "alice", now, "Alice")
        for account, name, words in (
            ("Acme", "renewal", ("They sign the order form", "I send quote")),
            ("Acme Labs", "pilot", ("They pick pilot users", "I set up the sandbox")),
        ):
            deal = crud.create_deal(s, user, account, name, now)
            deal.decision_date = today + dt.timedelta(days=60)
            s.add(deal)
            for i, words_ in enumerate(words):
                side = "customer" if i == 0 else "us"
                crud.add_step(s, deal, words_, side, today + dt.timedelta(days=10 + i), now)
        s.commit()


def status_of(db: Database, deal_title: str, number: int) -> str:
    with db.session() as s:
        for deal in s.exec(select(Deal)).all():
            if deal.title == deal_title:
                step = s.exec(
                    select(PlanStep).where(PlanStep.deal_id == deal.id, PlanStep.number == number)
                ).one()
                return step.status
    raise AssertionError(deal_title)


# --- 1. "#N" is a step of the deal shown last ------------------------------------------------


def test_drop_after_plan_drops_that_deals_step_and_names_it(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    two_deals(db, clock)
    chat = Chat(coach)
    chat.say("plan Acme Labs - pilot")
    chat.say('plan "Acme - renewal"')  # quotes typed around a name are not part of it
    out = chat.say("drop #2 why")
    assert "Acme — renewal #2 I send quote: dropped (why)" in out
    assert status_of(db, "Acme — renewal", 2) == "dropped"
    assert status_of(db, "Acme Labs — pilot", 2) == "open"


def test_plan_shown_mid_review_is_what_hash_n_means(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    two_deals(db, clock)
    chat = Chat(coach)
    chat.command("review", "Acme Labs - pilot")
    assert chat.stage is not None
    chat.say("plan Acme - renewal")
    out = chat.say("done #1")
    assert "Acme — renewal #1 They sign the order form: done" in out
    assert status_of(db, "Acme — renewal", 1) == "done"
    assert status_of(db, "Acme Labs — pilot", 1) == "open"


def test_plan_shown_before_cancel_stays_the_one_meant(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    two_deals(db, clock)
    chat = Chat(coach)
    chat.command("review", "Acme Labs - pilot")
    chat.say("plan Acme - renewal")
    chat.say("cancel")
    assert chat.stage is None
    assert "Acme — renewal #2 I send quote: dropped" in chat.say("drop #2")


def test_plan_from_the_command_line_counts_as_shown_last(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    two_deals(db, clock)
    chat = Chat(coach)
    chat.say("plan Acme Labs - pilot")
    coach.plan(chat.user, "Acme - renewal")  # `dealcoach plan Acme - renewal`, another process
    out = chat.say("edit #2 owner Maria")
    assert "Acme — renewal #2 I send quote: owner Maria" in out


def test_unclear_which_deal_is_asked(coach: Coach, db: Database, clock: FakeClock) -> None:
    two_deals(db, clock)
    chat = Chat(coach)
    out = chat.say("drop #2 why")
    assert "Which deal" in out and "Acme — renewal" in out and "Acme Labs — pilot" in out
    chat.say("plan Acme - renewal")
    chat.say("list")  # several deals shown: "#2" is unclear again
    out = chat.say("done #2")
    assert "Which deal" in out
    assert status_of(db, "Acme — renewal", 2) == "open"
    assert status_of(db, "Acme Labs — pilot", 2) == "open"


# --- 2. undo right after closing a deal ------------------------------------------------------


def test_undo_after_close_reopens_and_returns_to_the_deal_question(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    two_deals(db, clock)
    chat = Chat(coach)
    chat.command("review")
    assert chat.stage == "pick_deal"
    chat.say("close Acme - renewal")
    chat.click(chat.choice("Won"))
    assert chat.stage == "close_reason"
    out = chat.say("budget approved")
    assert "Closed *Acme — renewal*" in out or "Closed Acme — renewal" in out
    assert chat.stage == "pick_deal"
    out = chat.say("undo")
    assert "open again" in out and ": in one line" not in out
    assert chat.stage == "pick_deal"
    with db.session() as s:
        assert {d.status for d in s.exec(select(Deal)).all()} == {"open"}
    out = chat.say("Acme Labs - pilot")  # the next answer is the deal, not a close reason
    assert "Reviewing" in out and "Acme Labs — pilot" in out


def test_undo_after_close_while_idle_stays_idle(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    two_deals(db, clock)
    chat = Chat(coach)
    chat.say("close Acme - renewal")
    chat.click(chat.choice("Lost"))
    chat.say("price")
    out = chat.say("undo")
    assert "open again" in out and chat.stage is None and ": in one line" not in out
    chat.say("hello")
    assert chat.stage != "close_reason"


# --- 3. a day and month that just passed is asked about, not jumped a year ------------------


def due_of(db: Database, deal_title: str, number: int) -> dt.date | None:
    with db.session() as s:
        deal = next(d for d in s.exec(select(Deal)).all() if d.title == deal_title)
        step = s.exec(
            select(PlanStep).where(PlanStep.deal_id == deal.id, PlanStep.number == number)
        ).one()
        return step.due


def test_edit_to_a_date_just_passed_asks_about_next_year(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    two_deals(db, clock)
    today = clock().date()  # Tue Nov 24, 2026: "Nov 1" passed 23 days ago
    before = due_of(db, "Acme — renewal", 2)
    chat = Chat(coach)
    chat.say("plan Acme - renewal")
    out = chat.say("edit #2 due Nov 1")
    next_year = dt.date(today.year + 1, 11, 1)
    assert f"Nov 1 has already passed: did you mean Mon Nov 1, {next_year.year}?" in out
    assert due_of(db, "Acme — renewal", 2) == before  # nothing changed silently
    out = chat.click(chat.choice("Yes"))
    assert due_of(db, "Acme — renewal", 2) == next_year
    assert "Acme — renewal #2 I send quote: due Mon Nov 1, 2027 (after the decision date)" in out
    assert "That's after the decision date" in out


def test_decision_date_a_month_ago_is_asked_about(db: Database) -> None:
    coach = Coach(db, clock=FakeClock(dt.datetime(2027, 3, 31, 15, 0, tzinfo=dt.UTC)))
    chat = Chat(coach)
    chat.command("review", "Initech - platform")
    assert chat.stage == "decision_date"
    out = chat.say("March 1")
    assert "Mar 1 has already passed: did you mean Wed Mar 1, 2028?" in out
    assert chat.stage == "decision_date"
    chat.click(chat.choice("No, another date"))
    assert chat.stage == "decision_date" and "When must" in chat.text
    chat.say("March 1")
    out = chat.click(chat.choice("Yes"))
    assert "Target decision date: Wed Mar 1, 2028" in out and chat.stage == "context"


# --- 5. a decision date of today is asked about --------------------------------------------


def test_end_of_quarter_on_its_last_day_asks_if_the_decision_is_today(db: Database) -> None:
    coach = Coach(db, clock=FakeClock(dt.datetime(2027, 3, 31, 15, 0, tzinfo=dt.UTC)))
    chat = Chat(coach)
    chat.command("review", "Initech - platform")
    out = chat.say("end of quarter")
    assert "That's today — is the decision really today?" in out
    assert chat.stage == "decision_date"
    out = chat.click(chat.choice("End of next month"))
    assert "Target decision date: Fri Apr 30" in out and chat.stage == "context"


def test_end_of_month_on_its_last_day_can_be_confirmed(db: Database) -> None:
    coach = Coach(db, clock=FakeClock(dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)))
    chat = Chat(coach)
    chat.command("review", "Initech - platform")
    assert "That's today" in chat.say("end of month")
    out = chat.click(chat.choice("Yes, today"))
    assert "Target decision date: Mon Nov 30 (today)" in out
    with db.session() as s:
        assert s.exec(select(Deal)).one().decision_date == dt.date(2026, 11, 30)


# --- 4. "New date for …" / "keep it or pick an earlier date" read a date in a sentence ------


def step_id(db: Database, deal_title: str, number: int) -> int:
    with db.session() as s:
        deal = next(d for d in s.exec(select(Deal)).all() if d.title == deal_title)
        step = s.exec(
            select(PlanStep).where(PlanStep.deal_id == deal.id, PlanStep.number == number)
        ).one()
        assert step.id is not None
        return step.id


def test_reschedule_questions_read_a_date_inside_a_sentence_and_can_be_left(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    two_deals(db, clock)  # decision date: today + 60 days (Sat Jan 23, 2027)
    today = clock().date()
    sid = step_id(db, "Acme — renewal", 1)
    chat = Chat(coach)
    chat.click(f"step:{sid}:reschedule")
    assert chat.stage == "reschedule"
    chat.say("CFO cancelled, moving it to next Thursday")
    next_thursday = today + dt.timedelta(days=(3 - today.weekday()) % 7 + 7)
    assert due_of(db, "Acme — renewal", 1) == next_thursday and chat.stage is None
    chat.click(f"step:{sid}:reschedule")
    out = chat.say("they want it after the decision, Feb 20")
    assert "is after the decision date" in out and chat.stage == "reschedule_late"
    chat.say("we hold a kickoff on Jan 4")
    assert due_of(db, "Acme — renewal", 1) == dt.date(today.year + 1, 1, 4)
    assert chat.stage is None
    for leave in ("skip", "that's all", "cancel"):
        chat.click(f"step:{sid}:reschedule")
        out = chat.say(leave)
        assert "nothing moved" in out and chat.stage is None, (leave, out)
    assert due_of(db, "Acme — renewal", 1) == dt.date(today.year + 1, 1, 4)
    chat.click(f"step:{sid}:reschedule")
    chat.say("Feb 20")
    out = chat.say("that's all")
    assert "Kept “They sign the order form” on" in out and chat.stage is None
