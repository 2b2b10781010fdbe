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
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable
from typing import Final

__all__ = ["parse_due", "parse_date_answer"]

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
    "sunday": 6,
}
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
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
}

_WD = r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|weds?|thu(?:rs?)?|fri)\b"
_MON = (
    r"(?P<mon>january|february|march|april|may|june|july|august|september|october|"
    r"november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?"
)
_MON_STRICT = _MON.replace("|may|", "|")  # "may" alone is usually the modal verb
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
_YEAR = r"(?:,?\s*(?P<year>20\d\d))?"
_NUM = r"(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple(?: of)?|couple of|a few|few)"
_UNIT = r"(?P<unit>(?:business |working )?days?|weeks?|months?|fortnight)\b"
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


def _quarter_end(year: int, quarter: int) -> datetime.date:
    return _last_day(year, quarter * 3)


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


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word]


# ---------------------------------------------------------------- rule handlers
_Handler = Callable[["re.Match[str]", datetime.date], "datetime.date | None"]


def _h_past(_m: re.Match[str], _today: datetime.date) -> datetime.date | None:
    return None


def _h_iso(m: re.Match[str], _today: datetime.date) -> datetime.date | None:
    return _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))


def _h_numeric(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    month, day = int(m["m"]), int(m["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if m["y"]:
        year = int(m["y"])
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    return _next_month_day(today, month, day) if _safe_date(2028, month, day) else None


def _h_month_day(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    month, day = _MONTHS[m["mon"].lower()], int(m["day"])
    if m["year"]:
        return _safe_date(int(m["year"]), month, day)
    return _next_month_day(today, month, day) if _safe_date(2028, month, day) else None


def _h_month_part(m: re.Match[str], today: datetime.date) -> datetime.date | None:
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


def _h_bare_day(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return _next_day_of_month(today, int(m["day"]))


def _h_weekday(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    weekday = _WEEKDAYS[m["wd"].lower()]
    which = " ".join((m["which"] or "").lower().split())
    if which == "next" or m["nextweek"] or m["weekprefix"]:
        return _next_week_day(today, weekday)
    return _coming_weekday(today, weekday, allow_today=which == "this")


def _h_today(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return today


def _h_tomorrow(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return today + datetime.timedelta(days=1)


def _h_day_after(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return today + datetime.timedelta(days=2)


def _h_this_week(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return _coming_weekday(today, 4, allow_today=True)


def _h_next_week(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    part = (m["part"] or "").lower()
    weekday = (
        0
        if part.startswith(("beginning", "start"))
        else 1
        if part.startswith("early")
        else 2
        if part.startswith("mid")
        else 4
    )
    return _next_week_day(today, weekday)


def _h_month_end(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return _last_day(today.year, today.month)


def _h_next_month(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    first = _add_months(today.replace(day=1), 1)
    part = (m["part"] or "").lower()
    if part.startswith("early"):
        return first.replace(day=5)
    if part.startswith(("beginning", "start")):
        return first
    if part.startswith("mid"):
        return first.replace(day=15)
    return _last_day(first.year, first.month)


def _h_mid_month(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return _next_day_of_month(today, 15)


def _h_quarter_end(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return _quarter_end(today.year, (today.month - 1) // 3 + 1)


def _h_next_quarter(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    quarter = (today.month - 1) // 3 + 1
    year, quarter = (today.year + 1, 1) if quarter == 4 else (today.year, quarter + 1)
    return _quarter_end(year, quarter)


def _h_named_quarter(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    quarter = int(m["q"])
    if m["qyear"]:
        year = int(m["qyear"])
        return _quarter_end(year + 2000 if year < 100 else year, quarter)
    end = _quarter_end(today.year, quarter)
    return end if end >= today else _quarter_end(today.year + 1, quarter)


def _h_year_end(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return datetime.date(today.year, 12, 31)


def _h_early_next_year(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return datetime.date(today.year + 1, 1, 5)


def _h_christmas(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return _next_month_day(today, 12, 25)


def _h_offset(m: re.Match[str], today: datetime.date) -> datetime.date | None:
    n = _count(" ".join(m["n"].lower().split()))
    if n > 400:
        return None
    unit = m["unit"].lower()
    if unit.startswith("fortnight"):
        return today + datetime.timedelta(days=14 * n)
    if unit.startswith("week"):
        return today + datetime.timedelta(weeks=n)
    if unit.startswith("month"):
        return _add_months(today, n)
    if unit.startswith(("business", "working")):
        day, left = today, n
        while left:
            day += datetime.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day
    return today + datetime.timedelta(days=n)


def _h_fortnight(_m: re.Match[str], today: datetime.date) -> datetime.date | None:
    return today + datetime.timedelta(days=14)


_THE = r"(?:the\s+)?"
_EOD = (
    r"(?:(?:eod|cob|end\s+of\s+(?:the\s+)?(?:business\s+)?day|close\s+of\s+business)\s+(?:on\s+)?)?"
)
# Order matters only for readability: overlaps are resolved longest-first in _candidates.
_RULE_LIST: Final[list[tuple[str, _Handler]]] = [
    # things in the past or with no date: matched so their words are not re-read as dates
    (
        r"\b(?:last|past|previous)\s+(?:" + _WD + r"|week|month|quarter|year|time|call|meeting)",
        _h_past,
    ),
    (r"\b(?:" + _NUM + r"\s+" + _UNIT + r"|a while|ages)\s+ago\b", _h_past),
    (r"\byesterday\b|\bthe other day\b|\basap\b|\bsince\s+(?:the\s+)?\S+", _h_past),
    # explicit dates
    (r"\b(?P<y>20\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b", _h_iso),
    (r"(?<![\d/.])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])", _h_numeric),
    (r"\b" + _MON + r"\s+(?:the\s+)?" + _DAY + _YEAR, _h_month_day),
    (r"\b(?:the\s+)?" + _DAY + r"\s+(?:of\s+)?" + _MON + _YEAR, _h_month_day),
    (
        r"\b(?P<part>early|mid|middle of|late|the end of|end of|the beginning of|beginning of|"
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
        + r"(?:(?P<which>this|next|coming|this coming)\s+|(?P<weekprefix>next\s+week\s+(?:on\s+)?))?"
        + _WD
        + r"(?:'s)?(?P<nextweek>\s+(?:of\s+)?next\s+week)?",
        _h_weekday,
    ),
    # relative days
    (
        r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening)|eod|cob|end\s+of\s+(?:the\s+)?(?:business\s+)?day|"
        r"close\s+of\s+business)\b(?!\s+(?:on\s+)?(?:tomorrow|tmrw|monday|tuesday|wednesday|thursday|friday|"
        r"mon|tues?|weds?|thu|thurs|fri)\b)",
        _h_today,
    ),
    (r"\b(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw)\b", _h_day_after),
    (
        r"\b" + _EOD + r"(?:tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr|2moro|2morrow)\b",
        _h_tomorrow,
    ),
    # weeks
    (
        r"\b(?:the\s+)?(?:end\s+of\s+(?:the\s+|this\s+)?week|eow|this\s+week|later\s+this\s+week|by\s+the\s+weekend|week'?s\s+end)\b",
        _h_this_week,
    ),
    (
        r"\b(?:(?P<part>the\s+end\s+of|end\s+of|early|beginning\s+of|the\s+beginning\s+of|start\s+of|"
        r"the\s+start\s+of|mid|middle\s+of)[\s-]+)?next\s+week\b",
        _h_next_week,
    ),
    # months, quarters, years
    (
        r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month|eom|month[\s-]end|this\s+month)\b",
        _h_month_end,
    ),
    (
        r"\b(?:(?P<part>the\s+end\s+of|end\s+of|early|beginning\s+of|the\s+beginning\s+of|start\s+of|"
        r"the\s+start\s+of|mid|middle\s+of)[\s-]+)?next\s+month\b",
        _h_next_month,
    ),
    (r"\bmid[\s-]?month\b", _h_mid_month),
    (
        r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?quarter|eoq|quarter[\s-]end|this\s+quarter)\b",
        _h_quarter_end,
    ),
    (r"\b(?:(?:the\s+)?end\s+of\s+)?next\s+quarter\b", _h_next_quarter),
    (r"\b(?:the\s+)?end\s+of\s+" + _THE + _Q, _h_named_quarter),
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
        r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year|eoy|year[\s-]end|this\s+year)\b",
        _h_year_end,
    ),
    (
        r"\b(?:early|beginning\s+of|start\s+of|the\s+start\s+of|the\s+beginning\s+of)\s+next\s+year\b",
        _h_early_next_year,
    ),
    (r"\b(?:christmas|xmas)\b", _h_christmas),
    # offsets
    (
        r"\b(?:in|within|inside(?:\s+of)?|over\s+the\s+next)\s+(?:the\s+next\s+)?"
        + _NUM
        + r"\s+"
        + _UNIT,
        _h_offset,
    ),
    (r"\b" + _NUM + r"\s+" + _UNIT + r"\s+(?:from\s+(?:now|today)|out)\b", _h_offset),
    (r"\b(?:in|within)\s+(?:a\s+)?fortnight\b", _h_fortnight),
]
_MONTH_WORDS = " ".join(_MONTHS)
# Words one of which must occur for a rule to possibly match ("#": any digit). Checking a set
# of words is far cheaper than running 30 regexes over every answer.
_TRIGGERS: Final = [
    "last past previous",
    "ago",
    "yesterday other asap since",
    "#",
    "#",
    "#",
    "#",
    _MONTH_WORDS,
    _MONTH_WORDS,
    "#",
    " ".join(_WEEKDAYS),
    "today tonight this eod cob end close",
    "day",
    "tomorrow tomorow tommorow tommorrow tmrw tmr 2moro 2morrow",
    "end eow this later weekend week",
    "next",
    "end eom month",
    "next",
    "mid midmonth",
    "end eoq quarter",
    "next",
    "q1 q2 q3 q4",
    "q1 q2 q3 q4",
    "q1 q2 q3 q4",
    "end eoy year",
    "next",
    "christmas xmas",
    "in within inside over",
    "from out",
    "fortnight",
]
assert len(_TRIGGERS) == len(_RULE_LIST)
_RULES: Final[list[tuple[re.Pattern[str], _Handler, frozenset[str]]]] = [
    (re.compile(p, re.IGNORECASE), h, frozenset(t.split()))
    for (p, h), t in zip(_RULE_LIST, _TRIGGERS, strict=True)
]
_TRIGGER_WORD = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"\d")


# ---------------------------------------------------------------- scanning
_Candidate = tuple[int, int, "datetime.date | None"]


def _candidates(text: str, today: datetime.date) -> list[_Candidate]:
    """All rule matches, overlaps resolved longest-first, in text order."""
    found: list[_Candidate] = []
    present = set(_TRIGGER_WORD.findall(text.lower()))
    if _DIGIT.search(text):
        present.add("#")
    for pattern, handler, triggers in _RULES:
        if present.isdisjoint(triggers):
            continue
        for m in pattern.finditer(text):
            try:
                day = handler(m, today)
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
    r"(?:\b(?:by|before|on|until|till|no\s+later\s+than|due)\s+)+$", re.IGNORECASE
)


def parse_due(text: str, today: datetime.date) -> tuple[datetime.date, str] | None:
    """Find a due-date phrase inside free text; return (date, matched phrase) or None. Never a past date.

    The phrase includes a lead-in like "by" or "before" when present, so callers can show
    or strip it ("by Friday").
    """
    if not text:
        return None
    for start, end, day in _candidates(text, today):
        if day is not None and day >= today:
            lead = _LEAD_IN.search(text, 0, start) if start else None
            if lead is not None:
                start = lead.start()
            return day, text[start:end].strip()
    return None


_FILLER = re.compile(
    r"^(?:[\s,.;:!?()'\"-]|\b(?:by|before|on|until|till|due|around|about|the|at|latest|the\s+latest|"
    r"no\s+later\s+than|probably|maybe|hopefully|i\s+think|i\s+guess|ish|approx|approximately|"
    r"it's|its|it\s+is|should\s+be|prob|roughly|say|let's\s+say|target|deadline|is)\b)*$",
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


def parse_date_answer(
    text: str, today: datetime.date, allow_past: bool = False
) -> datetime.date | None:
    """A whole answer that should be a date ("Dec 18", "next Tuesday", "2026-12-18", "end of quarter"); None if it isn't one (e.g. "asdf", "32/13").

    Hand rules first (business conventions); the leftover words must be filler, so a
    sentence that merely contains a date is not taken as a date answer. dateparser is the
    fallback for spellings the rules do not know; it never gets to return a past date.
    `allow_past` lets a caller tell "that date has passed" apart from "that is no date".
    """
    text = text.strip()
    if not text or len(text) > _MAX_ANSWER:
        return None
    for start, end, day in _candidates(text, today):
        if day is None or (day < today and not allow_past):
            continue
        rest = text[:start] + " " + text[end:]
        if _FILLER.match(rest):
            return day
        break
    if _DATEISH.search(text) is None or _SLASHED.search(text):
        return None
    return _dateparser_fallback(text, today, allow_past)


def _dateparser_fallback(
    text: str, today: datetime.date, allow_past: bool = False
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
                "DATE_ORDER": "MDY",
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
