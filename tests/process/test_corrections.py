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
