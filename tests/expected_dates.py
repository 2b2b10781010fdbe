"""Expected dates derived by plain calendar arithmetic from the instant a test fixes.

Deliberately independent of `process.dates` and `process.playbook`: a test that asked the
product what "Friday" means would pass whatever the product said.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local_today(instant: dt.datetime, zone: str) -> dt.date:
    """The calendar date a person in `zone` sees at `instant`."""
    return instant.astimezone(ZoneInfo(zone)).date()


def coming_weekday(today: dt.date, weekday: int) -> dt.date:
    """Our convention for "by Friday": the next such weekday strictly after today."""
    ahead = (weekday - today.weekday()) % 7
    return today + dt.timedelta(days=ahead or 7)


def shown(d: dt.date, today: dt.date) -> str:
    """How a date must read: 'Fri Nov 27', with ', 2027' when not in today's year."""
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[d.weekday()]
    month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.month - 1]
    year = "" if d.year == today.year else f", {d.year}"
    return f"{weekday} {month} {d.day}{year}"


def typed(d: dt.date) -> str:
    """A date as a rep types it ("March 3"): no year, so the product must infer it."""
    month = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][d.month - 1]
    return f"{month} {d.day}"
