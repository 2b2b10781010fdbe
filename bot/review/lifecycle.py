"""A deal's life: `close DEAL` (Won / Lost / No decision, and why), `rename DEAL`, `archive DEAL`.

A closed or archived deal leaves the deal list, reminders, nudges and the at-risk parts of
the digest, because every one of them reads open deals only (`Deal.status == "open"`).
Close and rename ask over a turn or two (`ReviewState.task`) and then return to the
question they interrupted; the same close arrives in one go from a form (Slack modal,
Teams card). `undo` brings a closed, renamed or archived deal back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.messages import Choice, Form, FormField
from bot.review import deal_choice
from process import playbook as pb
from process.playbook import OUTCOMES, Stage
from storage import crud
from storage.models import Deal

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

USAGE = "Type *close* and the deal's name, e.g. *close Acme*."
_OUTCOME_WORDS = {
    "won": "won",
    "win": "won",
    "we won": "won",
    "closed won": "won",
    "lost": "lost",
    "lose": "lost",
    "we lost": "lost",
    "closed lost": "lost",
    "no decision": "no_decision",
    "no_decision": "no_decision",
    "nodecision": "no_decision",
    "none": "no_decision",
    "stalled": "no_decision",
}


def close(d: Dialog, args: str) -> None:
    """`close [DEAL]`: ask the outcome, then why."""
    deal = deal_choice.named_deal(d, args, USAGE)
    if deal is None:
        d.reask()
        return
    _start_task(d, "close", deal)
    d.goto(Stage.CLOSE_OUTCOME)


def rename(d: Dialog, args: str) -> None:
    """`rename DEAL` (then the new name is asked) or `rename DEAL to NEW NAME`."""
    old, sep, new = args.partition(" to ")
    deal = deal_choice.named_deal(d, old if sep else args, "Type *rename* and the deal's name.")
    if deal is None:
        d.reask()
        return
    if sep and new.strip():
        _apply_rename(d, deal, new)
        d.reask()
        return
    _start_task(d, "rename", deal)
    d.goto(Stage.RENAME)


def archive(d: Dialog, args: str) -> None:
    """`archive DEAL`: for junk; it disappears everywhere, `undo` brings it back."""
    deal = deal_choice.named_deal(d, args, "Type *archive* and the deal's name.")
    if deal is None:
        d.reask()
        return
    _close_deal(d, deal, "archived", None)
    d.say(
        f"Archived *{deal.title}*: it's gone from your lists and reminders. "
        "Type *undo* to bring it back."
    )
    _after(d, deal)


# --- the questions -----------------------------------------------------------------------


def _task_deal(d: Dialog) -> Deal | None:
    task = d.state.task or {}
    return crud.get_deal(d.s, d.user, task["deal_id"]) if task.get("deal_id") else None


def ask_close_outcome(d: Dialog) -> None:
    deal = _task_deal(d)
    title = deal.title if deal else "this deal"
    d.question(
        f"How did *{title}* end?",
        tuple(Choice(label, f"outcome:{key}") for key, label in OUTCOMES.items()),
    )


def on_close_outcome(d: Dialog, text: str | None, value: str | None) -> None:
    picked = (value or "").removeprefix("outcome:") if value else None
    outcome = picked or _OUTCOME_WORDS.get((text or "").lower().strip(" .!"))
    if outcome not in OUTCOMES or d.state.task is None:
        d.say("Was it *won*, *lost* or *no decision*?", "warning")
        d.ask()
        return
    d.state.task["outcome"] = outcome
    d.goto(Stage.CLOSE_REASON)


def ask_close_reason(d: Dialog) -> None:
    outcome = OUTCOMES.get((d.state.task or {}).get("outcome", ""), "")
    d.question(
        f"{outcome}: in one line, why? (It helps the next deal like this one.)",
        (Choice("Skip", "reason:skip"),),
    )


def on_close_reason(d: Dialog, text: str | None, value: str | None) -> None:
    deal, task = _task_deal(d), d.state.task
    if deal is None or task is None:
        end_task(d)
        return
    reason = None if value == "reason:skip" or (text and pb.is_skip(text)) else text
    if not reason and value != "reason:skip" and not (text and pb.is_skip(text)):
        d.ask()
        return
    _close_deal(d, deal, task["outcome"], reason)
    why = f" ({reason})" if reason else ""
    d.say(
        f"Closed *{deal.title}*: {OUTCOMES[task['outcome']]}{why}. It leaves your reminders "
        "and the at-risk lists. Type *undo* to reopen it.",
        "success",
    )
    _after(d, deal)


def ask_rename(d: Dialog) -> None:
    deal = _task_deal(d)
    d.question(
        f"New name for *{deal.title if deal else 'the deal'}*?",
        hint="Account and deal name, e.g. “Acme Corp - 2027 renewal”.",
    )


def on_rename(d: Dialog, text: str | None, value: str | None) -> None:
    deal = _task_deal(d)
    if deal is None:
        end_task(d)
        return
    if not text:
        d.ask()
        return
    if _apply_rename(d, deal, text):
        end_task(d)
    else:
        d.ask()


# --- the form --------------------------------------------------------------------------------


def close_form(deal: Deal) -> Form:
    """Close a deal in one go; comes back as `Turn.form` with form_id `close:<deal id>`."""
    return Form(
        form_id=f"close:{deal.id}",
        title="Close the deal",
        submit_label="Close deal",
        fields=(
            FormField(
                "outcome",
                f"How did {deal.title[:80]} end?",
                "choice",
                None,
                options=tuple(Choice(label, key) for key, label in OUTCOMES.items()),
                optional=False,
            ),
            FormField("reason", "Why, in one line", "text", ""),
        ),
    )


def submit_close_form(d: Dialog, deal_id: int, form: dict[str, str]) -> None:
    deal = crud.get_deal(d.s, d.user, deal_id)
    if deal is None or deal.status != "open":
        d.say("That deal isn't one of your open deals any more.", "warning")
        d.reask()
        return
    outcome = form.get("outcome", "")
    if outcome not in OUTCOMES:
        d.form_errors = {"outcome": "Pick Won, Lost or No decision."}
        d.say("Not closed: pick Won, Lost or No decision.", "error")
        return
    reason = pb.clean_answer(form.get("reason", ""))[0] or None
    _close_deal(d, deal, outcome, reason)
    why = f" ({reason})" if reason else ""
    d.say(f"Closed *{deal.title}*: {OUTCOMES[outcome]}{why}. Type *undo* to reopen it.", "success")
    _after(d, deal)


# --- shared ----------------------------------------------------------------------------------


def _start_task(d: Dialog, kind: str, deal: Deal) -> None:
    resume = d.state.stage if d.state.task is None else (d.state.task or {}).get("resume")
    d.state.task = {"kind": kind, "deal_id": deal.id, "resume": resume}


def end_task(d: Dialog) -> None:
    """Back to the question the task interrupted, or idle."""
    resume = (d.state.task or {}).get("resume")
    d.state.task = None
    if resume:
        d.state.stage = resume
        d.ask()
    else:
        d.state = d.state.idle()


def _after(d: Dialog, deal: Deal) -> None:
    """After closing or archiving: a review of that deal ends; another one goes on.

    Outside a review the deal's card follows with an Undo button (Slack and Teams have
    no other way to take a click back)."""
    interrupted = (d.state.task or {}).get("resume") if d.state.task else d.state.stage
    if not interrupted or d.state.deal_id == deal.id:
        d.out.append(d.plan_card(deal, undo=True))
    if d.state.deal_id == deal.id:
        d.state.task = None
        d.state = d.state.idle()
        return
    if d.state.task is not None:
        end_task(d)
    else:
        d.reask()


def _remember(d: Dialog, deal: Deal) -> None:
    """Note the deal as it is, so `undo` restores its status, reason and name."""
    d.remember(
        "deal",
        deal_id=deal.id,
        status=deal.status,
        reason=deal.close_reason,
        closed_at=deal.closed_at.isoformat() if deal.closed_at else None,
        account=deal.account,
        name=deal.name,
    )


def _close_deal(d: Dialog, deal: Deal, status: str, reason: str | None) -> None:
    _remember(d, deal)
    crud.close_deal(d.s, deal, status, reason, d.now)


def _apply_rename(d: Dialog, deal: Deal, text: str) -> bool:
    account, name = pb.split_deal_name(pb.clean_answer(text)[0])
    if not account:
        d.say("A deal needs at least the account name.", "warning")
        return False
    clash = [
        other
        for other in crud.open_deals(d.s, d.user)
        if other.id != deal.id
        and other.account.lower() == account.lower()
        and other.name.lower() == name.lower()
    ]
    if clash:
        d.say(f"You already have a deal called *{clash[0].title}*.", "warning")
        return False
    old = deal.title
    _remember(d, deal)
    deal.account, deal.name = account, name
    d.s.add(deal)
    d.say(f"Renamed *{old}* to *{deal.title}*.", "success")
    return True
