"""Replies at real size for the limit tests: a 40-step plan, a 60-deal list, a 30-rep digest.

Texts are as long as real ones get (deal titles, step descriptions and health reasons of
a busy team), so the rendered messages meet Slack's and Microsoft's size limits, not only
their block counts.
"""

from __future__ import annotations

import datetime as dt

from bot import notices
from bot.messages import DealLine, DealList, PlanCard, Reply, StepView
from bot.views import step_buttons
from process.cadence import DealDigest, Digest, Rep, RepDigest
from process.plan import Health, Step

TODAY = dt.date(2026, 11, 30)
RISKY = Health(41, "off track", ("no customer step", "2 steps overdue", "decision date moved"))
STEP = "Walk the customer's security team through our SOC 2 report and pen-test summary"


def plan_40_steps() -> PlanCard:
    steps = tuple(
        StepView(
            id=1000 + i,
            description=f"{STEP} (round {i + 1})",
            side="customer" if i % 2 else "us",
            owner="Maria Keller-Brandt" if i % 2 else None,
            due=TODAY + dt.timedelta(days=i),
            status="open",
            overdue=i < 3,
            slips=i % 3,
            actions=step_buttons(1000 + i),
            number=i + 1,
        )
        for i in range(40)
    )
    return PlanCard(
        deal_id=7,
        title="Globex Corporation — Platform renewal and expansion 2027",
        decision_date=TODAY + dt.timedelta(days=45),
        days_left=45,
        health=RISKY,
        steps=steps,
        context="Renewal with an upsell to 1,200 seats; procurement changed in October.",
        risk="Budget is frozen until the board meets in January.",
        gaps=(
            "3 steps overdue",
            "no customer step after Jan 12",
            "the last step is after the decision",
        ),
    )


def deal_list_60() -> DealList:
    return DealList(
        tuple(
            DealLine(
                deal_id=i,
                title=f"Account number {i:02d} Holdings — Expansion into the EMEA region",
                decision_date=TODAY + dt.timedelta(days=10 + i),
                health=RISKY,
                next_customer_step="Their procurement team sends the redlined master agreement",
                next_customer_due=TODAY + dt.timedelta(days=3 + i % 9),
                due_this_week=i % 3,
            )
            for i in range(60)
        )
    )


def digest_30_reps() -> list[Reply]:
    """About 36,000 characters: the realistic digest the issue measured."""
    reps = []
    for r in range(30):
        rep = Rep(r, "slack:T0TEAM", f"U{r:04d}", f"Representative Number {r:02d}", "Europe/Berlin")
        deals = tuple(
            DealDigest(
                deal_id=r * 100 + d,
                title=f"Customer {r:02d}-{d} Industries — Multi-year platform deal",
                decision_date=TODAY + dt.timedelta(days=20 + d),
                health=RISKY,
                next_customer=Step(1, "Their CFO signs the order form", "customer", TODAY),
                overdue=(
                    Step(
                        2, "Send the revised pricing proposal", "us", TODAY - dt.timedelta(days=2)
                    ),
                ),
            )
            for d in range(5)
        )
        reps.append(RepDigest(rep, deals, 0.5, 12))
    return notices.digest(
        Digest("Enterprise EMEA", TODAY, TODAY - dt.timedelta(days=7), tuple(reps))
    )


def every_text(obj: object) -> str:
    """All strings anywhere in a rendered payload, joined: to check nothing was left out."""
    if isinstance(obj, dict):
        return " ".join(every_text(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return " ".join(every_text(v) for v in obj)
    return obj if isinstance(obj, str) else ""
