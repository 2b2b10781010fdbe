"""Steps that fell due and rescheduling: the queue, a new date, and the plan-card buttons.

At the start of a review the open steps due by today are queued (`ReviewState.due_queue`)
and asked about one by one (`followup.py` reads the answers); the same step actions arrive
as button values (`step:<id>:done|drop|edit|reschedule[:YYYY-MM-DD]`) from plan cards and
reminders, inside or outside a review. Every action re-checks that the step belongs to the
acting user. A new date after the decision date is pointed out at once, with the choice
to keep it or move the step earlier.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from bot.messages import Choice
from bot.review import decision, edit
from process import playbook as pb
from process.playbook import Stage, fmt_date
from storage import crud
from storage.models import Deal, PlanStep

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


# --- rescheduling one step ---------------------------------------------------------------


def current_step(d: Dialog) -> PlanStep | None:
    if d.state.step_id is None:
        return None
    found = crud.get_step(d.s, d.user, d.state.step_id)
    return found[0] if found else None


def apply_reschedule(d: Dialog, step: PlanStep, new_due: dt.date) -> bool:
    """Move `step` to `new_due`, say so, remember it for `undo`.

    Returns True when the new date is after the deal's decision date: the caller then asks
    `RESCHEDULE_LATE` (keep it, or move the step earlier) before going on.
    """
    queued = bool(d.state.due_queue) and d.state.due_queue[0] == step.id
    old_due, old_slips = step.due, step.slips
    moved = crud.reschedule_step(d.s, step, new_due, d.now)
    d.remember(
        "moved",
        step_id=step.id,
        due=old_due.isoformat() if old_due else None,
        slips=old_slips,
        slip_id=moved.id if moved else None,
        queued=queued,
    )
    slip = f" That's slip {step.slips} for this step." if step.slips else ""
    d.say(f"Moved “{step.description}” to {fmt_date(new_due, d.today)}.{slip}")
    deal = d.s.get(Deal, step.deal_id)
    decision_date = deal.decision_date if deal else None
    if decision_date is not None and new_due > decision_date:
        d.state.step_id = step.id
        return True
    d.state.step_id = None
    return False


def ask_late(d: Dialog, step: PlanStep, resume: str | None) -> None:
    """Go to the after-the-decision question for `step` (then back to `resume`)."""
    if resume is not None:
        d.state.resume = resume
    d.state.step_id = step.id
    d.state.stage = Stage.RESCHEDULE_LATE.value
    d.state.reset_question()
    d.ask()


def ask_reschedule_late(d: Dialog) -> None:
    step = current_step(d)
    found = crud.get_step(d.s, d.user, step.id or 0) if step else None
    if step is None or found is None or step.due is None or found[1].decision_date is None:
        after_reschedule(d)
        return
    decision_date = found[1].decision_date
    d.question(
        f"{fmt_date(step.due, d.today)} is after the decision date "
        f"({fmt_date(decision_date, d.today)}): a step that lands after the decision can't "
        f"help them decide. Keep it, or pick an earlier date for “{step.description}”?",
        (Choice(f"Keep {pb.short_date(step.due, d.today)}", "late:keep"),),
        date_input=True,
        initial=decision_date,
    )


def on_reschedule_late(d: Dialog, text: str | None, value: str | None) -> None:
    step = current_step(d)
    got = d.keep_or_date(text, value) if step else "keep"
    if got is None:
        return
    if got == "keep" and step is not None:
        d.say(f"Kept “{step.description}” on {fmt_date(step.due, d.today)}.")
    if step is None or not isinstance(got, dt.date):
        after_reschedule(d)
        return
    if apply_reschedule(d, step, got):
        d.ask()
        return
    after_reschedule(d)


def ask_reschedule(d: Dialog) -> None:
    step = current_step(d)
    desc = step.description if step else "this step"
    decision_date = d.deal.decision_date if d.deal else None
    d.question(
        f"New date for “{desc}”?",
        d.date_choices(pb.quick_step_dates(d.today, decision_date)),
        date_input=True,
        initial=step.due if step and step.due and step.due >= d.today else None,
        hint=pb.date_hint(d.today, 12, "next Friday"),
    )


def on_reschedule(d: Dialog, text: str | None, value: str | None) -> None:
    step = current_step(d)
    got = d.read_date(text, value)
    if step is None:
        after_reschedule(d)
        return
    if got == "none" or d.leaves(text):
        leave_reschedule(d)
        return
    if got is None or (isinstance(got, dt.date) and d.past(got)):
        d.ask()
        return
    assert isinstance(got, dt.date)
    if text and not value and ask_day_off(d, step, got, None):
        return  # "Fri Dec 25 is Christmas Day — keep it or pick another date?"
    move(d, step, got)


def move(d: Dialog, step: PlanStep, day: dt.date) -> None:
    """Move `step` to `day`, then ask about a date after the decision or go back."""
    if apply_reschedule(d, step, day):
        ask_late(d, step, None)
        return
    after_reschedule(d)


def ask_day_off(d: Dialog, step: PlanStep, day: dt.date, resume: str | None) -> bool:
    """A typed new date on a weekend or public holiday: ask to keep it or pick another (the
    question a new step's date gets, `step_details.day_off_question`) before moving the
    step. True when asked; `resume` as for `ask_late`."""
    from bot.review import step_details

    if step_details.day_off_of(d, day) is None:
        return False
    if resume is not None:
        d.state.resume = resume
    d.state.step_id, d.state.day_off = step.id, day.isoformat()
    d.state.stage = Stage.RESCHEDULE_DAY_OFF.value
    d.state.reset_question()
    d.ask()
    return True


def ask_reschedule_day_off(d: Dialog) -> None:
    from bot.review import step_details

    step = current_step(d)
    if step is None or d.state.day_off is None:
        after_reschedule(d)
        return
    d.say(f"Moving “{step.description}”:")
    step_details.day_off_question(d, dt.date.fromisoformat(d.state.day_off), None)


def on_reschedule_day_off(d: Dialog, text: str | None, value: str | None) -> None:
    from bot.review import step_details

    step = current_step(d)
    typed = d.state.day_off
    if step is None or typed is None:
        after_reschedule(d)
        return
    got = step_details.keep_or_near(d, text, value, dt.date.fromisoformat(typed))
    if got is None:
        return
    d.state.day_off = None
    day = dt.date.fromisoformat(typed) if got == "keep" else got
    assert isinstance(day, dt.date)
    move(d, step, day)


def leave_reschedule(d: Dialog) -> None:
    """ "skip", "that's all" or *cancel* at a reschedule question: the step keeps its date."""
    step = current_step(d)
    if step is not None:
        d.say(f"Left “{step.description}” due {fmt_date(step.due, d.today)}: nothing moved.")
    after_reschedule(d)


def after_reschedule(d: Dialog) -> None:
    """Back to the question the reschedule interrupted, the next due step, or idle."""
    resume = d.state.resume
    d.state.resume = None
    d.state.step_id = d.state.day_off = None
    if resume:
        d.state.stage = resume
        d.ask()
    elif d.state.due_queue:
        next_due(d)
    else:
        d.state = d.state.idle()


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
        d.remember("closed", step_id=step.id)
        d.changed_step = step.id
        d.say(
            f"{'Marked done' if action == 'done' else 'Dropped'}: {step.description}",
            "success" if action == "done" else "info",
        )
        if d.state.active:
            d.reask()
        else:
            d.out.append(d.plan_card(deal, undo=True))
    elif action == "reschedule":
        new = parts[3] if len(parts) > 3 else ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", new):
            day = dt.date.fromisoformat(new)
            if d.past(day, ask=False):
                return
            d.changed_step = step.id
            if apply_reschedule(d, step, day):
                if d.state.deal_id is None:
                    d.state.deal_id = deal.id
                    d.deal = deal
                ask_late(d, step, d.state.stage if d.state.active else None)
            elif d.state.active:
                d.reask()
            else:
                d.out.append(d.plan_card(deal, undo=True))
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
    elif action == "edit":
        d.state.last_deal_id = deal.id
        d.out.append(edit.step_form(step, deal))
    else:
        d.say("That button didn't carry an action I know.", "warning")
