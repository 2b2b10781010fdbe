"""Date conventions of process.dates: each business idiom pinned to a calendar date.

Why so many fixed cases: the conventions are product decisions ("next week" = Friday of
next week), so a refactor must not quietly change them.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from process.dates import parse_date_answer, parse_due

D = datetime.date
TUE = D(2026, 11, 24)  # the dev set's reference date, a Tuesday

CASES: list[tuple[datetime.date, str, datetime.date]] = [
    # weekdays
    (TUE, "by Friday", D(2026, 11, 27)),
    (TUE, "this Friday", D(2026, 11, 27)),
    (TUE, "on Thursday", D(2026, 11, 26)),
    (TUE, "by Monday", D(2026, 11, 30)),
    (TUE, "next Monday", D(2026, 11, 30)),
    (TUE, "next Tuesday", D(2026, 12, 1)),
    (TUE, "Tuesday", D(2026, 12, 1)),
    (TUE, "this Tuesday", D(2026, 11, 24)),
    (TUE, "next Friday", D(2026, 12, 4)),
    (TUE, "Friday next week", D(2026, 12, 4)),
    (TUE, "next week Wed", D(2026, 12, 2)),
    # weeks
    (TUE, "by end of the week", D(2026, 11, 27)),
    (TUE, "EOW", D(2026, 11, 27)),
    (TUE, "this week", D(2026, 11, 27)),
    (TUE, "next week", D(2026, 12, 4)),
    (TUE, "end of next week", D(2026, 12, 4)),
    (TUE, "early next week", D(2026, 12, 1)),
    # days
    (TUE, "today", D(2026, 11, 24)),
    (TUE, "EOD", D(2026, 11, 24)),
    (TUE, "tomorrow", D(2026, 11, 25)),
    (TUE, "tmrw", D(2026, 11, 25)),
    (TUE, "by COB tomorrow", D(2026, 11, 25)),
    (TUE, "in 3 days", D(2026, 11, 27)),
    (TUE, "within a week", D(2026, 12, 1)),
    (TUE, "in two weeks", D(2026, 12, 8)),
    (TUE, "in 2 weeks", D(2026, 12, 8)),
    (TUE, "in a couple of days", D(2026, 11, 26)),
    (TUE, "in a month", D(2026, 12, 24)),
    # months, quarters, years
    (TUE, "by the end of the month", D(2026, 11, 30)),
    (TUE, "end of month", D(2026, 11, 30)),
    (TUE, "next month", D(2026, 12, 31)),
    (TUE, "before the end of the quarter", D(2026, 12, 31)),
    (TUE, "end of Q1", D(2027, 3, 31)),
    (TUE, "before Q1 close", D(2027, 3, 31)),
    (TUE, "end of year", D(2026, 12, 31)),
    (TUE, "EOY", D(2026, 12, 31)),
    (TUE, "mid-December", D(2026, 12, 15)),
    (TUE, "early January", D(2027, 1, 5)),
    (TUE, "late January", D(2027, 1, 25)),
    (TUE, "end of January", D(2027, 1, 31)),
    # explicit dates
    (TUE, "on the 2nd", D(2026, 12, 2)),
    (TUE, "before the 15th", D(2026, 12, 15)),
    (TUE, "by the 30th", D(2026, 11, 30)),
    (TUE, "by Dec 5", D(2026, 12, 5)),
    (TUE, "on December 9", D(2026, 12, 9)),
    (TUE, "on Jan 15", D(2027, 1, 15)),
    (TUE, "18 December", D(2026, 12, 18)),
    (TUE, "the 5th of January", D(2027, 1, 5)),
    (TUE, "by 12/18", D(2026, 12, 18)),
    (TUE, "12/18/2026", D(2026, 12, 18)),
    (TUE, "2026-12-18", D(2026, 12, 18)),
    # a month end
    (D(2026, 11, 30), "end of the month", D(2026, 11, 30)),
    (D(2026, 11, 30), "next month", D(2026, 12, 31)),
    (D(2026, 11, 30), "Friday", D(2026, 12, 4)),
    (D(2026, 11, 30), "next Friday", D(2026, 12, 11)),
    (D(2026, 11, 30), "the 2nd", D(2026, 12, 2)),
    (D(2026, 11, 30), "the 30th", D(2026, 11, 30)),
    (D(2026, 11, 30), "next week", D(2026, 12, 11)),
    # New Year's Eve
    (D(2026, 12, 31), "tomorrow", D(2027, 1, 1)),
    (D(2026, 12, 31), "end of year", D(2026, 12, 31)),
    (D(2026, 12, 31), "end of the quarter", D(2026, 12, 31)),
    (D(2026, 12, 31), "next quarter", D(2027, 3, 31)),
    (D(2026, 12, 31), "next month", D(2027, 1, 31)),
    (D(2026, 12, 31), "Dec 18", D(2027, 12, 18)),
    (D(2026, 12, 31), "12/18", D(2027, 12, 18)),
    (D(2026, 12, 31), "early January", D(2027, 1, 5)),
    (D(2026, 12, 31), "Friday", D(2027, 1, 1)),
    (D(2026, 12, 31), "next week", D(2027, 1, 8)),
    (D(2026, 12, 31), "in a month", D(2027, 1, 31)),
    # leap years
    (D(2028, 2, 28), "tomorrow", D(2028, 2, 29)),
    (D(2028, 2, 28), "end of month", D(2028, 2, 29)),
    (D(2028, 2, 28), "Feb 29", D(2028, 2, 29)),
    (D(2028, 2, 28), "2/29", D(2028, 2, 29)),
    (D(2028, 2, 28), "the 30th", D(2028, 3, 30)),
    (D(2027, 3, 1), "Feb 29", D(2028, 2, 29)),
    (D(2028, 1, 31), "in a month", D(2028, 2, 29)),
    # weekend and Friday todays
    (D(2026, 11, 27), "end of the week", D(2026, 11, 27)),
    (D(2026, 11, 27), "Friday", D(2026, 12, 4)),
    (D(2026, 11, 28), "EOW", D(2026, 12, 4)),
    (D(2026, 11, 28), "next Monday", D(2026, 11, 30)),
]


@pytest.mark.parametrize(("today", "phrase", "expected"), CASES)
def test_convention_in_a_sentence(
    today: datetime.date, phrase: str, expected: datetime.date
) -> None:
    found = parse_due(f"They will send it {phrase}.", today)
    assert found is not None, phrase
    assert found[0] == expected
    assert phrase.lower() in found[1].lower()


@pytest.mark.parametrize(("today", "phrase", "expected"), CASES)
def test_convention_as_an_answer(
    today: datetime.date, phrase: str, expected: datetime.date
) -> None:
    assert parse_date_answer(phrase, today) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We sent it last Friday.",
        "two weeks ago",
        "yesterday",
        "ASAP",
        "since the 3rd",
        "they may sign",
        "24/7 support",
        "a 50/50 chance",
        "the Q1 budget",
        "a 30 day 2 week trial",
        "",
    ],
)
def test_no_due_date(text: str) -> None:
    assert parse_due(text, TUE) is None


def test_lead_in_is_part_of_the_phrase() -> None:
    assert parse_due("Send the quote by Friday please", TUE) == (D(2026, 11, 27), "by Friday")


def test_first_future_phrase_wins() -> None:
    assert parse_due("Met them last Thursday; they sign on Dec 4 or Dec 9", TUE) == (
        D(2026, 12, 4),
        "on Dec 4",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dec 18", D(2026, 12, 18)),
        ("December 18th, 2026", D(2026, 12, 18)),
        ("next Tuesday", D(2026, 12, 1)),
        ("end of quarter", D(2026, 12, 31)),
        ("12/18", D(2026, 12, 18)),
        ("in 2 weeks", D(2026, 12, 8)),
        ("probably by dec 18 I think", D(2026, 12, 18)),
        ("18.12.2026", D(2026, 12, 18)),  # not a rule: dateparser's fallback
    ],
)
def test_date_answers(text: str, expected: datetime.date) -> None:
    assert parse_date_answer(text, TUE) == expected


@pytest.mark.parametrize(
    "text",
    [
        "asdf",
        "32/13",
        "13/45",
        "",
        "   ",
        "2025-01-01",
        "12/18/2025",
        "we sent it on the 10th",
        "ASAP",
        "no idea",
    ],
)
def test_not_date_answers(text: str) -> None:
    assert parse_date_answer(text, TUE) is None


_todays = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))
_phrases = st.sampled_from([phrase for _, phrase, _ in CASES])


@given(today=_todays, phrase=_phrases, noise=st.text(max_size=30))
def test_due_is_never_in_the_past(today: datetime.date, phrase: str, noise: str) -> None:
    found = parse_due(f"{noise} {phrase} {noise}", today)
    if found is not None:
        assert found[0] >= today


# Holiday dates come from the `holidays` package, loaded on first use (~0.3 s): load it once
# here so the property tests below time the parsing, not the import.
parse_due("after Thanksgiving or Easter", datetime.date(2026, 1, 1))


@given(today=_todays, text=st.text(max_size=60))
def test_date_answer_never_raises_nor_goes_back(today: datetime.date, text: str) -> None:
    day = parse_date_answer(text, today)
    assert day is None or day >= today


@given(today=_todays)
def test_impossible_numeric_dates(today: datetime.date) -> None:
    assert parse_date_answer("32/13", today) is None
    assert parse_date_answer("asdf", today) is None


def test_second_language_the_day_n_is_the_nth() -> None:
    # Spanish "el día 10": "presents our proposal to the committee the day 10"
    assert parse_due("presents it to the committee the day 10", TUE) == (
        D(2026, 12, 10),
        "the day 10",
    )
    assert parse_due("we sign on day 30", TUE) == (D(2026, 11, 30), "on day 30")
