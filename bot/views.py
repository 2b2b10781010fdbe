"""Read-only views of a user's deals: the plan card and the deal list.

Shared by the review dialog, App Home, the CLI and the scheduled messages, so a plan looks
the same wherever it is shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from bot.messages import Choice, DealLine, DealList, PlanCard, StepView
from process.sales_process import SalesProcess
from process.workback import assess_with
from storage import crud
from storage.models import Deal, PlanStep, User

#: Closed steps stay on the card this long, so "done" is visible for a while.
SHOW_CLOSED_DAYS = 14


def step_buttons(step_id: int) -> tuple[Choice, ...]:
    return (
        Choice("Done", f"step:{step_id}:done", "primary"),
        Choice("Reschedule", f"step:{step_id}:reschedule"),
        Choice("Edit", f"step:{step_id}:edit"),
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
    process: SalesProcess | None = None,
) -> PlanCard:
    """A deal's plan with health and per-step buttons, in two queries."""
    if steps is None:
        steps = crud.steps_for(session, [deal.id or 0]).get(deal.id or 0, [])
    moves = crud.decision_moves_for(session, [deal.id or 0]).get(deal.id or 0, 0)
    shared = bool(crud.shared_deal_ids(session, [deal.id or 0]))
    plan = crud.to_plan(deal, steps, moves, tz, shared)
    plan_health, late = assess_with(process, deal.stage, plan, today)
    stage = process.stage(deal.stage) if process else None
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
            # a closed deal's card is a record: its steps take no more clicks
            actions=step_buttons(s.id or 0) if s.status == "open" and deal.status == "open" else (),
            number=s.number or 0,
        )
        for s in steps
        if s.status == "open" or (s.closed_at and (now - s.closed_at).days <= SHOW_CLOSED_DAYS)
    )
    return PlanCard(
        deal_id=deal.id or 0,
        title=deal.title,
        decision_date=decision,
        days_left=(decision - today).days if decision else None,
        health=plan_health,
        steps=views,
        context=context,
        risk=deal.risk,
        gaps=plan_health.reasons,
        actions=(
            (Choice("Close deal", f"close:{deal.id}"), Choice("Export", f"export:{deal.id}"))
            if deal.status == "open"
            else ()
        ),
        today=today,
        confirmed=plan.confirmed_note(deal.account) or "",
        stage=stage.name if stage else None,
        cannot_make=late,
    )


def deal_records(
    session: Session,
    deals: list[Deal],
    today: dt.date,
    tz: dt.tzinfo,
    process: SalesProcess | None = None,
) -> list[dict[str, Any]]:
    """Deals as plain data for scripts (`dealcoach plan DEAL --json`, `deals --json`).

    Each: account, name, status (open | won | lost | no_decision), decision_date (ISO or
    null), stage (the sales-process stage id or null), risk, health {score 0-100, reasons in
    words, including the work-back check}, and steps in their per-deal order,
    each with number, text, side (customer | us | null), owner, due (ISO or null), status
    (open | done | dropped), slips and confirmed_by (the buyer who confirmed a customer step
    on a shared plan, or null), and `confirmed` ("2 of 4 customer steps confirmed by Acme",
    or null for a plan never shared). Three queries whatever the number of deals.

    For the customer-facing exports (bot/exports.py) the deal also has its `id`,
    `workspace_id` and `decision_moves` (times the decision date moved), and each
    step its `id`, `shared_text` (the customer's wording of a step the coach proposed, else
    null), `revision` (bumped on every change) and `changed_at` (ISO UTC instant of its last
    change: created, edited, moved, closed or confirmed).
    """
    plans = crud.plans_for(session, deals, tz)
    out = []
    for deal in deals:
        plan, steps = plans[deal.id or 0]
        health = assess_with(process, deal.stage, plan, today)[0]
        out.append(
            {
                "id": deal.id,
                "workspace_id": deal.workspace_id,
                "decision_moves": plan.decision_date_moves,
                "account": deal.account,
                "name": deal.name,
                "status": deal.status,
                "decision_date": deal.decision_date.isoformat() if deal.decision_date else None,
                "stage": deal.stage,
                "risk": deal.risk,
                "health": {"score": health.score, "reasons": list(health.reasons)},
                "confirmed": plan.confirmed_note(deal.account),
                "steps": [
                    {
                        "id": s.id,
                        "number": s.number,
                        "text": s.description,
                        "shared_text": s.shared_text,
                        "side": s.side,
                        "owner": s.owner,
                        "due": s.due.isoformat() if s.due else None,
                        "status": s.status,
                        "slips": s.slips,
                        "confirmed_by": s.confirmed_by,
                        "revision": s.revision,
                        "changed_at": _last_change(s),
                    }
                    for s in sorted(steps, key=lambda s: (s.number or 0, s.id or 0))
                ],
            }
        )
    return out


def _last_change(step: PlanStep) -> str:
    """The latest instant anything happened to a step (ISO, UTC)."""
    times = [step.created_at, step.changed_at, step.closed_at, step.confirmed_at]
    return max(t for t in times if t is not None).astimezone(dt.UTC).isoformat()


def deal_list(
    session: Session,
    user: User,
    today: dt.date,
    tz: dt.tzinfo,
    process: SalesProcess | None = None,
) -> DealList:
    """The user's open deals with health and next customer step, in a constant number of queries."""
    return DealList(deal_lines(session, crud.open_deals(session, user), today, tz, None, process))


def team_deal_list(
    session: Session, manager: User, today: dt.date, tz: dt.tzinfo
) -> DealList | None:
    """A manager's view: every open deal of their team's reps, each titled with its rep.

    None when `manager` manages no team (a rep sees only their own deals).
    """
    team = crud.team_of_manager(session, manager)
    if team is None:
        return None
    owned = crud.team_deals(session, team)
    names = {rep.id: rep.display_name or rep.platform_user_id for rep, _ in owned}
    deals = [d for _, ds in owned for d in ds]
    lines = deal_lines(session, deals, today, tz, names)
    n = len(lines)
    return DealList(lines, title=f"Team {team.name}: {n} open deal{'' if n == 1 else 's'}")


def deal_lines(
    session: Session,
    deals: list[Deal],
    today: dt.date,
    tz: dt.tzinfo,
    owners: dict[int | None, str] | None = None,
    process: SalesProcess | None = None,
) -> tuple[DealLine, ...]:
    """One line per deal (health, next customer step, due this week); `owners` prefixes
    each title with its rep's name. Two queries however many deals."""
    plans = crud.plans_for(session, deals, tz)
    week_end = today + dt.timedelta(days=6 - today.weekday())
    lines = []
    for d in deals:
        plan, _ = plans[d.id or 0]
        nxt = plan.next_step("customer", today)
        lines.append(
            DealLine(
                deal_id=d.id or 0,
                title=f"{owners[d.owner_id]}: {d.title}" if owners else d.title,
                decision_date=d.decision_date,
                health=assess_with(process, d.stage, plan, today)[0],
                next_customer_step=nxt.description if nxt else None,
                next_customer_due=nxt.due if nxt else None,
                # Overdue steps are not "due this week": health names them as overdue.
                due_this_week=sum(
                    1 for s in plan.open_steps if s.due and today <= s.due <= week_end
                ),
                today=today,
                confirmed=plan.confirmed_note(d.account) or "",
            )
        )
    return tuple(lines)
