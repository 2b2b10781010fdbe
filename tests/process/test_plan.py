"""Plan health: each rule shows up as a reason in words, and the score orders plans sensibly."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from process.plan import Plan, Step, assess

TODAY = dt.date(2026, 11, 24)
DECISION = dt.date(2026, 12, 18)


def step(i: int, side: str | None, due: dt.date | None, status: str = "open") -> Step:
    return Step(id=i, description=f"step {i}", side=side, due=due, status=status)  # type: ignore[arg-type]


def healthy() -> Plan:
    return Plan(
        decision_date=DECISION,
        steps=(step(1, "customer", dt.date(2026, 12, 1)), step(2, "us", dt.date(2026, 12, 15))),
        last_reviewed=TODAY,
    )


def test_a_complete_plan_is_healthy_with_no_reasons() -> None:
    h = assess(healthy(), TODAY)
    assert (h.score, h.label, h.reasons) == (100, "healthy", ())


def test_no_customer_step_is_named_and_hurts_most() -> None:
    plan = Plan(DECISION, (step(1, "us", dt.date(2026, 12, 15)),))
    h = assess(plan, TODAY)
    assert "no customer step" in h.reasons
    assert h.label != "healthy"


def test_overdue_undated_ownerless_and_late_steps_are_counted() -> None:
    plan = Plan(
        DECISION,
        (
            step(1, "customer", dt.date(2026, 11, 20)),
            step(2, "customer", dt.date(2026, 11, 23)),
            step(3, "us", None),
            step(4, None, dt.date(2026, 12, 10)),
            step(5, "us", dt.date(2026, 12, 20)),
        ),
    )
    reasons = assess(plan, TODAY).reasons
    assert "2 steps overdue" in reasons
    assert "1 step with no date" in reasons
    assert "1 step with no owner" in reasons
    assert "1 step after the decision date" in reasons


def test_closed_steps_do_not_count() -> None:
    plan = Plan(
        DECISION,
        healthy().steps + (step(9, "customer", dt.date(2026, 11, 1), status="done"),),
        last_reviewed=TODAY,
    )
    assert assess(plan, TODAY).reasons == ()


def test_moved_decision_date_and_stale_review_and_short_plan() -> None:
    plan = Plan(
        dt.date(2027, 3, 1),
        (step(1, "customer", dt.date(2026, 12, 1)), step(2, "us", dt.date(2026, 12, 2))),
        decision_date_moves=2,
        last_reviewed=TODAY - dt.timedelta(days=20),
    )
    reasons = assess(plan, TODAY).reasons
    assert "decision date moved 2 times" in reasons
    assert "not reviewed for 20 days" in reasons
    assert any(r.startswith("plan stops") for r in reasons)


def test_missing_or_passed_decision_date() -> None:
    assert "no decision date" in assess(Plan(None, healthy().steps), TODAY).reasons
    passed = assess(Plan(dt.date(2026, 11, 1), healthy().steps), TODAY).reasons
    assert any(r.startswith("decision date passed") for r in passed)


def test_next_step_is_the_earliest_open_one_of_that_side() -> None:
    plan = Plan(
        DECISION,
        (
            step(1, "customer", None),
            step(2, "customer", dt.date(2026, 12, 9)),
            step(3, "customer", dt.date(2026, 12, 2), status="done"),
            step(4, "customer", dt.date(2026, 12, 4)),
        ),
    )
    nxt = plan.next_step("customer", TODAY)
    assert nxt is not None and nxt.id == 4


sides = st.sampled_from(["customer", "us", None])
dates = st.one_of(st.none(), st.dates(dt.date(2026, 10, 1), dt.date(2027, 6, 1)))


@given(
    st.lists(st.tuples(sides, dates, st.sampled_from(["open", "done", "dropped"])), max_size=12),
    dates,
    st.integers(0, 5),
)
def test_score_is_bounded_and_label_follows_score(steps, decision, moves) -> None:  # type: ignore[no-untyped-def]
    plan = Plan(decision, tuple(step(i, s, d, st_) for i, (s, d, st_) in enumerate(steps)), moves)
    h = assess(plan, TODAY)
    assert 0 <= h.score <= 100
    assert h.label == ("healthy" if h.score >= 80 else "at risk" if h.score >= 50 else "off track")
    assert (h.score == 100) == (h.reasons == ())


@given(dates)
def test_adding_an_overdue_step_never_improves_health(due) -> None:  # type: ignore[no-untyped-def]
    base = healthy()
    worse = Plan(
        base.decision_date, base.steps + (step(7, "customer", dt.date(2026, 11, 1)),), 0, TODAY
    )
    assert assess(worse, TODAY).score <= assess(base, TODAY).score


def test_a_plan_ending_57_days_early_is_not_healthy() -> None:
    decision = TODAY + dt.timedelta(days=70)
    plan = Plan(
        decision,
        (
            step(1, "customer", TODAY + dt.timedelta(days=6)),
            step(2, "us", TODAY + dt.timedelta(days=13)),
        ),
        last_reviewed=TODAY,
    )
    h = assess(plan, TODAY)
    assert "plan stops 57 days before the decision date" in h.reasons
    assert h.label != "healthy" and h.score <= 60


def test_a_long_silence_inside_the_plan_costs() -> None:
    plan = Plan(
        DECISION,
        (step(1, "customer", dt.date(2026, 11, 25)), step(2, "us", dt.date(2026, 12, 17))),
        last_reviewed=TODAY,
    )
    h = assess(plan, TODAY)
    assert h.reasons == ("no step for 22 days (Nov 25 – Dec 17)",) and h.score == 90


def test_slips_cost_and_say_so() -> None:
    base = healthy()
    slipped = Plan(
        DECISION,
        (Step(1, "step 1", "customer", dt.date(2026, 12, 1), slips=3), base.steps[1]),
        last_reviewed=TODAY,
    )
    h = assess(slipped, TODAY)
    assert "steps slipped 3 times" in h.reasons and h.score == 85


def test_no_customer_step_is_never_healthy() -> None:
    plan = Plan(
        DECISION,
        (step(1, "us", dt.date(2026, 12, 1)), step(2, "us", dt.date(2026, 12, 15))),
        last_reviewed=TODAY,
    )
    h = assess(plan, TODAY)
    assert h.label != "healthy" and "no customer step" in h.reasons
