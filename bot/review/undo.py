"""Taking things back: `undo`, `back`, and corrections ("scratch that", "actually it's ours").

Whatever the review records is noted in `ReviewState.undo` by `Dialog.remember`, with what
restores it. `undo` takes back the newest entry and asks again the question it answered;
`back` returns to the previous question, taking back what was recorded since it was asked;
a correction amends the last step (its date, side or owner; or the decision date) in place
instead of adding a new one ("scratch that, Jan 20" re-dates it; see `process.corrections`).
A step being completed (side or date still asked) is not saved yet: both simply drop it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from bot.messages import side_label
from bot.review import decision, step_details, steps
from process.corrections import _SCRATCH as _SCRATCH_CUE
from process.corrections import Correction, read_correction
from process.playbook import Stage, fmt_date
from storage import crud
from storage.models import Deal, PlanStep

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

#: Where a correction may follow what it corrects: the questions asked right after a step or
#: a decision date was recorded (at a date or side question, the same words are an answer).
_CORRECTABLE_AT = frozenset(
    {
        Stage.DEAL_STAGE,
        Stage.CONTEXT,
        Stage.CUSTOMER_NEXT,
        Stage.US_NEXT,
        Stage.MORE,
        Stage.RISK,
        Stage.SUMMARY,
    }
)


def undo(d: Dialog) -> None:
    """Take back the last thing recorded, say what, and ask its question again."""
    if _drop_pending(d):
        return
    if not d.state.undo:
        d.say("There's nothing to undo yet.", "warning")
        d.reask()
        return
    entry = d.state.undo.pop()
    said = _restore(d, entry)
    d.say(f"Undone: {said}.", "success")
    _return_to(d, entry)


def back(d: Dialog) -> None:
    """Return to the previous question, taking back what was recorded since it was asked."""
    if not d.state.active:
        d.say("There's no review in progress; *undo* takes back your last change.")
        return
    if _drop_pending(d):
        return
    trail = d.state.trail
    if len(trail) < 2:
        d.say("This is the first question of the review.", "warning")
        d.ask()
        return
    index = len(trail) - 2
    previous = Stage(trail[index])
    # Answers given since that question are taken back, newest first; what the rep did on
    # purpose meanwhile (`edit #1 owner Dana`, `done #2`, a rename) stays: `undo` takes it.
    taken = [
        e for e in d.state.undo if _in_review(d, e) and e["trail_len"] > index and _is_answer(e)
    ]
    d.state.undo = [e for e in d.state.undo if not any(e is t for t in taken)]
    for entry in reversed(taken):
        d.say(f"Taken back: {_restore(d, entry)}.")
        if entry.get("queued"):
            d.state.due_queue.insert(0, entry["step_id"])
    d.state.trail = trail[:index]
    if previous is Stage.CONFIRM_DUE and not d.state.due_queue:
        decision.to_decision(d)
        return
    d.goto(previous)


def correction(d: Dialog, text: str) -> bool:
    """If `text` corrects the last step or decision date, apply it and say so (True)."""
    if d.stage not in _CORRECTABLE_AT or not d.state.undo:
        return False
    entry = d.state.undo[-1]
    if not _in_review(d, entry) or entry["kind"] not in ("step", "decision", "corrected"):
        return False
    if entry["kind"] == "corrected" and read_correction(text, d.today) is not None:
        # a correction of a correction corrects the same step; "scratch that" takes the
        # whole step back, so the correction's own entry goes first
        if _SCRATCH_CUE.match(text) and len(d.state.undo) > 1:
            d.state.undo.pop()
            entry = d.state.undo[-1]
            if entry["kind"] != "step":
                return False
        else:
            entry = {**entry, "kind": "step"}
    if entry["kind"] == "step":
        entry = _ordinal_step(d, text) or entry  # "the first one is Dec 8"
    was = d.deal.decision_date if entry["kind"] == "decision" and d.deal else None
    if entry["kind"] == "step":
        step = _step(d, entry["step_id"])
        was = step.due if step else None
    fix = read_correction(text, d.today, was)
    if fix is None:
        return False
    if fix.kind == "scratch":
        d.state.undo.pop()
        said = _restore(d, entry)
        d.say(f"Scratched: {said}.")
        if not fix.rest:
            _return_to(d, entry)
            return True
        _rewind(d, entry)
        d.state.stage = d.state.trail[-1] if d.state.trail else d.state.stage
        if entry["kind"] == "step" and d.stage in steps.STEP_QUESTIONS:
            steps.step_answer(d, fix.rest)
        else:
            d.answer(fix.rest, None)
        return True
    if entry["kind"] == "decision":
        return _correct_decision(d, entry, fix)
    return _correct_step(d, entry, fix)


#: "the first one", "2nd step": which of the steps of the last answer a correction is of.
_ORDINAL = re.compile(
    r"\b(?:the\s+)?(?P<n>first|1st|second|2nd|third|3rd)\s+(?:one|step)\b", re.IGNORECASE
)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}


def _ordinal_step(d: Dialog, text: str) -> dict[str, Any] | None:
    """The undo entry of the step a correction names by its place among the steps the last
    answer added ("actually the first one is Dec 8" after "I send the SOW by Dec 9 then Raj
    signs it by Dec 14"); None when it names none or there is no such step."""
    m = _ORDINAL.search(text)
    if m is None:
        return None
    last = d.state.undo[-1]
    run: list[dict[str, Any]] = []
    for entry in reversed(d.state.undo):
        if entry["kind"] != "step" or entry.get("trail_len") != last.get("trail_len"):
            break
        run.insert(0, entry)
    n = _ORDINALS[m["n"].lower()]
    return run[n - 1] if len(run) > 1 and n <= len(run) else None


# --- restoring ------------------------------------------------------------------------


def _is_answer(entry: dict[str, Any]) -> bool:
    """Whether an undo entry recorded an answer to a question (a step, a date, the risk, a
    follow-up's done or moved), not a command typed or clicked on the side."""
    if entry["kind"] in ("edit", "deal"):
        return False
    return entry["kind"] not in ("closed", "moved") or bool(entry.get("queued"))


def _in_review(d: Dialog, entry: dict[str, Any]) -> bool:
    return d.state.active and entry.get("review_id") == d.state.review_id


def _drop_pending(d: Dialog) -> bool:
    pending = d.state.pending
    if not d.state.active or pending is None:
        return False
    d.state.waiting = None  # a step typed meanwhile (`step_details.carry_on`) goes with it
    if pending.get("step_id"):  # a saved step's day-off question: undo takes the correction
        d.state.pending = None
        return False
    d.state.pending = None
    d.say(f"Taken back: “{pending.get('description', '')}” (it wasn't saved yet).")
    origin = Stage(pending.get("origin", Stage.MORE.value))
    if d.state.trail and d.state.trail[-1] == origin.value:
        d.state.trail.pop()  # the question is asked again, not a new one
    d.goto(origin)
    return True


def _step(d: Dialog, step_id: int) -> PlanStep | None:
    found = crud.get_step(d.s, d.user, step_id)
    return found[0] if found else None


def _restore(d: Dialog, entry: dict[str, Any]) -> str:
    """Undo one entry in the store; returns what was taken back, in words."""
    kind = entry["kind"]
    if kind == "decision":
        deal = _deal_of(d, entry)
        change = crud.correct_decision_date(d.s, deal, entry["change_id"], None) if deal else None
        if change is None:
            return "nothing (that decision date is gone)"
        back_to = f"; back to {fmt_date(change.old_date, d.today)}" if change.old_date else ""
        return f"decision date {fmt_date(change.new_date, d.today)}{back_to}"
    if kind == "deal":
        deal = crud.get_deal(d.s, d.user, entry["deal_id"])
        if deal is None:
            return "nothing (that deal is gone)"
        renamed_from = deal.title
        reopened = deal.status != entry["status"]
        deal.status, deal.close_reason = entry["status"], entry.get("reason")
        deal.closed_at = (
            dt.datetime.fromisoformat(entry["closed_at"]) if entry.get("closed_at") else None
        )
        deal.account, deal.name = entry["account"], entry["name"]
        d.s.add(deal)
        if reopened:
            return f"{deal.title} is {deal.status.replace('_', ' ')} again"
        return f"the new name {renamed_from}; it's {deal.title} again"
    if kind == "risk":
        deal = _deal_of(d, entry)
        if deal is not None:
            deal.risk = entry.get("old")
            d.s.add(deal)
        return "the risk you named"
    step = _step(d, entry["step_id"])
    if step is None:
        return "nothing (that step is gone)"
    if kind == "corrected":  # "no, the 20th" / "actually it's ours": only that change
        before = entry["before"]
        step.side, step.owner = before["side"], before.get("owner", step.owner)
        step.due = dt.date.fromisoformat(before["due"]) if before.get("due") else None
        step.original_due = (
            dt.date.fromisoformat(before["original_due"]) if before.get("original_due") else None
        )
        d.s.add(step)
        step_details.recount_sides(d)
        when = f", due {fmt_date(step.due, d.today)}" if step.due else ""
        return f"the correction to “{step.description}”; it's back to {side_label(step.side).lower()}{when}"
    if kind == "step":
        crud.delete_step(d.s, step)
        d.state.steps_added = max(0, d.state.steps_added - 1)
        step_details.recount_sides(d)
        return f"step “{step.description}”"
    if kind == "closed":
        was = "done" if step.status == "done" else "dropped"
        crud.reopen_step(d.s, step)
        return f"“{step.description}” marked {was}; it's open again"
    if kind == "moved":
        old = dt.date.fromisoformat(entry["due"]) if entry.get("due") else None
        crud.restore_due(d.s, step, old, entry["slips"], entry.get("slip_id"))
        return f"the new date of “{step.description}”; back to {fmt_date(old, d.today)}"
    if kind == "edit":
        before = entry["before"]
        step.description, step.side, step.owner = (
            before["description"],
            before["side"],
            before["owner"],
        )
        step.shared_text = before.get("shared_text", step.shared_text)
        if before.get("status") == "open" and step.status != "open":
            crud.reopen_step(d.s, step)
        if before.get("due") != (step.due.isoformat() if step.due else None):
            old_due = dt.date.fromisoformat(before["due"]) if before.get("due") else None
            crud.restore_due(d.s, step, old_due, before["slips"], before["slip_id"])
        if "original_due" in before:  # a date corrected in the review that made the step
            step.original_due = (
                dt.date.fromisoformat(before["original_due"]) if before["original_due"] else None
            )
        d.s.add(step)
        return f"the change to step #{step.number}"
    return "nothing"


def _rewind(d: Dialog, entry: dict[str, Any]) -> None:
    """Cut the trail back to the question where `entry` was recorded."""
    if _in_review(d, entry):
        d.state.trail = d.state.trail[: entry["trail_len"]]


def _return_to(d: Dialog, entry: dict[str, Any]) -> None:
    """After an undo: in the review that recorded it, ask that question again. A closed,
    renamed or archived deal was a side task: its questions are over, so the rep is back
    where they were (the question the task interrupted, or idle)."""
    if not _in_review(d, entry) or entry["kind"] == "deal":
        if d.state.active:
            d.ask()
        else:
            deal = _deal_of(d, entry)
            if deal is not None:
                d.out.append(d.plan_card(deal))
        return
    if entry.get("queued"):
        d.state.due_queue.insert(0, entry["step_id"])
    keep = max(0, entry["trail_len"] - 1)
    target = d.state.trail[keep] if keep < len(d.state.trail) else None
    d.state.trail = d.state.trail[:keep]
    if target is None:
        d.ask()
    elif entry["kind"] == "decision":
        decision.to_decision(d)
    else:
        d.goto(Stage(target))


def _deal_of(d: Dialog, entry: dict[str, Any]) -> Deal | None:
    """The deal an entry belongs to, looked up through the user's own deals."""
    if "step_id" in entry:
        found = crud.get_step(d.s, d.user, entry["step_id"])
        return found[1] if found else None
    if entry.get("deal_id"):
        return crud.get_deal(d.s, d.user, entry["deal_id"])
    return d.deal


# --- corrections -----------------------------------------------------------------------


def _correct_step(d: Dialog, entry: dict[str, Any], fix: Correction) -> bool:
    step = _step(d, entry["step_id"])
    if step is None:
        return False
    before = {
        "owner": step.owner,
        "side": step.side,
        "due": step.due.isoformat() if step.due else None,
        "original_due": step.original_due.isoformat() if step.original_due else None,
    }
    if fix.kind == "side" and fix.side:
        if step.side == fix.side:
            d.say(f"It's already {side_label(fix.side).lower()}: {step.description}.")
            d.ask()
            return True
        step.side = fix.side
        step.owner = fix.owner[:200] if fix.owner else step.owner
        d.s.add(step)
        step_details.recount_sides(d)
        owned = f" ({fix.owner})" if fix.owner else ""
        d.say(f"Changed: *{side_label(fix.side)}*{owned}: {step.description}.", "success")
    elif fix.kind == "owner" and fix.owner:
        step.owner = fix.owner[:200]
        d.s.add(step)
        d.say(f"Changed: {fix.owner} owns “{step.description}”.", "success")
    elif fix.kind == "due" and fix.due:
        if d.past(fix.due, ask=False):
            d.ask()
            return True
        step.due = step.original_due = fix.due
        d.s.add(step)
        late = d.deal and d.deal.decision_date and fix.due > d.deal.decision_date
        note = " That's after the decision date." if late else ""
        d.say(
            f"Changed: “{step.description}” is due {fmt_date(fix.due, d.today)}.{note}", "success"
        )
    else:
        return False
    origin = entry.get("origin")
    # `undo` now takes back this correction only, not the step (ReviewState.undo)
    d.remember("corrected", step_id=step.id, origin=origin, before=before)
    then = (
        step_details.next_step_stage(d, after=Stage(origin))
        if d.stage in steps.STEP_QUESTIONS and origin
        else None
    )
    if fix.kind == "due" and step_details.recheck_corrected(d, step, origin, then):
        return True  # "Fri Dec 25 is Christmas Day — keep it or pick another date?"
    if then is not None:
        d.goto(then)
    else:
        d.ask()
    return True


def _correct_decision(d: Dialog, entry: dict[str, Any], fix: Correction) -> bool:
    deal = d.deal
    if fix.kind != "due" or fix.due is None or deal is None:
        return False
    if d.past(fix.due, ask=False):
        d.ask()
        return True
    crud.correct_decision_date(d.s, deal, entry["change_id"], fix.due)
    d.say(
        f"Corrected: the target decision date is *{fmt_date(fix.due, d.today)}* (a correction, not a move).",
        "success",
    )
    d.ask()
    return True
