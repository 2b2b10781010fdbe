"""The action plan as values, and its health.

A plan is healthy when the customer has an open step, every open step has an owner side and
a date, the dates reach the decision date, nothing is overdue and the decision date has not
moved. Health is a score with its reasons in words, because a manager acts on the reasons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Side = Literal["customer", "us"]
StepStatus = Literal["open", "done", "dropped"]
HealthLabel = Literal["healthy", "at risk", "off track"]

#: A plan "reaches" the decision date when its last open step is at most this close to it.
REACH_DAYS = 7
#: A review older than this makes the plan stale.
STALE_DAYS = 14


@dataclass(frozen=True)
class Step:
    """One plan step: who (side and owner), what, by when."""

    id: int | None
    description: str
    side: Side | None
    due: dt.date | None
    owner: str | None = None
    status: StepStatus = "open"
    slips: int = 0

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == "open" and self.due is not None and self.due < today


@dataclass(frozen=True)
class Plan:
    """A deal's plan: its target decision date, steps, and how often the date moved."""

    decision_date: dt.date | None
    steps: tuple[Step, ...] = ()
    decision_date_moves: int = 0
    last_reviewed: dt.date | None = None

    @property
    def open_steps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.status == "open")

    def next_step(self, side: Side, today: dt.date) -> Step | None:
        """The earliest open step of one side (undated steps last)."""
        candidates = [s for s in self.open_steps if s.side == side]
        return min(candidates, key=lambda s: (s.due or dt.date.max, s.id or 0), default=None)


@dataclass(frozen=True)
class Health:
    """A 0-100 score, a label, and the reasons it is not 100."""

    score: int
    label: HealthLabel
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> str:
        return self.label if not self.reasons else f"{self.label}: {', '.join(self.reasons)}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def assess(plan: Plan, today: dt.date, cannot_make: str = "", too_many: str = "") -> Health:
    """Score a plan against the rules in the module docstring, worst problems weighing most.

    `cannot_make` is the work-back check's reason when the plan cannot finish by its decision
    date (`process.workback.WorkBack.reason`), `too_many` the too-many-steps warning; both
    come from the sales process, so they are handed in.
    """
    penalties: list[tuple[int, str]] = []
    if cannot_make:
        penalties.append((30, f"can't make the decision date: {cannot_make}"))
    if too_many:
        penalties.append((10, too_many))
    open_steps = plan.open_steps
    decision = plan.decision_date

    if decision is None:
        penalties.append((25, "no decision date"))
    elif decision < today:
        penalties.append((30, f"decision date passed {decision:%b %-d}"))
    if not any(s.side == "customer" for s in open_steps):
        penalties.append((35, "no customer step"))
    if not any(s.side == "us" for s in open_steps):
        penalties.append((10, "no step for us"))
    overdue = [s for s in open_steps if s.is_overdue(today)]
    if overdue:
        penalties.append((min(40, 15 * len(overdue)), f"{_plural(len(overdue), 'step')} overdue"))
    undated = [s for s in open_steps if s.due is None]
    if undated:
        penalties.append(
            (min(20, 8 * len(undated)), f"{_plural(len(undated), 'step')} with no date")
        )
    sideless = [s for s in open_steps if s.side is None]
    if sideless:
        penalties.append(
            (min(15, 5 * len(sideless)), f"{_plural(len(sideless), 'step')} with no owner")
        )
    if decision is not None and decision >= today:
        late = [s for s in open_steps if s.due is not None and s.due > decision]
        if late:
            penalties.append((10, f"{_plural(len(late), 'step')} after the decision date"))
        dated = [s.due for s in open_steps if s.due is not None]
        if dated and max(dated) < decision - dt.timedelta(days=REACH_DAYS):
            gap = (decision - max(dated)).days
            penalties.append((10, f"plan stops {gap} days before the decision date"))
    if plan.decision_date_moves:
        moved = "once" if plan.decision_date_moves == 1 else f"{plan.decision_date_moves} times"
        penalties.append((min(30, 12 * plan.decision_date_moves), f"decision date moved {moved}"))
    if plan.last_reviewed is not None and (today - plan.last_reviewed).days > STALE_DAYS:
        penalties.append((10, f"not reviewed for {(today - plan.last_reviewed).days} days"))

    score = max(0, 100 - sum(p for p, _ in penalties))
    label: HealthLabel = "healthy" if score >= 80 else "at risk" if score >= 50 else "off track"
    return Health(score=score, label=label, reasons=tuple(r for _, r in penalties))
