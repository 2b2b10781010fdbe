"""Review fidelity found trying the product in the fifth session (issue 11): each test is one."""

from __future__ import annotations

import pytest

from bot.engine import Coach
from storage.db import Database
from tests.bot.chat import Chat
from tests.bot.test_tester_round2 import plan, to_context


@pytest.mark.parametrize("typed", ["tbd", "TBC", "no date yet", "to be confirmed"])
def test_a_date_not_known_yet_typed_at_by_when_saves_the_step_undated(
    coach: Coach, db: Database, typed: str
) -> None:
    chat = Chat(coach)
    to_context(chat)
    chat.say("ok")
    chat.say("their procurement sends the PO")
    assert chat.stage == "step_due", chat.text
    out = chat.say(typed)
    assert "couldn't read a date" not in out, out
    _, steps, _ = plan(db)
    assert [(s.description, s.due) for s in steps] == [("Their procurement sends the PO", None)]


def test_an_undated_step_led_by_a_name_keeps_the_name_as_owner(coach: Coach, db: Database) -> None:
    # no date, so no rule reads a step; the learned second opinion does, and the owner comes
    # from the same reading of the clause as a dated answer would get ("Raj sends the PO by Friday")
    chat = Chat(coach)
    to_context(chat)
    chat.say("ok")
    chat.say("Raj sends the PO")
    assert chat.stage == "step_due", chat.text
    out = chat.say("Friday")
    assert "Who on their side" not in out, out
    _, steps, _ = plan(db)
    assert [(s.side, s.owner) for s in steps] == [("customer", "Raj")]


@pytest.mark.parametrize(
    ("typed", "owner", "due"),
    [
        ("we send the SOW by Friday", None, "2026-12-18"),
        ("i'll send the SOW friday", None, "2026-12-18"),
        ("procurement by Friday", "procurement", "2026-11-27"),
        ("Priya, Dec 11", "Priya", "2026-12-11"),
    ],
)
def test_a_step_or_a_date_typed_at_who_owns_this_is_never_stored_as_the_owner(
    coach: Coach, db: Database, typed: str, owner: str | None, due: str
) -> None:
    chat = Chat(coach)  # today is Tue Nov 24, 2026 (tests/conftest.py's clock)
    to_context(chat)
    chat.say("ok")
    chat.say("their procurement sends the PO by Dec 18")
    assert chat.stage == "step_owner", chat.text
    chat.say(typed)
    _, steps, _ = plan(db)
    first = steps[0]
    assert (first.description, first.owner, first.due.isoformat() if first.due else None) == (
        "Their procurement sends the PO",
        owner,
        due,
    )
    if owner is None:  # the step typed there is a step of its own, after the one asked about
        assert [(s.side, s.description.lower().endswith("send the sow")) for s in steps[1:]] == [
            ("us", True)
        ], steps


# --- a fresh tester's finds (fifth session): no sentence, clause or side word is an owner ---


def at_owner_question(chat: Chat) -> None:
    to_context(chat)
    chat.say("ok")
    chat.say("their procurement sends the PO by Dec 18")
    assert chat.stage == "step_owner", chat.text


@pytest.mark.parametrize("typed", ["they countersign", "theirs", "they'll do it"])
def test_a_clause_or_a_side_word_at_who_owns_this_is_no_owner(
    coach: Coach, db: Database, typed: str
) -> None:
    chat = Chat(coach)
    at_owner_question(chat)
    chat.say(typed)
    _, steps, _ = plan(db)
    assert [(s.description, s.side, s.owner) for s in steps][:1] == [
        ("Their procurement sends the PO", "customer", None)
    ]


def test_ours_at_who_owns_their_step_makes_it_ours(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    at_owner_question(chat)
    out = chat.say("ours")
    assert "is ours" in out, out
    _, steps, _ = plan(db)
    assert [(s.side, s.owner) for s in steps] == [("us", None)]


def test_a_step_typed_at_by_when_is_a_step_of_its_own(coach: Coach, db: Database) -> None:
    chat = Chat(coach)  # today is Tue Nov 24, 2026
    to_context(chat)
    chat.say("ok")
    chat.say("They send back the questionnaire")
    assert chat.stage == "step_due", chat.text
    chat.say("Lucius from IT runs the pen test by dec 9")
    while chat.stage in ("step_due", "step_owner", "step_side"):
        chat.click("date:none" if chat.stage == "step_due" else
                   "owner:skip" if chat.stage == "step_owner" else "side:customer")
    _, steps, _ = plan(db)
    assert [(s.description, s.due.isoformat() if s.due else None) for s in steps] == [
        ("They send back the questionnaire", None),
        ("Lucius from IT runs the pen test", "2026-12-09"),
    ]


def test_a_sentence_at_who_owns_a_picked_step_is_answered_after_it_not_stored_as_owner(
    coach: Coach, db: Database
) -> None:
    from tests.bot.test_guide import start

    chat = Chat(coach)
    start(chat)
    chat.say("Their CFO signs off the budget by Dec 11")
    chat.say("no idea")
    assert chat.stage == "suggest", chat.text
    chat.click(chat.choice("Send our MSA"))
    assert chat.stage == "step_owner", chat.text
    chat.say("Dr. Patel mentioned legal will finish the review by the 14th")
    assert chat.stage == "step_due", chat.text  # the picked step's worked-back date first
    out = chat.click(chat.choice("Proposed"))
    assert "Dr. Patel mentioned" in out or "Dr Patel mentioned" in out, out
    while chat.stage in ("step_due", "step_owner", "step_side"):
        chat.click("date:none" if chat.stage == "step_due" else
                   "owner:skip" if chat.stage == "step_owner" else "side:customer")
    _, steps, _ = plan(db)
    picked = [s for s in steps if s.description.startswith("Send our MSA")]
    assert [s.owner for s in picked] == [None]
    assert any(s.due and s.due.isoformat() == "2026-12-14" for s in steps if s not in picked), [
        (s.description, s.due) for s in steps
    ]


@pytest.mark.parametrize(
    "typed", ["their procurement sends the PO, date tbd", "their procurement sends the PO (TBC)"]
)
def test_a_step_said_to_have_no_date_yet_is_saved_undated_without_asking(
    coach: Coach, db: Database, typed: str
) -> None:
    chat = Chat(coach)
    to_context(chat)
    chat.say("ok")
    out = chat.say(typed)
    assert "By when?" not in out, out
    assert chat.stage == "step_owner", out  # asked who on their side, not when
    chat.click("owner:skip")
    _, steps, _ = plan(db)
    assert [(s.description, s.due) for s in steps] == [("Their procurement sends the PO", None)]


def test_a_step_typed_at_the_risk_question_goes_in_the_plan_not_the_risk(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_context(chat)
    chat.say("ok")
    chat.say("their procurement sends the PO by Dec 18")
    chat.click("owner:skip")
    chat.say("I send the SOW by Dec 4")
    chat.say("that's all")
    assert chat.stage == "risk", chat.text
    out = chat.say("Priya sends the signed order form by Dec 21")
    assert "goes in the plan" in out, out
    deal, steps, _ = plan(db)
    assert deal.risk is None
    assert [(s.side, s.owner, s.due.isoformat()) for s in steps][-1] == (
        "customer",
        "Priya",
        "2026-12-21",
    )
    chat.say("that's all")
    assert chat.stage == "risk", chat.text  # asked again, once the steps are done


@pytest.mark.parametrize(
    "typed", ["no one yet", "not sure who", "PO from Priya's team expected by the 21st"]
)
def test_no_one_or_a_dated_sentence_at_who_owns_this_is_no_owner(
    coach: Coach, db: Database, typed: str
) -> None:
    chat = Chat(coach)
    at_owner_question(chat)
    chat.say(typed)
    _, steps, _ = plan(db)
    assert [(s.description, s.owner) for s in steps][:1] == [
        ("Their procurement sends the PO", None)
    ]


def test_the_first_one_corrects_the_first_step_of_a_two_step_answer(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)  # today is Tue Nov 24, 2026
    to_context(chat)
    chat.say("ok")
    chat.say("their legal reviews the MSA by Dec 2")
    chat.click("owner:skip")
    chat.say("I send the SOW by Dec 9 then Raj signs it by Dec 14")
    out = chat.say("actually the first one is Dec 8")
    assert "I send the SOW" in out and "Tue Dec 8" in out, out
    _, steps, _ = plan(db)
    assert [(s.description, s.due.isoformat()) for s in steps][1:] == [
        ("I send the SOW", "2026-12-08"),
        ("Raj signs it", "2026-12-14"),
    ]


def test_a_side_and_an_owner_corrected_in_one_breath_both_change(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_context(chat)
    chat.say("ok")
    chat.say("Raj reviews the SOW by Dec 9")
    out = chat.say("no that's ours, owner is Ravi")
    assert "Ravi" in out, out
    _, steps, _ = plan(db)
    assert [(s.side, s.owner) for s in steps] == [("us", "Ravi")]
