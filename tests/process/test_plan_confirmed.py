"""Buyer-confirmed vs seller-assumed (issue 16): the count, the risk reason, the digest line."""

from __future__ import annotations

import datetime as dt

from bot.messages import Section
from bot.notices import digest as digest_replies
from process.cadence import DealPlan, Rep, digest
from process.plan import CONFIRM_DAYS, Plan, Step, assess

TODAY = dt.date(2026, 11, 24)
REASON = "no customer step confirmed by the customer"


def plan(confirmed: tuple[str | None, ...], decision_in: int, shared: bool = True) -> Plan:
    steps = [
        Step(i, f"customer step {i}", "customer", TODAY + dt.timedelta(days=2 + i), confirmed_by=c)
        for i, c in enumerate(confirmed, 1)
    ]
    steps.append(Step(99, "our step", "us", TODAY + dt.timedelta(days=3)))
    return Plan(TODAY + dt.timedelta(days=decision_in), tuple(steps), shared=shared)


def test_confirmed_note_counts_customer_steps() -> None:
    p = plan(("Maria", None, "Lee", None), 30)
    assert p.confirmed_note("Acme") == "2 of 4 customer steps confirmed by Acme"
    assert plan((None,), 30, shared=False).confirmed_note("Acme") is None  # never shared


def test_all_unconfirmed_close_to_the_decision_is_a_risk_reason() -> None:
    near, far = CONFIRM_DAYS, CONFIRM_DAYS + 1
    assert REASON in assess(plan((None, None), near), TODAY).reasons
    assert REASON not in assess(plan((None, None), far), TODAY).reasons
    assert REASON not in assess(plan(("Maria", None), near), TODAY).reasons
    assert REASON not in assess(plan((None, None), near, shared=False), TODAY).reasons
    worse = assess(plan((None, None), near), TODAY).score
    assert worse < assess(plan(("Maria", None), near), TODAY).score


def test_the_manager_digest_shows_the_count() -> None:
    rep = Rep(1, "slack:T1", "U1", "Dana")
    deal = DealPlan(7, 1, "Acme — renewal", plan(("Maria", None, None, None), 30), account="Acme")
    d = digest("Sales", [rep], [deal], TODAY, TODAY - dt.timedelta(days=7))
    assert d.reps[0].deals[0].confirmed == "1 of 4 customer steps confirmed by Acme"
    lines = [line for r in digest_replies(d) if isinstance(r, Section) for line in r.lines]
    assert any("1 of 4 customer steps confirmed by Acme" in line for line in lines)
