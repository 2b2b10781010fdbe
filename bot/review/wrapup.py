"""The end of a review: the summary with the work-back check, and saving the plan.

The no-decision risk before it is asked in `guide.py` (the indecision check).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.messages import Choice
from bot.review import steps
from process import playbook as pb
from process.playbook import Stage, fmt_date
from process.steering import read_answer
from storage import crud

if TYPE_CHECKING:
    from bot.review.dialog import Dialog


def ask_summary(d: Dialog) -> None:
    if d.deal is not None:
        card = d.plan_card(d.deal)
        d.out.append(card)
        if card.cannot_make:
            d.say(
                f"This plan can't make its decision date: {card.cannot_make}. Add or compress "
                "steps, or move the date (with a reason): I won't move it silently.",
                "warning",
            )
    d.question(
        "Does this plan look right?",
        (
            Choice("Looks good", "summary:confirm", "primary"),
            Choice("Add a step", "summary:add"),
        ),
    )


def on_summary(d: Dialog, text: str | None, value: str | None) -> None:
    if value == "summary:confirm" or (text and pb.is_yes(text)):
        finish(d)
    elif value == "summary:add" or (text and re.search(r"\badd\b", text, re.I)):
        if "more" in d.state.gave_up:
            d.state.gave_up.remove("more")
        d.goto(Stage.MORE)
    elif (
        text
        and read_answer(text, d.today, d.colleagues, conventions=d.dates).orientation == "next_step"
    ):
        d.state.stage = Stage.MORE.value
        steps.step_answer(d, text)
    else:
        d.say("Say *looks good* to save the plan, or *add* to add a step.", "warning")
        d.ask()


def finish(d: Dialog) -> None:
    """Close the review, say the customer's next step, and go idle."""
    deal, review = d.deal, d.review
    assert deal is not None and review is not None
    review.completed_at = d.now
    deal.last_reviewed_at = d.now
    d.s.add(review)
    d.s.add(deal)
    plan_steps = crud.steps_for(d.s, [deal.id or 0]).get(deal.id or 0, [])
    plan = crud.to_plan(deal, plan_steps, 0, d.tz)
    nxt = plan.next_step("customer", d.today)
    follow = (
        f" Next for {deal.account}: {nxt.description}"
        + (f", due {fmt_date(nxt.due, d.today)}" if nxt.due else "")
        + ". I'll remind you as dates come up."
        if nxt
        else " The plan still has no customer step: that's the first thing to find out."
    )
    d.say(f"Plan saved for *{deal.title}*.{follow}", "success")
    d.state = d.state.idle()
    d.finished = True
