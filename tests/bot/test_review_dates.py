"""Date faults found by the date sweep (issue 9), each at the instant that shows it."""

from __future__ import annotations

import datetime as dt

from bot.engine import Coach
from storage.db import Database
from tests.bot.chat import Chat
from tests.conftest import FakeClock

DEC_10 = dt.datetime(2026, 12, 10, 15, 0, tzinfo=dt.UTC)  # Thu Dec 10, 10:00 in New York
DEC_31 = dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC)
MAR_31 = dt.datetime(2027, 3, 31, 16, 0, tzinfo=dt.UTC)  # a quarter's last day


def chat_at(db: Database, moment: dt.datetime) -> Chat:
    return Chat(Coach(db, clock=FakeClock(moment), default_timezone="America/New_York"))


def test_across_the_year_end_dates_carry_their_year(db: Database) -> None:
    """On Dec 10, "December 9" is next December: it reads with its year, not as nonsense."""
    chat = chat_at(db, DEC_10)
    chat.command("review", "Acme - renewal")
    out = chat.say("end of January")
    assert "Sun Jan 31, 2027" in out
    chat.say("We demoed last week.")
    out = chat.say("Maria presents the business case to their steering committee on December 9.")
    # yesterday's date is asked about, as a typed date answer is (not moved a year silently)
    assert "Dec 9 has already passed: did you mean Thu Dec 9, 2027?" in out
    out = chat.click(chat.choice("Yes"))
    assert "Thu Dec 9, 2027 is after the decision date (Sun Jan 31, 2027)" in out
    assert chat.question is not None
    assert any(c.label == "Keep Dec 9, 2027" for c in chat.question.choices)  # type: ignore[union-attr]


def test_the_date_hint_offers_a_date_the_coach_accepts(db: Database) -> None:
    """The hint used to say 2026-12-12, which the coach itself rejects from Dec 13 on."""
    chat = chat_at(db, DEC_31)
    chat.command("review", "Acme - renewal")
    out = chat.say("asdf")
    assert "2027-01-14" in out and "2026-12-12" not in out  # two weeks ahead of Dec 31
    out = chat.say("2027-01-14")
    assert "Target decision date: Thu Jan 14, 2027 (in 14 days)" in out


def test_on_a_quarters_last_day_the_quick_dates_skip_today(db: Database) -> None:
    chat = chat_at(db, MAR_31)
    chat.command("review", "Acme - renewal")
    q = chat.question
    assert q is not None
    labels = [c.label for c in q.choices]
    assert labels[:2] == ["End of next month (Apr 30)", "End of next quarter (Jun 30)"], labels
    assert not any("(Mar 31)" in label for label in labels)


def test_a_deal_seen_next_year_names_its_years_and_no_overdue_step_is_due_this_week(
    db: Database,
) -> None:
    """Seen on Feb 1, 2027, a deal whose decision date (Dec 18, 2026) passed: the reason and
    the list carry the year, and last year's overdue step is not 'due this week'."""
    chat = chat_at(db, DEC_10)
    chat.command("review", "Acme - renewal")
    chat.say("Dec 18")
    chat.say("We demoed last week.")
    chat.say("Their CFO signs the order form by Dec 15.")
    chat.say("I send the SOC 2 report by Dec 14.")
    chat.say("that's all")
    chat.click("risk:skip")
    chat.click("summary:confirm")
    later = chat_at(db, dt.datetime(2027, 2, 1, 15, 0, tzinfo=dt.UTC))
    out = later.command("list")
    assert "decision date passed Dec 18, 2026" in out
    assert "Tue Dec 15, 2026" in out
    assert "due this week" not in out
