"""Due-date phrases in sales-rep English, resolved against an explicit `today`.

Why hand rules first: reps write deadlines in a few business idioms ("EOW", "end of the
quarter", "next week" meaning Friday of next week) whose meaning is a convention of this
product, not of a general date parser; and scanning free text with regexes costs
microseconds where `dateparser.search_dates` costs milliseconds and finds false dates.
dateparser is kept as a fallback for a whole typed date answer the rules do not cover
("December eighteenth", "18.12.2026").

Conventions (all relative to `today`; a result is never before `today`):
- "Friday"/"this Friday" = the coming Friday (a bare weekday equal to today means next
  week's; "this <today's weekday>" means today); "next Friday"/"Friday next week" = the
  Friday of next ISO week (weeks start on Monday).
- "end of the week"/"EOW"/"this week" = the coming Friday; "next week"/"end of next week" =
  Friday of next week; "early next week" = Tuesday of next week; "beginning of next week" =
  Monday of next week; "mid next week" = Wednesday of next week.
- "end of (the) month"/"EOM" = last day of this month; "next month" = last day of next month;
  "end of (the) quarter"/"EOQ" = last day of this calendar quarter; "next quarter" = last day
  of next quarter; "end of Q1"/"Q1 close"/"before Q1"/"by Q1"/"in Q1" = last day of the next
  Q1 (this one if we are in it); "end of (the) year"/"EOY" = Dec 31.
- "in N days/weeks/months", "within a week", "N weeks from now" count from today (months
  keep the day of month, clamped); "a couple of" = 2, "a few" = 3.
- "early/mid/late <month>" = the 5th/15th/25th; "beginning/start of <month>" = the 1st;
  "end of <month>" = its last day; "in/during <month>" = its last day; "by/before <month>" =
  its 1st. The next such date that is not in the past.
- A bare ordinal day ("the 2nd") or a day and month ("Dec 18", "18 December") is the next
  such date from today (today included); numeric dates are US style (12/18, 12/18/2026);
  ISO dates (2026-12-18) are accepted. A date with an explicit year in the past is ignored.
- "today"/"tonight"/"EOD"/"COB" = today; "tomorrow" (and common misspellings) = today + 1.
- "ASAP", "soon", "yesterday", "last Friday", "two weeks ago" give no due date.
- Issue 11: misspelled weekdays ("thrusday", "wensday"; any one slip of a weekday, month or
  "tomorrow" too: "fridsy", "wednesdya", see `process/typos.py`), "wk"/"wks", "arvo"/"end of play"/
  "EOP" = today; a weekday with its date ("thurs 12/3"): the date wins; "a week from
  Friday"/"Friday week"/"the Friday after next" = the coming Friday + 7 days, "a week from
  tomorrow" = tomorrow + 7; "the last day of the month" = month end; "the first/second/last
  week of <month>" = the Friday of that week (weeks from the month's first Monday);
  "after <holiday>" = the Monday after it, "by <holiday>" = the holiday, "before <holiday>"
  = the working day before it (public
  holidays from the `holidays` package, e.g. Thanksgiving; Christmas and New Year fixed);
  "EOFY"/"end of fiscal year"/"end of FY27"/"Q1 FY27"/"EOQ" follow the workspace's
  fiscal-year start (`DateConventions`; FY27 ends in 2027); numeric dates are DD/MM when
  the convention says so, and always when only DD/MM makes sense ("18/12"); "24/7" is no date.
- Issue 11, kinds from the late batches: chat shorthand ("tonite", "tmw", "nxt", "mnth");
  a day number after "till"/"due"/"not later than" and the literal "the day 10"; spelled days
  next to a month ("December first"); "the 3rd of next month"; British "a week today",
  "a fortnight Friday", "today week", "Friday next" (= next Friday); "midweek" (the coming
  Wednesday), "the week after next" (its Friday), "after the weekend" (Monday), "within the
  week/month"; hours ("within 48 hours" = +2 days; "by noon" = today); "end Dec"/"Dec end";
  "15-Dec", "2026/12/15", "7-12-2026" (a four-digit year; "12-15 users" is a range);
  "next to next week" (Indian English: the week after next), "this time next week" (+7),
  "EOB" = EOD, "current" quarter/year/fiscal year, "close of Q4"/"quarter close"; a day
  number without its suffix or spelled out after a lead-in at a clause end ("until the 15",
  "on the third"); "Monday the 7" is the 7th when it is a Monday within two months, else the
  number was an hour ("Friday 12"); "KW 50"/"CW50"/"calendar week 50" = that ISO week's
  Friday; "Christmas Eve" = Dec 24, "New Year's Eve"/"NYE" = Dec 31; "2026-12-04T17:00"; "right away"/"straight away" = today; "now"/"rn" = today only after
  our own action under way ("Sending the case study now"), never a state's ("they're using a
  spreadsheet rn"). A weekday or month after a past verb ("started monday", "wrapped up
  on Friday", "left in Oct") is a day gone by (unless a passive: "to be presented Friday"), never a due date. A numeric date that only one
  order can read ("15/12") sets the order of the answer's other numeric dates, and a weekday
  written with a numeric date picks the order that falls on that weekday ("Wed 9/12").
- An offset from an event rather than from today is a term, no due date: "within 30 days of
  signature", "45 days after invoice".
- A day-and-month without a year typed as a whole date answer in the 7 days after it
  ("Nov 28" on Nov 29) is that past date, so the caller can say so; in running text it is
  next year's, as before.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from process import typos

__all__ = ["DateConventions", "bare_date", "falls_on_weekend", "parse_due", "parse_date_answer"]


@dataclass(frozen=True)
class DateConventions:
    """A workspace's date habits: how numeric dates are written and when its fiscal year starts.

    `day_first`: "3/12" is 3 December (DD/MM, most of the world) rather than March 12 (US).
    `fiscal_year_start`: the month (1-12) the fiscal year starts; FY27 is the fiscal year
    that *ends* in 2027 (the usual reading when it does not start in January), and
    "Q1" is the first quarter of a fiscal year. `holiday_country` is an ISO 3166 code
    for the `holidays` package ("after Thanksgiving").
    """

    day_first: bool = False
    fiscal_year_start: int = 1
    holiday_country: str = "US"

    @classmethod
    def for_timezone(cls, tz: str | None, fiscal_year_start: int = 1) -> DateConventions:
        """Defaults from an IANA zone: US/Canadian zones write MM/DD, the rest of the world DD/MM."""
        zone = tz or ""
        country = _ZONE_COUNTRY.get(zone.split("/")[0], "")
        if zone.startswith(("America/", "US/", "Canada/")) or zone in _MDY_ZONES or not zone:
            return cls(False, fiscal_year_start, "CA" if zone.startswith("Canada/") else "US")
        return cls(True, fiscal_year_start, _ZONE_COUNTRY.get(zone, country) or "GB")


# Zones outside the Americas that still write month first; and a country per zone for holidays.
_MDY_ZONES: Final = frozenset({"Pacific/Honolulu", "Asia/Manila", "UTC", "Etc/UTC"})
_ZONE_COUNTRY: Final[dict[str, str]] = {
    "Europe/London": "GB",
    "Europe/Dublin": "IE",
    "Asia/Kolkata": "IN",
    "Asia/Calcutta": "IN",
    "Australia/Sydney": "AU",
    "Australia/Melbourne": "AU",
    "Australia/Brisbane": "AU",
    "Australia/Perth": "AU",
    "Pacific/Auckland": "NZ",
    "Asia/Singapore": "SG",
    "Africa/Johannesburg": "ZA",
    "Europe/Berlin": "DE",
    "Europe/Paris": "FR",
    "Europe/Amsterdam": "NL",
}
_DEFAULT: Final = DateConventions()


def falls_on_weekend(day: datetime.date) -> bool:
    """A due date on a Saturday or Sunday: worth flagging, since little gets signed then."""
    return day.weekday() >= 5


_WEEKDAYS: Final[dict[str, int]] = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "weds": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
# How weekdays come out of a phone keyboard; read as the day meant.
_WEEKDAY_TYPOS: Final[dict[str, int]] = {
    "mondy": 0,
    "moday": 0,
    "tuseday": 1,
    "tusday": 1,
    "teusday": 1,
    "tuesdy": 1,
    "wensday": 2,
    "wendsday": 2,
    "wednsday": 2,
    "wedensday": 2,
    "wednesdy": 2,
    "thrusday": 3,
    "thursdy": 3,
    "thurday": 3,
    "thusday": 3,
    "thrus": 3,
    "firday": 4,
    "fridy": 4,
    "frday": 4,
    "friady": 4,
}
_WEEKDAYS.update(_WEEKDAY_TYPOS)
# Any other one-slip misspelling of a weekday, month or "tomorrow" ("fridsy", "wednesdya",
# "thursdat", "decmber"): generated, see process/typos.py; fixed before the rules run.
SLIPS: Final = typos.table(
    "monday tuesday wednesday thursday friday saturday sunday january february march april"
    " august september october november december tomorrow",
    # chat shorthand for the date words, not slips of them ("tonite", "nxt tues", "EOD tmw")
    {
        "tonite": "tonight",
        "tonit": "tonight",
        "tmw": "tomorrow",
        "tomoz": "tomorrow",
        "tmrow": "tomorrow",
        "tmro": "tomorrow",
        "tmrrw": "tomorrow",
        "nxt": "next",
        "mnth": "month",
        "mth": "month",
        "wkend": "weekend",
    },
)
_MONTHS: Final[dict[str, int]] = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_NUMBERS: Final[dict[str, int]] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
}

# Day numbers spelled out, read next to a month only ("December first", "the 3rd of next month").
_ORDINAL_WORDS: Final[dict[str, int]] = {
    word: n
    for n, word in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
        ],  # fmt: skip
        start=1,
    )
}
_ORDINAL_WORDS.update(
    {f"twenty-{w}": 20 + n for w, n in list(_ORDINAL_WORDS.items())[:9]}
    | {"thirtieth": 30, "thirty-first": 31}
)

_WD = (
    r"(?P<wd>"
    + "|".join(sorted((w for w in _WEEKDAYS if w not in ("sat", "sun")), key=len, reverse=True))
    + r")\b"
)
_MON = (
    r"(?P<mon>january|february|march|april|may|june|july|august|september|october|"
    r"november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b\.?"
)
_MON_STRICT = _MON.replace("|may|", "|")  # "may" alone is usually the modal verb
_DAY = r"(?P<day>[0-3]?\d(?:st|nd|rd|th)?)\b"
_SPELLED_DAY = r"(?P<day>" + "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True)) + r")\b"
_YEAR = r"(?:(?:,?\s*|-)(?P<year>20\d\d))?"
_NUM = (
    r"(?P<n>\d{1,3}|"
    + "|".join(sorted((w.replace(" ", r"\s+") for w in _NUMBERS), key=len, reverse=True))
    + ")"
)
_UNIT = (
    r"(?P<unit>(?:(?:business|working|biz|bus\.?|work)\s+)?days?|weeks?|wks?|months?|mos?"
    r"|fortnights?|hours?|hrs?)\b"
)
_Q = r"q(?P<q>[1-4])(?:\s*(?:'|fy)?(?P<qyear>20\d\d|\d\d))?\b"


# ---------------------------------------------------------------- calendar helpers
def _last_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _coming_weekday(today: datetime.date, weekday: int, allow_today: bool) -> datetime.date:
    delta = (weekday - today.weekday()) % 7
    if delta == 0 and not allow_today:
        delta = 7
    return today + datetime.timedelta(days=delta)


def _next_week_day(today: datetime.date, weekday: int) -> datetime.date:
    monday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=7)
    return monday + datetime.timedelta(days=weekday)


def _next_month_day(today: datetime.date, month: int, day: int | None) -> datetime.date | None:
    """The first (month, day) on or after today; day None means the month's last day."""
    for year in range(today.year, today.year + 9):  # 9 years always contains a Feb 29
        last = calendar.monthrange(year, month)[1]
        if day is not None and day > last:
            continue
        candidate = datetime.date(year, month, last if day is None else day)
        if candidate >= today:
            return candidate
    return None


# A day-and-month without a year that fell this many days ago is the one just passed, not next
# year's: "Nov 28" typed on Nov 29 is a late answer to ask about, not a date a year away.
_JUST_PASSED_DAYS: Final = 7


def _yearless(today: datetime.date, month: int, day: int) -> datetime.date | None:
    if _safe_date(2028, month, day) is None:
        return None
    for year in (today.year, today.year - 1):  # "Dec 31" typed on Jan 1 was yesterday
        passed = _safe_date(year, month, day)
        if passed is not None and 0 < (today - passed).days <= _JUST_PASSED_DAYS:
            return passed
    return _next_month_day(today, month, day)


def _next_day_of_month(today: datetime.date, day: int) -> datetime.date | None:
    if not 1 <= day <= 31:
        return None
    for offset in range(0, 13):
        first = _add_months(today.replace(day=1), offset)
        if day <= calendar.monthrange(first.year, first.month)[1]:
            candidate = first.replace(day=day)
            if candidate >= today:
                return candidate
    return None


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _day_number(word: str) -> int:
    """ "12", "12th", "twelfth" -> 12."""
    word = word.lower()
    return _ORDINAL_WORDS[word] if word in _ORDINAL_WORDS else int(word.rstrip("stndrh"))


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word]


# ---------------------------------------------------------------- rule handlers
_Handler = Callable[["re.Match[str]", datetime.date, "DateConventions"], "datetime.date | None"]


def _h_past(
    _m: re.Match[str], _today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return None


def _h_iso(m: re.Match[str], _today: datetime.date, _conv: DateConventions) -> datetime.date | None:
    return _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))


def _h_numeric(
    m: re.Match[str], today: datetime.date, conv: DateConventions
) -> datetime.date | None:
    month, day = int(m["m"]), int(m["d"])
    if conv.day_first or (month > 12 and day <= 12):  # 18/12 can only be DD/MM
        month, day = day, month
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if m["y"]:
        year = int(m["y"])
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    return _yearless(today, month, day)


def _h_dotted(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    if m.groupdict().get("d2"):
        return _yearless(today, int(m["m2"]), int(m["d2"])) if 1 <= int(m["m2"]) <= 12 else None
    month, day = int(m["m"]), int(m["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if not m["y"] and len(m["m"]) < 2 and len(m["d"]) < 2:
        return None  # "version 1.2." is no date; "22.01." and "3.2.2027" are
    if m["y"]:
        year = int(m["y"])
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    return _yearless(today, month, day)


def _h_month_day(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    month, day = _MONTHS[m["mon"].lower()], _day_number(m["day"])
    if not m["day"][0].isdigit() and m["mon"].lower() == "may" and " of " not in m.group():
        return None  # "they may first want"
    if m["year"]:
        return _safe_date(int(m["year"]), month, day)
    return _yearless(today, month, day)


def _h_month_part(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    part, month = " ".join(m["part"].lower().split()), _MONTHS[m["mon"].lower()]
    day: int | None
    if part in ("end of", "end of the month of", "the end of", "late in") or part in (
        "in",
        "during",
    ):
        day = None
    elif part in ("by", "before", "beginning of", "start of", "the beginning of", "the start of"):
        day = 1
    elif part.startswith("mid"):
        day = 15
    elif part.startswith("late"):
        day = 25
    else:  # early
        day = 5
    if m["year"]:
        year = int(m["year"])
        return _last_day(year, month) if day is None else _safe_date(year, month, day)
    return _next_month_day(today, month, day)


def _h_bare_day(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return _next_day_of_month(today, _day_number(m["day"]))


def _h_weekday(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    weekday = _WEEKDAYS[m["wd"].lower()]
    which = " ".join((m["which"] or "").lower().split())
    if which == "next" or m["nextweek"] or m["weekprefix"]:
        return _next_week_day(today, weekday)
    return _coming_weekday(today, weekday, allow_today=which == "this")


def _h_today(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return today


def _h_tomorrow(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return today + datetime.timedelta(days=1)


def _h_day_after(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return today + datetime.timedelta(days=2)


def _h_this_week(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return _coming_weekday(today, 4, allow_today=True)


def _h_next_week(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    part = (m["part"] or "").lower()
    weekday = (
        0
        if part.startswith(("beginning", "start", "first"))
        else 1
        if part.startswith("early")
        else 2
        if part.startswith("mid")
        else 4
    )
    return _next_week_day(today, weekday)


def _h_month_end(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return _last_day(today.year, today.month)


def _h_next_month(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    first = _add_months(today.replace(day=1), 1)
    part = (m["part"] or "").lower()
    if part.startswith("early"):
        return first.replace(day=5)
    if part.startswith(("beginning", "start")):
        return first
    if part.startswith("mid"):
        return first.replace(day=15)
    return _last_day(first.year, first.month)


def _h_mid_month(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return _next_day_of_month(today, 15)


def _fiscal_year_of(today: datetime.date, start: int) -> int:
    """The fiscal year `today` falls in, named by the calendar year it ends in."""
    return today.year + 1 if start > 1 and today.month >= start else today.year


def _fiscal_start(fiscal_year: int, start: int) -> datetime.date:
    return datetime.date(fiscal_year - 1 if start > 1 else fiscal_year, start, 1)


def _fiscal_quarter_end(fiscal_year: int, quarter: int, start: int) -> datetime.date:
    return _add_months(_fiscal_start(fiscal_year, start), 3 * quarter) - datetime.timedelta(days=1)


def _current_quarter_end(today: datetime.date, start: int, ahead: int = 0) -> datetime.date:
    fiscal_year = _fiscal_year_of(today, start)
    first = _fiscal_start(fiscal_year, start)
    index = ((today.year - first.year) * 12 + today.month - first.month) // 3 + ahead
    return _add_months(first, 3 * (index + 1)) - datetime.timedelta(days=1)


def _h_quarter_end(
    _m: re.Match[str], today: datetime.date, conv: DateConventions
) -> datetime.date | None:
    return _current_quarter_end(today, conv.fiscal_year_start)


def _h_next_quarter(
    _m: re.Match[str], today: datetime.date, conv: DateConventions
) -> datetime.date | None:
    return _current_quarter_end(today, conv.fiscal_year_start, ahead=1)


def _h_fiscal_year_end(
    m: re.Match[str], today: datetime.date, conv: DateConventions
) -> datetime.date | None:
    start = conv.fiscal_year_start
    named = m["fy"]
    fiscal_year = (2000 + int(named) if len(named) == 2 else int(named)) if named else None
    fiscal_year = fiscal_year or _fiscal_year_of(today, start)
    return _fiscal_start(fiscal_year + 1, start) - datetime.timedelta(days=1)


def _h_named_quarter(
    m: re.Match[str], today: datetime.date, conv: DateConventions
) -> datetime.date | None:
    quarter, start = int(m["q"]), conv.fiscal_year_start
    if m["qyear"]:
        year = int(m["qyear"])
        return _fiscal_quarter_end(year + 2000 if year < 100 else year, quarter, start)
    fiscal_year = _fiscal_year_of(today, start)
    end = _fiscal_quarter_end(fiscal_year, quarter, start)
    return end if end >= today else _fiscal_quarter_end(fiscal_year + 1, quarter, start)


def _h_year_end(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return datetime.date(today.year, 12, 31)


def _h_early_next_year(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return datetime.date(today.year + 1, 1, 5)


# Holiday words and the name the `holidays` package gives the day (fixed dates need no lookup).
_HOLIDAYS: Final[dict[str, str | tuple[int, int]]] = {
    "thanksgiving": "Thanksgiving",
    "christmas": (12, 25),
    "xmas": (12, 25),
    "chrissie": (12, 25),
    "christmas eve": (12, 24),
    "xmas eve": (12, 24),
    "new year's eve": (12, 31),
    "new years eve": (12, 31),
    "new year eve": (12, 31),
    "nye": (12, 31),
    "new year": (1, 1),
    "new years": (1, 1),
    "new year's": (1, 1),
    "easter": "Easter",
    "diwali": "Diwali",
}


@functools.lru_cache(maxsize=64)
def _holiday_on(country: str, year: int, name: str) -> datetime.date | None:
    """The date `holidays` gives a named public holiday; imported lazily (it loads slowly)."""
    import holidays  # noqa: PLC0415 - deliberate lazy import, see docstring

    try:
        calendar_ = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        calendar_ = holidays.country_holidays("US", years=year)
    for day, label in sorted(calendar_.items()):
        if name.lower() in label.lower():
            return day
    if name == "Easter":  # not a US public holiday, but reps still plan around it
        from dateutil.easter import easter  # noqa: PLC0415

        return easter(year)
    return None


def _h_holiday(
    m: re.Match[str], today: datetime.date, conv: DateConventions
) -> datetime.date | None:
    """A holiday is its own date (also "by"/"before" it, like "before the 15th"); "after" it the Monday after."""
    spec = _HOLIDAYS[" ".join(m["hol"].lower().split())]
    when = (m["rel"] or "").lower()
    if spec == (1, 1) and not when:
        return None  # "in the new year" is a season, not a deadline
    for year in (today.year, today.year + 1):
        if isinstance(spec, tuple):
            day = _safe_date(year, *spec)
        else:
            day = _holiday_on(conv.holiday_country, year, spec)
        if day is None:
            continue
        if when in ("after", "post"):
            day += datetime.timedelta(days=7 - day.weekday())
        elif when in ("before", "pre"):  # done before it: the working day before
            from process.workdays import holiday_dates, is_working_day  # noqa: PLC0415

            off = holiday_dates(conv.holiday_country, day.year - 1, day.year)
            day -= datetime.timedelta(days=1)
            while not is_working_day(day, off):
                day -= datetime.timedelta(days=1)
        if day >= today:
            return day
    return None


def _anchor(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    """The named day an offset counts from: "Friday", "next Friday", "tomorrow", "today"."""
    word = m["anchor"].lower()
    if word in ("today", "now"):
        return today
    if word.startswith(("tom", "tmr", "2mor")):
        return today + datetime.timedelta(days=1)
    weekday = _WEEKDAYS[m["wd"].lower()]
    if (m.groupdict().get("which") or "").lower() == "next":
        return _next_week_day(today, weekday)
    return _coming_weekday(today, weekday, allow_today=False)


def _h_from_anchor(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    """ "a week from Friday", "two weeks from tomorrow", "Friday week", "the Friday after next"."""
    day = _anchor(m, today)
    if day is None:
        return None
    n, unit = m.groupdict().get("n"), (m.groupdict().get("unit") or "").lower()
    weeks = _count(" ".join(n.lower().split())) if n else 1
    weeks *= 2 if unit.startswith("fortnight") else 1
    return day + datetime.timedelta(weeks=weeks) if weeks <= 52 else None


def _h_week_of_month(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    """ "the first week of January" = the Friday of the month's first full week; "last" = its last Friday."""
    named = m.groupdict().get("mon")
    month = _MONTHS[named.lower()] if named else _add_months(today.replace(day=1), 1).month
    which = m["ord"].lower()
    for year in (today.year, today.year + 1):
        first = datetime.date(year, month, 1)
        if which == "last":
            last = _last_day(year, month)
            day = last - datetime.timedelta(days=(last.weekday() - 4) % 7)
        else:
            monday = first + datetime.timedelta(days=(7 - first.weekday()) % 7)
            index = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2}[which]
            day = monday + datetime.timedelta(days=7 * index + 4)
        if day >= today:
            return day
    return None


def _h_offset(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    n = _count(" ".join(m["n"].lower().split()))
    if n > 400:
        return None
    unit = m["unit"].lower()
    if unit.startswith("fortnight"):
        return today + datetime.timedelta(days=14 * n)
    if unit.startswith("h"):  # "within 48 hours": the day the hours run out
        return today + datetime.timedelta(days=n // 24)
    if unit.startswith(("week", "wk")):
        return today + datetime.timedelta(weeks=n)
    if unit.startswith(("month", "mo")):
        return _add_months(today, n)
    if unit.startswith(("business", "working", "biz", "bus", "work ")):
        day, left = today, n
        while left:
            day += datetime.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day
    return today + datetime.timedelta(days=n)


def _h_fortnight(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return today + datetime.timedelta(days=14)


def _h_weekday_numeric(
    m: re.Match[str], today: datetime.date, conv: DateConventions
) -> datetime.date | None:
    """ "Mon 7/12": of the two ways to read the numbers, the one that falls on the weekday wins."""
    first, second, weekday = int(m["m"]), int(m["d"]), _WEEKDAYS[m["wd"].lower()]
    readings = []
    for month, day in ((first, second), (second, first)):
        if 1 <= month <= 12 and 1 <= day <= 31:
            if m["y"]:
                year = int(m["y"])
                found = _safe_date(year + 2000 if year < 100 else year, month, day)
            else:
                found = _yearless(today, month, day)
            if found is not None:
                readings.append(found)
    agreeing = [d for d in readings if d.weekday() == weekday]
    if len(agreeing) == 1 and len(readings) == 2:
        return agreeing[0]
    return _h_numeric(m, today, conv)


_CLAUSE_START: Final = re.compile(r"[^.;!?\n]*$")
# Actions a rep does at the keyboard, so "now" is today ("Sending the case study now"); a state
# ("evaluating three vendors right now", "using a spreadsheet rn") is not.
_DOING: Final = re.compile(
    r"^\W*(?:(?:i'?m|we'?re|i\s+am|we\s+are)\s+)?(?:sending|drafting|writing|preparing|updating|"
    r"booking|scheduling|setting|putting|pulling|finali[sz]ing|emailing|calling|pinging|shooting|"
    r"revising|sharing|forwarding|submitting|uploading)\b",
    re.IGNORECASE,
)


def _h_doing_now(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    """ "Sending the case study now", "we're drafting it rn": our action under way is due today."""
    clause = _CLAUSE_START.search(m.string, 0, m.start())
    if clause is None or not _DOING.match(clause.group()):
        raise _NotADate
    return today


def _h_calendar_week(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    """ "KW 50": the Friday of that ISO week, this year's or, once it is past, next year's."""
    week = int(m["kw"])
    for year in (today.year, today.year + 1):
        try:
            friday = datetime.date.fromisocalendar(year, week, 5)
        except ValueError:
            continue  # week 53 in a year of 52
        if friday >= today:
            return friday
    return None


def _h_weekday_day(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    """ "Monday the 7th": the next such day of the month that falls on that weekday (the 7th
    alone if none does within a year: the day number is the surer half)."""
    day, weekday = _day_number(m["day"]), _WEEKDAYS[m["wd"].lower()]
    first = _next_day_of_month(today, day)
    candidate = first
    for _ in range(12):
        if candidate is None or candidate.weekday() == weekday:
            break
        candidate = _next_day_of_month(candidate + datetime.timedelta(days=1), day)
    return candidate if candidate is not None and candidate.weekday() == weekday else first


def _h_weekday_number(
    m: re.Match[str], today: datetime.date, conv: DateConventions
) -> datetime.date | None:
    """ "Monday the 7": a day of the month only if it falls on that weekday within two
    months; else the number was an hour ("Friday 12") and the weekday is the date."""
    day = _h_weekday_day(m, today, conv)
    if day is not None and day.weekday() == _WEEKDAYS[m["wd"].lower()] and (day - today).days <= 62:
        return day
    return _coming_weekday(today, _WEEKDAYS[m["wd"].lower()], allow_today=False)


def _h_weekday_next(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    """British "Friday next": the Friday of next week, as "next Friday"."""
    return _next_week_day(today, _WEEKDAYS[m["wd"].lower()])


def _h_midweek(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return _coming_weekday(today, 2, allow_today=True)


def _h_after_weekend(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return _coming_weekday(today, 0, allow_today=False)


def _h_week_after_next(
    _m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    """ "the week after next": its Friday, as "next week" is next week's Friday."""
    return _next_week_day(today, 4) + datetime.timedelta(days=7)


def _h_month_edge(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    """ "end Dec", "Dec end", "by end-Jan", "Jan start": the month's last or first day."""
    month, part = _MONTHS[m["mon"].lower()], m["part"].lower()
    return _next_month_day(today, month, None if part == "end" else 1)


def _h_day_next_month(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    """ "the 3rd of next month"; "the first of the month" is the next 1st."""
    day = _day_number(m["day"])
    if m["which"].lower() == "the":
        return _next_day_of_month(today, day)
    first = _add_months(today.replace(day=1), 1)
    return _safe_date(first.year, first.month, day)


def _h_named_year_end(
    m: re.Match[str], today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    return datetime.date(int(m["year"]) if m["year"] else today.year, 12, 31)


_THE = r"(?:the\s+)?"
# Verbs whose weekday or month is one gone by ("started monday"), and the words before a
# passive or a plan that make the same verb forward ("to be presented Friday").
_PAST_VERBS: Final = [
    "started", "kicked", "began", "met", "spoke", "talked", "chatted", "went", "came", "joined",
    "left", "wrapped", "finished", "ended", "happened", "presented", "demoed", "called", "rang",
    "phoned", "emailed", "heard", "resigned", "quit", "landed", "arrived", "was", "were",
]  # fmt: skip
_PAST_VERB = r"\b(?:" + "|".join(_PAST_VERBS) + r")"
# The word right before the verb that makes it a passive, a plan or an amount ("to be presented
# Friday", "gets kicked off Monday", "it's presented on Monday", "two weeks left in December"),
_NOT_PAST_BEFORE: Final = frozenset(
    ["be", "been", "being", "to", "it", "will", "get", "gets", "getting", "is", "are", "s", "re"]
    + ["them", "this", "that", "weeks", "days", "time"]
)
# and a wish or need a few words before it, unless a subject stands between ("want the SOW
# finished Friday" is a plan; "we need them to sign, they met Thursday" is not).
_WANTS_BEFORE: Final = frozenset(
    ["want", "wants", "wanted", "need", "needs", "needed", "have", "has", "like", "expect"]
    + ["expects", "expecting", "hope", "hoping", "get", "gets", "got"]
)
_SUBJECTS: Final = frozenset(["i", "we", "he", "she", "they", "you"])
_WORDS_BEFORE: Final = re.compile(r"[a-z]+", re.IGNORECASE)


class _NotADate(Exception):
    """A handler's veto: the rule's words are no date phrase here, let other rules read them."""


def _h_gone_by(
    m: re.Match[str], _today: datetime.date, _conv: DateConventions
) -> datetime.date | None:
    """ "started monday", "wrapped up on Friday", "left in Oct": a day gone by, no due date."""
    before = [w.lower() for w in _WORDS_BEFORE.findall(m.string, max(0, m.start() - 40), m.start())]
    if before and before[-1] in _NOT_PAST_BEFORE:
        raise _NotADate
    if before and before[-1] in ("have", "has", "had", "'ve"):
        return None  # the perfect: "we have met on Thursday"
    if before and before[-1] not in _SUBJECTS and not _WANTS_BEFORE.isdisjoint(before[-4:]):
        raise _NotADate
    return None


# A time zone after "EOD" changes nothing: "EOD IST tmrw" is tomorrow.
_ZONE = r"(?:(?:ist|gmt|bst|cet|est|edt|pst|pdt|aest|sgt|uk|et|pt)\s+)?"
_EOD = (
    r"(?:(?:eod|eob|cob|eop|end\s+of\s+(?:the\s+)?(?:business\s+)?(?:day|play)|close\s+of\s+business)\s+"
    + _ZONE
    + r"(?:on\s+)?)?"
)
_WEEKS = r"(?P<unit>weeks?|wks?|fortnights?)"
_ANCHOR = r"(?P<anchor>today|now|tomorrow|tmrw|tmr|(?:(?P<which>this|next|coming)\s+)?" + _WD + r")"
_NUMERIC = r"(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])"
# Order matters only for readability: overlaps are resolved longest-first in _candidates.
_RULE_LIST: Final[list[tuple[str, _Handler]]] = [
    # things in the past or with no date: matched so their words are not re-read as dates
    (
        r"\b(?:last|past|previous)\s+(?:" + _WD + r"|week|month|quarter|year|time|call|meeting)",
        _h_past,
    ),
    (r"\b(?:" + _NUM + r"\s+" + _UNIT + r"|a while|ages)\s+ago\b", _h_past),
    (r"\byesterday\b|\bthe other day\b|\basap\b|\bsince\s+(?:the\s+)?\S+", _h_past),
    (r"(?<![\d/])24\s*/\s*7(?![\d/])", _h_past),  # "24/7 support" is no date
    # explicit dates
    (r"\b(?P<y>20\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)", _h_iso),  # also "2026-12-04T17:00"
    (r"(?<![\d/.])" + _NUMERIC, _h_numeric),
    (r"\b" + _MON + r"\s+(?:the\s+)?" + _DAY + _YEAR, _h_month_day),
    (r"\b(?:the\s+)?" + _DAY + r"[\s-]+(?:of\s+)?" + _MON + _YEAR, _h_month_day),
    (
        r"\b(?P<part>early|mid\s+of|mid|middle of|late|the end of|end of|the beginning of|beginning of|"
        r"the start of|start of)[\s-]*" + _MON + _YEAR + r"\b",
        _h_month_part,
    ),
    (
        r"\b(?P<part>in|during|by|before)\s+"
        + _MON_STRICT
        + r"(?!\s*(?:the\s+)?[0-3]?\d(?:st|nd|rd|th)?\b)"
        + _YEAR
        + r"\b",
        _h_month_part,
    ),
    (
        r"\b(?:on\s+|by\s+|before\s+|until\s+|the\s+)" + r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b",
        _h_bare_day,
    ),
    # weekdays
    (
        r"\b"
        + _EOD
        + r"(?:(?P<which>this|next|coming|this coming)\s+|(?P<weekprefix>next\s+(?:week|wk)\s+(?:on\s+)?))?"
        + _WD
        + r"(?:'s)?(?P<nextweek>\s+(?:of\s+)?next\s+(?:week|wk))?",
        _h_weekday,
    ),
    # relative days
    (
        r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening|arvo)|arvo|eod|eob|cob|eop|end\s+of\s+play|"
        r"end\s+of\s+(?:the\s+)?(?:business\s+)?day|"
        r"close\s+of\s+business)\b(?!\s+"
        + _ZONE
        + r"(?:on\s+)?(?:tomorrow|tmrw|monday|tuesday|wednesday|thursday|friday|"
        r"mon|tues?|weds?|thu|thurs|fri)\b)",
        _h_today,
    ),
    (r"\b(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw)\b", _h_day_after),
    (
        r"\b" + _EOD + r"(?:tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr|2moro|2morrow|2mrw)\b",
        _h_tomorrow,
    ),
    # weeks
    (
        r"\b(?:the\s+)?(?:end\s+of\s+(?:the\s+|this\s+)?(?:week|wk)|eow|this\s+(?:week|wk)|later\s+this\s+(?:week|wk)|by\s+(?:the\s+)?weekend|week'?s\s+end)\b",
        _h_this_week,
    ),
    (
        r"\b(?:(?P<part>the\s+end\s+of|end\s+of|early|beginning\s+of|the\s+beginning\s+of|start\s+of|"
        r"the\s+start\s+of|mid|middle\s+of|first\s+thing)[\s-]+)?next\s+(?:week|wk)\b",
        _h_next_week,
    ),
    # months, quarters, years
    (
        r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:current\s+)?month|eom|month[\s-]end|this\s+month)\b",
        _h_month_end,
    ),
    (
        r"\b(?:(?P<part>the\s+end\s+of|end\s+of|early|beginning\s+of|the\s+beginning\s+of|start\s+of|"
        r"the\s+start\s+of|mid|mid\s+of|middle\s+of)[\s-]+)?next\s+month\b",
        _h_next_month,
    ),
    (r"\bmid[\s-]?month\b|\b(?:the\s+)?middle\s+of\s+(?:the|this)\s+month\b", _h_mid_month),
    (
        r"\b(?:(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+|this\s+)?(?:current\s+)?quarter|eoq|"
        r"quarter[\s-](?:end|close)|this\s+quarter)\b",
        _h_quarter_end,
    ),
    (r"\b(?:(?:the\s+)?end\s+of\s+)?next\s+quarter\b", _h_next_quarter),
    (r"\b(?:the\s+)?(?:end|close)\s+of\s+" + _THE + _Q, _h_named_quarter),
    (r"\b" + _Q + r"\s*(?:close|end)\b", _h_named_quarter),
    (
        r"\b(?:before|by|in|until|during)\s+"
        + _THE
        + _Q
        + r"(?:\s*(?:close|end)\b)?"
        + r"(?!\s*(?:budget|plan|roadmap|pipeline|forecast|number|target|kick))",
        _h_named_quarter,
    ),
    (
        r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:current\s+)?year|eoy|year[\s-]end|this\s+year)\b",
        _h_year_end,
    ),
    (
        r"\b(?:early|beginning\s+of|start\s+of|the\s+start\s+of|the\s+beginning\s+of)\s+next\s+year\b",
        _h_early_next_year,
    ),
    (
        r"\b(?:(?P<rel>after|before|by|until|till|post|pre)[\s-]+)?(?:the\s+)?"
        r"(?P<hol>thanksgiving|christmas\s+eve|xmas\s+eve|christmas|xmas|chrissie|new\s+year'?s?\s+eve|nye|"
        r"new\s+year'?s?|easter|diwali)\b",
        _h_holiday,
    ),
    # offsets
    (
        # "after 2 weeks" (second-language English for "in 2 weeks")
        r"\b(?:in|within|inside(?:\s+of)?|over\s+the\s+next|after)\s+(?:the\s+next\s+)?"
        + _NUM
        + r"\s+"
        + _UNIT
        + r"(?:(?:'s|')?\s+time\b)?",  # "in two weeks' time": the whole phrase is the date
        _h_offset,
    ),
    (r"\b" + _NUM + r"\s+" + _UNIT + r"\s+(?:from\s+(?:now|today)|out)\b", _h_offset),
    (r"\b(?:in|within)\s+(?:a\s+)?fortnight\b", _h_fortnight),
    # a weekday written with its date: the date wins ("thurs 12/3", "Wed, Dec 9", "Fri the 4th")
    (r"\b" + _WD + r"\.?,?\s+(?:the\s+)?" + _NUMERIC, _h_weekday_numeric),
    (r"\b" + _WD + r"\.?,?\s+" + _MON + r"\s+(?:the\s+)?" + _DAY + _YEAR, _h_month_day),
    (r"\b" + _WD + r"\.?,?\s+(?:the\s+)?" + _DAY + r"\s+(?:of\s+)?" + _MON + _YEAR, _h_month_day),
    (r"\b" + _WD + r"\.?,?\s+(?:the\s+)?(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b", _h_weekday_day),
    (
        r"\b" + _WD + r"\.?,?\s+(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?:(?P<y>\d{4}|\d{2})(?![\d.]))?",
        _h_dotted,
    ),
    # ... without the suffix: "Monday the 7", "Mon 7" (the weekday says it is a day)
    (
        r"\b" + _WD + r"\.?,?\s+(?:the\s+)?(?P<day>[0-3]?\d)\b(?![/:\d]|\.\d|\s*(?:am|pm|h)\b)",
        _h_weekday_number,
    ),
    # offsets from a named day
    # British "a week on Friday" is "Friday week", the Friday after the coming one
    (r"\b" + _NUM + r"\s+" + _WEEKS + r"\s+(?:from|after|on)\s+" + _ANCHOR, _h_from_anchor),
    # ... also without the "from": "a week today", "a fortnight Friday", "two weeks tomorrow"
    (r"\b" + _NUM + r"\s+" + _WEEKS + r"\s+" + _ANCHOR.replace("now|", ""), _h_from_anchor),
    (r"\b(?P<anchor>today|tomorrow|tmrw|" + _WD + r")\s+week\b", _h_from_anchor),
    (r"\bthe\s+(?P<anchor>" + _WD + r")\s+after\s+next\b", _h_from_anchor),
    (
        r"\b(?:the\s+)?(?P<ord>first|1st|second|2nd|third|3rd|last)\s+week\s+(?:of|in)\s+" + _MON,
        _h_week_of_month,
    ),
    (
        r"\b(?:the\s+)?(?P<ord>first|1st|second|2nd|third|3rd|last)\s+week\s+(?:of|in)\s+next\s+month\b",
        _h_week_of_month,
    ),
    (
        r"\b(?:the\s+)?last\s+(?:business\s+|working\s+)?day\s+of\s+(?:the\s+|this\s+)?month\b",
        _h_month_end,
    ),
    # fiscal years (the workspace's fiscal-year start)
    (
        r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+|their\s+|our\s+)?(?:current\s+)?(?:fiscal|financial)(?:\s+year)?|"
        r"eofy|(?:fiscal|financial)\s+year[\s-]end)\b(?P<fy>)",
        _h_fiscal_year_end,
    ),
    (r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?fy\s*'?(?P<fy>20\d\d|\d\d)?\b", _h_fiscal_year_end),
    (r"\bfy\s*'?(?P<fy>20\d\d|\d\d)?\s*(?:end|close)\b", _h_fiscal_year_end),
    (r"\bfy\s*'?(?P<qyear>20\d\d|\d\d)\s+q(?P<q>[1-4])\b", _h_named_quarter),
    (r"\bq(?P<q>[1-4])\s+(?:of\s+)?fy\s*'?(?P<qyear>20\d\d|\d\d)\b", _h_named_quarter),
    # a quarter alone as the whole answer: "Q1", "Q1 2027"
    (r"^\W*" + _Q + r"\W*$", _h_named_quarter),
    # "till 22.01.", "am 3.2.2027": the dotted date of German and other European writers is
    # always day first, whatever the workspace writes with slashes; the dot after the month
    # (or a year) tells it from a decimal ("2.5 FTE")
    (
        r"(?<![\d/.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?:(?P<y>\d{4}|\d{2})(?![\d.]))?"
        # its last dot may be the sentence's: "... till 22.01., then ..." was cut at ".,"
        r"|\b(?:till|until|by|on|before|from|am|bis)\s+(?P<d2>\d{1,2})\.(?P<m2>\d{2})(?![\d.])",
        _h_dotted,
    ),
    # issue 11, kinds seen in the late batches (not their examples)
    # an offset from an event, not from today, is a term: "within 30 days of signature",
    # "payment 45 days after invoice" (offsets from a named day are read above and below)
    (
        r"\b(?:(?:in|within)\s+)?" + _NUM + r"\s+" + _UNIT + r"\s+(?:of|after|from|following)\s+"
        r"(?!(?:now|today|tomorrow|tmrw|tmr|this|next|coming|that|then|time)\b|the\s+\d)(?!"
        + _WD
        + r")"
        r"(?:the\s+|their\s+|our\s+)?(?-i:[a-z])[\w-]+",
        _h_past,
    ),
    # a calendar week, as German and other European writers count them: "KW 50", "CW50"
    (r"\b(?:kw|cw|calendar\s+week)\s*(?P<kw>\d{1,2})\b", _h_calendar_week),
    # spelled days: "December first", "the twelfth of December" (not "a second March workshop")
    (r"\b" + _MON + r"\s+(?:the\s+)?" + _SPELLED_DAY + _YEAR, _h_month_day),
    (r"\bthe\s+" + _SPELLED_DAY + r"\s+of\s+" + _MON + _YEAR, _h_month_day),
    # a day number after more lead-ins ("till 12th", "due the 2nd", "not later than 15th")
    (
        r"\b(?:till|til|due|(?:not?\s+later\s+)?than|latest)\s+(?:the\s+)?(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b",
        _h_bare_day,
    ),
    # British "Friday next" (at the end of a clause; "Friday next week" is above)
    (r"\b" + _WD + r"\s+next\b(?=\s*(?:[.,;:!?)]|$|and\b|then\b|or\b))", _h_weekday_next),
    (r"\b(?:by\s+|the\s+)?mid[\s-]?week\b(?![\s-]+next)", _h_midweek),
    (
        r"\b(?:(?:by\s+)?(?:the\s+)?end\s+of\s+)?(?:the\s+)?(?:week|wk)\s+after\s+next\b"
        r"|\bnext\s+to\s+next\s+(?:week|wk)\b",
        _h_week_after_next,
    ),
    (
        r"\b(?:this|same|the\s+same)\s+time\s+next\s+week\b",
        lambda _m, today, _c: today + datetime.timedelta(days=7),
    ),
    # "7-12-2026": dashes, with a four-digit year so a range ("12-15 users") is no date
    (r"(?<![\d-])(?P<m>\d{1,2})-(?P<d>\d{1,2})-(?P<y>20\d\d)\b", _h_numeric),
    # a day number without its suffix or spelled out, after a lead-in and before the clause
    # ends: "until the 15", "by the 20, then", "on the third" (second-language and dictation)
    (
        r"\b(?:on|by|before|until|till|for)\s+the\s+(?P<day>[0-3]?\d|"
        + "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True))
        + r")(?=\s*(?:[.,;:!?)]|$|and\b|then\b|or\b|at\b|latest\b|itself\b|eod\b))",
        _h_bare_day,
    ),
    (r"\bafter\s+the\s+weekend\b", _h_after_weekend),
    (r"\bwithin\s+(?:the|this)\s+(?:week|wk)\b|\blater\s+in\s+the\s+week\b", _h_this_week),
    (
        r"\b(?:by\s+|at\s+)?(?:the\s+)?(?:beginning|start)\s+of\s+the\s+month\b",
        lambda _m, today, _c: _next_day_of_month(today, 1),
    ),
    # a fiscal year's end said with its date is that date: "their fiscal year end is 31 March"
    (
        r"\b(?:fiscal|financial)\s+year(?:[\s-]end)?(?:\s+(?:for|of)\s+\w+)?\s+(?:is|=|:|falls\s+on)\s+"
        r"(?:on\s+)?(?:the\s+)?" + _DAY + r"\s+(?:of\s+)?" + _MON + _YEAR,
        _h_month_day,
    ),
    (
        r"\b(?:fiscal|financial)\s+year(?:[\s-]end)?(?:\s+(?:for|of)\s+\w+)?\s+(?:is|=|:|falls\s+on)\s+"
        r"(?:on\s+)?" + _MON + r"\s+(?:the\s+)?" + _DAY + _YEAR,
        _h_month_day,
    ),
    (r"\bwithin\s+(?:the|this)\s+month\b", _h_month_end),
    # hours written short: "in 48h", "within 24hrs"
    (
        r"\b(?:in|within|inside)\s+(?:the\s+next\s+)?(?P<n>\d{1,3})\s*(?P<unit>h|hrs?|hours?)\b",
        _h_offset,
    ),
    # said to happen at once: "we send the SOW right away"; "now" only after our own action
    # in progress ("Sending the case study now"), not a state's ("they're using a spreadsheet rn")
    (r"\b(?:right\s+away|straight\s+away)\b", _h_today),
    (r"\b(?:right\s+now|now|rn)\b(?=\s*(?:[.!,;)]|$))", _h_doing_now),
    # "by noon", "before lunch": today, unless a day follows ("by noon tomorrow")
    (
        r"\b(?:by|before)\s+(?:noon|midday|lunch(?:time)?)\b(?!\s+(?:on\s+)?(?:tomorrow|tmrw|"
        + _WD[len("(?P<wd>") : -len(")\\b")]
        + r"))",
        _h_today,
    ),
    # a month's edge without "of": "end Dec", "by end-Jan", "Dec end", "Jan start"
    (r"\b(?P<part>end|start|beginning)[\s-]+" + _MON_STRICT, _h_month_edge),
    (r"\b" + _MON_STRICT + r"[\s-]+(?P<part>end|start|beginning)\b", _h_month_edge),
    (
        r"\b(?:the\s+)?(?P<day>[0-3]?\d(?:st|nd|rd|th)|first)\s+of\s+(?P<which>next|the)\s+month\b",
        _h_day_next_month,
    ),
    (
        r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?(?:calendar\s+year|(?P<year>20\d\d))\b",
        _h_named_year_end,
    ),
    (r"\b(?P<y>20\d\d)[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})\b", _h_iso),
    # a weekday or month said with a past verb is a day gone by: "started monday", "wrapped up
    # on Friday", "left in Oct"; passives ("to be presented Friday") are not
    (
        _PAST_VERB + r"(?:\s+(?:up|off|out|in|back|over|through|live))?\s+(?:on\s+|in\s+)?"
        r"(?:" + _WD + r"|" + _MON_STRICT + r")",
        _h_gone_by,
    ),
    # second-language "the day 10", "on day 10" (Spanish "el día 10"): the 10th
    # ("a 30 day 2 week trial" is no date: not after a number)
    (
        r"(?<!\d\s)(?<!\d-)\b(?:on\s+)?(?:the\s+)?day\s+(?P<day>[0-3]?\d)\b"
        r"(?!\s*(?:st|nd|rd|th|of|/|-|\.\d|weeks?|days?|months?))",
        _h_bare_day,
    ),
]
_MONTH_WORDS = " ".join(_MONTHS)
_ORDINAL_TRIGGERS = " ".join(w.split("-")[-1] for w in _ORDINAL_WORDS)
_UNIT_WORDS = (
    "day days week weeks wk wks month months mo mos fortnight fortnights hour hours hr hrs"
)
# Words one of which must occur for a rule to possibly match ("#": any digit; "a b & c d": one
# of a, b and one of c, d). Checking a set of words is far cheaper than running 80 regexes over
# every answer.
_TRIGGERS: Final = [
    "last past previous",
    "ago",
    "yesterday other asap since",
    "#",
    "#",
    "#",
    _MONTH_WORDS,
    _MONTH_WORDS,
    _MONTH_WORDS,
    _MONTH_WORDS,
    "#",
    " ".join(_WEEKDAYS),
    "today tonight this eod eob cob end close arvo eop play",
    "day",
    "tomorrow tomorow tommorow tommorrow tmrw tmr 2moro 2morrow 2mrw",
    "end eow this later weekend week wk",
    "next",
    "end eom month",
    "next",
    "mid midmonth middle",
    "end eoq quarter",
    "next",
    "q1 q2 q3 q4",
    "q1 q2 q3 q4",
    "q1 q2 q3 q4",
    "end eoy year",
    "next",
    "thanksgiving christmas xmas chrissie new nye easter diwali",
    "in within inside over after",
    "from out & " + _UNIT_WORDS,
    "fortnight",
    # a weekday and its date: the weekday and a digit (or a month) must both be there
    " ".join(_WEEKDAYS) + " & #",
    " ".join(_WEEKDAYS) + " & " + _MONTH_WORDS,
    " ".join(_WEEKDAYS) + " & " + _MONTH_WORDS,
    " ".join(_WEEKDAYS) + " & #",
    " ".join(_WEEKDAYS) + " & #",
    " ".join(_WEEKDAYS) + " & #",
    "from after on & " + _UNIT_WORDS,
    "week weeks wk wks fortnight fortnights & today tomorrow tmrw tmr " + " ".join(_WEEKDAYS),
    "week",
    "after",
    "week",
    "week",
    "last",
    "end eofy fiscal financial",
    "end",
    "fy #",
    "fy #",
    "#",
    "q1 q2 q3 q4",
    "#",
    "of after from following & " + _UNIT_WORDS,
    "#",
    _ORDINAL_TRIGGERS,
    _ORDINAL_TRIGGERS,
    "till til due than latest",
    "next",
    "mid midweek week",
    "after next",
    "time",
    "#",
    "on by before until till for & # " + _ORDINAL_TRIGGERS,
    "weekend",
    "within later",
    "beginning start",
    "fiscal financial",
    "fiscal financial",
    "within",
    "in within inside",
    "away",
    "now rn",
    "noon midday lunch lunchtime",
    "end start beginning",
    "end start beginning",
    "month",
    "end",
    "#",
    " ".join(_PAST_VERBS) + " & " + " ".join(_WEEKDAYS) + " " + _MONTH_WORDS,
    "day",
]
assert len(_TRIGGERS) == len(_RULE_LIST)
# (pattern, handler, first trigger group, further groups): the first group alone is the common
# case and is checked inline, since a function call per rule and answer costs more than it saves.
_RULES: Final[
    list[tuple[re.Pattern[str], _Handler, frozenset[str], tuple[frozenset[str], ...]]]
] = [
    (re.compile(p, re.IGNORECASE), h, groups[0], groups[1:])
    for (p, h), t in zip(_RULE_LIST, _TRIGGERS, strict=True)
    for groups in [tuple(frozenset(g.split()) for g in t.split("&"))]
]


def _triggered(groups: tuple[frozenset[str], ...], present: set[str]) -> bool:
    """Each group of trigger words has a word in `present`."""
    return all(not present.isdisjoint(group) for group in groups)


_TRIGGER_WORD = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"\d")


# ---------------------------------------------------------------- scanning
_Candidate = tuple[int, int, "datetime.date | None"]

# A numeric date that only one order can read ("15/12", "12/15") shows how this writer writes
# dates, so it settles their other numeric dates in the same answer ("by 3/12, sign 15/12").
_DAY_FIRST_ONLY: Final = re.compile(r"(?<![\d/.])(?:1[3-9]|2\d|3[01])/(?:0?[1-9]|1[0-2])(?![\d/])")
_MONTH_FIRST_ONLY: Final = re.compile(
    r"(?<![\d/.])(?:0?[1-9]|1[0-2])/(?:1[3-9]|2\d|3[01])(?![\d/])"
)


def _order_shown(text: str, conv: DateConventions) -> DateConventions:
    day_first = [m for m in _DAY_FIRST_ONLY.findall(text) if m != "24/7"]
    month_first = _MONTH_FIRST_ONLY.search(text) is not None
    if day_first and not month_first and not conv.day_first:
        return dataclasses.replace(conv, day_first=True)
    if month_first and not day_first and conv.day_first:
        return dataclasses.replace(conv, day_first=False)
    return conv


def _candidates(
    text: str, today: datetime.date, conv: DateConventions = _DEFAULT
) -> list[_Candidate]:
    """All rule matches, overlaps resolved longest-first, in text order."""
    found: list[_Candidate] = []
    if "/" in text:
        conv = _order_shown(text, conv)
    present = set(_TRIGGER_WORD.findall(text.lower()))
    if _DIGIT.search(text):
        present.add("#")
    for pattern, handler, first, further in _RULES:
        if present.isdisjoint(first) or (further and not _triggered(further, present)):
            continue
        for m in pattern.finditer(text):
            try:
                day = handler(m, today, conv)
            except _NotADate:
                continue
            except (ValueError, OverflowError, KeyError):
                day = None
            found.append((m.start(), m.end(), day))
    found.sort(key=lambda c: (c[0] - c[1], c[0]))
    chosen: list[_Candidate] = []
    for cand in found:
        if all(cand[1] <= c[0] or cand[0] >= c[1] for c in chosen):
            chosen.append(cand)
    chosen.sort()
    return chosen


_LEAD_IN = re.compile(
    r"(?:\b(?:by|before|on|until|till|not?\s+later\s+than|due)\s+)+$", re.IGNORECASE
)


# A year the rep wrote, so a passed date is not moved to next year: "2026", "12/1/26", "Q1 FY27".
_YEAR_WRITTEN: Final = re.compile(r"\b20\d\d\b|/\d{2,4}\b|\bfy\s*'?\d\d\b", re.IGNORECASE)


def parse_due(
    text: str, today: datetime.date, conv: DateConventions = _DEFAULT
) -> tuple[datetime.date, str] | None:
    """Find a due-date phrase inside free text; return (date, matched phrase) or None. Never a past date.

    The phrase includes a lead-in like "by" or "before" when present, so callers can show
    or strip it ("by Friday").
    """
    if not text:
        return None
    text = typos.fix(text, SLIPS)
    for start, end, day in _candidates(text, today, conv):
        if day is not None and day < today and not _YEAR_WRITTEN.search(text, start, end):
            # a day-and-month just passed: in running text it is next year's ("on December 9"
            # written on Dec 10); only a whole typed date answer reads as past (see _yearless)
            day = _safe_date(day.year + 1, day.month, day.day)
        if day is not None and day >= today:
            lead = _LEAD_IN.search(text, 0, start) if start else None
            if lead is not None:
                start = lead.start()
            return day, text[start:end].strip()
    return None


_FILLER = re.compile(
    r"^(?:[\s,.;:!?()'\"-]|\b(?:by|before|on|until|till|due|around|about|the|at|latest|the\s+latest|"
    r"no\s+later\s+than|probably|maybe|hopefully|i\s+think|i\s+guess|ish|approx|approximately|"
    r"it's|its|it\s+is|should\s+be|prob|roughly|say|let's\s+say|target|deadline|is|sometime|some\s+time|"
    r"perhaps|prolly|i\s+reckon|or\s+so|hopefully|ok|so|itself|ist|gmt|bst|cet|est|edt|pst|pdt|aest|utc|sgt|"
    r"eod|eob|cob|eop|am|pm|morning|afternoon|evening|arvo|latest|"
    r"(?:week|wk)\s+of|w/c|week\s+(?:commencing|beginning|starting)|"
    # hedges and courtesies around a date alone ("Provisionally, February 12.", "1/15 sir")
    r"provisionally|tentatively|likely|expected|expecting|tbc|pls|please|sir|madam|ma'am|maam|"
    r"ji|thanks|thx)\b)*$",
    re.IGNORECASE,
)
_DATEISH = re.compile(
    r"\d|\b(?:"
    + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + "|"
    + "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
    + r"|today|tomorrow|week|month|quarter|year|eod|eow)\b",
    re.IGNORECASE,
)
_SLASHED = re.compile(
    r"\d\s*/\s*\d"
)  # numeric dates are ours alone: dateparser reads 32/13 as 2032
_MAX_ANSWER = 80
_MAX_BARE_WORDS = 7  # "sometime next week hopefully i think": longer is a sentence


_BARE_QUARTER = re.compile(r"^(?:the\s+)?q[1-4](?:\s*(?:'|fy)?\s*(?:20\d\d|\d\d))?[.!?]?$", re.I)


def parse_date_answer(
    text: str,
    today: datetime.date,
    allow_past: bool = False,
    conv: DateConventions = _DEFAULT,
) -> datetime.date | None:
    """A whole answer that should be a date ("Dec 18", "next Tuesday", "2026-12-18", "end of quarter"); None if it isn't one (e.g. "asdf", "32/13").

    Hand rules first (business conventions); the leftover words must be filler, so a
    sentence that merely contains a date is not taken as a date answer. dateparser is the
    fallback for spellings the rules do not know; it never gets to return a past date.
    `allow_past` lets a caller tell "that date has passed" apart from "that is no date".
    """
    text = typos.fix(text.strip(), SLIPS)
    if not text or len(text) > _MAX_ANSWER:
        return None
    if _BARE_QUARTER.match(text):  # "Q1" as a whole answer is its end, as "end of Q1"
        text = "end of " + text
    for start, end, day in _candidates(text, today, conv):
        if day is None:
            continue
        rest = text[:start] + " " + text[end:]
        if _FILLER.match(rest):
            # a date just passed is reported as such, never pushed to next year by the fallback
            return day if day >= today or allow_past else None
        break
    if _DATEISH.search(text) is None or _SLASHED.search(text):
        return None
    return _dateparser_fallback(text, today, allow_past, conv)


def bare_date(
    text: str, today: datetime.date, conv: DateConventions = _DEFAULT
) -> datetime.date | None:
    """The date of an answer that is nothing but a date ("dec 9", "EOW", "by the 15th?"), else None.

    The same rules as `parse_date_answer` without the slow dateparser fallback (steering
    calls this on every answer); the date may be in the past.
    """
    text = text.strip().rstrip("?!.")
    if not text or len(text) > _MAX_ANSWER or text.count(" ") > _MAX_BARE_WORDS:
        return None  # checked before the slips are fixed: most texts are sentences
    text = typos.fix(text, SLIPS)
    for start, end, day in _candidates(text, today, conv):
        if day is not None and _FILLER.match(text[:start] + " " + text[end:]):
            return day
        break
    return None


def _dateparser_fallback(
    text: str, today: datetime.date, allow_past: bool = False, conv: DateConventions = _DEFAULT
) -> datetime.date | None:
    """Ask dateparser about a short answer; imported lazily because loading it takes ~0.3 s."""
    import dateparser  # noqa: PLC0415 - deliberate lazy import, see docstring

    try:
        parsed = dateparser.parse(
            text,
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": datetime.datetime.combine(today, datetime.time(12, 0)),
                "DATE_ORDER": "DMY" if conv.day_first else "MDY",
                "STRICT_PARSING": False,
                "REQUIRE_PARTS": ["day"],
            },
        )
    except Exception:  # noqa: BLE001 - dateparser raises assorted errors on odd input
        return None
    if parsed is None:
        return None
    day = parsed.date()
    return day if day >= today or allow_past else None
