"""Defects the third fresh tester found in the questions merged on 2026-11-30 ("Who on their
side owns this?", the day-off question, "not Friday, Monday", "skip" at "anything else?").
The coach's clock is conftest's T0, Tue Nov 24 2026 in New York."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.engine import Coach
from storage.db import Database
from storage.models import Review
from tests.bot.chat import Chat
from tests.bot.test_tester_round2 import plan, to_more


def test_thats_all_at_the_owner_question_names_no_one(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("they run the pilot by Dec 10")
    assert chat.stage == "step_owner", chat.text
    chat.say("that's all")
    _, steps, _ = plan(db)
    pilot = next(s for s in steps if "pilot" in s.description)
    assert pilot.owner is None and pilot.due == dt.date(2026, 12, 10)


def test_a_date_at_the_owner_question_re_dates_the_step(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("they run the pilot by Dec 10")
    out = chat.say("Dec 11")
    assert "Due Fri Dec 11" in out, out
    _, steps, _ = plan(db)
    pilot = next(s for s in steps if "pilot" in s.description)
    assert pilot.owner is None and pilot.due == dt.date(2026, 12, 11)


def test_after_two_skips_the_owner_question_is_not_asked_again(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    for what in ("they run the pilot by Dec 10", "they send the questionnaire by Dec 11"):
        chat.say(what)
        assert chat.stage == "step_owner", chat.text
        chat.click("owner:skip")
    chat.say("they sign the order form by Dec 17")
    assert chat.stage == "more", chat.text  # saved, not asked a third time
    _, steps, _ = plan(db)
    assert any("order form" in s.description for s in steps)


def test_a_weekday_at_the_day_off_question_is_read_near_the_day_questioned(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_more(chat)
    for typed, want in (("monday", dt.date(2026, 12, 28)), ("thursday", dt.date(2026, 12, 24))):
        doc = "MSA" if typed == "monday" else "DPA"
        out = chat.say(f"Their legal signs the {doc} by Dec 25")
        assert "Christmas Day" in out, out
        chat.say(typed)
        if chat.stage == "step_owner":
            chat.click("owner:skip")
        _, steps, _ = plan(db)
        step = next(s for s in steps if doc in s.description)
        assert step.due == want, (typed, step.due)


def test_not_friday_monday_moves_the_step_to_the_monday_near_it(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("Jana signs the contract by Dec 11")
    out = chat.say("not Friday, Monday")
    assert "Mon Dec 14" in out, out
    _, steps, _ = plan(db)
    assert next(s for s in steps if "contract" in s.description).due == dt.date(2026, 12, 14)


def test_skip_or_looks_good_at_anything_else_ends_the_list(coach: Coach, db: Database) -> None:
    for word in ("skip", "looks good"):
        chat = Chat(coach, user=f"u-{word}")
        to_more(chat)
        chat.say(word)
        assert chat.stage not in ("more", "context"), (word, chat.text)
    with db.session() as s:
        contexts = [r.context for r in s.exec(select(Review)).all()]
    assert len(contexts) == 2 and not any("looks good" in c or "skip" in c for c in contexts)
