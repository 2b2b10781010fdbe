"""The review's flow in one place: every stage, who asks it and who answers it.

The usual path (each arrow is a `Dialog.goto` in the module named):

    pick_deal / new_deal                          deal_choice.py
        -> confirm_due (-> reschedule -> reschedule_day_off, reschedule_late) per step
           that fell due
                                                       followup.py, due.py
        -> decision_date | decision_check (-> decision_move -> decision_reason)   decision.py
        -> deal_stage (once, when unset; or the `stage` command)   guide.py
        -> context -> customer_next -> us_next -> more (loop)      steps.py
              each step may need step_side, step_due, step_day_off (a weekend or
              public holiday), step_late, step_owner (a customer step that named
              no one; asked once, Skip)                         step_details.py, guide.py
              "I don't know": suggest -> step_owner -> step_due     guide.py
        -> risk (-> risk_step: the de-risking step)                 guide.py
        -> summary (with the work-back check) -> saved              wrapup.py

Commands (`list`, `plan`, `help`, `cancel`…) and plan-card buttons can arrive at any
stage (`commands.py`, `due.step_action`); afterwards the current question is asked again.
`undo`, `back` and corrections ("scratch that", "actually it's ours") are in `undo.py`;
`edit #3 …`, `drop #3 …` and the edit form in `edit.py`; `close`, `rename`, `archive` in
`lifecycle.py` (close and rename ask a question or two, then resume where the rep was).
To add a question: add a `Stage` in `process/playbook.py`, an `ask_…` and an `on_…` in
the module it belongs to, and a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.review import (
    deal_choice,
    decision,
    due,
    followup,
    guide,
    lifecycle,
    step_details,
    steps,
    wrapup,
)
from process.playbook import Stage

if TYPE_CHECKING:
    from bot.review.dialog import Dialog


@dataclass(frozen=True)
class Step:
    """How one stage asks its question and takes an answer (free text or a button value)."""

    ask: Callable[[Dialog], None]
    answer: Callable[[Dialog, str | None, str | None], None]
    #: Whether the stage belongs to a review (and so needs its deal and review to exist).
    in_review: bool = True


STAGES: dict[Stage, Step] = {
    Stage.PICK_DEAL: Step(deal_choice.ask_pick_deal, deal_choice.on_pick_deal, False),
    Stage.NEW_DEAL: Step(deal_choice.ask_new_deal, deal_choice.on_new_deal, False),
    Stage.CONFIRM_DUE: Step(followup.ask_confirm_due, followup.on_confirm_due),
    # a step's new date: from the follow-up, or a button at any time (no review needed)
    Stage.RESCHEDULE: Step(due.ask_reschedule, due.on_reschedule, False),
    Stage.RESCHEDULE_LATE: Step(due.ask_reschedule_late, due.on_reschedule_late, False),
    Stage.RESCHEDULE_DAY_OFF: Step(due.ask_reschedule_day_off, due.on_reschedule_day_off, False),
    Stage.DECISION_DATE: Step(decision.ask_decision_date, decision.on_decision_date),
    Stage.DECISION_CHECK: Step(decision.ask_decision_check, decision.on_decision_check),
    Stage.DECISION_MOVE: Step(decision.ask_decision_move, decision.on_decision_move),
    Stage.DECISION_REASON: Step(decision.ask_decision_reason, decision.on_decision_reason),
    Stage.DEAL_STAGE: Step(guide.ask_deal_stage, guide.on_deal_stage),
    Stage.CONTEXT: Step(steps.ask_context, steps.on_context),
    Stage.CUSTOMER_NEXT: Step(steps.ask_step, steps.on_step),
    Stage.US_NEXT: Step(steps.ask_step, steps.on_step),
    Stage.MORE: Step(steps.ask_step, steps.on_step),
    Stage.STEP_SIDE: Step(step_details.ask_step_side, step_details.on_step_side),
    Stage.STEP_DUE: Step(step_details.ask_step_due, step_details.on_step_due),
    Stage.STEP_LATE: Step(step_details.ask_step_late, step_details.on_step_late),
    Stage.STEP_DAY_OFF: Step(step_details.ask_step_day_off, step_details.on_step_day_off),
    Stage.SUGGEST: Step(guide.ask_suggest, guide.on_suggest),
    Stage.STEP_OWNER: Step(guide.ask_step_owner, guide.on_step_owner),
    Stage.RISK: Step(guide.ask_risk, guide.on_risk),
    Stage.RISK_STEP: Step(guide.ask_risk_step, guide.on_risk_step),
    Stage.SUMMARY: Step(wrapup.ask_summary, wrapup.on_summary),
    # side tasks, at any point or outside a review (lifecycle.py)
    Stage.CLOSE_OUTCOME: Step(lifecycle.ask_close_outcome, lifecycle.on_close_outcome, False),
    Stage.CLOSE_REASON: Step(lifecycle.ask_close_reason, lifecycle.on_close_reason, False),
    Stage.RENAME: Step(lifecycle.ask_rename, lifecycle.on_rename, False),
}
