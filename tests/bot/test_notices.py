"""Notices as neutral replies: one card per step with the engine's button values, capped
lists instead of walls of text, one Section per rep in the digest, and a lossless JSON form."""

from __future__ import annotations

import datetime as dt

from bot import notices
from bot.messages import Section, Text
from process import cadence as c
from process.plan import Plan, Step

TODAY = dt.date(2026, 11, 30)


def item(i: int) -> c.ReminderItem:
    step = Step(i, f"Step {i}", "customer", TODAY)
    return c.ReminderItem("due_today", 100 + i, f"Deal {i}", TODAY, step)


def test_reminder_cards_carry_the_values_the_dialog_understands() -> None:
    replies = notices.reminder([item(7)], TODAY)
    card = replies[1]
    assert isinstance(card, Section) and card.title == "Step 7"
    assert [ch.value for ch in card.choices] == [
        "step:7:done",
        "step:7:reschedule",
        "cmd:review:107",
    ]


def test_a_long_reminder_is_capped_and_counted() -> None:
    replies = notices.reminder([item(i) for i in range(10)], TODAY)
    cards = [r for r in replies if isinstance(r, Section)]
    assert len(cards) == notices.MAX_STEP_CARDS
    assert isinstance(replies[-1], Text) and "…and 4 more" in replies[-1].text


def test_nudge_lists_are_capped() -> None:
    steps = tuple(Step(i, f"S{i}", "us", TODAY - dt.timedelta(days=i + 1)) for i in range(9))
    n = c.nudge([c.DealPlan(1, 1, "Acme", Plan(None, steps), created=TODAY)], TODAY, c.Cadence())
    assert n is not None
    overdue = next(
        r
        for r in notices.nudge(n, "Ana")
        if isinstance(r, Section) and r.title.startswith("Overdue")
    )
    assert overdue.title == "Overdue (9)" and len(overdue.lines) == notices.MAX_LINES + 1
    assert overdue.lines[-1] == "…and 3 more overdue"


def test_digest_is_one_section_per_rep_after_the_summary() -> None:
    reps = [c.Rep(i, "w", f"u{i}", f"Rep {i}") for i in range(1, 4)]
    deals = [c.DealPlan(i, i, f"Deal {i}", Plan(TODAY + dt.timedelta(days=9))) for i in range(1, 4)]
    replies = notices.digest(c.digest("emea", reps, deals, TODAY, TODAY - dt.timedelta(days=7)))
    titles = [r.title for r in replies if isinstance(r, Section)]
    assert titles[0].startswith("Team digest · emea") and titles[1] == "Most at risk of no decision"
    assert [t.split(":")[0] for t in titles[2:]] == ["Rep 1", "Rep 2", "Rep 3"]


def test_json_round_trip_is_lossless() -> None:
    replies = notices.reminder([item(1), item(2)], TODAY)
    assert notices.from_json(notices.to_json(replies)) == replies
