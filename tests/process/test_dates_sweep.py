"""Date conventions at every sweep instant (tests/conftest.py SWEEP), in two zones.

Each expectation is derived by plain calendar arithmetic (tests/expected_dates.py) from the
instant the test runs at, so these hold on any day the suite is run and at the instants that
broke the product before: a year rollover, a quarter's last day, Feb 29, DST changes.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from process import playbook as pb
from process.dates import parse_date_answer, parse_due
from tests.expected_dates import coming_weekday, local_today, shown, typed

ZONES = ("America/New_York", "Europe/Berlin")


@pytest.fixture(params=ZONES)
def today(request: pytest.FixtureRequest, instant: dt.datetime) -> dt.date:
    return local_today(instant, request.param)


def month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def quarter_end(d: dt.date) -> dt.date:
    return month_end(d.replace(month=(d.month - 1) // 3 * 3 + 3, day=1))


def test_weekday_deadlines(today: dt.date) -> None:
    friday = coming_weekday(today, 4)
    assert parse_due("Their CFO signs off by Friday", today) is not None
    assert parse_due("Their CFO signs off by Friday", today)[0] == friday  # type: ignore[index]
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    assert parse_date_answer("next week", today) == next_monday + dt.timedelta(days=4)
    assert parse_date_answer("tomorrow", today) == today + dt.timedelta(days=1)


def test_month_and_quarter_ends_are_never_past(today: dt.date) -> None:
    assert parse_date_answer("end of month", today) == month_end(today)
    assert parse_date_answer("end of quarter", today) == quarter_end(today)
    eoy = parse_date_answer("end of year", today)
    assert eoy == dt.date(today.year, 12, 31)


@pytest.mark.parametrize("ahead", [1, 15, 70, 300, 358, 364])
def test_a_typed_day_and_month_is_the_next_such_date(today: dt.date, ahead: int) -> None:
    target = today + dt.timedelta(days=ahead)
    if target.month == 2 and target.day == 29:
        return  # "February 29" alone names a date only in leap years; covered below
    just_passed = target.replace(year=target.year - 1) if (target.month, target.day) != (2, 29) else None
    if just_passed is not None and 0 < (today - just_passed).days <= 7:
        # issue 11: "Nov 28" typed on Nov 29 is a date just missed, not one a year away:
        # it reads as past, so the dialog says so and asks again
        assert parse_date_answer(typed(target), today) is None
        assert parse_date_answer(typed(target), today, allow_past=True) == just_passed
        return
    assert parse_date_answer(typed(target), today) == target
    assert parse_date_answer(typed(today - dt.timedelta(days=1)), today) != today - dt.timedelta(
        days=1
    )


def test_leap_day_typed_alone_finds_the_next_leap_year() -> None:
    assert parse_date_answer("February 29", dt.date(2028, 2, 29)) == dt.date(2028, 2, 29)
    got = parse_date_answer("February 29", dt.date(2028, 3, 1))
    assert got is None or got == dt.date(2032, 2, 29)


def test_quick_decision_dates_leave_room_for_a_plan(today: dt.date) -> None:
    options = pb.quick_decision_dates(today)
    assert 2 <= len(options) <= 3
    days = [d for _, d in options]
    assert all((d - today).days >= pb.MIN_DECISION_LEAD_DAYS for d in days), options
    assert days == sorted(set(days))
    for label, d in options:
        assert d == month_end(d)  # every offer is a month end
        if "quarter" in label:
            assert d == quarter_end(d)


def test_quick_step_dates_are_ahead_and_before_the_decision(today: dt.date) -> None:
    decision = today + dt.timedelta(days=70)
    options = pb.quick_step_dates(today, decision)
    assert options and options[0][1] == coming_weekday(today, 4)
    assert all(today < d <= decision for _, d in options)


def test_the_date_hint_never_suggests_a_past_date(today: dt.date) -> None:
    iso = pb.date_examples(today).rsplit(" ", 1)[-1]
    assert parse_date_answer(iso, today) is not None  # the coach accepts its own example


def test_a_date_shows_its_year_only_when_it_is_not_this_one(today: dt.date) -> None:
    later = today + dt.timedelta(days=40)
    assert pb.fmt_date(later, today) == shown(later, today)
    assert (str(later.year) in pb.fmt_date(later, today)) == (later.year != today.year)
    assert pb.fmt_date(today, today) == shown(today, today)
    assert pb.fmt_date(later, None).endswith(f", {later.year}")  # unknown today: never guess


def test_examples_and_hints_show_dates_ahead_of_today(today: dt.date) -> None:
    """The coach's own examples never name a date it would call passed (a fixed "Dec 5"
    read as nonsense from Dec 6 on)."""
    example = pb.step_example("customer", today)
    typed_date = example.rsplit("by ", 1)[1].rstrip("”")
    assert parse_date_answer(typed_date, today) == today + dt.timedelta(days=10)
    hint = pb.date_hint(today, 12, "next Friday")
    first = hint.split("“")[1].split("”")[0]
    assert parse_date_answer(first, today) == today + dt.timedelta(days=12)
