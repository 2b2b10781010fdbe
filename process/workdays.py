"""Working-day arithmetic: lead times in a sales process are counted in working days.

A working day is a weekday that is not a public holiday of the process's country (the
`holidays` package; none given: weekends only). Pure: dates are handed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from functools import cache

import holidays as holiday_calendars

_DAY = dt.timedelta(days=1)


@cache
def holiday_dates(country: str | None, first_year: int, last_year: int) -> frozenset[dt.date]:
    """The public holidays of `country` (e.g. "US") in those years; none for None."""
    if not country:
        return frozenset()
    years = range(first_year, last_year + 1)
    return frozenset(holiday_calendars.country_holidays(country.upper(), years=years).keys())


@cache
def _calendar(country: str, year: int) -> dict[dt.date, str]:
    try:
        return dict(holiday_calendars.country_holidays(country.upper(), years=year))
    except NotImplementedError:  # a country the `holidays` package does not know
        return {}


def day_off(d: dt.date, country: str | None) -> str | None:
    """Why `d` is no working day, in words for "Fri Dec 25 is Christmas Day", else None.

    The name of the public holiday of `country` (ISO 3166 code, the `holidays` package; None:
    weekends only), else "a Saturday" / "a Sunday". An unknown country counts weekends only.
    """
    name = _calendar(country, d.year).get(d) if country else None
    if name:
        return name
    if d.weekday() >= 5:
        return f"a {d.strftime('%A')}"
    return None


def next_working_day(d: dt.date, holidays: Container[dt.date] = frozenset(), step: int = 1) -> dt.date:
    """The first working day after `d` (`step=-1`: before it)."""
    d += step * _DAY
    while not is_working_day(d, holidays):
        d += step * _DAY
    return d


def is_working_day(d: dt.date, holidays: Container[dt.date] = frozenset()) -> bool:
    return d.weekday() < 5 and d not in holidays


def add_working_days(start: dt.date, days: int, holidays: Container[dt.date] = frozenset()) -> dt.date:
    """The date `days` working days after `start` (work starts the day after `start`).

    0 days gives `start` itself; a negative count goes back (`subtract_working_days`).
    """
    if days < 0:
        return subtract_working_days(start, -days, holidays)
    d = start
    left = days
    while left:
        d += _DAY
        if is_working_day(d, holidays):
            left -= 1
    return d


def subtract_working_days(end: dt.date, days: int, holidays: Container[dt.date] = frozenset()) -> dt.date:
    """The latest date from which `days` working days still finish by `end`.

    Inverse of `add_working_days`: add_working_days(subtract_working_days(e, n), n) <= e.
    """
    d = end
    # Work that must be finished by `end` can use `end` only if it is a working day.
    left = days
    while left:
        if is_working_day(d, holidays):
            left -= 1
        d -= _DAY
    return d
