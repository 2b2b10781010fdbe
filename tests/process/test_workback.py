"""The work-back check, the steps offered to a stuck rep, and the due date proposed for one.

The property tests build random processes, plans and decision dates and compare the check
with an oracle written here, counting working days one calendar day at a time: the check
never flags a plan that fits and always flags one that does not.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from process.plan import Plan, Step
from process.sales_process import SalesProcess, default_process
from process.workback import propose_due, suggest, too_many_steps, work_back
from process.workdays import add_working_days, holiday_dates, subtract_working_days

TODAY = dt.date(2026, 11, 24)  # a Tuesday, the dev sets' "today"


def step(i: int, text: str, due: dt.date | None, side: str = "customer", status: str = "open") -> Step:
    return Step(id=i, description=text, side=side, due=due, status=status)  # type: ignore[arg-type]


def make_process(leads: list[int], holidays: str | None = None) -> SalesProcess:
    """One stage per lead time, one criterion each, matched by the word `critN`."""
    return SalesProcess.model_validate(
        {
            "name": "random",
            "holidays": holidays,
            "stages": [
                {
                    "id": f"s{i}",
                    "name": f"Stage {i}",
                    "exit_criteria": [
                        {
                            "id": f"c{i}",
                            "name": f"Crit{i}",
                            "text": f"criterion {i}",
                            "lead_days": lead,
                            "source": "test",
                            "match": [f"crit{i}"],
                        }
                    ],
                }
                for i, lead in enumerate(leads)
            ],
        }
    )


def oracle_earliest(today: dt.date, leads: list[int], dues: list[dt.date | None], hol: frozenset[dt.date]) -> dt.date:
    """Criteria one after another; each ends `lead` working days on, or at its step's later due."""
    d = today
    for lead, due in zip(leads, dues, strict=True):
        left = lead
        while left:
            d += dt.timedelta(days=1)
            if d.weekday() < 5 and d not in hol:
                left -= 1
        if due is not None and due > d:
            d = due
    return d


plans = st.lists(
    st.tuples(st.integers(0, 30), st.none() | st.integers(-5, 120)), min_size=1, max_size=8
)


@settings(max_examples=300, deadline=None)
@given(plans, st.integers(0, 200), st.sampled_from([None, "US", "DE"]), st.integers(0, 700))
def test_flags_exactly_the_plans_that_cannot_make_their_date(
    spec: list[tuple[int, int | None]], decision_in: int, country: str | None, start: int
) -> None:
    today = TODAY + dt.timedelta(days=start)
    leads = [lead for lead, _ in spec]
    dues = [None if off is None else today + dt.timedelta(days=off) for _, off in spec]
    process = make_process(leads, country)
    steps = tuple(step(i, f"work on crit{i}", due) for i, due in enumerate(dues))
    decision = today + dt.timedelta(days=decision_in)
    check = work_back(process, None, Plan(decision, steps), today)
    hol = holiday_dates(country, today.year, today.year + 2)
    earliest = oracle_earliest(today, leads, dues, hol)
    assert check.earliest == earliest
    assert check.fits == (earliest <= decision)
    if check.fits:
        assert check.reason() == ""
    else:
        assert "the earliest realistic decision is" in check.reason()
        assert "after your date" in check.reason()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=6), st.integers(0, 120), st.integers(1, 10))
def test_more_lead_time_never_makes_a_flagged_plan_fit(leads: list[int], decision_in: int, extra: int) -> None:
    decision = TODAY + dt.timedelta(days=decision_in)
    before = work_back(make_process(leads), None, Plan(decision), TODAY)
    longer = work_back(make_process([leads[0] + extra, *leads[1:]]), None, Plan(decision), TODAY)
    assert longer.earliest >= before.earliest
    if not before.fits:
        assert not longer.fits


def test_done_steps_meet_their_criteria_and_later_stages_are_all_that_is_left() -> None:
    process = make_process([10, 10, 10])
    decision = add_working_days(TODAY, 15)
    assert not work_back(process, "s0", Plan(decision), TODAY).fits
    done = Plan(decision, (step(1, "crit0 done", None, status="done"),))
    assert not work_back(process, "s0", done, TODAY).fits  # still 20 days ahead
    assert work_back(process, "s2", Plan(decision), TODAY).fits  # only the last stage is left


def test_the_issue_example_in_words() -> None:
    # Deal in the security/legal/procurement stage with security already passed: legal (10)
    # then procurement (5) then signature (2) still ahead, decision date Dec 31.
    process = default_process()
    today = dt.date(2026, 12, 10)
    plan = Plan(
        dt.date(2026, 12, 31),
        (
            step(1, "Security questionnaire answered", None, status="done"),
            step(2, "Legal reviews our MSA", dt.date(2026, 12, 18)),
            step(3, "Procurement raises the PO", dt.date(2026, 12, 23)),
        ),
    )
    check = work_back(process, "security_legal_procurement", plan, today)
    hol = holiday_dates("US", 2026, 2028)
    assert check.earliest == add_working_days(today, 10 + 5 + 2, hol)
    assert check.reason() == (
        "Legal (10 days), Procurement (5 days) and Signature (2 days) still ahead: the "
        f"earliest realistic decision is {check.earliest:%a %b} {check.earliest.day}, "
        f"{check.earliest.year}, after your date Thu Dec 31"
    )


def test_with_no_stage_only_the_criteria_the_plan_names_count() -> None:
    process = make_process([10, 10, 10])
    decision = add_working_days(TODAY, 15)
    assert work_back(process, None, Plan(decision), TODAY).fits  # not assumed at the start
    named = Plan(decision, (step(1, "crit1 then crit2", None), step(2, "crit2 again", None)))
    check = work_back(process, None, named, TODAY)
    assert [a.criterion.id for a in check.ahead] == ["c1", "c2"] and not check.fits


def test_a_plan_with_room_fits_and_says_nothing() -> None:
    process = default_process()
    plan = Plan(dt.date(2027, 3, 31), (step(1, "Sign the order form", dt.date(2027, 3, 30)),))
    check = work_back(process, "signature_kickoff", plan, TODAY)
    assert check.fits and check.reason() == ""


def test_suggestions_come_from_the_stage_and_side_and_skip_what_the_plan_holds() -> None:
    process = default_process()
    stage = process.stage("security_legal_procurement")
    assert stage is not None
    got = suggest(process, stage.id, "customer", Plan(None))
    assert [s.text for s in got[:3]] == [s.text for s in stage.customer_steps]
    held = Plan(None, (step(1, "Their legal team reviews the MSA", None),))
    texts = [s.text for s in suggest(process, stage.id, "customer", held)]
    assert "Legal reviews our MSA and sends redlines" not in texts
    assert 2 <= len(texts) <= 4
    ours = suggest(process, stage.id, "us", Plan(None))
    assert ours[0].text.startswith("Send the security pack")


def test_proposed_due_works_back_from_the_decision_date() -> None:
    process = default_process()
    hol = holiday_dates("US", 2027, 2029)
    decision = dt.date(2027, 3, 31)
    today = dt.date(2027, 1, 11)
    sign = process.stages[-1].customer_steps[0]  # meets `signed`, the last criterion
    p = propose_due(process, sign.lead_days, sign.meets, decision, today)
    assert p.due == decision
    # Its first day of work: the 2nd working day back from the decision, that day included.
    assert p.start_by == subtract_working_days(decision, 1, hol) and p.start_by.weekday() < 5
    legal = process.stages[3].customer_steps[1]  # legal, then procurement (5) and signing (2)
    p = propose_due(process, legal.lead_days, legal.meets, decision, today)
    assert p.due == subtract_working_days(decision, 7, hol)
    assert add_working_days(p.start_by, legal.lead_days - 1, hol) == p.due or p.due.weekday() >= 5
    assert p.start_by.weekday() < 5
    late = propose_due(process, legal.lead_days, legal.meets, dt.date(2027, 1, 14), today)
    assert late.late and late.due == add_working_days(today, legal.lead_days, hol)


def test_warns_past_the_process_step_limit() -> None:
    process = default_process()
    plan = Plan(None, tuple(step(i, f"s{i}", None) for i in range(21)))
    assert too_many_steps(process, plan) == "21 open steps: plans past 20 do no better than none"
    assert too_many_steps(process, Plan(None, plan.steps[:20])) == ""


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 900), st.integers(0, 40), st.sampled_from([None, "US", "GB"]))
def test_working_days_back_and_forth(offset: int, n: int, country: str | None) -> None:
    end = TODAY + dt.timedelta(days=offset)
    hol = holiday_dates(country, end.year - 1, end.year + 1)
    start = subtract_working_days(end, n, hol)
    # The latest start that still finishes by `end`: one day later would not.
    assert add_working_days(start, n, hol) <= end
    if n:
        assert add_working_days(start + dt.timedelta(days=1), n, hol) > end or not (
            (start + dt.timedelta(days=1)).weekday() < 5
            and start + dt.timedelta(days=1) not in hol
        )
    working = [
        end - dt.timedelta(days=k)
        for k in range((end - start).days)
        if (end - dt.timedelta(days=k)).weekday() < 5 and end - dt.timedelta(days=k) not in hol
    ]
    assert len(working) == n  # exactly n working days in (start, end]


def test_getting_ready_for_a_pilot_or_half_doing_it_does_not_validate_the_solution() -> None:
    """Tester's defect 2: done steps that only prepare the pilot (its success criteria, its
    environment) met `solution_fit`, and so did a pilot reported half done."""
    from process.workback import stage_reached

    process = default_process()
    agree, pilot = "Agree the success criteria for the evaluation", "Run a technical evaluation or pilot with their team"
    setup = "Set up the pilot environment and a check-in halfway through"

    def reached(*steps: Step) -> str | None:
        return stage_reached(process, "solution_validated", Plan(TODAY + dt.timedelta(60), steps))

    assert reached(step(1, agree, None, status="done"), step(2, setup, None, "us", "done")) == (
        "solution_validated"
    )
    half = step(3, f"Finish: {pilot}", TODAY)  # what bot/review/followup.py leaves open
    assert reached(step(1, pilot, None, status="done"), half) == "solution_validated"
    assert reached(step(1, pilot, None, status="done")) == "business_case_approved"
    stage = process.stage("solution_validated")
    assert stage is not None
    prepared = {s.text: (s.meets, s.prepares) for s in stage.customer_steps + stage.our_steps}
    assert prepared[agree] == prepared[setup] == (None, "solution_fit")
    # a preparation is due before the pilot's own ten days, not with it
    decision = dt.date(2027, 3, 31)
    assert propose_due(process, 3, None, decision, TODAY, prepares="solution_fit").due < (
        propose_due(process, 10, "solution_fit", decision, TODAY).due - dt.timedelta(days=10)
    )
