"""Editing any open step: `edit #3 due Dec 4`, `edit #3 ours`, `drop #3 reason`, `done #3`,
and the same through a form (Slack's Edit modal, Teams' edit card).

Steps are named by their number within the deal (`PlanStep.number`), never by a global
id; "#3" means step 3 of the deal under review, or else of the deal shown last (or named
before the number: `edit Acme #3 ours`). A form carries the step's id; either way the
step is looked up through the acting user's own deals, so nobody edits another's plan.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from bot.messages import Choice, Form, FormField, side_label
from bot.review import deal_choice
from process import playbook as pb
from process.dates import parse_date_answer
from process.playbook import fmt_date
from storage import crud
from storage.models import Deal, PlanStep, User

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

_REF = re.compile(r"^(?P<deal>.*?)\s*#\s*(?P<n>\d+)\b[\s:,-]*(?P<rest>.*)$", re.S)
_FIELD = re.compile(
    r"^(?P<field>due|date|by|to|owner|who|text|say|says|description)\b[\s:=]*", re.I
)
_US = re.compile(r"^(ours|us|mine|our step|we)$", re.I)
_CUSTOMER = re.compile(r"^(theirs|them|customer|the customer|customer'?s|their step|they)$", re.I)
USAGE = (
    "Try *edit #3 due Dec 4*, *edit #3 ours*, *edit #3 owner Maria*, *edit #3 text …*, "
    "*drop #3 no longer needed* or *done #3* (numbers as on *plan*)."
)


def find_step(d: Dialog, args: str) -> tuple[PlanStep, Deal, str] | None:
    """The step "#N" in `args` names, its deal, and the words after it; None after saying why."""
    m = _REF.match(args.strip())
    if not m:
        d.say(f"Which step? {USAGE}", "warning")
        return None
    deal = deal_choice.named_deal(
        d, m.group("deal"), "Name the deal before the number, e.g. *drop Acme #3 why*."
    )
    if deal is None:
        return None
    step = crud.step_by_number(d.s, deal, int(m.group("n")))
    if step is None:
        d.say(f"{deal.title} has no step #{m.group('n')}. Type *plan* to see its steps.", "warning")
        return None
    d.state.last_deal_id = deal.id
    return step, deal, m.group("rest").strip()


def edit_command(d: Dialog, args: str) -> None:
    """`edit [DEAL] #N <change>`: one change (due, side, owner or text) to an open step."""
    found = find_step(d, args)
    if found is None:
        d.reask()
        return
    step, deal, rest = found
    change = read_change(rest, d.today)
    passed = d.just_passed(change.get("due"), rest) if change else None
    if change is None:
        d.say(f"What should change on {deal.title} #{step.number}? {USAGE}", "warning")
    elif passed is not None:
        # its answer is a command: the review's question comes back after it, not now, so
        # a typed "1" picks this question's choice
        d.past(passed, retry=f"cmd:edit:{deal.title} #{step.number} due {{date}}")
        return
    elif _still_open(d, step):
        apply_edit(d, step, deal, change)
    d.reask()


#: "#1 #2", "#1, #2 and #3", "#1 & 2": more numbers after the first ("drop #3 2 weeks late"
#: is one step: a number after a space needs its "#").
_MORE_REFS = re.compile(r"^(?:(?:\s*(?:,|and|&)\s*#?|\s*#)\s*(\d+)\b)+", re.I)


#: The numbers first, then what happened to them: "#1 #2 done", "#1, #2 and #4 done",
#: "Acme #3 dropped - no longer needed" (`numbers_first`).
_NUMBERS_FIRST = re.compile(
    r"^(?P<deal>[^#]{0,80}?)\s*(?P<refs>#\s*\d+(?:(?:\s*(?:,|and|&)\s*#?|\s*#)\s*\d+\b)*)"
    r"\s*[:,-]?\s*(?:(?:are|is|both|all)\s+)*(?P<verb>done|dropped|drop)\b[\s.:,-]*(?P<rest>.*)$",
    re.I | re.S,
)


def numbers_first(typed: str) -> tuple[str, str, str] | None:
    """ "#1 #2 done" read as `done #1 #2`: (command, its arguments, the deal's name typed
    before the numbers, "" if none); None when `typed` is not said that way."""
    m = _NUMBERS_FIRST.match(typed.strip())
    if m is None:
        return None
    name = "drop" if m.group("verb").lower().startswith("drop") else "done"
    deal = m.group("deal").strip()
    return name, f"{deal} {m.group('refs')} {m.group('rest')}".strip(), deal


def close_command(d: Dialog, args: str, status: str) -> None:
    """`drop [DEAL] #N [reason]` / `done [DEAL] #N`; several numbers (`done #1 #2`, also
    typed `#1, #2 and #4 done`) close each of them, one line and one undo entry each; a
    number the deal doesn't have is named and changes nothing. Outside a review the plan
    card comes once, after them all."""
    m = _REF.match(args.strip())
    after = args.strip()[m.end("n") :] if m else ""
    more = _MORE_REFS.match(after) if m else None
    if m and more:
        numbers = [m.group("n"), *re.findall(r"\d+", more.group(0))]
        rest = after[more.end() :].strip(" ,:-")
        changed = [
            _close_one(d, f"{m.group('deal')} #{n} {rest}".strip(), status, card=False)
            for n in dict.fromkeys(numbers)
        ]
        deal = next((deal for deal in changed if deal is not None), None)
        if deal is not None and not d.state.active:
            d.out.append(d.plan_card(deal, undo=True))
    else:
        _close_one(d, args, status)
    d.reask()  # once, after every step named


def _close_one(d: Dialog, args: str, status: str, card: bool = True) -> Deal | None:
    """Close the step `args` names; its deal when it changed, else None (said why)."""
    found = find_step(d, args)
    if found is None:
        return None
    step, deal, reason = found
    if not _still_open(d, step):
        return None
    apply_edit(d, step, deal, {"status": status, "reason": reason}, card)
    return deal


def read_change(rest: str, today: dt.date) -> dict[str, Any] | None:
    """'due Dec 4' / 'ours' / 'owner Maria' / 'text …' / a bare date -> the change; else None."""
    rest = rest.strip(" .")
    if not rest:
        return None
    if _US.match(rest):
        return {"side": "us"}
    if _CUSTOMER.match(rest):
        return {"side": "customer"}
    m = _FIELD.match(rest)
    value = rest[m.end() :].strip() if m else rest
    field = m.group("field").lower() if m else ""
    if field in ("owner", "who"):
        return {"owner": value} if value else None
    if field in ("text", "say", "says", "description"):
        return {"description": value} if value else None
    due = parse_date_answer(value, today, allow_past=True)
    return {"due": due} if due else None


def _still_open(d: Dialog, step: PlanStep) -> bool:
    if step.status == "open":
        return True
    d.say(f"Step #{step.number} “{step.description}” is already {step.status}.", "warning")
    return False


def _is_our_rep(d: Dialog, deal: Deal, owner: str | None) -> bool:
    """Whether `owner` names the deal's rep or the one editing (display name or login)."""
    if not owner:
        return False
    reps = [d.user, d.s.get(User, deal.owner_id)]
    names = {n.casefold() for u in reps if u for n in (u.display_name, u.platform_user_id) if n}
    return owner.strip().casefold() in names


def apply_edit(
    d: Dialog, step: PlanStep, deal: Deal, change: dict[str, Any], card: bool = True
) -> None:
    """Apply a change to an open step, say what changed, and remember it for `undo`.

    `change` may hold description, side ("customer"/"us"), owner, due (a date), and status
    ("done"/"dropped") with a reason. A later due date counts as a slip, as a reschedule does,
    except on a step made in the review under way (a correction, as "no, the 20th" is).
    Outside a review the deal's plan card follows, unless `card` is False (the caller
    shows it once after several changes).
    """
    before = {
        "description": step.description,
        "shared_text": step.shared_text,
        "side": step.side,
        "owner": step.owner,
        "status": step.status,
        "due": step.due.isoformat() if step.due else None,
        "slips": step.slips,
        "slip_id": None,
    }
    said: list[str] = []
    notes: list[str] = []
    due = change.get("due")
    if isinstance(due, dt.date) and due != step.due:
        if d.past(due):
            return
        if d.state.active and step.review_id == d.state.review_id:
            # made in this very review: fixing its date is a correction, not a slip
            before["original_due"] = step.original_due.isoformat() if step.original_due else None
            step.due = step.original_due = due
        else:
            moved = crud.reschedule_step(d.s, step, due, d.now)
            before["slip_id"] = moved.id if moved else None
        late = (
            " (after the decision date)" if deal.decision_date and due > deal.decision_date else ""
        )
        if late:  # as the review says it: the plan should finish before the decision
            notes.append(
                f"That's after the decision date, {fmt_date(deal.decision_date, d.today)}: "
                "the plan should be done before it. "
                f"*edit {deal.title} #{step.number} due DATE* moves it earlier."
            )
        slip = f", slip {step.slips}" if step.slips else ""
        said.append(f"due {fmt_date(due, d.today)}{late}{slip}")
    if change.get("side") in ("customer", "us") and change["side"] != step.side:
        step.side = change["side"]
        said.append(f"*{side_label(step.side)}*")
        if step.side == "customer" and "owner" not in change and _is_our_rep(d, deal, step.owner):
            step.owner = None  # our rep doesn't do the customer's step: the buyer would read it so
            said.append("no owner")
    if "owner" in change and (change["owner"] or None) != step.owner:
        step.owner = (change["owner"] or "")[:200] or None
        said.append(f"owner {step.owner}" if step.owner else "no owner")
    text = (change.get("description") or "").strip()
    if text and text != step.description:
        step.description = text[:1000]
        step.shared_text = None  # the rep's own words now: both sides see them
        said.append(f"“{step.description}”")
    status = change.get("status")
    if status in ("done", "dropped"):
        crud.close_step(d.s, step, status, d.now, change.get("reason") or None)
        why = f" ({change['reason']})" if change.get("reason") else ""
        said.append(("done" if status == "done" else "dropped") + why)
    if not said:
        d.say(f"Nothing changed on {deal.title} #{step.number} “{step.description}”.")
        return
    d.s.add(step)
    d.remember("edit", step_id=step.id, deal_id=deal.id, before=before)
    d.say(f"{deal.title} #{step.number} {step.description}: {', '.join(said)}.", "success")
    for note in notes:
        d.say(note, "warning")
    if card and not d.state.active:
        d.out.append(d.plan_card(deal, undo=True))


# --- the edit form (Slack modal, Teams card) ---------------------------------------------


def step_form(step: PlanStep, deal: Deal) -> Form:
    """The form that edits one step; comes back as `Turn.form` with form_id `step:<id>`."""
    return Form(
        form_id=f"step:{step.id}",
        title=f"Edit step #{step.number}"[:24],
        submit_label="Save",
        fields=(
            FormField("description", "What happens", "text", step.description, optional=False),
            FormField(
                "side",
                "Whose step",
                "choice",
                step.side or "",
                options=(Choice(f"{deal.account}'s"[:75], "customer"), Choice("Ours", "us")),
            ),
            FormField("owner", "Who exactly (optional)", "text", step.owner or ""),
            FormField("due", "Due", "date", step.due.isoformat() if step.due else None),
            FormField(
                "drop_reason",
                "Drop it? Say why",
                "text",
                "",
                hint="Leave empty to keep the step.",
            ),
        ),
    )


def submit_form(d: Dialog, step_id: int, form: dict[str, str]) -> None:
    """A submitted edit form: the step must still be one of the user's open steps."""
    found = crud.get_step(d.s, d.user, step_id)
    if found is None:
        d.say("I can't find that step (it may belong to someone else's deal).", "warning")
        d.reask()
        return
    step, deal = found
    if not _still_open(d, step):
        d.reask()
        return
    change: dict[str, Any] = {}
    errors: dict[str, str] = {}
    text, _ = pb.clean_answer(form.get("description", ""))
    if "description" in form and not text:
        errors["description"] = "A step needs a few words saying what happens."
    change["description"] = text
    if form.get("side") in ("customer", "us"):
        change["side"] = form["side"]
    if "owner" in form:
        change["owner"] = pb.clean_answer(form["owner"])[0]
    raw_due = (form.get("due") or "").strip()
    if raw_due:
        due = parse_date_answer(raw_due, d.today, allow_past=True)
        if due is None:
            errors["due"] = f"“{raw_due[:40]}” isn't a date I can read; try 2026-12-04."
        elif due < d.today and due != step.due:
            errors["due"] = (
                f"{fmt_date(due, d.today)} has already passed. Pick a date from today on."
            )
        else:
            change["due"] = due
    reason = pb.clean_answer(form.get("drop_reason", ""))[0]
    if reason:
        change.update(status="dropped", reason=reason)
    if errors:
        d.form_errors = errors
        d.say("Not saved:\n• " + "\n• ".join(errors.values()), "error")
        return
    d.state.last_deal_id = deal.id
    apply_edit(d, step, deal, change)
    if d.state.active:
        d.reask()
