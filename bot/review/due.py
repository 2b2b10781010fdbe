"""Following up steps: the ones that fell due, and Done / Reschedule / Drop on any plan card.

At the start of a review the open steps due by today are queued (`ReviewState.due_queue`)
and asked about one by one; the same step actions arrive as button values
(`step:<id>:done|drop|reschedule[:YYYY-MM-DD]`) from plan cards and reminders, inside or
outside a review. Every action re-checks that the step belongs to the acting user.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from bot.messages import Choice, owner_note, side_label
from bot.review import decision
from bot.state import ReviewState
from process import playbook as pb
from process.dates import parse_date_answer
from process.playbook import Stage, fmt_date
from storage import crud
from storage.models import PlanStep

if TYPE_CHECKING:
    from bot.review.dialog import Dialog


# --- the queue of steps that fell due ----------------------------------------------------


def queued_step(d: Dialog) -> PlanStep | None:
    """The first queued step still open (closed ones, e.g. by a button meanwhile, are skipped)."""
    while d.state.due_queue:
        found = crud.get_step(d.s, d.user, d.state.due_queue[0])
        if found and found[0].status == "open":
            return found[0]
        d.state.due_queue.pop(0)
    return None


def next_due(d: Dialog) -> None:
    if d.state.due_queue:
        d.state.due_queue.pop(0)
    if queued_step(d) is not None:
        d.goto(Stage.CONFIRM_DUE)
    else:
        decision.to_decision(d)


def ask_confirm_due(d: Dialog) -> None:
    step = queued_step(d)
    if step is None:
        decision.to_decision(d)
        return
    owner = owner_note(step.owner, step.description)
    assert step.due is not None
    d.question(
        f"Due {fmt_date(step.due, d.today)} ({pb.days_between(d.today, step.due)}): "
        f"*{side_label(step.side)}*{owner}: {step.description}\nHow did it go?",
        (
            Choice("Done", "due:done", "primary"),
            Choice("Reschedule", "due:reschedule"),
            Choice("Drop it", "due:drop", "danger"),
        ),
    )


def on_confirm_due(d: Dialog, text: str | None, value: str | None) -> None:
    step = queued_step(d)
    if step is None:
        decision.to_decision(d)
        return
    choice = (value or "").removeprefix("due:") or (text or "").lower()
    if re.search(r"\b(done|did|yes|complete|finished|happened)\b", choice):
        crud.close_step(d.s, step, "done", d.now)
        d.say(f"Marked done: {step.description}", "success")
        next_due(d)
    elif re.search(r"\b(drop|no longer|cancel|remove|not needed)\b", choice):
        crud.close_step(d.s, step, "dropped", d.now)
        d.say(f"Dropped: {step.description}")
        next_due(d)
    else:
        typed = parse_date_answer(text or "", d.today) if text else None
        d.state.step_id = step.id
        if typed is not None and typed >= d.today:
            apply_reschedule(d, step, typed)
            next_due(d)
        elif re.search(r"\b(reschedul|move|later|slip|delay|postpone|push)", choice) or value:
            d.goto(Stage.RESCHEDULE)
        else:
            d.say("Was it done, should it move to a new date, or should we drop it?", "warning")
            d.ask()


# --- rescheduling one step ---------------------------------------------------------------


def current_step(d: Dialog) -> PlanStep | None:
    if d.state.step_id is None:
        return None
    found = crud.get_step(d.s, d.user, d.state.step_id)
    return found[0] if found else None


def apply_reschedule(d: Dialog, step: PlanStep, new_due: dt.date) -> None:
    crud.reschedule_step(d.s, step, new_due, d.now)
    slip = f" That's slip {step.slips} for this step." if step.slips else ""
    d.say(f"Moved “{step.description}” to {fmt_date(new_due, d.today)}.{slip}")
    d.state.step_id = None


def ask_reschedule(d: Dialog) -> None:
    step = current_step(d)
    desc = step.description if step else "this step"
    decision_date = d.deal.decision_date if d.deal else None
    d.question(
        f"New date for “{desc}”?",
        d.date_choices(pb.quick_step_dates(d.today, decision_date)),
        date_input=True,
        initial=step.due if step and step.due and step.due >= d.today else None,
        hint="Pick one or type a date (“Dec 12”, “next Friday”).",
    )


def on_reschedule(d: Dialog, text: str | None, value: str | None) -> None:
    step = current_step(d)
    got = d.read_date(text, value)
    if step is None:
        after_reschedule(d)
        return
    if got == "none" or got is None or (isinstance(got, dt.date) and d.past(got)):
        if got == "none":
            d.say("A rescheduled step needs a date.", "warning")
        d.ask()
        return
    assert isinstance(got, dt.date)
    apply_reschedule(d, step, got)
    after_reschedule(d)


def after_reschedule(d: Dialog) -> None:
    """Back to the question the reschedule interrupted, the next due step, or idle."""
    resume = d.state.resume
    d.state.resume = None
    d.state.step_id = None
    if resume:
        d.state.stage = resume
        d.ask()
    elif d.state.due_queue:
        next_due(d)
    else:
        d.state = ReviewState()


# --- step buttons on plan cards and reminders ----------------------------------------------


def step_action(d: Dialog, value: str) -> None:
    """`step:<id>:<action>[:date]` from a button; the step must be one of the user's."""
    parts = value.split(":")
    if len(parts) < 3 or not parts[1].isdigit():
        d.say("That button didn't carry a step I know. Try *list* to see your deals.", "warning")
        return
    found = crud.get_step(d.s, d.user, int(parts[1]))
    if found is None:
        d.say("I can't find that step (it may belong to someone else's deal).", "warning")
        d.reask()
        return
    step, deal = found
    action = parts[2]
    if step.status != "open":
        d.say(f"“{step.description}” is already {'done' if step.status == 'done' else 'dropped'}.")
        d.reask()
        return
    if action in ("done", "drop"):
        crud.close_step(d.s, step, "done" if action == "done" else "dropped", d.now)
        d.say(
            f"{'Marked done' if action == 'done' else 'Dropped'}: {step.description}",
            "success" if action == "done" else "info",
        )
        if d.state.active:
            d.reask()
        else:
            d.out.append(d.plan_card(deal))
    elif action == "reschedule":
        new = parts[3] if len(parts) > 3 else ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", new):
            day = dt.date.fromisoformat(new)
            if d.past(day):
                return
            apply_reschedule(d, step, day)
            if d.state.active:
                d.reask()
            else:
                d.out.append(d.plan_card(deal))
            return
        if d.state.active and d.stage is not Stage.RESCHEDULE:
            d.state.resume = d.state.stage
        d.state.step_id = step.id
        d.state.stage = Stage.RESCHEDULE.value
        d.state.reset_question()
        if d.state.deal_id is None:
            d.state.deal_id = deal.id
            d.deal = deal
        d.ask()
    else:
        d.say("That button didn't carry an action I know.", "warning")
