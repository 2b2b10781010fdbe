"""Kinds of date phrase the issue-11 error analysis found missing (rows per kind, not per example).

Each kind came from the late blind batches (5, 10, 22-26); the rows here are written for the
kind, so they pin the convention rather than the batch's sentence. Reference day: Tuesday
Nov 24, 2026. Every row is checked both in running text (`parse_due`) and, where it is a
whole date, as a typed date answer (`parse_date_answer`): the one date path must agree.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from process import dates, typos
from process.dates import DateConventions, parse_date_answer, parse_due
from process.steering import read_answer

D = datetime.date
TUE = D(2026, 11, 24)
DMY = DateConventions(day_first=True)

KINDS: list[tuple[str, datetime.date]] = [
    # chat shorthand for date words
    ("tonite", D(2026, 11, 24)),
    ("EOD tmw", D(2026, 11, 25)),
    ("by tomoz", D(2026, 11, 25)),
    ("nxt tues", D(2026, 12, 1)),
    ("by fri nxt wk", D(2026, 12, 4)),
    ("by end of mnth", D(2026, 11, 30)),
    # a day number after more lead-ins, and the literal "the day 10"
    ("till 12th", D(2026, 12, 12)),
    ("til the 3rd", D(2026, 12, 3)),
    ("due the 2nd", D(2026, 12, 2)),
    ("not later than 15th", D(2026, 12, 15)),
    ("the day 10", D(2026, 12, 10)),
    ("on Monday 7th", D(2026, 12, 7)),
    # days spelled out next to a month; a day of next month
    ("December first", D(2026, 12, 1)),
    ("the twelfth of December", D(2026, 12, 12)),
    ("December twenty-first", D(2026, 12, 21)),
    ("the 3rd of next month", D(2026, 12, 3)),
    ("1st of next month", D(2026, 12, 1)),
    ("the first of the month", D(2026, 12, 1)),
    # British week offsets from a named day
    ("a week today", D(2026, 12, 1)),
    ("a week tomorrow", D(2026, 12, 2)),
    ("a week Friday", D(2026, 12, 4)),
    ("two weeks today", D(2026, 12, 8)),
    ("a fortnight on Friday", D(2026, 12, 11)),
    ("today week", D(2026, 12, 1)),
    ("tomorrow week", D(2026, 12, 2)),
    ("Friday next", D(2026, 12, 4)),
    # weeks and months said another way
    ("midweek", D(2026, 11, 25)),
    ("the week after next", D(2026, 12, 11)),
    ("after the weekend", D(2026, 11, 30)),
    ("within the week", D(2026, 11, 27)),
    ("within the month", D(2026, 11, 30)),
    ("end Dec", D(2026, 12, 31)),
    ("by end-Jan", D(2027, 1, 31)),
    ("Dec end", D(2026, 12, 31)),
    ("January start", D(2027, 1, 1)),
    ("end of 2027", D(2027, 12, 31)),
    ("the end of the calendar year", D(2026, 12, 31)),
    # hours
    ("within 48 hours", D(2026, 11, 26)),
    ("in 24hrs", D(2026, 11, 25)),
    ("in 2 hours", D(2026, 11, 24)),
    ("by noon", D(2026, 11, 24)),
    ("before lunch", D(2026, 11, 24)),
    ("by noon tomorrow", D(2026, 11, 25)),
    ("by weekend", D(2026, 11, 27)),
    ("next to next week", D(2026, 12, 11)),
    ("this time next week", D(2026, 12, 1)),
    ("mid of next month", D(2026, 12, 15)),
    ("by the end of the current quarter", D(2026, 12, 31)),
    ("by the close of Q1", D(2027, 3, 31)),
    ("by quarter close", D(2026, 12, 31)),
    ("by the end of the current fiscal year", D(2026, 12, 31)),
    ("EOB Friday", D(2026, 11, 27)),
    ("by EOB", D(2026, 11, 24)),
    ("2mrw", D(2026, 11, 25)),
    ("tmrow", D(2026, 11, 25)),
    # a day number without its suffix, or spelled, after a lead-in at the clause's end
    ("until the 15", D(2026, 12, 15)),
    ("on the third", D(2026, 12, 3)),
    ("by the fifteenth", D(2026, 12, 15)),
    ("by the beginning of the month", D(2026, 12, 1)),
    ("by the end of the week after next", D(2026, 12, 11)),  # not "the end of the week"
    ("first thing next week", D(2026, 11, 30)),
    ("by the middle of the month", D(2026, 12, 15)),
    ("later in the week", D(2026, 11, 27)),
    ("the first week of next month", D(2026, 12, 11)),  # as "the first week of December"
    ("in fifteen days", D(2026, 12, 9)),
    ("within thirty days", D(2026, 12, 24)),
    # a fiscal year's end said with its date is that date, whatever the workspace's fiscal year
    ("fiscal year end is 31 March", D(2027, 3, 31)),
    # a weekday with a day number: the number is the date when the weekday agrees
    ("Monday the 7", D(2026, 12, 7)),
    ("on Wed 9", D(2026, 12, 9)),
    ("Friday 12", D(2026, 11, 27)),  # no Friday the 12th soon: 12 o'clock this Friday
    ("Monday 7.12.", D(2026, 12, 7)),
    ("right away", D(2026, 11, 24)),
    ("KW 50", D(2026, 12, 11)),  # calendar week 50's Friday
    ("by CW2", D(2027, 1, 15)),
    ("by Christmas Eve", D(2026, 12, 24)),
    ("by New Year's Eve", D(2026, 12, 31)),
    # written dates in other layouts
    ("2026-12-04T17:00", D(2026, 12, 4)),
    ("12-7-2026", D(2026, 12, 7)),
    ("15-Dec", D(2026, 12, 15)),
    ("15-Dec-2026", D(2026, 12, 15)),
    ("2026/12/15", D(2026, 12, 15)),
]


@pytest.mark.parametrize(("phrase", "expected"), KINDS)
def test_kind_in_a_sentence(phrase: str, expected: datetime.date) -> None:
    found = parse_due(f"They will send it {phrase}, then we talk.", TUE)
    assert found is not None, phrase
    assert found[0] == expected


@pytest.mark.parametrize(("phrase", "expected"), KINDS)
def test_kind_as_a_date_answer(phrase: str, expected: datetime.date) -> None:
    assert parse_date_answer(phrase, TUE) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a weekday or month with a past verb is gone by; the step's own date is read instead
        ("The new lead started monday and wants a demo next thurs", D(2026, 12, 3)),
        ("Pilot wrapped up on Friday; the board meets on the 4th", D(2026, 12, 4)),
        ("the champion left in Oct, the new one wants a deep dive next Thursday", D(2026, 12, 3)),
        ("We met Thursday and they sign by 12/18", D(2026, 12, 18)),
        ("The demo was on Monday, pricing goes out Friday", D(2026, 11, 27)),
        # ... but a passive or a plan keeps its day
        ("The deck is to be presented Friday", D(2026, 11, 27)),
        ("We need it signed Friday", D(2026, 11, 27)),
        ("The business case is presented on Monday", D(2026, 11, 30)),
        ("we want the SOW finished Friday", D(2026, 11, 27)),
        ("we need them to sign by the 15th, they met Thursday", D(2026, 12, 15)),
        ("we have two weeks left in December", D(2026, 12, 31)),  # time left, not a departure
    ],
)
def test_past_verb_days_are_history(text: str, expected: datetime.date) -> None:
    found = parse_due(text, TUE)
    assert found is not None and found[0] == expected, found


@pytest.mark.parametrize(
    "text", ["they started monday", "we met Thursday", "she left in Oct", "we have met on Thursday"]
)
def test_past_verb_day_alone_is_no_due(text: str) -> None:
    assert parse_due(text, TUE) is None


@pytest.mark.parametrize(
    ("text", "conv", "expected"),
    [
        # a date only one order can read settles the answer's other numeric dates
        ("PO by 3/12, signature by 15/12", DateConventions(), D(2026, 12, 3)),
        ("PO by 12/3, signature by 12/15", DMY, D(2026, 12, 3)),
        ("24/7 support, PO by 3/12", DateConventions(), D(2027, 3, 12)),  # 24/7 shows nothing
        ("PO by 3/12", DateConventions(), D(2027, 3, 12)),  # nothing shown: the workspace's
        ("PO by 3/12", DMY, D(2026, 12, 3)),
        # a weekday with a numeric date: the reading on that weekday wins
        ("Wed 9/12", DateConventions(), D(2026, 12, 9)),
        ("Wed 12/9", DMY, D(2026, 12, 9)),
        ("Mon 7/12", DateConventions(), D(2027, 7, 12)),  # both are Mondays: the workspace's
    ],
)
def test_numeric_order_from_the_answer(
    text: str, conv: DateConventions, expected: datetime.date
) -> None:
    found = parse_due(text, TUE, conv)
    assert found is not None and found[0] == expected, found


@pytest.mark.parametrize(
    "text",
    [
        "they may first want a demo",
        "a second March workshop",
        "we have 2 weeks of runway",
        "the third option is cheaper",  # a spelled ordinal needs a lead-in and a clause end
        "on the 3 seats they asked about",
        "12-15 users in the pilot",  # a range, not a date
        "payment within 30 days of signature",  # an offset from an event is a term
        "they pay 45 days after invoice",
        "they're using a spreadsheet for everything rn",  # "right now" is a state's
        "Evaluating three vendors right now",
        "we're now reviewing it",
    ],
)
def test_spelled_days_need_their_month(text: str) -> None:
    assert parse_due(text, TUE) is None


@pytest.mark.parametrize(
    ("text", "action", "expected"),
    [
        # a fragment that is nothing but a date is the date of the step around it
        ("We send the revised SOW. By Friday.", "We send the revised SOW", D(2026, 11, 27)),
        ("we send the SOW - friday latest", "We send the SOW", D(2026, 11, 27)),
        ("Procurement issues the PO; target 12/10.", "Procurement issues the PO", D(2026, 12, 10)),
        (
            "their legal owes us redlines. due the 2nd",
            "Their legal owes us redlines",
            D(2026, 12, 2),
        ),
        ("legal review (theirs) – by 4 Dec", "Legal review (theirs)", D(2026, 12, 4)),
    ],
)
def test_a_date_alone_dates_the_step_before_it(
    text: str, action: str, expected: datetime.date
) -> None:
    reading = read_answer(text, TUE)
    assert reading.orientation == "next_step"
    assert [(s.action, s.due) for s in reading.steps] == [(action, expected)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an absence with its dates is context; the step's own date is the due date
        ("I'm out next week so Dev will cover the follow-up call on Tuesday.", D(2026, 12, 1)),
        ("I'm off next week, Priya sends the quote on Monday.", D(2026, 11, 30)),
        # ... but "out by Friday" is a deadline
        ("The redlines are out by Friday.", D(2026, 11, 27)),
        # a period that ends is context too
        ("the pilot wraps up on the 4th and they'll decide by the 11th", D(2026, 12, 11)),
        # "the week after" counts from the state's date when no step came before
        ("Their budget freeze lifts on Jan 5 and they sign the week after.", D(2027, 1, 12)),
        ("They sign by Friday, then procurement cuts the PO the week after.", D(2026, 11, 27)),
    ],
)
def test_state_dates_are_not_the_steps(text: str, expected: datetime.date) -> None:
    reading = read_answer(text, TUE)
    assert reading.orientation == "next_step"
    assert reading.due == expected, reading.steps


def test_the_week_after_a_step_counts_from_that_step() -> None:
    steps = read_answer("They sign by Friday, then procurement cuts the PO the week after.", TUE)
    assert [s.due for s in steps.steps] == [D(2026, 11, 27), D(2026, 12, 4)]


def test_a_verdict_on_todays_event_is_no_step() -> None:
    reading = read_answer("Good call today, Mariana takes it to her VP on Thursday.", TUE)
    assert reading.due == D(2026, 11, 26)
    assert read_answer("Great demo with their CFO today", TUE).orientation == "history"
    assert read_answer("Demo with their CFO today at 3", TUE).due == TUE  # a plan, no verdict


def test_right_after_is_the_same_day_as_the_step_before() -> None:
    reading = read_answer(
        "Mariana takes it to her VP on Thursday and we send pricing right after", TUE
    )
    assert [s.due for s in reading.steps] == [D(2026, 11, 26), D(2026, 11, 26)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a date inside an opening phrase sets the scene; the step has its own date
        ("Following the workshop on the 2nd they will send the PO by the 9th.", D(2026, 12, 9)),
        ("Ahead of their board meeting on the 15th we send the deck on the 10th.", D(2026, 12, 10)),
        ("Because of the freeze on the 15th we send it Monday.", D(2026, 11, 30)),
        ("Due to the holidays on the 24th, they sign by the 18th.", D(2026, 12, 18)),
        # ... and with one date only, that date is the step's
        ("Before Friday we send the deck.", D(2026, 11, 27)),
    ],
)
def test_scene_setting_dates_are_not_the_steps(text: str, expected: datetime.date) -> None:
    reading = read_answer(text, TUE)
    assert reading.orientation == "next_step"
    assert reading.due == expected, reading.steps


def test_a_short_event_today_is_still_a_plan() -> None:
    assert read_answer("Quick call today at 4 with their CFO", TUE).due == TUE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a date before a colon labels the item after it, not the item before
        (
            "Thursday: demo. Friday: pricing. Monday: signature.",
            [D(2026, 11, 26), D(2026, 11, 27), D(2026, 11, 30)],
        ),
        (
            "Next steps - Friday: we send pricing. Monday: they sign.",
            [D(2026, 11, 27), D(2026, 11, 30)],
        ),
    ],
)
def test_a_date_label_dates_what_follows_it(text: str, expected: list[datetime.date]) -> None:
    assert [s.due for s in read_answer(text, TUE).steps] == expected


@pytest.mark.parametrize(
    ("text", "orientation"),
    [
        # a reply promised by a date is a step; without a date it is waiting
        ("Their GC will come back to us by Friday.", "next_step"),
        ("Legal should get back to us by the 3rd.", "next_step"),
        ("We should hear back from procurement by Dec 4.", "next_step"),
        ("They'll get back to us eventually.", "vague"),
        ("I think they'll come back to us when they're ready.", "vague"),
    ],
)
def test_a_reply_with_a_deadline_is_a_step(text: str, orientation: str) -> None:
    assert read_answer(text, TUE).orientation == orientation


@pytest.mark.parametrize(
    "text", ["Cool, will do. Sending the case study now.", "we're drafting it rn"]
)
def test_our_action_under_way_now_is_due_today(text: str) -> None:
    found = parse_due(text, TUE)
    assert found is not None and found[0] == TUE


def _trigger_words(text: str) -> set[str]:
    words = set(dates._TRIGGER_WORD.findall(text.lower()))
    return words | ({"#"} if dates._DIGIT.search(text) else set())


def test_every_rule_that_matches_is_triggered() -> None:
    """The trigger words sit in a list parallel to the rules: a rule given another's
    triggers would silently stop firing. Any text a rule matches must trigger it."""
    here = Path(__file__).parent
    texts = [("KINDS", phrase) for phrase, _ in KINDS]
    read = ("*.tsv", "blind/*.tsv", "blind/late/*.tsv", "blind/untuned/*.tsv")  # never unread/
    for path in sorted(p for pattern in read for p in here.glob(pattern)):
        lines = path.read_text(encoding="utf-8").splitlines()
        texts += [(path.name, line.split("\t")[0]) for line in lines if not line.startswith("#")]
    for k, (pattern, _handler, first, further) in enumerate(dates._RULES):
        triggers = (first, *further)
        for name, text in texts:
            fixed = typos.fix(text, dates.SLIPS)
            if pattern.search(fixed):
                # the message names the rule and the file, not the row
                assert dates._triggered(triggers, _trigger_words(fixed)), (k, name)
