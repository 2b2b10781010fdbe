"""Steering on the phenomena named in issue 11, one kind per test: steps, owners, sides, vague, dates.

The thresholds on whole sets live in test_steering.py; these pin the behaviour each rule
exists for, with the issue's own examples, so a later rule change that breaks one says which.
"""

from __future__ import annotations

import datetime

import pytest

from process.dates import DateConventions
from process.steering import SURE, read_answer

TODAY = datetime.date(2026, 11, 24)  # a Tuesday
D = datetime.date


def test_two_steps_are_two_steps() -> None:
    reading = read_answer(
        "They send the questionnaire back by Friday and then procurement issues the PO the week after",
        TODAY,
    )
    assert [(s.side, s.due) for s in reading.steps] == [
        ("customer", D(2026, 11, 27)),
        ("customer", D(2026, 12, 4)),  # "the week after" the first step
    ]
    assert reading.steps[1].action == "Procurement issues the PO"


def test_history_before_the_step_is_context() -> None:
    reading = read_answer(
        "We had a budget meeting on Tuesday, anyway Raj needs to send the finance approval by the 15th",
        TODAY,
    )
    assert reading.orientation == "next_step"
    (step,) = reading.steps
    assert (step.owner, step.due, step.action) == (
        "Raj",
        D(2026, 12, 15),
        "Raj needs to send the finance approval",
    )
    assert reading.context == "We had a budget meeting on Tuesday"


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("revised quote goes out tmrw", "us"),
        ("SOC2 letter to infosec by 12/8", "us"),
        ("the SOW has to be sent over by us EOD", "us"),
        ("they want our W-9 by Friday", "us"),
        ("we need the signed order form back by 12/22", "customer"),
        ("im gonna send the deck thursday", "us"),
        ("Customer to send PO by Friday", "customer"),
        ("Raj said he'd sign by the 4th", "customer"),
        ("their legal said they'd turn the redlines in 3 business days", "customer"),
    ],
)
def test_whose_step(text: str, side: str) -> None:
    reading = read_answer(text, TODAY)
    assert (reading.orientation, reading.side) == ("next_step", side)


@pytest.mark.parametrize(
    "text",
    [
        "ball's with them",
        "grind it out",
        "lean on the champion",
        "park it till Q1",
        "need to get in front of the EB somehow",
        "hopefully they sign before Christmas",
        "should I escalate?",
    ],
)
def test_vague(text: str) -> None:
    assert read_answer(text, TODAY).orientation == "vague"


@pytest.mark.parametrize(
    ("text", "day"), [("dec 9", D(2026, 12, 9)), ("EOW", D(2026, 11, 27)), ("by the 15th?", D(2026, 12, 15))]
)
def test_a_bare_date_is_asked_about(text: str, day: datetime.date) -> None:
    reading = read_answer(text, TODAY)
    assert (reading.orientation, reading.bare_date, reading.steps) == ("vague", day, ())


@pytest.mark.parametrize(
    ("text", "day"),
    [("their fiscal year ends Jan 31", D(2027, 1, 31)), ("the trial runs until Dec 15", D(2026, 12, 15))],
)
def test_a_state_with_a_date_is_context_with_a_date(text: str, day: datetime.date) -> None:
    reading = read_answer(text, TODAY)
    assert reading.orientation == "history"
    assert reading.state_date is not None and reading.state_date[0] == day


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("I send the SOC 2 report EOD", TODAY),
        ("they sign thurs 12/3", D(2026, 12, 3)),
        ("we kick off a week from Friday", D(2026, 12, 4)),
        ("they sign by the last day of the month", D(2026, 11, 30)),
        ("they sign the Friday after next", D(2026, 12, 4)),
        ("legal reviews it a week from tomorrow", D(2026, 12, 2)),
        ("their board approves it after Thanksgiving", D(2026, 11, 30)),
        ("we send the pricing thrusday", D(2026, 11, 26)),
        ("they sign in 2 wks", D(2026, 12, 8)),
    ],
)
def test_due_dates(text: str, due: datetime.date) -> None:
    reading = read_answer(text, TODAY)
    assert (reading.orientation, reading.due) == ("next_step", due)


def test_fiscal_year_and_day_first_are_workspace_settings() -> None:
    july = DateConventions(day_first=True, fiscal_year_start=7)
    assert read_answer("they sign by 3/12", TODAY, conventions=july).due == D(2026, 12, 3)
    assert read_answer("they sign by EOFY", TODAY, conventions=july).due == D(2027, 6, 30)
    assert read_answer("they sign by end of FY27", TODAY).due == D(2027, 12, 31)


def test_a_weekend_due_date_is_flagged() -> None:
    (step,) = read_answer("they sign on Saturday", TODAY).steps
    assert step.on_weekend


def test_unsure_side_is_marked() -> None:
    (step,) = read_answer("Legal reviews the MSA by the 12th", TODAY).steps
    assert step.side_confidence < SURE  # whose legal?
    (sure,) = read_answer("their CFO signs the order form by Friday", TODAY).steps
    assert sure.side_confidence >= SURE


def test_slack_markup_is_read_as_text() -> None:
    reading = read_answer("<@U024BE7LH> is sending the R&amp;D pack tmrw; they sign by fri", TODAY)
    assert [s.side for s in reading.steps] == ["us", "customer"]
