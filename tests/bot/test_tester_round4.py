"""Defects a fresh tester found in the guided review (round 4): each test is one of them,
scripted through the real engine. The coach's clock is conftest's T0, Tue Nov 24 2026 in
New York (so US public holidays)."""

from __future__ import annotations

import datetime as dt
import re

from bot.engine import Coach
from bot.messages import PlanCard, Question
from storage.db import Database
from tests.bot.chat import Chat
from tests.bot.test_tester_round2 import new_deal, plan, skip_owner, to_context, to_more

HISTORY_THEN_STEP = "we demoed last week, they want to loop in their CFO"


def _cfo_step_kept(db: Database) -> None:
    _, steps, review = plan(db)
    cfo = [s for s in steps if "loop in their CFO" in s.description]
    assert len(cfo) == 1, [s.description for s in steps]
    assert cfo[0].side == "customer" and cfo[0].due == dt.date(2026, 12, 4)
    assert "We demoed last week" in review.context, review.context
    assert "CFO" not in review.context, review.context


# --- 1. history, then a step without a date ------------------------------------------------


def test_history_then_an_undated_step_at_the_stage_question_keeps_the_step(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    new_deal(chat)
    out = chat.say(HISTORY_THEN_STEP)
    assert chat.stage == "deal_stage" and "keep that for the plan" in out, out
    out = chat.click(chat.choice("Solution"))
    assert "Noted: We demoed last week" in out, out
    assert chat.stage == "step_due" and "loop in their CFO" in out, out
    skip_owner(chat, chat.click("date:2026-12-04"))
    _cfo_step_kept(db)


def test_history_then_an_undated_step_at_the_context_question_keeps_the_step(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_context(chat)
    out = chat.say(HISTORY_THEN_STEP)
    assert "Noted: We demoed last week" in out, out
    assert chat.stage == "step_due" and "loop in their CFO" in out, out
    out = skip_owner(chat, chat.click("date:2026-12-04"))
    assert "Added to the plan" in out and chat.stage == "us_next", out
    _cfo_step_kept(db)


def test_history_then_an_undated_step_at_what_else_keeps_the_step(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_more(chat)
    out = chat.say(HISTORY_THEN_STEP)
    assert chat.stage == "step_due" and "loop in their CFO" in out, out
    skip_owner(chat, chat.click("date:2026-12-04"))
    assert chat.stage == "more", chat.text
    _cfo_step_kept(db)


# --- 2. a next step typed at the context question ------------------------------------------


def test_a_next_step_at_the_context_question_goes_to_the_plan_and_the_coach_says_so(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_context(chat)
    out = chat.say("they send the PO")
    assert "That's a next step" in out and "in the plan" in out, out
    assert chat.stage == "step_due" and "They send the PO" in out, out
    skip_owner(chat, chat.click("date:2026-12-09"))
    _, steps, review = plan(db)
    assert [(s.side, s.description, s.due) for s in steps] == [
        ("customer", "They send the PO", dt.date(2026, 12, 9))
    ]
    assert review.context == ""


def test_where_the_deal_stands_is_still_the_context(coach: Coach, db: Database) -> None:
    for n, said in enumerate(
        ["Legal is reading the MSA.", "Waiting for their security review", "Demo went well"]
    ):
        chat = Chat(coach, user=f"rep{n}")
        new_deal(chat)
        chat.click("dstage:skip")
        out = chat.say(said)
        assert chat.stage == "customer_next" and "Noted." in out, (said, out)
    with db.session() as s:
        from sqlmodel import select

        from storage.models import PlanStep, Review

        assert s.exec(select(PlanStep)).all() == []
        contexts = sorted(r.context for r in s.exec(select(Review)))
    assert contexts == sorted(
        ["Legal is reading the MSA.", "Waiting for their security review", "Demo went well"]
    )


# --- 3. a correction onto a weekend or a public holiday ------------------------------------


def test_a_correction_onto_a_public_holiday_is_asked_about_as_a_new_step_is(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("Jana signs the contract by Dec 11")
    assert chat.stage == "more", chat.text
    out = chat.say("no, Dec 25")
    assert "Fri Dec 25 is Christmas Day — keep it or pick another date?" in out, out
    assert chat.stage == "step_day_off"
    assert [c.label for c in chat.question.choices] == [  # type: ignore[union-attr]
        "Keep Fri Dec 25",
        "Thu Dec 24",
        "Mon Dec 28",
    ]
    out = chat.click(chat.choice("Mon Dec 28"))
    assert "due Mon Dec 28" in out and chat.stage == "more", out
    _, steps, _ = plan(db)
    contract = next(s for s in steps if "contract" in s.description)
    assert contract.due == dt.date(2026, 12, 28) and len(steps) == 3
    chat.say("undo")  # takes back the correction: the date said with the step
    _, steps, _ = plan(db)
    assert next(s for s in steps if "contract" in s.description).due == dt.date(2026, 12, 11)


def test_make_it_saturday_is_asked_about_and_can_be_kept(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("Jana signs the contract by Dec 11")
    out = chat.say("make it Saturday")
    assert "Sat Dec 12 is a Saturday — keep it or pick another date?" in out, out
    out = chat.say("keep it")
    assert chat.stage == "more", out
    _, steps, _ = plan(db)
    assert next(s for s in steps if "contract" in s.description).due == dt.date(2026, 12, 12)
    assert len(steps) == 3


def test_undo_or_the_next_step_at_that_question(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("Jana signs the contract by Dec 11")
    chat.say("no, Dec 25")
    out = chat.say("undo")  # the correction is taken back, not the step
    assert "Undone" in out and chat.stage == "more", out
    _, steps, _ = plan(db)
    assert next(s for s in steps if "contract" in s.description).due == dt.date(2026, 12, 11)
    chat.say("no, Dec 25")
    out = chat.say("I send the SOC 2 report by Dec 4")  # the rep goes on: Dec 25 it is
    assert "Added to the plan" in out and chat.stage == "more", out
    _, steps, _ = plan(db)
    assert [(s.description, s.due) for s in steps[-2:]] == [
        ("Jana signs the contract", dt.date(2026, 12, 25)),
        ("I send the SOC 2 report", dt.date(2026, 12, 4)),
    ]


def test_a_correction_to_a_working_day_is_not_asked_about(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("Jana signs the contract by Dec 11")
    out = chat.say("no, Dec 14")
    assert "keep it or pick another date" not in out and chat.stage == "more", out


# --- 4. the step counter --------------------------------------------------------------------


_PROGRESS = re.compile(r"^Step (\d+) of (\d+)$")


def test_the_step_counter_never_repeats_a_number_across_the_review(
    coach: Coach, db: Database
) -> None:
    """Every main question of a first review, in order: the numbers shown go up by one each
    time and end at the total (a follow-up of the same question, e.g. "By when?", may show
    its question's number again; none is asked in this script)."""
    chat = Chat(coach)
    shown: list[tuple[str, str]] = []

    def note() -> None:
        q = chat.question
        assert q is not None, chat.text
        shown.append((q.stage, q.progress))

    chat.command("review")
    note()
    for answer in ("Zed - x", "Mar 31"):
        chat.say(answer)
        note()
    chat.click(chat.choice("Solution"))
    note()
    for answer in (
        "Demo went well",
        "Raj signs the order form by Dec 10",
        "I send the revised SOW by Dec 3",
        "that's all",
    ):
        chat.say(answer)
        note()
    chat.click("risk:skip")
    note()
    stages = [stage for stage, _ in shown]
    assert stages == [
        "new_deal", "decision_date", "deal_stage", "context", "customer_next", "us_next",
        "more", "risk", "summary",
    ], stages
    numbers = [_PROGRESS.match(p) for _, p in shown if p]
    assert all(numbers), shown
    counted = [(int(m.group(1)), int(m.group(2))) for m in numbers if m]
    totals = {total for _, total in counted}
    assert len(totals) == 1, shown
    assert [n for n, _ in counted] == list(range(1, totals.pop() + 1)), shown


# --- 6. several step numbers with one command ---------------------------------------------


def _three_steps(chat: Chat) -> None:
    to_more(chat)
    chat.say("Legal reviews the MSA by Dec 10")
    skip_owner(chat, chat.click("side:customer"))
    assert chat.stage == "more", chat.text


def test_numbers_first_then_done_closes_each_step(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    _three_steps(chat)
    out = chat.say("#1 #2 done")
    _, steps, _ = plan(db)
    assert [s.status for s in steps] == ["done", "done", "open"], out
    done_lines = [line for line in out.splitlines() if line.rstrip(".").endswith("done")]
    assert len(done_lines) == 2 and "#1" in done_lines[0] and "#2" in done_lines[1], out
    assert out.count("What else must happen") == 1 and chat.stage == "more", out
    _, _, review = plan(db)
    assert "#1" not in review.context


def test_a_list_with_an_unknown_number_closes_the_others_and_names_the_unknown(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    _three_steps(chat)
    out = chat.say("#1, #2 and #4 done")
    _, steps, _ = plan(db)
    assert [s.status for s in steps] == ["done", "done", "open"], out
    assert "has no step #4" in out, out
    out = chat.say("#3 and #5 dropped not needed any more")
    _, steps, _ = plan(db)
    assert [s.status for s in steps] == ["done", "done", "dropped"], out
    assert steps[2].close_reason == "not needed any more"
    assert "has no step #5" in out and "dropped (not needed any more)" in out, out


def test_several_numbers_outside_a_review_show_one_plan_card(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    _three_steps(chat)
    chat.command("cancel")
    chat.command("plan", "Zed")
    out = chat.say("#1 and #3 done")
    _, steps, _ = plan(db)
    assert [s.status for s in steps] == ["done", "open", "done"], out
    assert sum(isinstance(r, PlanCard) for r in chat.last.replies) == 1, out
    assert not any(isinstance(r, Question) for r in chat.last.replies), out
