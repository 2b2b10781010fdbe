"""Defects found after issue 10 ("the rep stays in control"): which deal "#N" means, undo
after closing a deal, dates that just passed, dates inside sentences, a decision date of
today. Scripted conversations through the real engine and a real (SQLite) store; the
instant is fixed by the test (the `clock` fixture: Tue 2026-11-24 15:00 UTC, or set here)."""

from __future__ import annotations

import datetime as dt

import pytest
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


def step_of(db: Database, deal_title: str, number: int) -> PlanStep:
    """Step #`number` of the deal titled `deal_title`, as stored."""
    with db.session() as s:
        deal = next(d for d in s.exec(select(Deal)).all() if d.title == deal_title)
        return s.exec(
            select(PlanStep).where(PlanStep.deal_id == deal.id, PlanStep.number == number)
        ).one()


def status_of(db: Database, deal_title: str, number: int) -> str:
    return step_of(db, deal_title, number).status


@pytest.fixture
def chat(coach: Coach, db: Database, clock: FakeClock) -> Chat:
    """Alice, with her two Acme deals (`two_deals`)."""
    two_deals(db, clock)
    return Chat(coach)


# --- 1. "#N" is a step of the deal shown last ------------------------------------------------


@pytest.mark.parametrize(
    ("before", "command", "said", "number", "status"),
    [
        # quotes typed around a name are not part of it
        (
            ("plan Acme Labs - pilot", 'plan "Acme - renewal"'),
            "drop #2 why",
            "I send quote: dropped (why)",
            2,
            "dropped",
        ),
        # a plan shown mid-review beats the deal under review
        (
            ("review Acme Labs - pilot", "plan Acme - renewal"),
            "done #1",
            "They sign the order form: done",
            1,
            "done",
        ),
        # ... and stays the one meant after the review stops
        (
            ("review Acme Labs - pilot", "plan Acme - renewal", "cancel"),
            "drop #2",
            "I send quote: dropped",
            2,
            "dropped",
        ),
    ],
)
def test_hash_n_is_a_step_of_the_plan_shown_last_and_the_reply_names_it(
    chat: Chat,
    db: Database,
    before: tuple[str, ...],
    command: str,
    said: str,
    number: int,
    status: str,
) -> None:
    for typed in before:
        chat.say(typed)
    assert f"Acme — renewal #{number} {said}" in chat.say(command)
    assert status_of(db, "Acme — renewal", number) == status
    assert status_of(db, "Acme Labs — pilot", number) == "open"


def test_plan_from_the_command_line_counts_as_shown_last(chat: Chat, coach: Coach) -> None:
    chat.say("plan Acme Labs - pilot")
    coach.plan(chat.user, "Acme - renewal")  # `dealcoach plan Acme - renewal`, another process
    out = chat.say("edit #2 owner Maria")
    assert "Acme — renewal #2 I send quote: owner Maria" in out


def test_unclear_which_deal_is_asked(chat: Chat, db: Database) -> None:
    out = chat.say("drop #2 why")
    assert "Which deal" in out and "Acme — renewal" in out and "Acme Labs — pilot" in out
    chat.say("plan Acme - renewal")
    chat.say("list")  # several deals shown: "#2" is unclear again
    out = chat.say("done #2")
    assert "Which deal" in out
    assert status_of(db, "Acme — renewal", 2) == "open"
    assert status_of(db, "Acme Labs — pilot", 2) == "open"


# --- 2. undo right after closing a deal ------------------------------------------------------


def test_undo_after_close_reopens_and_returns_to_the_deal_question(chat: Chat, db: Database) -> None:
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


def test_undo_after_close_while_idle_stays_idle(chat: Chat, db: Database) -> None:
    chat.say("close Acme - renewal")
    chat.click(chat.choice("Lost"))
    chat.say("price")
    out = chat.say("undo")
    assert "open again" in out and chat.stage is None and ": in one line" not in out
    chat.say("hello")
    assert chat.stage != "close_reason"


# --- 3. a day and month that just passed is asked about, not jumped a year ------------------


def due_of(db: Database, deal_title: str, number: int) -> dt.date | None:
    return step_of(db, deal_title, number).due


def test_edit_to_a_date_just_passed_asks_about_next_year(
    chat: Chat, db: Database, clock: FakeClock
) -> None:
    today = clock().date()  # Tue Nov 24, 2026: "Nov 1" passed 23 days ago
    before = due_of(db, "Acme — renewal", 2)
    chat.say("plan Acme - renewal")
    out = chat.say("edit #2 due Nov 1")
    next_year = dt.date(today.year + 1, 11, 1)
    assert f"Nov 1 has already passed: did you mean Mon Nov 1, {next_year.year}?" in out
    assert due_of(db, "Acme — renewal", 2) == before  # nothing changed silently
    out = chat.click(chat.choice("Yes"))
    assert due_of(db, "Acme — renewal", 2) == next_year
    assert "Acme — renewal #2 I send quote: due Mon Nov 1, 2027 (after the decision date)" in out
    assert "That's after the decision date" in out


def at_decision_question(db: Database, today: dt.date) -> Chat:
    """A new deal's review on `today` (15:00 UTC), at the decision-date question."""
    coach = Coach(db, clock=FakeClock(dt.datetime.combine(today, dt.time(15), dt.UTC)))
    chat = Chat(coach)
    chat.command("review", "Initech - platform")
    assert chat.stage == "decision_date"
    return chat


def test_decision_date_a_month_ago_is_asked_about(db: Database) -> None:
    chat = at_decision_question(db, dt.date(2027, 3, 31))
    assert chat.stage == "decision_date"
    out = chat.say("March 1")
    assert "Mar 1 has already passed: did you mean Wed Mar 1, 2028?" in out
    assert chat.stage == "decision_date"
    chat.click(chat.choice("No, another date"))
    assert chat.stage == "decision_date" and "When must" in chat.text
    chat.say("March 1")
    out = chat.click(chat.choice("Yes"))
    assert "Target decision date: Wed Mar 1, 2028" in out and chat.stage == "deal_stage"  # next: where the deal is


# --- 5. a decision date of today is asked about --------------------------------------------


def test_end_of_quarter_on_its_last_day_asks_if_the_decision_is_today(db: Database) -> None:
    chat = at_decision_question(db, dt.date(2027, 3, 31))
    out = chat.say("end of quarter")
    assert "That's today — is the decision really today?" in out
    assert chat.stage == "decision_date"
    out = chat.click(chat.choice("End of next month"))
    assert "Target decision date: Fri Apr 30" in out and chat.stage == "deal_stage"


def test_end_of_month_on_its_last_day_can_be_confirmed(db: Database) -> None:
    chat = at_decision_question(db, dt.date(2026, 11, 30))
    assert "That's today" in chat.say("end of month")
    out = chat.click(chat.choice("Yes, today"))
    assert "Target decision date: Mon Nov 30 (today)" in out
    with db.session() as s:
        assert s.exec(select(Deal)).one().decision_date == dt.date(2026, 11, 30)


# --- 4. "New date for …" / "keep it or pick an earlier date" read a date in a sentence ------


def step_id(db: Database, deal_title: str, number: int) -> int:
    sid = step_of(db, deal_title, number).id
    assert sid is not None
    return sid


def test_reschedule_questions_read_a_date_inside_a_sentence_and_can_be_left(
    chat: Chat, db: Database, clock: FakeClock
) -> None:
    today = clock().date()  # decision date: today + 60 days (Sat Jan 23, 2027)
    sid = step_id(db, "Acme — renewal", 1)
    chat.click(f"step:{sid}:reschedule")
    assert chat.stage == "reschedule"
    chat.say("CFO cancelled, moving it to next Thursday")
    next_thursday = today + dt.timedelta(days=(3 - today.weekday()) % 7 + 7)
    assert due_of(db, "Acme — renewal", 1) == next_thursday and chat.stage is None
    chat.click(f"step:{sid}:reschedule")
    # a Friday: a Saturday would be asked about first (reschedule_day_off)
    out = chat.say("they want it after the decision, Feb 19")
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
    chat.say("Feb 19")
    out = chat.say("that's all")
    assert "Kept “They sign the order form” on" in out and chat.stage is None


def test_edit_to_a_passed_date_at_the_deal_question_is_answered_by_number(
    chat: Chat, db: Database, clock: FakeClock
) -> None:
    chat.command("review")  # `dealcoach chat` opens at "Which deal are we reviewing?"
    chat.say("plan Acme - renewal")
    out = chat.say("edit #1 due Nov 1")
    assert "did you mean" in out and "Which deal are we reviewing?" not in out
    assert chat.question is not None and chat.question.progress == ""
    chat.click(chat.choice("Yes"))
    assert due_of(db, "Acme — renewal", 1) == dt.date(clock().year + 1, 11, 1)
    assert chat.stage == "pick_deal"
