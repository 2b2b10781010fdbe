"""Read-only views of a user's deals: the plan card and the deal list.

Shared by the review dialog, App Home, the CLI and the scheduled messages, so a plan looks
the same wherever it is shown.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from bot.messages import Choice, DealLine, DealList, PlanCard, StepView
from process.plan import assess
from storage import crud
from storage.models import Deal, PlanStep, User

#: Closed steps stay on the card this long, so "done" is visible for a while.
SHOW_CLOSED_DAYS = 14


def step_buttons(step_id: int) -> tuple[Choice, ...]:
    return (
        Choice("Done", f"step:{step_id}:done", "primary"),
        Choice("Reschedule", f"step:{step_id}:reschedule"),
        Choice("Drop", f"step:{step_id}:drop", "danger"),
    )


def plan_card(
    session: Session,
    deal: Deal,
    today: dt.date,
    now: dt.datetime,
    tz: dt.tzinfo,
    context: str = "",
    steps: list[PlanStep] | None = None,
) -> PlanCard:
    """A deal's plan with health and per-step buttons, in two queries."""
    if steps is None:
        steps = crud.steps_for(session, [deal.id or 0]).get(deal.id or 0, [])
    moves = crud.decision_moves_for(session, [deal.id or 0]).get(deal.id or 0, 0)
    health = assess(crud.to_plan(deal, steps, moves, tz), today)
    decision = deal.decision_date
    views = tuple(
        StepView(
            id=s.id or 0,
            description=s.description,
            side=s.side,  # type: ignore[arg-type]
            owner=s.owner,
            due=s.due,
            status=s.status,
            overdue=s.status == "open" and s.due is not None and s.due < today,
            after_decision=bool(decision and s.due and s.due > decision),
            slips=s.slips,
            actions=step_buttons(s.id or 0) if s.status == "open" else (),
        )
        for s in steps
        if s.status == "open" or (s.closed_at and (now - s.closed_at).days <= SHOW_CLOSED_DAYS)
    )
    return PlanCard(
        deal_id=deal.id or 0,
        title=deal.title,
        decision_date=decision,
        days_left=(decision - today).days if decision else None,
        health=health,
        steps=views,
        context=context,
        risk=deal.risk,
        gaps=health.reasons,
        today=today,
    )


def deal_list(session: Session, user: User, today: dt.date, tz: dt.tzinfo) -> DealList:
    """The user's open deals with health and next customer step, in a constant number of queries."""
    deals = crud.open_deals(session, user)
    plans = crud.plans_for(session, deals, tz)
    week_end = today + dt.timedelta(days=6 - today.weekday())
    lines = []
    for d in deals:
        plan, _ = plans[d.id or 0]
        nxt = plan.next_step("customer", today)
        lines.append(
            DealLine(
                deal_id=d.id or 0,
                title=d.title,
                decision_date=d.decision_date,
                health=assess(plan, today),
                next_customer_step=nxt.description if nxt else None,
                next_customer_due=nxt.due if nxt else None,
                due_this_week=sum(1 for s in plan.open_steps if s.due and s.due <= week_end),
                today=today,
            )
        )
    return DealList(tuple(lines))
