"""Corrections are told apart from ordinary answers (today: Tue 2026-11-24)."""

from __future__ import annotations

import datetime as dt

import pytest

from process.corrections import Correction, read_correction

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scratch that", Correction("scratch")),
        (
            "Scratch that, I send the SOC 2 report by Friday",
            Correction("scratch", rest="I send the SOC 2 report by Friday"),
        ),
        ("forget that one", Correction("scratch")),
        ("actually it's ours", Correction("side", side="us")),
        ("sorry, that one is theirs", Correction("side", side="customer")),
        ("oops, it's the customer's", Correction("side", side="customer")),
        ("no, the 4th", Correction("due", due=dt.date(2026, 12, 4))),
        ("No, Dec 4", Correction("due", due=dt.date(2026, 12, 4))),
        ("actually by next Friday", Correction("due", due=dt.date(2026, 12, 4))),
        ("make that the 11th", Correction("due", due=dt.date(2026, 12, 11))),
    ],
)
def test_corrections(text: str, expected: Correction | None) -> None:
    assert read_correction(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "Friday",
        "ours",
        "Dec 4",
        "actually we had a great demo last week",
        "Actually the customer needs to sign the order form by Friday",
        "No decision yet, their CFO is travelling",
        "Their CFO signs the order form by Dec 11",
    ],
)
def test_ordinary_answers_are_not_corrections(text: str) -> None:
    assert read_correction(text, TODAY) is None


def test_a_bare_day_keeps_the_month_of_the_date_it_corrects() -> None:
    today = dt.date(2026, 11, 30)
    fix = read_correction("no, the 20th", today, was=dt.date(2027, 1, 15))
    assert fix is not None and fix.due == dt.date(2027, 1, 20)  # not Sun Dec 20
    fix = read_correction("no, the 31st", today, was=dt.date(2027, 2, 15))
    assert fix is not None and fix.due == dt.date(2026, 12, 31)  # no Feb 31: from today


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "scratch that" with only a detail after it amends that detail (tester's defect 1)
        ("scratch that, Jan 20", Correction("due", due=dt.date(2027, 1, 20))),
        ("scratch that, the 20th", Correction("due", due=dt.date(2026, 12, 20))),
        ("scratch that, it's ours", Correction("side", side="us")),
        ("scratch that, Raj owns it", Correction("owner", owner="Raj")),
        ("no, it's Raj's", Correction("owner", owner="Raj")),
        ("actually Dana Reid does it", Correction("owner", owner="Dana Reid")),
        ("Wait, Maria", Correction("owner", owner="Maria")),
        # a whole step after it still replaces the step
        ("scratch that, I send it Friday", Correction("scratch", rest="I send it Friday")),
    ],
)
def test_scratch_that_with_a_detail_amends_it(text: str, expected: Correction) -> None:
    assert read_correction(text, TODAY) == expected


@pytest.mark.parametrize("text", ["no, March", "no, Monday maybe later", "sorry, Customer"])
def test_no_owner_from_date_or_side_words(text: str) -> None:
    fix = read_correction(text, TODAY)
    assert fix is None or fix.kind != "owner"


def test_a_side_correction_can_name_the_owner_too() -> None:
    fix = read_correction("no that's ours, owner is Ravi", dt.date(2026, 12, 2))
    assert fix is not None and (fix.kind, fix.side, fix.owner) == ("side", "us", "Ravi")
