"""The action plan as values, and its health.

A plan is healthy when the customer has an open step, every open step has an owner side and
a date, the dates reach the decision date with no long silence on the way, nothing is
overdue or keeps slipping, and the decision date has not moved. Health is a score with its
reasons in words, because a manager acts on the reasons. A plan with no customer step is
never healthy, however tidy the rest: the customer's next step is what a plan is for. A plan
shared with the customer whose open customer steps are all unconfirmed within CONFIRM_DAYS
of the decision date is at risk: nobody on their side has said the plan is theirs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

Side = Literal["customer", "us"]
StepStatus = Literal["open", "done", "dropped"]
HealthLabel = Literal["healthy", "at risk", "off track"]

#: A plan "reaches" the decision date when its last open step is at most this close to it.
REACH_DAYS = 7
#: A review older than this makes the plan stale.
STALE_DAYS = 14
#: Longer than this without any step (from today, between steps) is a silence that costs.
STRETCH_DAYS = 21
#: A shared plan whose customer has confirmed none of its open steps this close to the
#: decision date is a risk: the plan may be ours alone (issue 16).
CONFIRM_DAYS = 14


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
    #: Who on the customer's side confirmed this step (a shared plan), or None: assumed.
    confirmed_by: str | None = None

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == "open" and self.due is not None and self.due < today


@dataclass(frozen=True)
class Plan:
    """A deal's plan: its target decision date, steps, and how often the date moved."""

    decision_date: dt.date | None
    steps: tuple[Step, ...] = ()
    decision_date_moves: int = 0
    last_reviewed: dt.date | None = None
    #: The plan was shared with the customer, so they could confirm their steps.
    shared: bool = False

    @property
    def open_steps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.status == "open")

    def next_step(self, side: Side, today: dt.date) -> Step | None:
        """The earliest open step of one side (undated steps last)."""
        candidates = [s for s in self.open_steps if s.side == side]
        return min(candidates, key=lambda s: (s.due or dt.date.max, s.id or 0), default=None)

    def confirmed_note(self, customer: str) -> str | None:
        """"2 of 4 customer steps confirmed by Acme" (open and done customer steps), or
        None when the plan was never shared and has no confirmed step."""
        theirs = [s for s in self.steps if s.side == "customer" and s.status != "dropped"]
        confirmed = sum(1 for s in theirs if s.confirmed_by)
        if not theirs or (not self.shared and not confirmed):
            return None
        return f"{confirmed} of {len(theirs)} customer steps confirmed by {customer}"


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


def short_date(d: dt.date, today: dt.date) -> str:
    """'Dec 31' in today's year, 'Mar 31, 2027' in another: how a date reads in a reason."""
    return f"{d:%b} {d.day}" if d.year == today.year else f"{d:%b} {d.day}, {d.year}"


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
        penalties.append((30, f"decision date passed {short_date(decision, today)}"))
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
        dated = sorted(s.due for s in open_steps if s.due is not None)
        if dated and dated[-1] < decision - dt.timedelta(days=REACH_DAYS):
            gap = (decision - dated[-1]).days
            # The earlier a plan stops, the less it says about how the decision gets made.
            weeks_short = (gap - REACH_DAYS) // 7
            penalties.append(
                (min(40, 10 + 5 * weeks_short), f"plan stops {gap} days before the decision date")
            )
        penalties += _silences([today, *[d for d in dated if d >= today]], today)
    slips = sum(s.slips for s in open_steps)
    if slips:
        times = "once" if slips == 1 else f"{slips} times"
        penalties.append((min(20, 5 * slips), f"steps slipped {times}"))
    if plan.decision_date_moves:
        moved = "once" if plan.decision_date_moves == 1 else f"{plan.decision_date_moves} times"
        penalties.append((min(30, 12 * plan.decision_date_moves), f"decision date moved {moved}"))
    theirs = [s for s in open_steps if s.side == "customer"]
    if (
        plan.shared
        and theirs
        and not any(s.confirmed_by for s in theirs)
        and decision is not None
        and 0 <= (decision - today).days <= CONFIRM_DAYS
    ):
        penalties.append((15, "no customer step confirmed by the customer"))
    if plan.last_reviewed is not None and (today - plan.last_reviewed).days > STALE_DAYS:
        penalties.append((10, f"not reviewed for {(today - plan.last_reviewed).days} days"))

    score = max(0, 100 - sum(p for p, _ in penalties))
    label: HealthLabel = "healthy" if score >= 80 else "at risk" if score >= 50 else "off track"
    if label == "healthy" and not any(s.side == "customer" for s in open_steps):
        label = "at risk"  # see the module docstring
    return Health(score=score, label=label, reasons=tuple(r for _, r in penalties))


def _silences(days: list[dt.date], today: dt.date) -> list[tuple[int, str]]:
    """Stretches longer than STRETCH_DAYS with no step, from today through the dated steps."""
    out = []
    for start, end in zip(days, days[1:], strict=False):
        if (end - start).days > STRETCH_DAYS:
            out.append(
                (
                    10,
                    f"no step for {(end - start).days} days "
                    f"({short_date(start, today)} – {short_date(end, today)})",
                )
            )
    return out[:2]


_WORD = re.compile(r"[a-z0-9]+")
#: Words that do not tell two steps apart ("I'll send them the report" = "send the report").
_FILLER_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "of",
        "for",
        "and",
        "or",
        "on",
        "by",
        "with",
        "our",
        "their",
        "them",
        "they",
        "we",
        "i",
        "ll",
        "will",
        "shall",
        "us",
        "you",
        "me",
        "my",
        "your",
        "his",
        "her",
        "its",
        "it",
        "this",
        "that",
        "please",
        "also",
        "then",
        "just",
    ]
)


def _gist(description: str) -> frozenset[str]:
    words = (w for w in _WORD.findall(description.lower()) if w not in _FILLER_WORDS)
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def same_step(a: str, b: str) -> bool:
    """Whether two step descriptions say the same thing ("send the SOC 2 report" twice,
    "I'll send them the SOC 2 report"): their words, less filler and plural s, overlap by at
    least 80% (Jaccard). Dates are not words here: the caller compares open steps."""
    x, y = _gist(a), _gist(b)
    if not x or not y:
        return False
    return len(x & y) / len(x | y) >= 0.8
