"""The sales process in the review: the stage asked once, steps offered to a stuck rep, the
due date worked back, the work-back check at the summary, and the indecision check."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.engine import Coach
from bot.messages import PlanCard
from process.sales_process import default_process
from process.workback import propose_due
from storage import crud
from storage.db import Database
from storage.models import Deal, DealStageChange, PlanStep
from tests.bot.chat import Chat
from tests.conftest import T0, FakeClock

TODAY = T0.date()  # Tue Nov 24 2026 (New York)


def start(chat: Chat, decision: str = "Mar 31", stage: str = "Security") -> None:
    chat.command("review")
    chat.say("Acme Corp - renewal")
    chat.say(decision)
    assert chat.stage == "deal_stage"
    chat.click(chat.choice(stage))
    assert chat.stage == "context"
    chat.say("We demoed last week.")
    assert chat.stage == "customer_next"


def test_the_stage_is_asked_once_and_recorded(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    start(chat)
    with db.session() as s:
        deal = s.exec(select(Deal)).one()
        change = s.exec(select(DealStageChange)).one()
    assert deal.stage == "security_legal_procurement"
    assert (change.old_stage, change.new_stage, change.reason) == (
        None,
        "security_legal_procurement",
        "first set",
    )


def test_a_stuck_rep_is_offered_customer_steps_and_a_worked_back_date(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    start(chat)
    out = chat.say("no idea what they do next")
    assert chat.stage == "suggest"
    q = chat.question
    assert q is not None
    offered = [c for c in q.choices if c.value.startswith("suggest:") and c.value != "suggest:none"]
    assert 2 <= len(offered) <= 4
    process = default_process()
    stage = process.stage("security_legal_procurement")
    assert stage is not None
    assert offered[0].label.startswith(stage.customer_steps[0].text)
    assert "Security, legal and procurement" in out
    chat.click(offered[1].value)  # legal reviews our MSA
    assert chat.stage == "step_owner"
    out = chat.say("Dana, their counsel")
    legal = stage.customer_steps[1]
    decision = dt.date(2027, 3, 31)
    expected = propose_due(process, legal.lead_days, legal.meets, decision, TODAY)
    assert f"~{legal.lead_days} working days" in out and "start by" in out
    assert chat.stage == "step_due"
    proposed = chat.choice("Proposed")
    assert proposed == f"date:{expected.due.isoformat()}"
    chat.click(proposed)
    assert chat.stage == "us_next"
    with db.session() as s:
        step = s.exec(select(PlanStep)).one()
    assert (step.description, step.side, step.owner, step.due) == (
        legal.text,
        "customer",
        "Dana, their counsel",
        expected.due,
    )


def test_a_second_vague_answer_offers_steps_and_the_rep_can_type_their_own(coach: Coach) -> None:
    chat = Chat(coach)
    start(chat)
    chat.say("we'll see how it goes")
    assert chat.stage is None  # the usual redirect first
    chat.say("things will progress")
    assert chat.stage == "suggest"
    chat.say("Their CFO signs off the budget by Dec 4")
    assert chat.stage == "us_next"


def test_none_of_these_notes_the_gap_and_moves_on(coach: Coach) -> None:
    chat = Chat(coach)
    start(chat)
    chat.say("idk")
    chat.click("suggest:none")
    assert chat.stage == "us_next"


def test_suggestions_skip_what_the_plan_holds(coach: Coach) -> None:
    chat = Chat(coach)
    start(chat)
    chat.say("Their legal team reviews our MSA by Dec 18")
    chat.click("owner:skip")
    assert chat.stage == "us_next"
    chat.say("not sure")
    q = chat.question
    assert q is not None and chat.stage == "suggest"
    labels = [c.label for c in q.choices]
    # The plan holds a step on the legal criterion: our legal steps are not offered again.
    assert not any(label.startswith(("Send our MSA", "Book a call between")) for label in labels)
    assert any(label.startswith("Send the security pack") for label in labels)


def test_the_summary_flags_a_plan_that_cannot_make_its_date(coach: Coach) -> None:
    chat = Chat(coach)
    start(chat, decision="Dec 18")
    chat.say("Legal reviews our MSA by Dec 16")
    chat.say("I send the order form by Dec 17")
    chat.say("that's all")
    chat.click("risk:skip")
    assert chat.stage == "summary"
    card = next(r for r in chat.last.replies if isinstance(r, PlanCard))
    assert card.stage == "Security, legal and procurement"
    assert card.cannot_make.startswith("Security review (15 days)")
    assert "after your date Fri Dec 18" in card.cannot_make
    assert any(g.startswith("can't make the decision date") for g in card.gaps)
    assert "won't move it silently" in chat.text


def test_the_indecision_check_offers_a_de_risking_step_as_ours(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    start(chat)
    chat.say("Their CFO signs off the budget by Dec 5")
    chat.say("I send the proposal by Friday")
    chat.say("that's all")
    assert chat.stage == "risk"
    chat.click(chat.choice("Too many options"))
    assert chat.stage == "risk_step" and "clear recommendation" in chat.text
    chat.click("riskstep:add")
    assert chat.stage == "step_due"
    chat.click(chat.choice("Proposed"))
    assert chat.stage == "summary"
    with db.session() as s:
        deal = s.exec(select(Deal)).one()
        steps = s.exec(select(PlanStep).order_by(PlanStep.id)).all()
    assert deal.risk == "Too many options"
    assert steps[-1].side == "us" and steps[-1].description.startswith("Make a clear recommendation")


def test_a_workspace_process_changes_the_suggestions_there_only(
    db: Database, clock: FakeClock
) -> None:
    text = (
        default_process_text()
        .replace("Send us their security questionnaire", "Fill in the ACME-ONLY vendor form")
    )
    with db.session() as s:
        crud.save_workspace_process(s, "console:custom", "Custom", text, T0)
    coach = Coach(db, clock=clock, default_timezone="America/New_York")
    custom = Chat(coach, workspace="console:custom")
    plain = Chat(coach, workspace="console:plain")
    for chat in (custom, plain):
        start(chat)
        chat.say("no idea")
    assert "ACME-ONLY vendor form" in custom.text
    assert "ACME-ONLY" not in plain.text and "Send us their security questionnaire" in plain.text


def test_a_workspace_process_sets_its_fiscal_year_and_date_order(
    db: Database, clock: FakeClock
) -> None:
    """A July fiscal year makes "end of Q2" Dec 31 (calendar: Jun 30), and DMY makes 3/12
    the 3rd of December, for a rep in New York whose zone alone says MM/DD."""
    text = (
        default_process_text()
        .replace("fiscal_year_start: 1", "fiscal_year_start: 7")
        .replace("date_order: auto", "date_order: DMY")
    )
    with db.session() as s:
        crud.save_workspace_process(s, "console:fy", "FY", text, T0)
    coach = Coach(db, clock=clock, default_timezone="America/New_York")
    custom, plain = Chat(coach, workspace="console:fy"), Chat(coach, workspace="console:cal")
    for chat in (custom, plain):
        start(chat, decision="Sep 30")
        chat.say("Their CFO signs the order form by end of Q2")
        chat.say("We send the security pack by 3/12")
    with db.session() as s:
        dues = {
            (d.workspace_id, st.description.split(" by ")[0]): st.due
            for d in s.exec(select(Deal)).all()
            for st in s.exec(select(PlanStep).where(PlanStep.deal_id == d.id)).all()
        }
    fy = {k[1]: v for k, v in dues.items() if k[0] == "console:fy"}
    cal = {k[1]: v for k, v in dues.items() if k[0] == "console:cal"}
    assert fy["Their CFO signs the order form"] == dt.date(2026, 12, 31)
    assert fy["We send the security pack"] == dt.date(2026, 12, 3)
    assert cal["Their CFO signs the order form"] == dt.date(2027, 6, 30)
    assert cal["We send the security pack"] == dt.date(2027, 3, 12)


def default_process_text() -> str:
    from process.sales_process import default_text

    return default_text()


def test_the_stage_moves_when_done_steps_meet_its_criteria_or_when_the_rep_says(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    chat = Chat(coach)
    chat.command("review")
    chat.say("Acme Corp - renewal")
    chat.say("Mar 31")
    chat.click(chat.choice("Problem agreed"))
    chat.say("We met the sponsor.")
    chat.say("Their sponsor confirms the problem and its cost by Dec 4")
    chat.say("I send the summary by Friday")
    chat.say("that's all")
    chat.click("risk:skip")
    chat.click("summary:confirm")
    with db.session() as s:
        step = s.exec(select(PlanStep).where(PlanStep.side == "customer")).one()
        step.status = "done"
        s.add(step)
    clock.advance(days=14)
    chat.command("review", "acme")
    while chat.stage == "confirm_due":
        chat.click("due:done")
    chat.click("decision:keep")
    assert "moved to Solution validated" in chat.text and chat.stage == "context"
    out = chat.command("stage")
    assert chat.stage == "deal_stage" and "buying journey" in out
    chat.click(chat.choice("Business case"))
    assert chat.stage == "context"
    with db.session() as s:
        changes = s.exec(select(DealStageChange).order_by(DealStageChange.id)).all()
    assert [(c.new_stage, c.reason) for c in changes] == [
        ("problem_agreed", "first set"),
        ("solution_validated", "exit criteria met"),
        ("business_case_approved", "moved by the rep"),
    ]


def test_our_first_person_step_is_owned_by_the_rep_like_a_picked_one(
    coach: Coach, db: Database
) -> None:
    """Tester's defect 3: "I send…" got no owner while a suggested step picked with "Me" got
    the rep's name. Both are the rep's (their display name, here "Alice")."""
    chat = Chat(coach)
    start(chat)
    chat.say("Their CFO signs off the budget by Dec 11")
    assert chat.stage == "us_next"
    out = chat.say("I send the SOC 2 report by Dec 4")
    assert "Added to the plan: Us (Alice): I send the SOC 2 report" in out
    chat.say("no idea")
    assert chat.stage == "suggest"
    chat.click(chat.choice("Send our MSA"))
    assert chat.stage == "step_owner"
    chat.click("owner:me")
    chat.click(chat.choice("Proposed"))
    chat.say("We book the kickoff by Dec 9")  # "we" names no one in particular
    with db.session() as s:
        owners = [(p.side, p.owner) for p in s.exec(select(PlanStep).order_by(PlanStep.number))]
    assert owners == [("customer", None), ("us", "Alice"), ("us", "Alice"), ("us", None)]


def test_a_half_done_pilot_does_not_move_the_stage_until_the_rest_is_done(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    """Tester's defect 2, end to end: "half done" closed the pilot step as done, its words met
    the Solution validation criterion, and the deal moved on with the pilot unfinished."""
    chat = Chat(coach)
    chat.command("review")
    chat.say("Acme Corp - renewal")
    chat.say("Mar 31")
    chat.click(chat.choice("Solution validated"))
    chat.say("Pilot is set up.")
    chat.say("Raj completes the pilot with their team by Dec 4")
    chat.say("I send the summary by Friday")
    chat.say("that's all")
    chat.click("risk:skip")
    chat.click("summary:confirm")
    clock.advance(days=14)
    chat.command("review", "acme")
    while chat.stage == "confirm_due" and "Raj" not in (chat.question.text if chat.question else ""):
        chat.click("due:done")  # our summary, due first
    assert chat.stage == "confirm_due" and "Raj completes the pilot" in chat.text
    out = chat.say("half done, still need to run the review call")
    assert "Still open, as #3: Run the review call (to finish: Raj completes the pilot with their team)" in out
    chat.say("Dec 18")  # the rest's date
    while chat.stage == "confirm_due":
        chat.click("due:done")
    chat.click("decision:keep")
    assert "moved to" not in chat.text and chat.stage == "context"
    with db.session() as s:
        assert s.exec(select(Deal)).one().stage == "solution_validated"
