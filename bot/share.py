"""A plan shared with the customer (issue 16): `share DEAL`, the buyer's buttons, proposals.

- The rep types `share DEAL` in a conversation with the customer (a Slack channel, a Teams
  channel or group chat). The plan is posted there *for both sides*: the decision date, the
  customer's steps with Confirm / Done / Propose another date, our steps read-only. Never an
  internal note: no health, no risk, no review context, no other deal (`shared_view`).
- After every turn of the rep, and after every buyer action, the shares of the deals whose
  shared view changed come back in `Outcome.shares`; the handler posts or updates them in
  place (the digest of what was last posted is kept in `SharedPlan.rendered`, written when
  the platform took the post, so an unchanged plan is left and a failed post is retried).
- A buyer (`Turn.external`) never reaches the review dialog: `buyer_turn` accepts only a
  buyer button or the proposal form, for a customer step of the one deal shared in the very
  conversation the click came from. Anything else (another deal, our steps, a command, a
  typed message) is refused and changes nothing.
- A proposed date is a proposal: the rep gets a DM with Accept / Counter; the step moves only
  when the rep answers. The decision date is never touched here. Every buyer action is a
  `BuyerAction` row (who, when, what) and a DM to the rep.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from bot import exports, notices, views
from bot.messages import (
    Choice,
    File,
    Form,
    FormField,
    Notice,
    Outcome,
    Reply,
    Section,
    SharedPost,
    Text,
    Turn,
    fmt_date,
    owner_note,
)
from bot.review import zone
from storage import crud
from storage.models import BuyerAction, Deal, PlanStep, SharedPlan, User

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

#: At most this many customer steps on a shared post (a chat message has a block limit).
MAX_SHARED_STEPS = 10
NO_CHANNEL = (
    "Share a plan from the conversation with the customer: type `/dealreview share DEAL` in "
    "that Slack channel (in Teams: *share DEAL* in the channel or group chat)."
)
REFUSED = (
    "This conversation has {title}'s shared plan: people from outside our workspace can "
    "confirm, finish or propose another date for the customer's steps on it, nothing else. "
    "Nothing changed."
)
NO_SHARE = (
    "People from outside our workspace can act only on the customer's steps of a plan shared "
    "in their conversation with us, and there is none here. Nothing changed."
)
NOT_HERE = "That isn't a customer step of the plan shared in this conversation. Nothing changed."


def customer_text(step: PlanStep) -> str:
    """A step as the customer reads it: for a step the coach proposed, its customer-facing
    wording (`PlanStep.shared_text`), never the coaching said to the rep; our side's "I"
    reads "We" (`exports.customer_wording`, shared with the Markdown and iCalendar exports)."""
    return exports.customer_wording(step.shared_text or step.description, step.side)


def buyer_value(share_id: int, step_id: int, verb: str) -> str:
    return f"buyer:{share_id}:{step_id}:{verb}"


def shared_view(
    share: SharedPlan, deal: Deal, steps: list[PlanStep], today: dt.date
) -> tuple[Reply, ...]:
    """What both sides see: decision date, customer steps (with the buyer's buttons while
    open) and our steps, each in its customer-facing wording (`customer_text`). Built only
    from these fields, so no internal note can leak."""
    decision = (
        f"Decision date: *{fmt_date(deal.decision_date, today)}*"
        if deal.decision_date
        else "Decision date: not set yet"
    )
    theirs = [s for s in steps if s.side == "customer" and s.status != "dropped"]
    ours = [s for s in steps if s.side != "customer" and s.status == "open"]
    confirmed = sum(1 for s in theirs if s.confirmed_by)
    head = [decision, f"{confirmed} of {len(theirs)} customer steps confirmed by {deal.account}"]
    out: list[Reply] = [
        Section(
            f"Our plan together: {deal.title}"[:150],
            tuple(head),
            footer="Customer steps: Confirm, Done or Propose another date. Our steps are ours.",
        )
    ]
    for s in theirs[:MAX_SHARED_STEPS]:
        due = f"due {fmt_date(s.due, today)}" if s.due else "no date yet"
        state = (
            "done"
            if s.status == "done"
            else f"confirmed by {s.confirmed_by}"
            if s.confirmed_by
            else "not confirmed yet"
        )
        choices = (
            (
                Choice("Confirm", buyer_value(share.id or 0, s.id or 0, "confirm"), "primary"),
                Choice("Done", buyer_value(share.id or 0, s.id or 0, "done")),
                Choice("Propose another date", buyer_value(share.id or 0, s.id or 0, "propose")),
            )
            if s.status == "open" and deal.status == "open"
            else ()
        )
        text = customer_text(s)
        title = f"Customer #{s.number}: {text}{owner_note(s.owner, text)}"
        out.append(Section(title[:150], (f"{due} · {state}",), choices))
    if len(theirs) > MAX_SHARED_STEPS:
        out.append(Text(f"and {len(theirs) - MAX_SHARED_STEPS} more customer steps"))
    lines = [
        f"#{s.number} {customer_text(s)}{owner_note(s.owner, customer_text(s))} · "
        + (f"due {fmt_date(s.due, today)}" if s.due else "no date yet")
        for s in ours[:MAX_SHARED_STEPS]
    ]
    out.append(Section("Our steps", tuple(lines) or ("none yet",)))
    return tuple(out)


def refresh(
    session: Session,
    pairs: list[tuple[SharedPlan, Deal]],
    now: dt.datetime,
    default_timezone: str,
) -> list[SharedPost]:
    """The shared posts that are new or whose view changed since last posted (two queries)."""
    if not pairs:
        return []
    steps = crud.steps_for(session, [d.id or 0 for _, d in pairs])
    owners = {
        u.id: u
        for u in session.exec(
            select(User).where(col(User.id).in_({d.owner_id for _, d in pairs}))
        ).all()
    }
    out = []
    for share, deal in pairs:
        owner = owners.get(deal.owner_id)
        today = now.astimezone(zone(owner.zone if owner else None, default_timezone)).date()
        mine = sorted(steps.get(deal.id or 0, []), key=lambda s: (s.number or 0, s.id or 0))
        replies = shared_view(share, deal, mine, today)
        digest = hashlib.sha256(json.dumps(notices.to_json(list(replies))).encode()).hexdigest()
        if share.message_id and digest == share.rendered:
            continue
        # `rendered` is written only once the platform took the post (Coach.shared_posted),
        # so a failed post or update is tried again after the next turn.
        out.append(
            SharedPost(
                share.id or 0, share.channel, share.message_id, replies, share.reference, digest
            )
        )
    return out


# --- the rep ---------------------------------------------------------------------------


def share_command(d: Dialog, args: str) -> None:
    """`share DEAL` in a conversation with the customer: post the plan there (or again)."""
    channel = d.turn.channel if d.turn else None
    if not channel:
        d.say(NO_CHANNEL, "warning")
        return
    deals = crud.find_deal(d.s, d.user, args) if args else []
    if len(deals) != 1:
        which = ", ".join(x.title for x in deals[:12]) if deals else ""
        d.say(
            f"Which deal? {which}. Type *share* and its name."
            if which
            else f"You have no open deal matching “{args}”. Type *share* and a deal's name.",
            "warning",
        )
        return
    share = crud.ensure_share(d.s, deals[0], channel, d.user, d.now)
    share.message_id = None  # `share` again posts a fresh copy at the bottom
    d.s.add(share)
    d.say(
        f"Shared the plan of {deals[0].title} in that conversation: the decision date and "
        "both sides' steps, no internal notes. The customer's people can confirm their steps, "
        "mark them done or propose another date; I'll tell you here.",
        "success",
    )


def proposal_value(d: Dialog, value: str) -> None:
    """`proposal:<id>:accept` or `proposal:<id>:counter` from the rep's DM."""
    _, ident, verb = (value.split(":") + ["", ""])[:3]
    found = _own_proposal(d, ident)
    if found is None:
        return
    action, step = found
    if verb == "accept":
        assert action.proposed_due is not None
        crud.reschedule_step(d.s, step, action.proposed_due, d.now)
        action.status = "accepted"
        d.s.add(action)
        d.say(
            f"Moved #{step.number} “{step.description}” to "
            f"{fmt_date(action.proposed_due, d.today)}, as {action.actor_name} proposed. "
            "The shared plan shows it.",
            "success",
        )
    else:
        d.out.append(counter_form(action, step))


def counter_form(action: BuyerAction, step: PlanStep) -> Form:
    return step_date_form(f"counter:{action.id}", "Another date", step, "Move the step")


def step_date_form(form_id: str, title: str, step: PlanStep, submit: str) -> Form:
    """One required date for a step, starting at its current due date."""
    due = step.due.isoformat() if step.due else None
    field = FormField("due", f"Date for #{step.number}", "date", due, optional=False)
    return Form(form_id, title, (field,), submit_label=submit)


def submit_counter(d: Dialog, ident: str, values: dict[str, str]) -> None:
    found = _own_proposal(d, ident)
    if found is None:
        return
    action, step = found
    try:
        new_due = dt.date.fromisoformat(values.get("due", ""))
    except ValueError:
        d.form_errors = {"due": "Pick a date."}
        d.say("Pick a date for the step; nothing changed.", "warning")
        return
    crud.reschedule_step(d.s, step, new_due, d.now)
    action.status = "countered"
    d.s.add(action)
    d.say(
        f"Moved #{step.number} “{step.description}” to {fmt_date(new_due, d.today)} instead of "
        f"{fmt_date(action.proposed_due, d.today)}. The shared plan shows it.",
        "success",
    )


def _own_proposal(d: Dialog, ident: str) -> tuple[BuyerAction, PlanStep] | None:
    """The pending proposal `ident` on one of the speaker's own deals, or a refusal said."""
    row = (
        d.s.exec(
            select(BuyerAction, PlanStep)
            .join(PlanStep, col(PlanStep.id) == BuyerAction.step_id)
            .join(Deal, col(Deal.id) == PlanStep.deal_id)
            .where(
                BuyerAction.id == int(ident),
                BuyerAction.kind == "propose",
                Deal.workspace_id == d.user.workspace_id,
                Deal.owner_id == d.user.id,
            )
        ).first()
        if ident.isdigit()
        else None
    )
    if row is None:
        d.say("That proposal isn't on one of your deals.", "warning")
        return None
    if row[0].status != "pending" or row[1].status != "open":
        d.say("That proposal was already answered (or the step is closed).")
        return None
    return row[0], row[1]


def export(d: Dialog, ident: str) -> None:
    """The Export button of a plan card: the customer-facing plan as a Markdown file and an
    iCalendar file (bot/exports.py), for a buyer outside chat."""
    deal = crud.get_deal(d.s, d.user, int(ident)) if ident.isdigit() else None
    if deal is None:
        d.say("That deal isn't one of yours.", "warning")
        return
    (record,) = views.deal_records(d.s, [deal], d.today, d.tz)
    name = "-".join(x for x in (deal.account, deal.name) if x).replace(" ", "-")[:60]
    d.say(f"The plan of {deal.title} for the customer (no internal notes):")
    d.out.append(File(f"{name}.md", exports.plan_markdown(record, d.today).encode(), deal.title))
    d.out.append(File(f"{name}.ics", exports.plan_ics(record, d.now), f"{deal.title} dates"))


# --- the buyer -------------------------------------------------------------------------


def buyer_turn(session: Session, turn: Turn, now: dt.datetime, default_timezone: str) -> Outcome:
    """An external user's turn: a buyer button or the proposal form, else a refusal."""
    who = turn.user
    name = who.display_name or who.user_id
    kind, share_id, step_id, verb, when = _parse(turn)
    channel = turn.channel or ""
    if turn.form is not None and not channel:
        channel = turn.form_id.split(":", 4)[-1]
    share = crud.share_in(session, who.workspace_id, channel, share_id) if kind == "buyer" else None
    here = session.exec(
        select(SharedPlan, Deal)
        .join(Deal, col(Deal.id) == SharedPlan.deal_id)
        .where(SharedPlan.workspace_id == who.workspace_id, SharedPlan.channel == channel)
    ).first()
    if share is None:
        refusal = REFUSED.format(title=here[1].title) if here else NO_SHARE
        return Outcome([Text(refusal, "warning")])
    step = session.get(PlanStep, step_id)
    deal = session.get(Deal, share.deal_id)
    if (
        step is None
        or deal is None
        or step.deal_id != deal.id
        or step.side != "customer"
        or step.status != "open"
        or deal.status != "open"
    ):
        return Outcome([Text(NOT_HERE, "warning")])
    owner = session.get(User, deal.owner_id)
    assert owner is not None
    today = now.astimezone(zone(owner.zone, default_timezone)).date()
    what = f"#{step.number} “{step.description}” of {deal.title}"  # for the rep
    theirs = f"#{step.number} “{customer_text(step)}” of {deal.title}"  # for the buyer
    action = BuyerAction(
        workspace_id=deal.workspace_id,
        share_id=share.id or 0,
        step_id=step.id or 0,
        actor_id=who.user_id,
        actor_name=name[:200],
        kind=verb,
        created_at=now,
    )
    replies: list[Reply]
    tell: tuple[Reply, ...]
    if verb == "confirm":
        step.confirmed_by, step.confirmed_at = name[:200], now
        replies = [Text(f"Thanks, {name}: {theirs} is confirmed.", "success")]
        tell = (Text(f"{name} ({deal.account}) confirmed {what}."),)
    elif verb == "done":
        crud.close_step(session, step, "done", now, f"done, said {name}")
        step.confirmed_by = step.confirmed_by or name[:200]
        replies = [Text(f"Thanks, {name}: {theirs} is done.", "success")]
        tell = (Text(f"{name} ({deal.account}) marked {what} done."),)
    elif verb == "propose" and when is None:
        return Outcome([propose_form(share, step)])
    elif verb == "propose" and when is not None and when >= today:
        action.proposed_due, action.status = when, "pending"
        session.add(action)
        session.flush()
        replies = [
            Text(
                f"Thanks, {name}: I've asked the rep about {fmt_date(when, today)} for {theirs}. "
                "The plan changes when they accept.",
                "success",
            )
        ]
        lines = [
            f"{name} ({deal.account}) proposes {fmt_date(when, today)} for {what} "
            f"(due {fmt_date(step.due, today)} now)."
        ]
        if deal.decision_date and when > deal.decision_date:
            lines.append(
                f"That is after the decision date {fmt_date(deal.decision_date, today)}, "
                "which stays where it is unless you move it with a reason."
            )
        tell = (
            Section(
                f"{deal.account} proposes another date",
                tuple(lines),
                (
                    Choice("Accept", f"proposal:{action.id}:accept", "primary"),
                    Choice("Counter", f"proposal:{action.id}:counter"),
                ),
            ),
        )
    elif verb in ("propose", "invalid"):
        return Outcome([Text("Pick a date from today on; nothing changed.", "warning")])
    else:
        return Outcome([Text(NOT_HERE, "warning")])
    session.add(step)
    session.add(action)
    outcome = Outcome(replies, notices=[Notice(owner.platform_user_id, tell)])
    outcome.shares = refresh(session, [(share, deal)], now, default_timezone)
    return outcome


def propose_form(share: SharedPlan, step: PlanStep) -> Form:
    # The conversation rides in the form id: a Slack modal's submission names no channel,
    # and Slack keeps private_metadata on its side, so it comes back as we set it.
    form_id = f"buyer:{share.id}:{step.id}:propose:{share.channel}"
    return step_date_form(form_id, "Propose another date", step, "Propose")


def _parse(turn: Turn) -> tuple[str, int, int, str, dt.date | None]:
    """(kind, share id, step id, verb, proposed date) of a buyer button or form; kind is ""
    for anything that is neither (a command, typed text, another button)."""
    raw = turn.value or (turn.form_id if turn.form is not None else "")
    parts = raw.split(":", 4)
    if len(parts) < 3 or parts[0] != "buyer" or not (parts[1].isdigit() and parts[2].isdigit()):
        return "", 0, 0, "", None
    verb = parts[3] if len(parts) > 3 else "propose"
    when = None
    if turn.form is not None:
        try:
            when = dt.date.fromisoformat(turn.form.get("due", ""))
        except ValueError:
            return "buyer", int(parts[1]), int(parts[2]), "invalid", None
    return "buyer", int(parts[1]), int(parts[2]), verb, when
