"""The rep stays in control (issue 10): commands at the deal question, undo, back,
corrections, editing steps by number, closing, renaming and archiving deals. Scripted
conversations through the real engine and a real (SQLite) store; today is Tue 2026-11-24."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.engine import Coach
from bot.messages import DealList, Form, PlanCard
from bot.schedule import Schedule
from process.cadence import Cadence
from storage.db import Database
from storage.models import Deal, DecisionDateChange, PlanStep, StepSlip
from tests.bot.chat import Chat
from tests.bot.test_review import first_review
from tests.conftest import FakeClock


def steps_of(db: Database) -> list[tuple[int | None, str, str | None, dt.date | None, str]]:
    with db.session() as s:
        rows = s.exec(select(PlanStep).order_by(PlanStep.number)).all()
    return [(r.number, r.description, r.side, r.due, r.status) for r in rows]


def deal_of(db: Database) -> Deal:
    with db.session() as s:
        return s.exec(select(Deal)).one()


def to_customer_question(chat: Chat, deal: str = "Acme Corp - 2027 renewal") -> None:
    chat.command("review", deal)
    chat.say("Dec 18")
    chat.say("Demo went well.")
    assert chat.stage == "customer_next"


# --- commands where a deal name is asked ---------------------------------------------------


def test_commands_at_the_deal_question_are_commands_not_deals(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    chat.command("review")
    assert chat.stage == "new_deal"
    for typed in ("list", "help", "plan", "digest #sales", "my deals", "settings"):
        chat.say(typed)
    assert not any(isinstance(r, Form) for r in chat.last.replies) or chat.last.replies
    with db.session() as s:
        assert s.exec(select(Deal)).all() == []
    chat.say("Acme Corp - 2027 renewal")
    assert chat.stage == "decision_date"
    chat.say("list")  # at any question, a bare command word is the command
    assert isinstance(chat.last.replies[0], DealList) and chat.stage == "decision_date"


# --- undo, back, corrections ---------------------------------------------------------------


def test_undo_takes_back_a_wrong_step_and_asks_again(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_customer_question(chat)
    chat.say("Their CFO signs the order form by Dec 11")
    assert chat.stage == "us_next" and len(steps_of(db)) == 1
    out = chat.say("undo")
    assert "Undone: step “Their CFO signs the order form”" in out
    assert chat.stage == "customer_next" and steps_of(db) == []
    chat.say("Their CFO signs the order form by Dec 10")
    assert steps_of(db) == [
        (1, "Their CFO signs the order form", "customer", dt.date(2026, 12, 10), "open")
    ]
    assert "Nothing to undo" not in chat.say("undo") and steps_of(db) == []
    out = chat.say("undo")  # then the decision date set in this review
    assert "Undone: decision date Fri Dec 18" in out and chat.stage == "decision_date"
    assert deal_of(db).decision_date is None
    with db.session() as s:
        assert s.exec(select(DecisionDateChange)).all() == []
    assert "nothing to undo" in chat.say("undo")


def test_corrections_amend_the_last_step_instead_of_adding_one(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_customer_question(chat)
    chat.say("Their security team finishes the vendor risk assessment by Friday")
    chat.click("owner:skip")
    assert chat.stage == "us_next"
    out = chat.say("actually it's ours")
    assert "Changed: *Us*" in chat.last.replies[0].text  # type: ignore[union-attr]
    assert chat.stage == "customer_next", out  # the customer still has no step: asked again
    chat.say("Their CFO signs the order form by Dec 11")
    chat.say("no, the 4th")
    assert [s[2:4] for s in steps_of(db)] == [
        ("us", dt.date(2026, 11, 27)),
        ("customer", dt.date(2026, 12, 4)),
    ]
    assert chat.stage == "us_next"
    chat.say("I send the SOC 2 report by Dec 1")
    out = chat.say("scratch that, I send the SOC 2 report by Dec 2")
    assert "Scratched" in out and "Added to the plan" in out
    assert [(s[1], s[3]) for s in steps_of(db)][-1] == (
        "I send the SOC 2 report",
        dt.date(2026, 12, 2),
    )
    assert len(steps_of(db)) == 3
    with db.session() as s:
        assert s.exec(select(StepSlip)).all() == []  # a correction is not a slip


def test_scratch_that_with_a_date_re_dates_the_step_instead_of_deleting_it(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_customer_question(chat)
    chat.say("Raj sends the PO by Dec 15")
    assert chat.stage == "us_next"
    out = chat.say("scratch that, Dec 16")
    assert "Changed: “Raj sends the PO” is due Wed Dec 16" in out, out
    assert "Scratched" not in out and chat.stage == "us_next"
    assert steps_of(db) == [(1, "Raj sends the PO", "customer", dt.date(2026, 12, 16), "open")]
    out = chat.say("no, Dana owns it")
    assert "Changed: Dana owns “Raj sends the PO”" in out
    with db.session() as s:
        assert s.exec(select(PlanStep)).one().owner == "Dana"
        assert s.exec(select(StepSlip)).all() == []  # a correction is not a slip


def test_a_mistyped_decision_date_corrected_in_the_same_review_is_not_a_move(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    chat.command("review", "Globex")
    chat.say("Dec 18")
    assert chat.stage == "deal_stage"
    out = chat.say("no, Dec 19")
    assert "a correction, not a move" in out and chat.stage == "deal_stage"
    with db.session() as s:
        changes = s.exec(select(DecisionDateChange)).all()
    assert [(c.old_date, c.new_date) for c in changes] == [(None, dt.date(2026, 12, 19))]
    assert deal_of(db).decision_date == dt.date(2026, 12, 19)


def test_back_returns_to_the_previous_question_taking_back_its_answer(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_customer_question(chat)
    chat.say("Their CFO signs the order form by Dec 11")
    chat.say("I'll send them the revised proposal")
    assert chat.stage == "step_due"
    out = chat.say("back")  # a step still being completed was never saved: just dropped
    assert "wasn't saved yet" in out and chat.stage == "us_next"
    chat.say("back")
    assert chat.stage == "customer_next" and steps_of(db) == []
    chat.say("back")
    assert chat.stage == "context"


def test_undo_after_a_due_step_follow_up_reopens_it(
    coach: Coach, db: Database, clock: object
) -> None:
    chat = Chat(coach)
    first_review(chat)
    clock.advance(days=4)  # type: ignore[attr-defined]
    chat.command("review", "acme")
    assert chat.stage == "confirm_due"
    chat.click("due:done")
    assert chat.stage == "decision_check"
    out = chat.say("undo")
    assert "open again" in out and chat.stage == "confirm_due"
    assert [s[4] for s in steps_of(db)] == ["open", "open"]


# --- editing steps by number -------------------------------------------------------------------


def test_edit_drop_done_by_number_and_undo_an_edit(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    first_review(chat)
    plan = chat.command("plan", "acme")
    assert "#1" in plan and "#2" in plan and "edit #N" in plan
    out = chat.say("edit #2 due Dec 9")
    assert "due Wed Dec 9" in out and "slip 1" in out
    assert any(isinstance(r, PlanCard) for r in chat.last.replies)
    chat.say("edit #1 ours")
    chat.say("edit #1 owner Maria")
    assert steps_of(db)[0][2] == "us"
    out = chat.say("undo")
    assert "change to step #1" in out
    with db.session() as s:
        first = s.exec(select(PlanStep).where(PlanStep.number == 1)).one()
    assert first.owner != "Maria" and first.side == "us"
    chat.say("undo")
    chat.say("undo")  # the due date edit: date and slip count come back
    with db.session() as s:
        second = s.exec(select(PlanStep).where(PlanStep.number == 2)).one()
        assert s.exec(select(StepSlip)).all() == []
    assert (second.due, second.slips) == (dt.date(2026, 12, 4), 0)
    out = chat.say("drop #2 they already have it")
    assert "dropped (they already have it)" in out
    with db.session() as s:
        assert s.exec(select(PlanStep).where(PlanStep.number == 2)).one().close_reason == (
            "they already have it"
        )
    assert "already dropped" in chat.say("edit #2 due Dec 10")
    assert "done" in chat.say("done #1")
    assert "has no step #7" in chat.say("edit #7 ours")
    assert "What should change" in chat.say("edit #1 frobnicate")


def test_step_numbers_are_per_deal(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    first_review(chat)
    to_customer_question(chat, "Globex - expansion")
    chat.say("Their IT lead approves the pilot by Dec 4")
    with db.session() as s:
        numbers = sorted((st.deal_id, st.number) for st in s.exec(select(PlanStep)))
    assert numbers == [(1, 1), (1, 2), (2, 1)]


def test_the_edit_form_checks_ownership_and_fields(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    first_review(chat)
    with db.session() as s:
        step = s.exec(select(PlanStep).where(PlanStep.number == 1)).one()
    chat.click(f"step:{step.id}:edit")
    form = next(r for r in chat.last.replies if isinstance(r, Form))
    assert form.form_id == f"step:{step.id}"
    assert {f.name for f in form.fields} == {"description", "side", "owner", "due", "drop_reason"}
    values = {f.name: f.initial or "" for f in form.fields}
    mallory = Chat(coach, user="mallory")
    out = mallory.send(form={**values, "description": "hacked"}, form_id=form.form_id)
    assert "can't find that step" in mallory.text and out
    chat.send(form={**values, "due": "not a date", "description": ""}, form_id=form.form_id)
    assert set(chat.last.form_errors) == {"due", "description"}
    chat.send(form={**values, "side": "us", "due": "2026-12-01"}, form_id=form.form_id)
    assert "Us." in chat.text and "due Tue Dec 1" in chat.text
    chat.send(form={**values, "drop_reason": "not needed"}, form_id=form.form_id)
    assert steps_of(db)[0][4] == "dropped"


# --- the deal's life ------------------------------------------------------------------------------


def test_close_won_with_a_reason_leaves_the_lists_and_undo_reopens(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    first_review(chat)
    chat.say("close acme")
    assert chat.stage == "close_outcome"
    chat.say("won")
    assert chat.stage == "close_reason"
    out = chat.say("Security review went smoothly")
    assert "Closed Acme Corp — 2027 renewal: Won (Security review went smoothly)" in out
    deal = deal_of(db)
    assert (deal.status, deal.close_reason) == ("won", "Security review went smoothly")
    lst = coach.deals(chat.user)
    assert lst.deals == ()
    assert "no open deals" in chat.command("plan", "acme")
    chat.say("undo")
    assert deal_of(db).status == "open" and len(coach.deals(chat.user).deals) == 1


def test_close_during_a_review_of_another_deal_resumes_it(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    first_review(chat)
    to_customer_question(chat, "Globex - expansion")
    chat.say("close acme")
    chat.click("outcome:lost")
    chat.click("reason:skip")
    assert chat.stage == "customer_next"
    with db.session() as s:
        assert {d.account: d.status for d in s.exec(select(Deal))} == {
            "Acme Corp": "lost",
            "Globex": "open",
        }


def test_close_form_checks_ownership(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    first_review(chat)
    card = coach.plan(chat.user, "acme")[0]
    assert isinstance(card, PlanCard) and card.actions[0].label == "Close deal"
    chat.click(card.actions[0].value)
    form = next(r for r in chat.last.replies if isinstance(r, Form))
    Chat(coach, user="mallory").send(form={"outcome": "lost", "reason": "x"}, form_id=form.form_id)
    assert deal_of(db).status == "open"
    chat.send(form={"outcome": "maybe", "reason": ""}, form_id=form.form_id)
    assert chat.last.form_errors == {"outcome": "Pick Won, Lost or No decision."}
    chat.send(form={"outcome": "no_decision", "reason": "Budget frozen"}, form_id=form.form_id)
    assert (deal_of(db).status, deal_of(db).close_reason) == ("no_decision", "Budget frozen")


def test_rename_and_archive(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    first_review(chat)
    chat.say("rename acme")
    assert chat.stage == "rename"
    chat.say("Acme Corporation - 2027 renewal")
    assert deal_of(db).account == "Acme Corporation" and chat.stage is None
    chat.say("rename acme corporation to Acme Inc - renewal")
    assert deal_of(db).title == "Acme Inc — renewal"
    assert "it's Acme Corporation — 2027 renewal again" in chat.say("undo")
    chat.say("rename acme corporation to Acme Inc - renewal")
    out = chat.say("archive acme inc")
    assert "Archived" in out and deal_of(db).status == "archived"
    assert coach.deal_records(chat.user, "acme") == []  # archived deals are gone for good
    chat.say("undo")
    assert deal_of(db).status == "open"


def test_deal_records_are_the_plan_as_data(coach: Coach) -> None:
    chat = Chat(coach)
    first_review(chat)
    chat.say("drop #2 not needed")
    (record,) = coach.deal_records(chat.user, "acme")
    assert {k: record[k] for k in ("account", "name", "status", "decision_date", "risk")} == {
        "account": "Acme Corp",
        "name": "2027 renewal",
        "status": "open",
        "decision_date": "2026-12-18",
        "risk": None,
    }
    assert set(record["health"]) == {"score", "reasons"}
    assert [
        (s["number"], s["side"], s["due"], s["status"], s["slips"]) for s in record["steps"]
    ] == [
        (1, "customer", "2026-11-27", "open", 0),
        (2, "us", "2026-12-04", "dropped", 0),
    ]
    assert set(record["steps"][0]) == {
        "number",
        "text",
        "side",
        "owner",
        "due",
        "status",
        "slips",
        "confirmed_by",
        # for the customer-facing exports (bot/exports.py): stable ids, customer wording,
        # change tracking
        "id",
        "shared_text",
        "revision",
        "changed_at",
    }


def test_a_closed_deal_leaves_reminders_and_nudges(coach: Coach, clock: FakeClock) -> None:
    chat = Chat(coach, tz="America/New_York")
    first_review(chat)
    schedule = Schedule(coach.db, {}, Cadence(), clock=clock)
    days = [clock.now + dt.timedelta(days=n) for n in (1, 3, 6)]  # 10:00 in New York
    before = [m.kind for day in days for m in schedule.preview(day)[0]]
    assert "reminder" in before and "nudge" in before
    chat.say("close acme")
    chat.click("outcome:lost")
    chat.click("reason:skip")
    assert [m for day in days for m in schedule.preview(day)[0]] == []


def test_undo_right_after_a_review_ends_takes_back_its_last_answer(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_customer_question(chat)
    chat.say("Their CFO signs the order form by Dec 11")
    chat.say("I'll send the revised proposal by Dec 4")
    chat.say("that's all")
    chat.say("A competing ERP project")
    chat.click("summary:confirm")
    assert deal_of(db).risk == "A competing ERP project"
    out = chat.say("undo")
    assert "Undone: the risk you named" in out and deal_of(db).risk is None
    assert any(isinstance(r, PlanCard) for r in chat.last.replies) and chat.stage is None
