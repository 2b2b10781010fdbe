"""Capturing next steps: the context line, then customer step, our step, and more.

An answer to a step question is read by `process.steering.read_answer` and handed to
`capture`, the one place that turns a reading into a step: steer (history or vague ->
redirect), then complete it (whose? by when? after the decision date?) over as many turns as
it takes, with the step-in-progress kept in `ReviewState.pending`, then `save_pending`
writes it to the plan.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.messages import Choice, owner_note, side_label
from process import playbook as pb
from process.plan import Side
from process.playbook import Stage, fmt_date
from process.steering import Reading, read_answer
from storage import crud

if TYPE_CHECKING:
    from bot.review.dialog import Dialog


# --- the context line -------------------------------------------------------------------


def ask_context(d: Dialog) -> None:
    title = d.deal.title if d.deal else "this deal"
    d.question(
        f"In one line: where are we with *{title}*?",
        hint="A sentence of history is fine here, once. Then we look forward.",
    )


def on_context(d: Dialog, text: str | None, value: str | None) -> None:
    if not text:
        d.ask()
        return
    reading = read_answer(text, d.today)
    d.record(text, reading.orientation, reading.side, reading.due)
    review = d.review
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
        hint=pb.STEP_EXAMPLES[pb.STEP_STAGES[stage]],
    )


def on_step(d: Dialog, text: str | None, value: str | None) -> None:
    """An answer to a step question; at "anything else?", "that's all" moves on to the risk."""
    if d.stage is Stage.MORE and (value == "more:done" or (text and pb.is_done(text))):
        d.goto(Stage.RISK)
        return
    step_answer(d, text)


def step_answer(d: Dialog, text: str | None) -> None:
    if not text:
        d.ask()
        return
    capture(d, text, read_answer(text, d.today))


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
    steer = pb.steer(reading, asked, d.state.redirects, d.state.history_streak, deal.account)
    if steer.keep_as_context and d.review is not None:
        line = pb.context_line(text)
        ctx = d.review.context
        if line not in ctx:
            d.review.context = (f"{ctx} / {line}" if ctx else line)[:2000]
            d.s.add(d.review)
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
        d.goto(next_step_stage(d, after=stage))
        return
    side = reading.side or asked
    if asked and reading.side and reading.side != asked:
        other = "ours" if reading.side == "us" else f"{deal.account}'s"
        d.say(f"That one is {other}; I'll put it in the plan as such.", "coach")
    d.state.pending = {
        "description": pb.step_description(reading, text),
        "side": side,
        "owner": reading.owner,
        "due": reading.due.isoformat() if reading.due else None,
        "origin": stage.value,
    }
    continue_pending(d)


def continue_pending(d: Dialog) -> None:
    """Ask what the pending step still lacks (side, date, a date before the decision), or save it."""
    p = d.state.pending
    assert p is not None
    deal = d.deal
    assert deal is not None
    if p.get("side") is None:
        d.goto(Stage.STEP_SIDE)
    elif p.get("due") is None and not p.get("no_date"):
        d.goto(Stage.STEP_DUE)
    elif (
        p.get("due")
        and deal.decision_date
        and dt.date.fromisoformat(p["due"]) > deal.decision_date
        and not p.get("keep_late")
    ):
        d.goto(Stage.STEP_LATE)
    else:
        save_pending(d)


def save_pending(d: Dialog) -> None:
    p = d.state.pending
    deal = d.deal
    assert p is not None and deal is not None
    due = dt.date.fromisoformat(p["due"]) if p.get("due") else None
    step = crud.add_step(
        d.s, deal, p["description"], p["side"], due, d.now, p.get("owner"), d.state.review_id
    )
    d.state.pending = None
    d.state.steps_added += 1
    if step.side and step.side not in d.state.got:
        d.state.got.append(step.side)
    owner = owner_note(step.owner, step.description)
    when = f", due {fmt_date(due, d.today)}" if due else ", no date yet"
    d.say(
        f"Added to the plan: *{side_label(step.side)}*{owner}: {step.description}{when}",
        "success",
    )
    d.goto(next_step_stage(d, after=Stage(p.get("origin", Stage.MORE.value))))


def next_step_stage(d: Dialog, after: Stage) -> Stage:
    """Customer step first, then ours, then work back until 'that's all' or enough steps."""
    order = [Stage.CUSTOMER_NEXT, Stage.US_NEXT, Stage.MORE]
    if after is Stage.MORE:
        return (
            Stage.RISK
            if d.state.steps_added >= pb.MAX_STEPS_PER_REVIEW or "more" in d.state.gave_up
            else Stage.MORE
        )
    for stage in order[: order.index(after) + 1]:
        side = pb.STEP_STAGES[stage]
        if side and side not in d.state.got and side not in d.state.gave_up:
            return stage
    return order[order.index(after) + 1]


# --- completing a step: whose, by when, and after the decision date ----------------------


def _origin(d: Dialog) -> Stage:
    return Stage((d.state.pending or {}).get("origin", Stage.MORE.value))


def ask_step_side(d: Dialog) -> None:
    account = d.deal.account if d.deal else "the customer"
    d.question(
        f"Whose step is “{(d.state.pending or {}).get('description', '')}”?",
        (Choice(f"{account}'s", "side:customer"), Choice("Ours", "side:us")),
        parent=_origin(d),
    )


def on_step_side(d: Dialog, text: str | None, value: str | None) -> None:
    side = (value or "").removeprefix("side:") if value else pb.read_side(text or "")
    if side not in ("customer", "us"):
        d.say("Is it the customer's step or ours?", "warning")
        d.ask()
        return
    assert d.state.pending is not None
    d.state.pending["side"] = side
    continue_pending(d)


def ask_step_due(d: Dialog) -> None:
    decision = d.deal.decision_date if d.deal else None
    d.question(
        f"By when? ({(d.state.pending or {}).get('description', '')})",
        d.date_choices(pb.quick_step_dates(d.today, decision))
        + (Choice("No date yet", "date:none"),),
        date_input=True,
        hint="Pick one or type a date (“Friday”, “Dec 12”, “in two weeks”).",
        parent=_origin(d),
    )


def on_step_due(d: Dialog, text: str | None, value: str | None) -> None:
    got = d.read_date(text, value)
    p = d.state.pending
    assert p is not None
    if got == "none":
        p["no_date"] = True
        d.say("Saved without a date for now; the plan will flag it until it has one.", "warning")
        save_pending(d)
        return
    if not isinstance(got, dt.date) or d.past(got):
        d.state.redirects += 1
        if d.state.redirects >= pb.MAX_REDIRECTS:
            p["no_date"] = True
            d.say("I'll save it without a date; add one when you know it.", "warning")
            save_pending(d)
        else:
            d.ask()
        return
    p["due"] = got.isoformat()
    continue_pending(d)


def ask_step_late(d: Dialog) -> None:
    pending = d.state.pending or {}
    due = dt.date.fromisoformat(pending["due"])
    decision = d.deal.decision_date if d.deal else None
    assert decision is not None
    d.question(
        f"{fmt_date(due, d.today)} is after the decision date ({fmt_date(decision, d.today)}): a step that "
        "lands after the decision can't help them decide. Pick an earlier date, or keep it?",
        (Choice(f"Keep {pb.short_date(due, d.today)}", "late:keep"),),
        date_input=True,
        initial=decision,
        parent=_origin(d),
    )


def on_step_late(d: Dialog, text: str | None, value: str | None) -> None:
    p = d.state.pending
    assert p is not None
    if value == "late:keep" or (text and pb.is_keep(text)):
        p["keep_late"] = True
        save_pending(d)
        return
    got = d.read_date(text, value)
    if not isinstance(got, dt.date) or d.past(got):
        d.ask()
        return
    p["due"] = got.isoformat()
    continue_pending(d)
