"""Following up a step that fell due: "how did it go?", answered in plain words.

`process.followup.read_followup` reads the answer: done; partly done ("half done - sent
the redlines but the call isn't booked": the step is closed as done and the rest becomes
a new open step, an action naming what it finishes, "Book the call (to finish: …)", whose
date is asked if the answer gave none); moved ("CFO cancelled,
moving it to next Thursday"); dropped ("didn't need it anymore", kept as the reason).
The buttons (Done / Reschedule / Drop it) mean the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.messages import Choice, owner_note, side_label
from bot.review import decision, due
from process import playbook as pb
from process.followup import FollowUp, read_followup
from process.playbook import Stage, fmt_date
from storage import crud
from storage.models import Deal, PlanStep

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

_BUTTONS = {"due:done": "done", "due:drop": "drop", "due:reschedule": "reschedule"}


def ask_confirm_due(d: Dialog) -> None:
    step = due.queued_step(d)
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
        hint="Or say it in words: “half done - … but …”, “moved to next Thursday”, "
        "“didn't need it anymore”.",
    )


def on_confirm_due(d: Dialog, text: str | None, value: str | None) -> None:
    step = due.queued_step(d)
    if step is None:
        decision.to_decision(d)
        return
    if value in _BUTTONS:
        said = FollowUp(_BUTTONS[value])  # type: ignore[arg-type]
    elif value:
        said = FollowUp("unclear")
    else:
        said = read_followup(text or "", d.today)
    if said.kind == "done":
        crud.close_step(d.s, step, "done", d.now)
        d.remember("closed", step_id=step.id, queued=True)
        d.say(f"Marked done: {step.description}", "success")
        due.next_due(d)
    elif said.kind == "drop":
        crud.close_step(d.s, step, "dropped", d.now, said.reason or None)
        d.remember("closed", step_id=step.id, queued=True)
        why = f" ({said.reason})" if said.reason else ""
        d.say(f"Dropped: {step.description}{why}")
        due.next_due(d)
    elif said.kind == "partial":
        _partly_done(d, step, said)
    elif said.kind == "reschedule" and said.due is not None:
        if due.apply_reschedule(d, step, said.due):
            due.ask_late(d, step, None)
        else:
            due.next_due(d)
    elif said.kind == "reschedule":
        d.state.step_id = step.id
        d.goto(Stage.RESCHEDULE)
    else:
        d.say("Was it done, should it move to a new date, or should we drop it?", "warning")
        d.ask()


def _partly_done(d: Dialog, step: PlanStep, said: FollowUp) -> None:
    """Close the step as done (noting what was done) and keep the rest open as a new step.

    The rest is an action ("Book the call"), and it names the step it finishes: an open step
    still working on an exit criterion keeps it unmet (`process.workback.met`), so a
    half-done pilot does not move the deal past "Solution validated"."""
    deal = d.s.get(Deal, step.deal_id)
    assert deal is not None
    crud.close_step(d.s, step, "done", d.now, said.done_part or None)
    d.remember("closed", step_id=step.id, queued=True)
    rest_text = (
        f"{said.rest} (to finish: {step.description})"
        if said.rest
        else f"Finish: {step.description}"
    )
    rest = crud.add_step(
        d.s,
        deal,
        rest_text,
        step.side,
        said.due,
        d.now,
        step.owner,
        d.state.review_id,  # type: ignore[arg-type]
    )
    d.remember("step", step_id=rest.id, origin=Stage.CONFIRM_DUE.value)
    done = f" ({said.done_part})" if said.done_part else ""
    d.say(
        f"Marked done: {step.description}{done}. Still open, as #{rest.number}: {rest.description}"
        + (f", due {fmt_date(rest.due, d.today)}" if rest.due else ""),
        "success",
    )
    if rest.due is None:
        d.state.step_id = rest.id
        d.goto(Stage.RESCHEDULE)  # "New date for …?"; then on to the next due step
    else:
        due.next_due(d)
