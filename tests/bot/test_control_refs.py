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
