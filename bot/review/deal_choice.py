"""Choosing the deal: start a review, pick or create the deal, and open it.

Opening a deal shows its plan, then either follows up the steps that fell due
(`bot/review/due.py`) or goes straight to the decision date (`bot/review/decision.py`).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from bot.messages import Choice
from bot.review import decision
from bot.state import ReviewState
from process import playbook as pb
from process.playbook import Stage
from storage import crud
from storage.models import Deal

if TYPE_CHECKING:
    from bot.review.dialog import Dialog


def start_review(d: Dialog, args: str) -> None:
    """`review [deal]`: resume, or open the deal named by id or name, or ask which one."""
    if d.state.active and not args:
        d.say("Picking up where we left off.")
        d.ask()
        return
    if d.state.active:
        d.state = d.state.idle()
    if args.isdigit():
        deal = crud.get_deal(d.s, d.user, int(args))
        if deal:
            select_deal(d, deal)
            return
    if args and args != "new":
        matches = crud.find_deal(d.s, d.user, args)
        if len(matches) == 1:
            select_deal(d, matches[0])
            return
        if not matches:
            create_deal(d, args)
            return
        d.state.stage = Stage.PICK_DEAL.value
        d.say(f"More than one of your deals matches “{args}”.")
        ask_pick_deal(d, only=matches)
        return
    if args == "new":
        d.state.stage = Stage.NEW_DEAL.value
        d.ask()
        return
    d.goto(Stage.PICK_DEAL)


def select_deal(d: Dialog, deal: Deal) -> None:
    """Open a review of `deal`: show its plan, then follow up due steps or check the date."""
    d.deal = deal
    d.review = review = crud.start_review(d.s, deal, d.user, d.now)
    d.state = ReviewState(
        deal_id=deal.id, review_id=review.id, undo=d.state.undo, last_deal_id=deal.id
    )
    steps = crud.steps_for(d.s, [deal.id or 0]).get(deal.id or 0, [])
    open_steps = [s for s in steps if s.status == "open"]
    if open_steps or deal.decision_date:
        d.say(f"Reviewing *{deal.title}*. Here's the plan as it stands:")
        d.out.append(d.plan_card(deal, steps))
    else:
        d.say(f"Reviewing *{deal.title}*.")
    d.state.due_queue = [
        s.id for s in open_steps if s.id is not None and s.due is not None and s.due <= d.today
    ]
    if d.state.due_queue:
        n = len(d.state.due_queue)
        d.say(f"First, {n} step{'s were' if n > 1 else ' was'} due by today. Let's close the loop.")
        d.goto(Stage.CONFIRM_DUE)
    else:
        decision.to_decision(d)


#: Longest deal title typed ("Account - deal name"): a title is a label on cards and buttons.
MAX_TITLE_CHARS = 120
#: How alike a typed name and an existing deal's must be to ask "Did you mean …?" (difflib
#: ratios, 0..1: "acme renewl" / "Acme Corp — renewal" scores 0.79 on the whole title but
#: 1.0 on the account and 0.92 on the name).
NEAR_TITLE = 0.82
NEAR_PART = 0.85
NEAR_NAME = 0.75


NEAR_WORD = 0.8

#: "no", "a new one": the answer to "Did you mean …?" that creates the deal typed.
_NEW = re.compile(
    r"^\s*(?:no|nope|nah|n|new|a new (?:one|deal)|create it|neither)\b(?!\s*[-—])", re.I
)
#: "yes that one", "yep", "that one", "1": the answer to "Did you mean …?" that takes it.
_MEANT = re.compile(
    r"^\s*(?:y|yes|yep|yeah|yup|ya|sure|ok|okay|correct|right|exactly|that one|that's it|"
    r"that's the one|the first one)\b(?!\s*[-—])",
    re.I,
)


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("—", " ").replace("-", " ").split())


def _words_near(typed: str, title: str) -> bool:
    """Whether every word typed is (nearly) a word of `title`, dashes ignored: "Globex
    platfrom" is near "Globex — platform deal" (difflib ratio >= NEAR_WORD per word)."""
    typed_words, title_words = _norm(typed).split(), _norm(title).split()
    return len(typed_words) >= 2 and all(
        max(SequenceMatcher(None, w, t).ratio() for t in title_words) >= NEAR_WORD
        for w in typed_words
    )


def near_deals(d: Dialog, account: str, name: str) -> list[Deal]:
    """Open deals whose title is close to, but not, the one typed (a typo, a word left out),
    closest first."""
    typed_acct, typed_name = account.lower().strip(), name.lower().strip()
    typed = _norm(f"{account} {name}")
    scored: list[tuple[float, Deal]] = []
    for deal in crud.open_deals(d.s, d.user):
        acct = deal.account.lower()
        full = SequenceMatcher(None, typed, _norm(deal.title)).ratio()
        acct_sim = (
            1.0
            if acct.split()[:1] == [typed_acct] or acct == typed_acct
            else SequenceMatcher(None, typed_acct, acct).ratio()
        )
        if typed_name:
            name_sim = SequenceMatcher(None, typed_name, deal.name.lower()).ratio()
            near = (acct_sim >= NEAR_PART and name_sim >= NEAR_NAME) or full >= NEAR_TITLE
        else:
            near = acct_sim >= NEAR_PART or full >= NEAR_TITLE
        near = near or _words_near(f"{account} {name}", deal.title)
        if near:
            scored.append((max(full, acct_sim), deal))
    return [deal for _, deal in sorted(scored, key=lambda x: -x[0])]


def create_deal(d: Dialog, text: str, confirmed: bool = False) -> None:
    """A new deal from "Account - deal name"; an existing one of that name is reviewed
    instead, and one whose name is close asks "Did you mean …?" first (unless `confirmed`)."""
    text = text.strip()
    if text.startswith("#"):
        d.say(
            f"“{text[:40]}” looks like a step number, not a deal. To change a step: "
            "*done #1*, *edit #1 due Dec 4*. A new deal needs the account and the deal "
            "name, e.g. “Acme Corp - 2027 renewal”.",
            "warning",
        )
        d.state.stage = Stage.NEW_DEAL.value
        d.ask()
        return
    if len(text) > MAX_TITLE_CHARS:
        d.say(
            f"That's {len(text)} characters: a deal's name can be up to {MAX_TITLE_CHARS} "
            "(it labels cards and buttons). Type the account and a short deal name, e.g. "
            "“Acme Corp - 2027 renewal”.",
            "warning",
        )
        d.state.stage = Stage.NEW_DEAL.value
        d.ask()
        return
    account, name = pb.split_deal_name(text)
    if not account:
        d.say(
            "A deal needs at least the account name, e.g. “Acme Corp - 2027 renewal”.",
            "warning",
        )
        d.state.stage = Stage.NEW_DEAL.value
        d.ask()
        return
    existing = [
        deal
        for deal in crud.open_deals(d.s, d.user)
        if deal.account.lower() == account.lower() and deal.name.lower() == name.lower()
    ]
    if existing:
        d.say(f"You already have *{existing[0].title}*; let's review that one.")
        select_deal(d, existing[0])
        return
    near = [] if confirmed else near_deals(d, account, name)
    if near:
        ask_did_you_mean(d, text, near)
        return
    deal = crud.create_deal(d.s, d.user, account, name, d.now)
    d.say(f"New deal: *{deal.title}*.", "success")
    select_deal(d, deal)


# --- the questions ----------------------------------------------------------------------


def ask_did_you_mean(d: Dialog, text: str, near: list[Deal]) -> None:
    """"Did you mean <closest deal>?" about the new deal `text`; `on_pick_deal` reads the answer."""
    d.state.stage = Stage.PICK_DEAL.value
    d.state.new_deal_text = text
    d.question(
        f"Did you mean *{near[0].title}*?",
        tuple(Choice(f"Yes, {deal.title}", f"deal:{deal.id}") for deal in near[:3])
        + (Choice(f"No, a new deal “{text[:40]}”", "deal:create", "primary"),),
        hint="Yes or no: pick one.",
    )


def ask_pick_deal(d: Dialog, only: list[Deal] | None = None) -> None:
    deals = only or crud.open_deals(d.s, d.user)
    if not deals:
        d.state.stage = Stage.NEW_DEAL.value
        d.ask()
        return
    choices = tuple(Choice(deal.title, f"deal:{deal.id}") for deal in deals[:12])
    if only is None:
        choices += (Choice("New deal", "deal:new", "primary"),)
    d.question(
        "Which deal are we reviewing?",
        choices,
        hint="Pick one or type its name. For a new deal, type the account and deal name.",
    )


def on_pick_deal(d: Dialog, text: str | None, value: str | None) -> None:
    typed_new, d.state.new_deal_text = d.state.new_deal_text, None
    if typed_new and (value == "deal:create" or (text and _NEW.match(text))):
        create_deal(d, typed_new, confirmed=True)
        return
    if typed_new and text and not value:
        # the answer to "Did you mean …?": yes takes the closest deal; anything else but
        # no (which created it above) is asked again, never made a deal's name itself
        account, name = pb.split_deal_name(typed_new)
        near = near_deals(d, account, name)
        if near and text.strip().isdigit() and 1 <= int(text) <= len(near[:3]) + 1:
            # a choice's number, as the console reads it (the last choice is "No, a new deal")
            n = int(text)
            if n <= len(near[:3]):
                select_deal(d, near[n - 1])
            else:
                create_deal(d, typed_new, confirmed=True)
            return
        if near and (pb.is_yes(text) or _MEANT.match(text)):
            select_deal(d, near[0])
            return
        if near:
            d.say(
                f"I didn't follow “{text[:60]}”. Is it *{near[0].title}*, "
                f"or a new deal “{typed_new[:40]}”?",
                "warning",
            )
            ask_did_you_mean(d, typed_new, near)
            return
    if value == "deal:new":
        d.goto(Stage.NEW_DEAL)
        return
    if value and value.startswith("deal:") and value[5:].isdigit():
        deal = crud.get_deal(d.s, d.user, int(value[5:]))
        if deal is None:
            d.say("I can't find that deal any more.", "warning")
            d.ask()
            return
        select_deal(d, deal)
        return
    if text:
        start_review(d, text)
        return
    d.ask()


def ask_new_deal(d: Dialog) -> None:
    d.question(
        "Which deal shall we review? Type the account and the deal name.",
        hint="e.g. “Acme Corp - 2027 renewal”; just the account is fine too",
    )


def on_new_deal(d: Dialog, text: str | None, value: str | None) -> None:
    if not text:
        d.ask()
        return
    create_deal(d, text)


# --- naming a deal in a command ------------------------------------------------------------


def named_deal(d: Dialog, text: str, usage: str) -> Deal | None:
    """The deal a command names: by name (any unique part), else the one under review or
    shown last, else the user's only open deal. None after saying why (`usage` shows how)."""
    text = text.strip()
    if text:
        matches = crud.find_deal(d.s, d.user, text)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            d.say(f"I can't find an open deal of yours matching “{text}”. {usage}", "warning")
        else:
            names = ", ".join(m.title for m in matches[:8])
            d.say(f"More than one deal matches “{text}”: {names}. Say which.", "warning")
        return None
    # "#3" means the deal shown last: a plan card, or the deal under review (which sets
    # `last_deal_id` when it opens); a deal list showing several clears it.
    for deal_id in (d.state.last_deal_id, d.state.deal_id):
        deal = crud.get_deal(d.s, d.user, deal_id) if deal_id else None
        if deal is not None and deal.status == "open":
            return deal
    deals = crud.open_deals(d.s, d.user)
    if len(deals) == 1:
        return deals[0]
    names = ", ".join(deal.title for deal in deals[:8])
    d.say(f"Which deal? {usage}" + (f" Your deals: {names}." if names else ""), "warning")
    return None
