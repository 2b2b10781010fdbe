"""A fresh tester's terminal review (round 5): steps typed at "By when?" and "Theirs or ours?",
a side correction at a follow-up question, a mistyped bulk command, gibberish as the risk.
Scripted through the real engine; the coach's clock is conftest's T0, Tue Nov 24 2026 in
New York."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.engine import Coach
from storage.db import Database
from tests.bot.chat import Chat
from tests.bot.test_tester_round2 import new_deal, skip_owner
from tests.bot.test_typed_over import at_customer_step, plan_any, planned

TOMORROW = dt.date(2026, 11, 25)
FRIDAY = dt.date(2026, 11, 27)


# --- 1. a noun-first step of ours typed at "By when?" ----------------------------------------


@pytest.mark.parametrize(
    ("asked", "typed", "theirs", "ours"),
    [
        (
            "their security team reviews the DPA",
            "revised quote goes out tmrw",
            "Their security team reviews the DPA",
            ("Revised quote goes out", TOMORROW),
        ),
        (
            "they get IT sign off asap",
            "onboarding plan goes out mid dec",
            "They get IT sign off asap",
            ("Onboarding plan goes out", dt.date(2026, 12, 15)),
        ),
    ],
)
def test_a_noun_first_step_at_by_when_is_kept_not_taken_as_the_date(
    coach: Coach, db: Database, asked: str, typed: str, theirs: str, ours: tuple[str, dt.date]
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say(asked)
    assert chat.stage == "step_due", chat.text
    out = chat.say(typed)
    assert chat.stage == "step_due" and f"I'll add “{ours[0]}” next" in out, out
    skip_owner(chat, chat.say("Dec 4"))
    assert [(s[0], s[1], s[2]) for s in planned(db)] == [
        ("customer", theirs, dt.date(2026, 12, 4)),
        ("us", *ours),
    ]


# --- 2. a side correction at a follow-up question ----------------------------------------------


def test_a_side_correction_at_by_when_is_of_the_step_asked_about(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say("their security team reviews the DPA")
    assert chat.stage == "step_due", chat.text
    out = chat.say("that's ours not theirs")
    assert "couldn't read a date" not in out, out
    assert "Changed: Us: Their security team reviews the DPA." in out, out
    assert chat.stage == "step_due", out  # the date is asked again
    out = chat.say("Dec 4")
    assert chat.stage == "customer_next", out  # ours: no owner question; theirs still asked
    assert planned(db) == [("us", "Their security team reviews the DPA", dt.date(2026, 12, 4), None)]


def test_an_owner_correction_at_by_when_names_the_owner_and_asks_the_date_again(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    chat.say("their security team reviews the DPA")
    out = chat.say("owner is Priya")
    assert "Changed: Priya owns “Their security team reviews the DPA”." in out, out
    assert chat.stage == "step_due", out
    out = chat.say("Dec 4")  # Priya named: "who owns this?" is not asked
    assert chat.stage == "us_next", out
    assert planned(db) == [
        ("customer", "Their security team reviews the DPA", dt.date(2026, 12, 4), "Priya")
    ]


# --- 3. a step that says whose it is, typed at "Theirs or ours?" -------------------------------


def at_side_question(chat: Chat) -> None:
    at_customer_step(chat)
    chat.say("skip")
    chat.say("skip")
    chat.say("kickoff call Dec 10")
    assert chat.stage == "step_side", chat.text


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("need to follow up w/ legal eow", ("us", "Need to follow up with legal", FRIDAY)),
        (
            "they will get back to us after the holidays",
            ("customer", "They will get back to us after the holidays", dt.date(2027, 1, 8)),
        ),
    ],
)
def test_a_step_saying_whose_it_is_at_theirs_or_ours_is_kept(
    coach: Coach, db: Database, typed: str, kept: tuple[str, str, dt.date]
) -> None:
    chat = Chat(coach)
    at_side_question(chat)
    out = chat.say(typed)
    assert "Is it the customer's step or ours?" not in out, out
    assert f"I'll add “{kept[1]}” next" in out and chat.stage == "step_side", out
    out = skip_owner(chat, chat.click("side:customer"))
    if chat.stage == "step_due":  # the kept step had no date
        out = skip_owner(chat, chat.say("Jan 8"))
    assert chat.stage == "more", out
    assert [(s[0], s[1], s[2]) for s in planned(db)] == [
        ("customer", "Kickoff call", dt.date(2026, 12, 10)),
        kept,
    ]


@pytest.mark.parametrize(
    ("typed", "side"),
    [
        ("they will do that", "customer"),
        ("I'll set up the kickoff call", "us"),
        ("I will", "us"),
        ("we'll handle", "us"),
        ("they'll handle it", "customer"),
    ],
)
def test_whose_said_of_the_same_step_at_theirs_or_ours_answers_it(
    coach: Coach, db: Database, typed: str, side: str
) -> None:
    chat = Chat(coach)
    at_side_question(chat)
    out = skip_owner(chat, chat.say(typed))
    assert chat.stage == "more", out
    assert [(s[0], s[1]) for s in planned(db)] == [(side, "Kickoff call")]


# --- 4. a mistyped bulk command at a step question --------------------------------------------


@pytest.mark.parametrize("typed", ["#1 #2 dne", "#1 fnished", "#2"])
def test_step_numbers_without_a_command_are_not_kept(
    coach: Coach, db: Database, typed: str
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    skip_owner(chat, chat.say("They send the PO by Dec 4"))
    skip_owner(chat, chat.say("I send the SOW by Dec 2"))
    assert chat.stage == "more", chat.text
    out = chat.say(typed)
    assert "no command I know" in out and "#1 #2 done" in out and "edit #2" in out, out
    assert "context" not in out and "Added" not in out, out
    assert chat.stage == "more", out  # the same question again
    _, _, reviews = plan_any(db)
    assert [r.context for r in reviews] == [""]
    assert [s[1] for s in planned(db)] == ["They send the PO", "I send the SOW"]
    out = chat.say("#1 #2 done")  # the command itself still works
    assert "#1 They send the PO: done." in out and "#2 I send the SOW: done." in out, out


# --- 5. gibberish at the risk question ------------------------------------------------------------


def test_a_keyboard_mash_at_the_risk_question_is_pushed_back_and_never_kept(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    at_customer_step(chat)
    skip_owner(chat, chat.say("They send the PO by Dec 4"))
    skip_owner(chat, chat.say("I send the SOW by Dec 2"))
    chat.say("that's all")
    assert chat.stage == "risk", chat.text
    out = chat.say("asdfghjkl qwerty")
    assert "“asdfghjkl qwerty” doesn't tell me what would make" in out, out
    assert chat.stage == "risk", out
    out = chat.say("sdfkjh lkjh")  # a second one: no risk, on to the summary, nothing kept
    assert chat.stage == "summary", out
    deal, _, _ = plan_any(db)
    assert deal.risk is None


# --- 7. "No gaps" says what it checks ---------------------------------------------------------


def test_no_gaps_does_not_claim_every_step_has_an_owner(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    new_deal(chat, "Dec 11")
    chat.click(chat.choice("Signature"))
    chat.say("skip")
    skip_owner(chat, chat.say("They sign the order form by Dec 9"))  # no one named
    chat.say("we send the countersigned copy by Dec 10")
    chat.say("that's all")
    chat.say("skip")
    out = chat.command("plan")
    assert "Customer They sign the order form · due Wed Dec 9" in out, out  # no owner shown
    assert "No gaps: every step is ours or theirs and has a date" in out, out
    assert "every step has an owner" not in out, out
