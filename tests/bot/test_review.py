"""Scripted conversations through the real engine and a real (SQLite) store."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.engine import Coach
from bot.messages import DealList, Form, PlanCard
from storage.db import Database
from storage.models import Answer, Deal, DecisionDateChange, PlanStep, Review, StepSlip
from tests.bot.chat import Chat
from tests.conftest import FakeClock


def first_review(chat: Chat) -> None:
    """A whole first review with one history detour: the common path."""
    assert chat.command("review") and chat.stage == "new_deal"
    chat.say("Acme Corp - 2027 renewal")
    assert chat.stage == "decision_date"
    chat.say("Dec 18")
    assert chat.stage == "deal_stage"  # answering "where are we?" instead keeps it as context
    chat.say("We had a great demo last week.")
    assert chat.stage == "customer_next"
    out = chat.say("The champion told us procurement pushed back on the payment terms.")
    assert "kept it as context" in out and chat.stage is None  # a redirect, not a new question
    chat.say("Their security team has to finish the vendor risk assessment by Friday.")
    assert chat.stage == "step_owner"  # a team is no owner: asked once, Skip moves on
    chat.click("owner:skip")
    assert chat.stage == "us_next"
    chat.say("I'll send them the revised proposal")
    assert chat.stage == "step_due"
    chat.click(chat.choice("Next week"))
    assert chat.stage == "more"
    chat.say("that's all")
    assert chat.stage == "risk"
    chat.click("risk:skip")
    assert chat.stage == "summary"
    assert any(isinstance(r, PlanCard) for r in chat.last.replies)
    out = chat.click("summary:confirm")
    assert "Plan saved" in out and chat.last.review_finished


def test_first_review_builds_the_plan(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    first_review(chat)
    with db.session() as s:
        deal = s.exec(select(Deal)).one()
        steps = s.exec(select(PlanStep).order_by(PlanStep.id)).all()
        review = s.exec(select(Review)).one()
        answers = s.exec(select(Answer)).all()
    assert deal.title == "Acme Corp — 2027 renewal" and deal.decision_date == dt.date(2026, 12, 18)
    assert [(st.side, st.due) for st in steps] == [
        ("customer", dt.date(2026, 11, 27)),
        ("us", dt.date(2026, 12, 4)),
    ]
    assert review.completed_at is not None and "procurement pushed back" in review.context
    assert {a.orientation for a in answers if a.stage == "customer_next"} == {
        "history",
        "next_step",
    }


def test_second_history_answer_gets_a_firmer_redirect_and_third_gives_up(coach: Coach) -> None:
    chat = Chat(coach)
    chat.command("review", "Globex - expansion")
    chat.say("end of January")
    chat.say("It's been quiet.")
    first = chat.say("We had a demo last Thursday.")
    second = chat.say("They were really impressed with the pilot results.")
    assert "kept it as context" in first and "already happened" in second
    third = chat.say("Hopefully they'll make a decision soon.")
    assert "noted that the plan has no next step for the customer" in third
    assert chat.stage == "us_next"  # moved on instead of looping


def test_vague_answer_asks_what_specifically(coach: Coach) -> None:
    chat = Chat(coach)
    chat.command("review", "Initech")
    chat.say("Jan 30")
    chat.say("stage 3")
    assert "specifically" in chat.say("Keep the momentum going.")


def test_us_step_given_for_the_customer_question_is_kept_and_customer_asked_again(
    coach: Coach,
) -> None:
    chat = Chat(coach)
    chat.command("review", "Umbrella")
    chat.say("Jan 30")
    chat.say("quiet")
    out = chat.say("We'll send the SOC 2 report by Wednesday.")
    assert "That one is ours" in out
    assert chat.stage == "customer_next"


def test_step_after_decision_date_is_flagged(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    chat.command("review", "Hooli")
    chat.say("Dec 4")
    chat.say("ok")
    chat.say("The buying committee decides between us and the incumbent on Jan 15.")
    assert chat.stage == "step_late" and "after the decision date" in chat.text
    chat.say("Dec 3")
    chat.click("owner:skip")
    assert chat.stage == "us_next"
    with db.session() as s:
        assert s.exec(select(PlanStep)).one().due == dt.date(2026, 12, 3)


def test_bad_dates_get_a_clear_message_then_the_coach_moves_on(coach: Coach) -> None:
    chat = Chat(coach)
    chat.command("review", "Stark")
    for bad in ("32/13", "asdf"):
        assert "couldn't read a date" in chat.say(bad) and chat.stage == "decision_date"
    out = chat.say("🙂🙂")
    assert "carry on without a decision date" in out and chat.stage == "deal_stage"


def test_a_past_date_is_refused(coach: Coach) -> None:
    chat = Chat(coach)
    chat.command("review", "Stark")
    assert "has already passed" in chat.say("2026-11-02") and chat.stage == "decision_date"


def test_empty_huge_and_control_character_answers(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    chat.command("review", "Wayne")
    chat.say("Jan 30")
    assert "didn't catch" in chat.say("   \x00\x07  ")
    out = chat.say("We met them. " * 1000)
    assert "kept the first" in out
    with db.session() as s:
        assert all(len(a.text) <= 4000 for a in s.exec(select(Answer)))


def test_existing_deal_name_is_reused_not_duplicated(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    first_review(chat)
    chat.command("review", "new")
    out = chat.say("acme corp - 2027 RENEWAL")
    assert "already have" in out
    with db.session() as s:
        assert len(s.exec(select(Deal)).all()) == 1


def test_later_review_confirms_due_steps_and_records_slips(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    chat = Chat(coach)
    first_review(chat)
    clock.advance(days=4)  # Saturday Nov 28: the customer step (due Fri 27) is overdue
    chat.command("review", "acme")
    assert chat.stage == "confirm_due" and any(isinstance(r, PlanCard) for r in chat.last.replies)
    chat.click("due:reschedule")
    assert chat.stage == "reschedule"
    out = chat.say("Dec 2")
    assert "slip 1" in out and chat.stage == "decision_check"
    chat.click("decision:move")
    chat.say("Jan 15")
    assert chat.stage == "decision_reason"
    out = chat.say("Their CFO is out until January.")
    assert "moved from Fri Dec 18 to *Fri Jan 15, 2027*" in chat.last.replies[0].text  # type: ignore[union-attr]
    assert "moved once" in out and chat.stage == "context"
    with db.session() as s:
        changes = s.exec(select(DecisionDateChange).order_by(DecisionDateChange.id)).all()
        slip = s.exec(select(StepSlip)).one()
    assert [(c.old_date, c.new_date) for c in changes] == [
        (None, dt.date(2026, 12, 18)),
        (dt.date(2026, 12, 18), dt.date(2027, 1, 15)),
    ]
    assert changes[1].reason == "Their CFO is out until January."
    assert (slip.old_due, slip.new_due) == (dt.date(2026, 11, 27), dt.date(2026, 12, 2))


def test_plan_buttons_work_outside_a_review_and_twice_is_harmless(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    first_review(chat)
    with db.session() as s:
        step_id = s.exec(select(PlanStep).where(PlanStep.side == "customer")).one().id
    assert "Marked done" in chat.click(f"step:{step_id}:done", event_id="click-1")
    assert chat.coach.handle  # same event id again: no effect, no reply
    chat.click(f"step:{step_id}:done", event_id="click-1")
    assert chat.last.duplicate and chat.last.replies == []
    assert "already done" in chat.click(f"step:{step_id}:done", event_id="click-2")


def test_someone_elses_step_cannot_be_touched(coach: Coach, db: Database) -> None:
    first_review(Chat(coach, user="alice"))
    with db.session() as s:
        step_id = s.exec(select(PlanStep)).first().id  # type: ignore[union-attr]
    out = Chat(coach, user="mallory").click(f"step:{step_id}:drop")
    assert "can't find that step" in out
    with db.session() as s:
        assert s.get(PlanStep, step_id).status == "open"  # type: ignore[union-attr]


def test_list_plan_help_cancel_and_unknown_commands(coach: Coach) -> None:
    chat = Chat(coach)
    first_review(chat)
    chat.command("list")
    lst = chat.last.replies[0]
    assert isinstance(lst, DealList) and lst.deals[0].next_customer_step
    chat.command("plan", "acme")
    assert isinstance(chat.last.replies[0], PlanCard)
    assert "review" in chat.command("help")
    assert "don't know the command" in chat.command("frobnicate")
    chat.command("review", "acme")
    assert "Stopped the review" in chat.command("cancel")
    assert "no review in progress" in chat.command("cancel")


def test_settings_form_validates_and_saves(coach: Coach) -> None:
    chat = Chat(coach)
    chat.command("settings")
    assert isinstance(chat.last.replies[0], Form)
    chat.send(
        form={
            "timezone": "Mars/Olympus",
            "nudge_weekday": "Saturday",
            "nudge_time": "25:00",
            "paused_until": "",
        }
    )
    assert (
        "not a time zone" in chat.text
        and "Monday to Friday" in chat.text
        and "24-hour" in chat.text
    )
    chat.send(
        form={
            "timezone": "Europe/Berlin",
            "nudge_weekday": "2",
            "nudge_time": "8:30",
            "paused_until": "Dec 31",
        }
    )
    assert "Wednesdays at 08:30 (Europe/Berlin); paused until Thu Dec 31" in chat.text


def test_greeting_when_idle_offers_to_start(coach: Coach) -> None:
    chat = Chat(coach)
    chat.say("hello there")
    assert chat.question is not None and chat.choice("Start") == "cmd:review"
    chat.click("cmd:review")
    assert chat.stage == "new_deal"


def test_review_resumes_with_a_new_coach_on_the_same_database(
    db: Database, clock: FakeClock
) -> None:
    chat = Chat(Coach(db, clock=clock))
    chat.command("review", "Acme - renewal")
    chat.say("Dec 18")
    chat.say("quiet week")
    # "Restart": a brand-new engine over the same database file.
    again = Chat(Coach(Database(db.url), clock=clock))
    out = again.command("review")
    assert "Picking up where we left off" in out and again.stage == "customer_next"


def test_time_zone_decides_what_today_is(db: Database, clock: FakeClock) -> None:
    clock.now = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)  # Wed in UTC, still Tue in New York
    chat = Chat(Coach(db, clock=clock), tz="America/New_York")
    chat.command("review", "Acme")
    chat.say("tomorrow")
    with db.session() as s:
        assert s.exec(select(Deal)).one().decision_date == dt.date(2026, 11, 25)


def test_database_away_tells_the_user_to_resend(clock: FakeClock) -> None:
    """Nothing listens on port 1: every attempt fails, the user gets a clear message, no traceback."""
    down = Database("postgresql://postgres@127.0.0.1:1/test")
    out = Chat(Coach(down, clock=clock)).say("hello")
    assert "can't reach my database" in out and "send it again" in out


def test_database_blink_is_retried_transparently(coach: Coach, db: Database) -> None:
    """One transient failure (a locked SQLite file, a dropped connection) is retried, not shown."""
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    blinks = {"left": 1}

    def blink(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if blinks["left"] and statement.lstrip().upper().startswith("INSERT INTO DEAL"):
            blinks["left"] -= 1
            raise OperationalError(statement, {}, Exception("database is locked"))

    chat = Chat(coach)
    chat.command("review")
    event.listen(db.engine, "before_cursor_execute", blink)
    try:
        out = chat.say("Acme - renewal")
    finally:
        event.remove(db.engine, "before_cursor_execute", blink)
    assert blinks["left"] == 0 and "New deal" in out and chat.stage == "decision_date"
