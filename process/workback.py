"""The work-back check: can this plan still finish by its decision date?

Asked *before* anything is overdue. What is still ahead of a deal is every exit criterion of
its stage and the stages after it, up to the stage that ends in the decision, that no done
plan step has met (for a deal with no stage set: only the criteria its open steps name). Those criteria are worked one after another from today, each taking its
typical lead time in working days, or longer when the rep's own step for it is due later;
open steps that meet no criterion must also be done. The earliest realistic decision is when
all of that is done; a plan "does not fit" when that is after the decision date.

Sequential on purpose: legal rarely starts before the business case is approved, and the
issue's own example adds the lead times ("Legal (10 days) and procurement (5 days) still
ahead"). A process that runs things in parallel can lower its lead times to match.

Also here: which typical steps to offer a stuck rep (`suggest`) and the due date to propose
for a picked one (`propose_due`). Pure: `today` is handed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from process.plan import Health, Plan, Side, Step, assess
from process.playbook import fmt_date
from process.sales_process import ExitCriterion, ProcessStep, SalesProcess
from process.workdays import (
    add_working_days,
    holiday_dates,
    is_working_day,
    next_working_day,
    subtract_working_days,
)


@dataclass(frozen=True)
class Ahead:
    """One exit criterion still ahead, the open plan step working on it (if any), and when
    it can be done at the earliest."""

    criterion: ExitCriterion
    step: Step | None
    done_by: dt.date


@dataclass(frozen=True)
class WorkBack:
    """The outcome of the check. `earliest` is the earliest realistic decision date."""

    decision: dt.date | None
    earliest: dt.date
    ahead: tuple[Ahead, ...]
    today: dt.date

    @property
    def fits(self) -> bool:
        """True when there is no decision date to miss, or the plan can make it."""
        return self.decision is None or self.earliest <= self.decision

    def reason(self) -> str:
        """Why it does not fit, in words (empty when it fits): what is still ahead, how long
        each takes, the earliest realistic decision and the date it misses."""
        if self.fits or self.decision is None:
            return ""
        early = fmt_date(self.earliest, self.today)
        date = fmt_date(self.decision, self.today)
        longest = sorted(self.ahead, key=lambda a: -a.criterion.lead_days)[:3]
        names = [f"{a.criterion.name} ({a.criterion.lead_days} days)" for a in longest]
        if not names:
            return f"open steps run to {early}, after your decision date {date}"
        more = len(self.ahead) - len(longest)
        if more:
            names.append(f"{more} more")
        listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        return (
            f"{listed} still ahead: the earliest realistic decision is {early}, "
            f"after your date {date}"
        )


def _holidays(process: SalesProcess, today: dt.date) -> frozenset[dt.date]:
    return holiday_dates(process.holidays, today.year, today.year + 2)


def criteria_ahead(
    process: SalesProcess, stage_id: str | None, plan: Plan
) -> list[tuple[ExitCriterion, Step | None]]:
    """The exit criteria not yet met, in order, each with the open step working on it.

    A deal whose stage is not known is not assumed to be at the very start: only the
    criteria its open steps name ("Legal reviews the MSA") count as ahead.
    """
    known = process.stage(stage_id) is not None
    first = process.index(stage_id)
    done = [s for s in plan.steps if s.status == "done"]
    open_steps = list(plan.open_steps)
    out = []
    for stage in process.stages[first : process.decision_index + 1]:
        for crit in stage.exit_criteria:
            step = next((s for s in open_steps if crit.matches(s.description)), None)
            if not known and step is None:
                continue
            if met(crit, done, open_steps):
                continue
            out.append((crit, step))
    return out


def met(crit: ExitCriterion, done: list[Step], open_steps: list[Step]) -> bool:
    """Whether a criterion is met: a done step meets it (`ExitCriterion.met_by`) and no open
    step still works on it. The rest of a half-done step stays open naming what it finishes
    (process/followup.py), so "half done" never moves a deal on."""
    return any(crit.met_by(s.description) for s in done) and not any(
        crit.matches(s.description) for s in open_steps
    )


def work_back(
    process: SalesProcess, stage_id: str | None, plan: Plan, today: dt.date
) -> WorkBack:
    """Check `plan` (of a deal at `stage_id`) against its decision date; see module docstring."""
    hol = _holidays(process, today)
    cursor = today
    ahead = []
    used: set[int] = set()
    for crit, step in criteria_ahead(process, stage_id, plan):
        cursor = add_working_days(cursor, crit.lead_days, hol)
        if step is not None:
            used.add(id(step))
            if step.due is not None and step.due > cursor:
                cursor = step.due
        ahead.append(Ahead(crit, step, cursor))
    others = [s.due for s in plan.open_steps if id(s) not in used and s.due is not None]
    earliest = max([cursor, *others])
    return WorkBack(plan.decision_date, earliest, tuple(ahead), today)


def stage_reached(process: SalesProcess, stage_id: str | None, plan: Plan) -> str | None:
    """The stage a deal is in once done steps are counted: from `stage_id`, every stage whose
    exit criteria are all met by done steps is passed (never past the decision stage)."""
    if process.stage(stage_id) is None:
        return stage_id
    done = [s for s in plan.steps if s.status == "done"]
    open_steps = list(plan.open_steps)
    i = process.index(stage_id)
    while i < process.decision_index and all(
        met(c, done, open_steps) for c in process.stages[i].exit_criteria
    ):
        i += 1
    return process.stages[i].id


def assess_with(
    process: SalesProcess | None, stage_id: str | None, plan: Plan, today: dt.date
) -> tuple[Health, str]:
    """A plan's health with the process's checks (work-back, too many steps) among its
    reasons, and the work-back reason ('' when the plan can make its date, or no process)."""
    if process is None:
        return assess(plan, today), ""
    late = work_back(process, stage_id, plan, today).reason()
    return assess(plan, today, late, too_many_steps(process, plan)), late


def too_many_steps(process: SalesProcess, plan: Plan) -> str:
    """A warning when the plan has more open steps than the process advises, else ''."""
    n = len(plan.open_steps)
    if n <= process.max_plan_steps:
        return ""
    return f"{n} open steps: plans past {process.max_plan_steps} do no better than none"


# --- offering steps to a stuck rep ----------------------------------------------------------


def suggest(
    process: SalesProcess, stage_id: str | None, side: Side, plan: Plan, limit: int = 4
) -> list[ProcessStep]:
    """Up to `limit` typical steps of `side` for a deal at `stage_id`, from its stage first
    and then the next ones, skipping any the plan already holds (same text, or a step on the
    same exit criterion already in the plan)."""
    held = [s.description for s in plan.steps if s.status != "dropped"]
    held_lower = {h.lower() for h in held}
    out: list[ProcessStep] = []
    for stage in process.stages[process.index(stage_id) :]:
        crits = {c.id: c for c in stage.exit_criteria}
        for step in stage.steps(side):
            if step.text.lower() in held_lower:
                continue
            crit = crits.get(step.meets or "")
            if crit is not None and any(crit.matches(h) for h in held):
                continue
            out.append(step)
            if len(out) >= limit:
                return out
    return out


@dataclass(frozen=True)
class ProposedDue:
    """When a picked step should be done, and the working day it must start on to make that
    (its first day of work: `lead_days` working days from it, itself included, end on `due`)."""

    due: dt.date
    start_by: dt.date
    late: bool  # even starting today it finishes after the date it should


def propose_due(
    process: SalesProcess,
    lead_days: int,
    meets: str | None,
    decision: dt.date | None,
    today: dt.date,
    prepares: str | None = None,
) -> ProposedDue:
    """The due date to propose for a step taking `lead_days` working days that meets the
    exit criterion `meets` (or none), worked back from the decision date.

    The step must be done early enough that the exit criteria after the one it meets still
    fit before the decision: due = decision - their lead times, start by = due - its own lead
    time. A step that `prepares` a criterion is due before that criterion's own lead time
    too. With no decision date, or when that is already too late, it is due as soon as it
    can be (today + its lead time).
    """
    hol = _holidays(process, today)
    soonest = add_working_days(today, lead_days, hol)
    if decision is None:
        return ProposedDue(soonest, today, False)
    after = 0
    seen = False
    target = meets or prepares
    for stage in process.stages[: process.decision_index + 1]:
        for crit in stage.exit_criteria:
            if seen or (crit.id == target and target == prepares and not meets):
                after += crit.lead_days  # a preparation also leaves its criterion's time
            if crit.id == target:
                seen = True
    due = subtract_working_days(decision, after, hol) if seen else decision
    if not is_working_day(due, hol):  # proposed on a working day, not the weekend before it
        due = next_working_day(due, hol, -1)
    start_by = (
        add_working_days(subtract_working_days(due, lead_days, hol), 1, hol) if lead_days else due
    )
    if start_by < today:
        return ProposedDue(max(soonest, today), today, soonest > due)
    return ProposedDue(due, start_by, False)
