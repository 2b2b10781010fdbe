"""Capturing next steps: the context line, then customer step, our step, and more.

An answer to a step question is read by `process.steering.read_answer` and handed to
`capture`, the one place that turns a reading into a step: steer (history or vague ->
redirect), then complete it (whose? by when? after the decision date?) over as many turns as
it takes, with the step-in-progress kept in `ReviewState.pending` (`step_details.py`), then
`step_details.save_pending` writes it to the plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.messages import Choice
from bot.review import explain, guide, step_details
from process import playbook as pb
from process.plan import Side, same_step
from process.playbook import Stage, fmt_date
from process.steering import SURE, Reading, read_answer
from process.steering import Step as ReadStep
from storage import crud

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

#: The questions that ask for a step (customer's, ours, anything else).
STEP_QUESTIONS = frozenset(pb.STEP_STAGES)


# --- the context line -------------------------------------------------------------------


def ask_context(d: Dialog) -> None:
    if guide.maybe_ask_stage(d):
        return
    if d.state.carried:  # typed at the stage question: it answered this one
        carried, d.state.carried = d.state.carried, None
        on_context(d, carried, None)
        return
    title = d.deal.title if d.deal else "this deal"
    d.question(
        f"In one line: where are we with *{title}*?",
        hint="A sentence of history is fine here, once. Then we look forward.",
    )


def on_context(d: Dialog, text: str | None, value: str | None) -> None:
    """The context line; a step said with it ("Demo went well. They send the security
    questionnaire by Friday", "we demoed last week, they want to loop in their CFO") or
    instead of it ("they send the PO") goes to the plan as the answer to the customer-step
    question, and the history around it is the context (`playbook.names_a_step`)."""
    if not text:
        d.ask()
        return
    if pb.is_skip_question(text) or (explain.says_nothing(text) and d.state.redirects):
        d.say("No context line then; on to what happens next.")  # nothing stored
        d.goto(Stage.CUSTOMER_NEXT)
        return
    if explain.says_nothing(text):
        d.state.redirects += 1
        d.say(
            f"“{text[:40]}” doesn't tell me where the deal stands. In a line, e.g. “Demo "
            "went well; their CFO wants a business case”, or *skip*.",
            "coach",
        )
        d.ask()
        return
    reading = read_answer(text, d.today, d.colleagues, conventions=d.dates)
    review = d.review
    # "they send the PO", "we demoed, they want to loop in their CFO": a step for the plan;
    # "Legal is reading the MSA" is where they are, the context asked for (pb.names_a_step)
    if pb.names_a_step(reading):
        if reading.context:
            keep_context(d, pb.context_line(reading.context))
            d.say(f"Noted: {pb.context_line(reading.context)}. And the step:")
        else:
            d.say("That's a next step, so it goes in the plan rather than the context:", "coach")
        # answered as the customer-step question, which `back` then returns to
        d.state.stage = Stage.CUSTOMER_NEXT.value
        d.state.reset_question()
        d.state.trail.append(Stage.CUSTOMER_NEXT.value)
        capture(d, text, reading)
        return
    d.record(text, reading.orientation, reading.side, reading.due)
    if review is not None:
        review.context = pb.context_line(text)
        d.s.add(review)
    d.say("Noted.")
    d.goto(Stage.CUSTOMER_NEXT)


# --- the step questions -----------------------------------------------------------------


def ask_step(d: Dialog) -> None:
    """The customer-step, our-step and anything-else questions."""
    stage = d.stage
    assert stage is not None
    deal = d.deal
    account = deal.account if deal else "the customer"
    choices = (Choice("That's all", "more:done", "primary"),) if stage is Stage.MORE else ()
    d.question(
        pb.step_question(stage, account, deal.decision_date if deal else None, d.today),
        choices,
        hint=pb.step_example(pb.STEP_STAGES[stage], d.today),
    )


def on_step(d: Dialog, text: str | None, value: str | None) -> None:
    """An answer to a step question; at "anything else?", "that's all" moves on to the risk."""
    # "skip", "looks good" at "anything else?" end the list like "that's all" (never context)
    if d.stage is Stage.MORE and (
        value == "more:done" or (text and pb.is_skip_question(text) and not pb.is_unsure(text))
    ):
        d.goto(step_details.after_steps(d))
        return
    if (
        d.stage in (Stage.CUSTOMER_NEXT, Stage.US_NEXT)
        and text
        and pb.is_skip_question(text)
        and not pb.is_unsure(text)  # "no idea" gets steps from the sales process (guide.py)
    ):
        skip_question(d)
        return
    step_answer(d, text)


def skip_question(d: Dialog) -> None:
    """ "skip", "that's all", "looks good" at the customer or our step: no step, no context."""
    stage = d.stage
    assert stage is not None
    asked = pb.STEP_STAGES[stage]
    if asked and asked not in d.state.gave_up:
        d.state.gave_up.append(asked)
    whose = "customer step" if asked == "customer" else "step of ours"
    d.say(f"Skipped: no {whose} for now.", "coach")
    d.goto(step_details.next_step_stage(d, after=stage))


def step_answer(d: Dialog, text: str | None) -> None:
    if not text:
        d.ask()
        return
    capture(d, text, read_answer(text, d.today, d.colleagues, conventions=d.dates))


def capture(d: Dialog, text: str, reading: Reading) -> None:
    """Record one answer to a step question and turn its reading into a step (or a redirect).

    The seam between steering and the plan: `reading` is what `read_answer` made of `text`
    at the current step stage. A next step becomes `ReviewState.pending` and is completed by
    `continue_pending`; history or a vague answer is steered by `process.playbook.steer`.
    """
    stage = d.stage
    assert stage is not None
    asked: Side | None = pb.STEP_STAGES[stage]
    deal = d.deal
    assert deal is not None
    d.record(text, reading.orientation, reading.side, reading.due)
    steer = pb.steer(
        reading, asked, d.state.redirects, d.state.history_streak, deal.account, d.today
    )
    if guide.should_offer(d, text, reading.orientation) and guide.offer(d):
        return
    if steer.keep_as_context:
        keep_context(d, pb.context_line(text))
    if reading.context:  # "had the budget mtg mon, anyway Raj has to ...": the history part
        keep_context(d, reading.context)
    if steer.kind == "redirect":
        d.state.redirects += 1
        d.state.history_streak = (
            d.state.history_streak + 1 if reading.orientation == "history" else 0
        )
        d.say(steer.message, "coach")
        return
    if steer.kind == "give_up":
        d.say(steer.message, "coach")
        if asked:
            d.state.gave_up.append(asked)
        d.goto(step_details.next_step_stage(d, after=stage))
        return
    read_steps = reading.steps or (
        ReadStep(reading.side, reading.owner, reading.due, reading.action, reading.date_text),
    )
    first = read_steps[0]
    if asked and first.side and first.side != asked and first.side_confidence >= SURE:
        other = "ours" if first.side == "us" else f"{deal.account}'s"
        d.say(f"That one is {other}; I'll put it in the plan as such.", "coach")
    me = d.user.display_name or None
    pending = [_pending(step, text, asked, stage, me) for step in read_steps]
    for p, step in zip(pending, read_steps, strict=True):
        # "they approve by Nov 20" on Nov 24 was read as next year's: ask, as a typed date is
        passed = d.just_passed(step.due, step.date_text or "")
        if passed is not None:
            p["due"], p["passed"] = None, passed.isoformat()
    unique: list[dict[str, object]] = []
    for p in pending:  # a run-on answer can name one step twice: plan it once
        if not any(same_step(str(p["description"]), str(q["description"])) for q in unique):
            unique.append(p)
    pending = [p for p in unique if not _already_planned(d, str(p["description"]))]
    if not pending:
        d.goto(step_details.next_step_stage(d, after=stage))
        return
    d.state.pending, d.state.queued, d.state.batch = pending[0], pending[1:], []
    step_details.continue_pending(d)


def _pending(
    step: ReadStep, text: str, asked: Side | None, stage: Stage, me: str | None
) -> dict[str, object]:
    """One step of a reading as `ReviewState.pending`: unsure of the side, the question asked
    decides it (the customer question frames "Raj sends the PO"); with no question, ask.
    Our step said in the first person ("I send…") is owned by the rep (`me`, their display
    name), as a suggested step the rep picks with "Me" is."""
    side = step.side if step.side_confidence >= SURE else None
    description = pb.step_description(step, text)
    # "..., date tbd": saved without a date, not asked "By when?" (issue 11)
    undated = pb.without_date_yet(description) if step.due is None else None
    description = undated or description
    owner = step.owner
    if owner is None and (side or asked) == "us" and pb.first_person(description):
        owner = me
    return {
        "description": description,
        "side": side or asked,
        "owner": owner,
        "due": step.due.isoformat() if step.due else None,
        "no_date": undated is not None,
        "origin": stage.value,
    }


def keep_context(d: Dialog, line: str) -> None:
    """Add a line to the review's context (what already happened), once."""
    if d.review is None or not line:
        return
    ctx = d.review.context
    if line not in ctx:
        d.review.context = (f"{ctx} / {line}" if ctx else line)[:2000]
        d.s.add(d.review)


def _already_planned(d: Dialog, description: str) -> bool:
    """A step that repeats an open one is pointed out, not added twice."""
    deal = d.deal
    assert deal is not None
    steps = crud.steps_for(d.s, [deal.id or 0]).get(deal.id or 0, [])
    same = next(
        (s for s in steps if s.status == "open" and same_step(description, s.description)), None
    )
    if same is None:
        return False
    when = f", due {fmt_date(same.due, d.today)}" if same.due else ""
    d.say(
        f"That's already in the plan as #{same.number}: “{same.description}”{when}. "
        f"I won't add it twice (to change it: *edit #{same.number} due …*).",
        "coach",
    )
    if same.side and same.side not in d.state.got:
        d.state.got.append(same.side)
    return True
