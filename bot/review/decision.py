"""The target decision date: set it once, check it each review, record why it moved.

Everything after it works back from this date, so a move needs a reason (the manager sees
moved dates). Then the review goes on to the one-line context (`bot/review/steps.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from bot.messages import Choice
from process import playbook as pb
from process.dates import parse_date_answer
from process.playbook import Stage, fmt_date
from storage import crud

if TYPE_CHECKING:
    from bot.review.dialog import Dialog


def to_decision(d: Dialog) -> None:
    """Go to the right decision-date question: set it, check it, or move a passed one."""
    deal = d.deal
    if deal is None or deal.decision_date is None:
        d.goto(Stage.DECISION_DATE)
    elif deal.decision_date < d.today:
        d.say(
            f"The target decision date, {fmt_date(deal.decision_date, d.today)}, has passed without a decision.",
            "warning",
        )
        d.goto(Stage.DECISION_MOVE)
    else:
        d.goto(Stage.DECISION_CHECK)


def ask_decision_date(d: Dialog) -> None:
    account = d.deal.account if d.deal else "the customer"
    d.question(
        f"When must *{account}* make their decision? That's the target decision date: "
        "we plan back from it, and it stays fixed.",
        d.date_choices(pb.quick_decision_dates(d.today)),
        date_input=True,
        hint=pb.date_hint(d.today, 60, "end of quarter"),
    )


def on_decision_date(d: Dialog, text: str | None, value: str | None) -> None:
    got = d.read_date(text, value)
    deal = d.deal
    assert deal is not None
    if got == "none":
        d.state.redirects = pb.MAX_REDIRECTS
    if not isinstance(got, dt.date) or d.past(got):
        d.state.redirects += 1
        if d.state.redirects >= pb.MAX_REDIRECTS:
            d.say(
                "Let's carry on without a decision date for now; the plan will flag it until you set one.",
                "warning",
            )
            d.goto(Stage.CONTEXT)
        else:
            d.ask()
        return
    change = crud.set_decision_date(d.s, deal, got, d.now, "first set", d.state.review_id)
    d.remember("decision", change_id=change.id, deal_id=deal.id)
    d.say(
        f"Target decision date: *{fmt_date(got, d.today)}* ({pb.days_between(d.today, got)}). "
        "Every step we plan works back from it.",
        "success",
    )
    d.goto(Stage.CONTEXT)


def ask_decision_check(d: Dialog) -> None:
    decision = d.deal.decision_date if d.deal else None
    assert decision is not None
    d.question(
        f"The target decision date is *{fmt_date(decision, d.today)}* "
        f"({pb.days_between(d.today, decision)}). Still right?",
        (
            Choice("Still right", "decision:keep", "primary"),
            Choice("It moved", "decision:move"),
        ),
    )


def on_decision_check(d: Dialog, text: str | None, value: str | None) -> None:
    if value == "decision:keep" or (text and pb.is_yes(text)):
        d.goto(Stage.CONTEXT)
        return
    if value == "decision:move" or (
        text and re.search(r"\b(mov|slip|chang|no\b|push|later|delay)", text, re.I)
    ):
        typed = parse_date_answer(text or "", d.today, conv=d.dates) if text else None
        if typed is not None and not d.past(typed):
            propose_decision(d, typed)
        else:
            d.goto(Stage.DECISION_MOVE)
        return
    typed = parse_date_answer(text or "", d.today, conv=d.dates) if text else None
    if typed is not None and not d.past(typed):
        propose_decision(d, typed)
        return
    d.say("Is the decision date still right, or has it moved?", "warning")
    d.ask()


def propose_decision(d: Dialog, new: dt.date) -> None:
    """A new decision date was given: the same one changes nothing, another asks why."""
    deal = d.deal
    assert deal is not None
    if new == deal.decision_date:
        d.say(f"That's the same date; keeping {fmt_date(new, d.today)}.")
        d.goto(Stage.CONTEXT)
        return
    d.state.new_decision = new.isoformat()
    d.goto(Stage.DECISION_REASON)


def ask_decision_move(d: Dialog) -> None:
    d.question(
        "What's the new target decision date?",
        d.date_choices(pb.quick_decision_dates(d.today)),
        date_input=True,
    )


def on_decision_move(d: Dialog, text: str | None, value: str | None) -> None:
    got = d.read_date(text, value)
    if not isinstance(got, dt.date) or d.past(got):
        if got == "none":
            d.say("The plan needs a decision date to work back from.", "warning")
        d.ask()
        return
    propose_decision(d, got)


def ask_decision_reason(d: Dialog) -> None:
    d.question(
        "What moved it? One line is enough: moved dates are recorded and your manager sees them.",
    )


def on_decision_reason(d: Dialog, text: str | None, value: str | None) -> None:
    deal = d.deal
    if not text or deal is None or d.state.new_decision is None:
        d.ask()
        return
    old = deal.decision_date
    new = dt.date.fromisoformat(d.state.new_decision)
    change = crud.set_decision_date(d.s, deal, new, d.now, text[:1000], d.state.review_id)
    d.remember("decision", change_id=change.id, deal_id=deal.id)
    d.record(text)
    d.state.new_decision = None
    moves = crud.decision_moves_for(d.s, [deal.id or 0]).get(deal.id or 0, 0)
    was = f" from {fmt_date(old, d.today)}" if old else ""
    times = "once" if moves == 1 else f"{moves} times"
    d.say(
        f"Recorded: the decision date moved{was} to *{fmt_date(new, d.today)}* (moved {times} so far).",
        "warning",
    )
    d.goto(Stage.CONTEXT)
