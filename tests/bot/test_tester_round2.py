"""Defects a fresh tester found in the review dialog (round 2): each test is one of them."""

from __future__ import annotations

from sqlmodel import select

from bot.engine import Coach
from storage.db import Database
from storage.models import Deal, PlanStep, Review
from tests.bot.chat import Chat
from tests.conftest import FakeClock


def new_deal(chat: Chat, decision: str = "Mar 31") -> None:
    chat.command("review")
    chat.say("Zed - x")
    chat.say(decision)
    assert chat.stage == "deal_stage", chat.text


def to_context(chat: Chat) -> None:
    new_deal(chat)
    chat.click(chat.choice("Solution"))
    assert chat.stage == "context", chat.text


def plan(db: Database) -> tuple[Deal, list[PlanStep], Review]:
    with db.session() as s:
        deal = s.exec(select(Deal)).one()
        steps = list(s.exec(select(PlanStep).order_by(PlanStep.number)))
        review = s.exec(select(Review)).one()
    return deal, steps, review


# --- 1. free text at the stage question --------------------------------------------------


def test_a_stage_named_by_its_work_is_read(coach: Coach, db: Database) -> None:
    for typed, stage in [
        ("pilot", "solution_validated"),
        ("security review", "security_legal_procurement"),
        ("they're in procurement", "security_legal_procurement"),
    ]:
        chat = Chat(coach, user=f"u{len(typed)}")
        new_deal(chat)
        out = chat.say(typed)
        assert chat.stage == "context", out
        with db.session() as s:
            deal = s.exec(select(Deal).order_by(Deal.id.desc())).first()  # type: ignore[union-attr]
        assert deal is not None and deal.stage == stage, (typed, deal)


def test_a_step_typed_at_the_stage_question_is_kept_and_the_stage_asked_again(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    new_deal(chat)
    out = chat.say(
        "we had the budget meeting tuesday, anyway Raj needs to send the finance approval "
        "by the 15th"
    )
    assert chat.stage == "deal_stage", out
    out = chat.click(chat.choice("Business case"))
    assert "Added to the plan" in out and "Raj" in out, out
    assert chat.stage == "us_next", out
    deal, steps, review = plan(db)
    assert deal.stage == "business_case_approved"
    assert [(s.side, s.owner, s.due.isoformat() if s.due else None) for s in steps] == [
        ("customer", "Raj", "2026-12-15")
    ]
    assert "budget meeting" in review.context


def skip_owner(chat: Chat, out: str) -> str:
    """Answer "Who on their side owns this?" (asked for a customer step with no named owner)
    with Skip, as a rep who doesn't know would."""
    return chat.click("owner:skip") if chat.stage == "step_owner" else out


# --- 2. history then a step at the context question --------------------------------------


def test_history_then_a_step_at_the_context_question_keeps_both(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_context(chat)
    out = chat.say("Demo went well. They will send the security questionnaire by Friday")
    assert "Noted: Demo went well" in out, out
    out = skip_owner(chat, out)
    assert "Added to the plan" in out, out
    assert chat.stage == "us_next", out
    _, steps, review = plan(db)
    assert review.context == "Demo went well"
    assert len(steps) == 1 and "security questionnaire" in steps[0].description
    assert steps[0].side == "customer" and steps[0].due and steps[0].due.isoformat() == "2026-11-27"


# --- 3. undo after a correction -----------------------------------------------------------


def test_undo_after_a_correction_takes_back_the_correction_only(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_context(chat)
    chat.say("ok")
    assert chat.stage == "customer_next"
    chat.say("they sign by Dec 4")
    out = chat.say("no, the 20th")
    assert "Dec 20" in out, out
    out = chat.say("undo")
    assert "Undone" in out and "Dec 4" in out, out
    _, steps, _ = plan(db)
    assert [(s.description, s.due.isoformat() if s.due else None) for s in steps] == [
        (steps[0].description, "2026-12-04")
    ]
    out = chat.say("actually it's ours")  # the step can still be corrected
    _, steps, _ = plan(db)
    assert steps[0].side == "us", out
    chat.say("undo")
    chat.say("undo")  # then the step itself
    _, steps, _ = plan(db)
    assert steps == []


# --- 4. owner corrections in words --------------------------------------------------------


def test_owner_corrections_in_words_change_the_last_steps_owner(coach: Coach, db: Database) -> None:
    for n, said in enumerate(
        ["owner is Priya", "actually Priya owns it", "Priya owns it", "owner: priya"]
    ):
        chat = Chat(coach, user=f"rep{n}")
        chat.command("review")
        chat.say(f"Zed{n} - x")
        chat.say("Mar 31")
        chat.click("dstage:skip")
        chat.say("ok")
        chat.say("they sign by Dec 4")
        out = chat.say(said)
        assert "Priya owns" in out, (said, out)
        with db.session() as s:
            step = s.exec(select(PlanStep).order_by(PlanStep.id.desc())).first()  # type: ignore[union-attr]
            review = s.exec(select(Review).order_by(Review.id.desc())).first()  # type: ignore[union-attr]
        assert step is not None and step.owner == "Priya", said
        assert review is not None and "Priya" not in review.context, said
        chat.say("undo")
        with db.session() as s:
            again = s.get(PlanStep, step.id)
        assert again is not None and again.owner is None, said


# --- 5. side and date corrections without a cue ------------------------------------------


def to_more(chat: Chat) -> None:
    to_context(chat)
    chat.say("ok")
    chat.say("Their CFO signs the order form by Dec 11")
    chat.say("I send the revised SOW by Friday")
    assert chat.stage == "more", chat.text


def test_thats_ours_not_theirs_and_not_friday_monday_correct_the_last_step(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("Legal reviews the MSA by Friday")
    chat.click("side:customer")
    out = chat.say("that's ours not theirs")
    _, steps, review = plan(db)
    assert steps[-1].side == "us", out
    out = chat.say("not Friday, Monday")
    _, steps, review = plan(db)
    assert len(steps) == 3, [s.description for s in steps]
    assert steps[-1].due is not None and steps[-1].due.isoformat() == "2026-11-30", out
    assert "ours" not in review.context and "Monday" not in review.context


# --- 6. "theirs" at "Theirs or ours?", and a step typed there ------------------------------


def test_theirs_answers_theirs_or_ours_and_a_new_step_there_is_kept(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_more(chat)
    for said, doc in [("theirs", "MSA"), ("their step", "NDA")]:
        out = chat.say(f"Legal reviews the {doc} by Dec 8")
        assert chat.stage == "step_side", out
        out = skip_owner(chat, chat.say(said))
        assert chat.stage == "more", (said, out)
        _, steps, _ = plan(db)
        assert steps[-1].side == "customer", said
    chat.say("Legal reviews the DPA by Dec 15")
    assert chat.stage == "step_side"
    out = chat.say("I send pricing by Dec 1")
    assert "next" in out and chat.stage == "step_side", out
    chat.say("ours")
    _, steps, _ = plan(db)
    assert [s.description for s in steps[-2:]] == ["Legal reviews the DPA", "I send pricing"]
    assert [s.side for s in steps[-2:]] == ["us", "us"]


# --- 7. dates: one path for a date just passed, Feb 29, Q1, before Christmas, EOY ---------


def decision_of(db: Database) -> str | None:
    deal, _, _ = plan(db)
    return deal.decision_date.isoformat() if deal.decision_date else None


def test_a_step_date_just_passed_is_asked_about_not_moved_a_year(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    new_deal(chat, "Dec 31 2027")
    chat.click(chat.choice("Solution"))
    chat.say("ok")
    out = chat.say("they approve by Nov 20")
    assert "Nov 20 has already passed: did you mean" in out and "2027" in out, out
    assert "They approve" in out  # says which step
    _, steps, _ = plan(db)
    assert steps == []
    out = chat.click(chat.choice("Yes"))
    assert "Sat Nov 20, 2027 is a Saturday" in out, out  # then the day-off question
    skip_owner(chat, chat.click(chat.choice("Keep")))
    _, steps, _ = plan(db)
    assert steps[0].due is not None and steps[0].due.isoformat() == "2027-11-20"


def test_a_step_date_just_passed_at_new_year_is_asked_about(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    clock.advance(days=42)  # Tue Jan 5, 2027
    chat = Chat(coach)
    new_deal(chat, "Mar 31")
    chat.click(chat.choice("Solution"))
    chat.say("ok")
    chat.say("they sign the order form by Feb 12")
    out = chat.say("I send pricing by Dec 1")
    assert "Dec 1, 2026 has already passed" in out or "Dec 1 has already passed" in out, out
    chat.click("date:retype")
    assert chat.stage == "step_due", chat.text
    chat.say("Jan 8")
    _, steps, _ = plan(db)
    assert steps[-1].due is not None and steps[-1].due.isoformat() == "2027-01-08"


def test_feb_29_in_a_year_without_one_is_asked_about(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    chat.command("review")
    chat.say("Zed - x")
    out = chat.say("Feb 29")
    assert "no Feb 29 in 2027" in out and chat.stage == "decision_date", out
    assert decision_of(db) is None
    chat.click(chat.choice("Sun Feb 28"))
    assert decision_of(db) == "2027-02-28"


def test_q1_alone_before_christmas_and_eoy_as_decision_dates(
    coach: Coach, db: Database, clock: FakeClock
) -> None:
    for n, (typed, expected) in enumerate(
        [("Q1", "2027-03-31"), ("before Christmas", "2026-12-24")]
    ):
        chat = Chat(coach, user=f"rep{n}")
        chat.command("review")
        chat.say(f"Zed{n} - x")
        out = chat.say(typed)
        assert chat.stage == "deal_stage", (typed, out)
        with db.session() as s:
            deal = s.exec(select(Deal).order_by(Deal.id.desc())).first()  # type: ignore[union-attr]
        assert deal is not None and deal.decision_date is not None
        assert deal.decision_date.isoformat() == expected, typed
    clock.advance(days=42)  # Tue Jan 5, 2027: end of year is this Dec 31, not a question
    for n, typed in enumerate(["end of year", "EOY"]):
        chat = Chat(coach, user=f"late{n}")
        chat.command("review")
        chat.say(f"Late{n} - x")
        out = chat.say(typed)
        assert "passed" not in out and chat.stage == "deal_stage", (typed, out)
        assert "Dec 31, 2027" in out or "Fri Dec 31" in out, out


# --- 8. back reopens the previous question only --------------------------------------------


def test_back_keeps_the_edits_made_since_the_previous_question(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    out = chat.say("edit #1 owner Dana")
    assert "Dana" in out, out
    chat.say("edit #1 due Dec 10")
    out = chat.say("back")
    assert chat.stage == "us_next", out
    _, steps, _ = plan(db)
    assert [(s.number, s.owner) for s in steps] == [(1, "Dana")]  # our step #2 taken back
    assert steps[0].due is not None and steps[0].due.isoformat() == "2026-12-10"
    chat.say("I send the revised SOW by Friday")
    assert chat.stage == "more"
    chat.say("done #1")
    chat.say("back")
    _, steps, _ = plan(db)
    assert [(s.owner, s.status) for s in steps] == [("Dana", "done")]


# --- 9. an edit in the review that made the step is no slip --------------------------------


def test_editing_a_step_made_in_this_review_is_no_slip(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    out = chat.say("edit #2 due Dec 2")
    assert "slip" not in out, out
    _, steps, _ = plan(db)
    assert (steps[1].due, steps[1].original_due, steps[1].slips) == (
        steps[1].due,
        steps[1].due,
        0,
    )
    assert steps[1].due is not None and steps[1].due.isoformat() == "2026-12-02"
    chat.say("that's all")
    chat.click("risk:skip")
    out = chat.text
    assert "slipped" not in out, out
    chat.say("undo")
    _, steps, _ = plan(db)
    assert steps[1].due is not None and steps[1].due.isoformat() == "2026-11-27"
    assert steps[1].original_due == steps[1].due


# --- 10. done with several numbers -----------------------------------------------------------


def test_done_with_several_numbers_marks_each(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("Legal reviews the MSA by Dec 10")
    skip_owner(chat, chat.click("side:customer"))
    out = chat.say("done #1 #2")
    _, steps, _ = plan(db)
    assert [s.status for s in steps] == ["done", "done", "open"], out
    assert out.count("done") >= 2
    assert out.count("What else must happen") == 1, out  # the question once, after both
    chat.say("drop #3, #1 no longer needed")  # #1 is done already: said so
    _, steps, _ = plan(db)
    assert [s.status for s in steps] == ["done", "done", "dropped"], chat.text
    assert "already done" in chat.text


# --- 11. near-miss deal names; "#1 done" is no deal name --------------------------------------


def deal_titles(db: Database) -> list[str]:
    with db.session() as s:
        return [deal.title for deal in s.exec(select(Deal).order_by(Deal.id))]


def test_a_near_miss_deal_name_asks_did_you_mean(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    for title in ("Acme Corp - renewal", "Initech - expansion"):
        chat.command("review", title)
        chat.command("cancel")
    for typed, meant in [
        ("acme renewal", "Acme Corp — renewal"),
        ("Acme - renewl", "Acme Corp — renewal"),
        ("Inittech", "Initech — expansion"),
    ]:
        chat.command("review")
        out = chat.say(typed)
        assert f"Did you mean {meant}?" in out, (typed, out)
        assert len(deal_titles(db)) == 2, typed
        out = chat.click(chat.choice("Yes"))
        assert f"Reviewing {meant}" in out, out
        chat.command("cancel")
    chat.command("review")
    chat.say("Acme - renewl")
    out = chat.say("no")
    assert "New deal: Acme — renewl" in out, out
    assert len(deal_titles(db)) == 3


def test_step_numbers_and_overlong_names_are_no_deal_names(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    chat.command("review")
    out = chat.say("#1 done")
    assert "step number" in out and chat.stage == "new_deal", out
    out = chat.say("Zed - " + "x" * 600)
    assert "up to 120" in out and chat.stage == "new_deal", out
    assert deal_titles(db) == []


# --- 12. junk is not stored; questions back are explained -------------------------------------


def test_answers_that_say_nothing_are_not_kept_as_context(coach: Coach, db: Database) -> None:
    for n, junk in enumerate(["1", "Raj", "👍", "something", "/dealreview plan"]):
        chat = Chat(coach, user=f"rep{n}")
        chat.command("review")
        chat.say(f"Zed{n} - x")
        chat.say("Mar 31")
        chat.click("dstage:skip")
        assert chat.stage == "context"
        out = chat.say(junk)
        with db.session() as s:
            review = s.exec(select(Review).order_by(Review.id.desc())).first()  # type: ignore[union-attr]
        assert review is not None and review.context == "", (junk, review.context, out)


def test_looks_good_at_the_risk_question_is_no_risk(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("that's all")
    assert chat.stage == "risk"
    chat.say("looks good")
    assert chat.stage == "summary"
    deal, _, _ = plan(db)
    assert deal.risk is None


def test_a_question_back_is_explained(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    chat.command("review")
    chat.say("Zed - x")
    out = chat.say("what do you mean by decision date?")
    assert "couldn't read a date" not in out and "must decide" in out, out
    assert chat.stage == "decision_date"
    chat.say("Mar 31")
    chat.click("dstage:skip")
    out = chat.say("what should I put here?")
    assert "Where the deal stands" in out and chat.stage == "context", out
    _, _, review = plan(db)
    assert review.context == ""


def test_a_step_typed_at_keep_the_late_date_is_kept(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    out = chat.say("they sign the order form by Apr 20")
    assert chat.stage == "step_late", out
    out = chat.say("I send pricing by Dec 1")
    assert chat.stage == "step_late" and "next" in out, out
    chat.click("late:keep")
    _, steps, _ = plan(db)
    assert [(s.description, s.due.isoformat() if s.due else None) for s in steps[-2:]] == [
        ("They sign the order form", "2027-04-20"),
        ("I send pricing", "2026-12-01"),
    ]


# --- 13. an undated multi-part answer: each question names its step, no duplicates -----------


def test_each_by_when_names_its_step_and_a_run_on_answer_adds_each_step_once(
    coach: Coach, db: Database
) -> None:
    chat = Chat(coach)
    to_context(chat)
    chat.say("ok")
    out = chat.say(
        "need to follow up with them and get them to review it and then get them to sign it "
        "and then get them to pay and then get them to sign it and then get them to pay and "
        "then get them to sign it"
    )
    asked: list[str] = []
    while chat.stage in ("step_due", "step_side"):
        q = chat.question
        assert q is not None
        asked.append(q.text)
        out = chat.click("date:none") if chat.stage == "step_due" else chat.click("side:us")
        assert "Saved “" in out or chat.stage == "step_due" or "Added" in out, out
    assert len(asked) == len(set(asked)), asked  # no identical prompt twice
    assert all("“" in a for a in asked), asked
    _, steps, _ = plan(db)
    descriptions = [s.description.lower() for s in steps]
    assert len(descriptions) == len(set(descriptions)), descriptions
    assert len(steps) >= 2


# --- 14. a step added at the summary goes back to the summary ---------------------------------


def test_a_step_added_at_the_summary_returns_to_the_summary(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    to_more(chat)
    chat.say("that's all")
    chat.say("budget timing")
    assert chat.stage == "summary", chat.text
    out = chat.say("Their IT lead sends the security questionnaire by Dec 4")
    assert "Added to the plan" in out, out
    assert "last time" not in out, out
    if chat.stage == "more":
        out = chat.say("that's all")
    assert chat.stage == "summary", out
    assert "last time" not in out and "risk" not in (chat.question.text if chat.question else "")


def test_did_you_mean_reads_yes_and_no_and_asks_again_otherwise(coach: Coach, db: Database) -> None:
    """An answer to "Did you mean …?" is never a new deal's name: yes-like takes the deal,
    no-like creates the typed one, anything else asks again with the two choices."""
    chat = Chat(coach)
    chat.command("review", "Globex - platform deal")
    chat.command("cancel")
    for yes in ("yes that one", "yep", "that one", "1"):
        chat.command("review")
        assert "Did you mean Globex — platform deal?" in chat.say("Globex - platfrom deal")
        out = chat.say(yes)
        assert "Reviewing Globex — platform deal" in out, (yes, out)
        assert deal_titles(db) == ["Globex — platform deal"], yes
        chat.command("cancel")
    chat.command("review")
    chat.say("Globex - platfrom deal")
    for unclear in ("end of Q3", "Initech"):
        out = chat.say(unclear)
        assert "Did you mean Globex — platform deal?" in out, (unclear, out)
        assert "New deal" not in out and deal_titles(db) == ["Globex — platform deal"], out
        assert chat.choice("Yes") and chat.choice("No")
    out = chat.say("nope")
    assert "New deal: Globex — platfrom deal" in out, out


def test_a_near_miss_without_the_dash_asks_did_you_mean(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    chat.command("review", "Globex - platform deal")
    chat.command("cancel")
    chat.command("review")
    out = chat.say("Globex platfrom")
    assert "Did you mean Globex — platform deal?" in out, out
    assert deal_titles(db) == ["Globex — platform deal"]
    chat.command("cancel")
    chat.command("review")
    out = chat.say("Globex expansion")  # a different deal of the same account: no question
    assert "Did you mean" not in out and "New deal" in out, out
