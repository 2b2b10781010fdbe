"""The review playbook: which questions, in what order, and how the coach steers answers.

Pure: the engine (`bot/engine.py`) owns storage and replies; this module owns the sales
process, so changing how a review runs means changing this file and nothing in `bot/`.

The order of a review:
  1 deal -> (later reviews: each open step due by now: done / reschedule / drop)
  2 decision date (set once; later reviews confirm it, and a move needs a reason)
  (a deal's first review: its stage in the buying journey, a question with no number)
  3 one line of context -> 4 the customer's next step -> 5 ours -> 6 what else, working back
  from the decision date -> 7 what could end this in no decision -> 8 the plan back, confirmed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from process.plan import Side
from process.plan import short_date as short_date  # re-exported: quick choices use it
from process.steering import Reading, Step

#: After this many redirects on one question the coach records what it has and moves on.
MAX_REDIRECTS = 3
#: Work-back steps one review may add before the coach wraps up.
MAX_STEPS_PER_REVIEW = 12
#: Longest answer kept; longer ones are cut with a note.
MAX_ANSWER_CHARS = 1000
#: Longest context line kept from a history answer.
CONTEXT_CHARS = 240


class Stage(StrEnum):
    PICK_DEAL = "pick_deal"
    NEW_DEAL = "new_deal"
    CONFIRM_DUE = "confirm_due"
    RESCHEDULE = "reschedule"
    RESCHEDULE_LATE = "reschedule_late"
    RESCHEDULE_DAY_OFF = "reschedule_day_off"
    DECISION_DATE = "decision_date"
    DECISION_CHECK = "decision_check"
    DECISION_MOVE = "decision_move"
    DECISION_REASON = "decision_reason"
    DEAL_STAGE = "deal_stage"
    CONTEXT = "context"
    CUSTOMER_NEXT = "customer_next"
    US_NEXT = "us_next"
    MORE = "more"
    STEP_SIDE = "step_side"
    STEP_DUE = "step_due"
    STEP_LATE = "step_late"
    STEP_DAY_OFF = "step_day_off"
    SUGGEST = "suggest"
    STEP_OWNER = "step_owner"
    RISK = "risk"
    RISK_STEP = "risk_step"
    SUMMARY = "summary"
    # Side tasks outside the review's eight parts (no progress number).
    CLOSE_OUTCOME = "close_outcome"
    CLOSE_REASON = "close_reason"
    RENAME = "rename"


#: How a deal ends (`Deal.status` besides "open" and "archived"), as the rep reads it.
OUTCOMES: dict[str, str] = {"won": "Won", "lost": "Lost", "no_decision": "No decision"}


#: Where each stage sits in the 8-part review (sub-stages share their parent's number).
#: Following up the steps that fell due (CONFIRM_DUE, RESCHEDULE…) comes before the eight
#: parts and varies in length, so those questions carry no number. So does the deal's stage
#: (DEAL_STAGE): it is asked in a deal's first review only (or by the `stage` command), and
#: numbered as part of the decision date it read "Step 2 of 8" right after the decision
#: date's own "Step 2 of 8", two different questions under one number.
_PROGRESS: dict[Stage, int] = {
    Stage.PICK_DEAL: 1,
    Stage.NEW_DEAL: 1,
    Stage.DECISION_DATE: 2,
    Stage.DECISION_CHECK: 2,
    Stage.DECISION_MOVE: 2,
    Stage.DECISION_REASON: 2,
    Stage.CONTEXT: 3,
    Stage.CUSTOMER_NEXT: 4,
    Stage.US_NEXT: 5,
    Stage.MORE: 6,
    Stage.RISK: 7,
    Stage.RISK_STEP: 7,
    Stage.SUMMARY: 8,
}
TOTAL_PARTS = 8

#: The stages whose answers become plan steps, and whose step each one asks for.
STEP_STAGES: dict[Stage, Side | None] = {
    Stage.CUSTOMER_NEXT: "customer",
    Stage.US_NEXT: "us",
    Stage.MORE: None,
}


def progress(stage: Stage, parent: Stage | None = None) -> str:
    """'Step 4 of 8' for the stage (or the step question a sub-stage belongs to)."""
    n = _PROGRESS.get(parent or stage)
    return f"Step {n} of {TOTAL_PARTS}" if n else ""


# --- questions ------------------------------------------------------------------------


def fmt_date(d: dt.date | None, today: dt.date | None) -> str:
    """How every date reads, on every platform: 'Fri Nov 27', or 'Sun Jan 31, 2027' when the
    year is not `today`'s (or `today` is unknown), so dates across a year end never read as
    nonsense ("Dec 9 is after the decision date, Jan 31")."""
    if d is None:
        return "no date"
    same_year = today is not None and d.year == today.year
    return f"{d:%a %b} {d.day}" if same_year else f"{d:%a %b} {d.day}, {d.year}"


def date_examples(today: dt.date) -> str:
    """Ways to type a date, as a hint; the ISO example is two weeks ahead of `today`, so the
    coach never suggests a date it would then reject as passed."""
    ahead = today + dt.timedelta(days=14)
    return f"“{ahead:%b} {ahead.day}”, “next Friday”, “end of month” or {ahead.isoformat()}"


def days(n: int) -> str:
    """'1 day', '3 days', '0 days': a count of days as it reads."""
    return f"{n} day" if abs(n) == 1 else f"{n} days"


def days_between(today: dt.date, d: dt.date) -> str:
    n = (d - today).days
    if n == 0:
        return "today"
    if n == 1:
        return "tomorrow"
    if n > 0:
        return f"in {n} days"
    return f"{-n} days ago" if n < -1 else "yesterday"


def step_question(
    stage: Stage, account: str, decision: dt.date | None, today: dt.date | None
) -> str:
    if stage is Stage.CUSTOMER_NEXT:
        return f"What does *{account}* have to do next, and by when?"
    if stage is Stage.US_NEXT:
        return f"What do *we* do next to help {account} get there, and by when?"
    until = f" before the decision on {fmt_date(decision, today)}" if decision else ""
    return (
        f"What else must happen{until}? Work back from the decision date: "
        "one step at a time, theirs or ours. Say *that's all* when the plan is complete."
    )


def step_example(side: Side | None, today: dt.date | None) -> str:
    """An example answer for the step question asked; any date in it lies ahead of `today`
    (ten days on), so the coach never shows an example it would call passed."""
    if side == "customer":
        by = today + dt.timedelta(days=10) if today else None
        when = f"{by:%b} {by.day}" if by else "Friday"
        return f"e.g. “Their CFO signs off the budget by {when}”"
    if side == "us":
        return "e.g. “I send the security pack to their IT lead by Friday”"
    return "e.g. “Legal reviews our MSA by the end of next week”"


def date_hint(today: dt.date, days_ahead: int, *more: str) -> str:
    """'Pick one or type a date (“Dec 14”, …)' with an example `days_ahead` of today."""
    ahead = today + dt.timedelta(days=days_ahead)
    examples = ", ".join(f"“{x}”" for x in (short_date(ahead, today), *more))
    return f"Pick one or type a date ({examples})."


# --- steering -------------------------------------------------------------------------


@dataclass(frozen=True)
class Steer:
    """What to do with one answer to a step question."""

    kind: Literal["accept", "redirect", "give_up"]
    message: str = ""
    keep_as_context: bool = False


def _whose(side: Side | None, account: str) -> str:
    return account if side == "customer" else "we" if side == "us" else "someone"


_FORWARD: dict[Side | None, str] = {
    "customer": "what does the customer have to do next, and by when?",
    "us": "what do we do next to help them, and by when?",
    None: "what else has to happen, who does it, and by when?",
}


def steer(
    reading: Reading,
    asked: Side | None,
    redirects: int,
    history_streak: int,
    account: str,
    today: dt.date | None = None,
) -> Steer:
    """Accept a concrete next step; steer history and vague answers back to the future.

    `redirects` counts earlier redirects on this question and `history_streak` earlier
    history answers in a row, so the second history answer gets a firmer redirect and the
    coach gives up (recording the gap) instead of looping. A bare date ("dec 9") is asked
    about rather than guessed at (issue 11); a state with a date ("the trial runs until
    Dec 15") is kept as context and named as a date to plan against.
    """
    if reading.orientation == "next_step":
        return Steer("accept")
    keep = reading.orientation == "history"
    if redirects + 1 >= MAX_REDIRECTS:
        gap = {
            "customer": "the plan has no next step for the customer yet",
            "us": "the plan has no next step for us yet",
            None: "we stopped adding steps here",
        }[asked]
        return Steer(
            "give_up",
            f"Let's keep moving: I've noted that {gap}. Add it as soon as you know it.",
            keep_as_context=keep,
        )
    if reading.bare_date is not None and (today is None or reading.bare_date >= today):
        return Steer(
            "redirect", f"What happens on {fmt_date(reading.bare_date, today)}, and who does it?"
        )
    if reading.orientation == "history":
        if reading.state_date is not None and history_streak == 0:
            when = fmt_date(reading.state_date[0], today)
            msg = (
                f"Got it: {when} is a date to plan against; I've kept it as context. "
                f"Looking forward now: {_FORWARD[asked]}"
            )
        elif history_streak == 0:
            msg = (
                "Got it, that's where things stand; I've kept it as context. "
                f"Looking forward now: {_FORWARD[asked]}"
            )
        else:
            msg = (
                "That's still what already happened. I need the *next* action: "
                f"what {_whose(asked, account)} will do, who does it, and the date. "
                f"{step_example(asked, today)}"
            )
        return Steer("redirect", msg, keep_as_context=True)
    msg = (
        "What specifically, and who does it? A next step is one concrete action with an "
        f"owner and a date, {step_example(asked, today)}"
    )
    return Steer("redirect", msg)


# --- small answer readers -------------------------------------------------------------

_DONE = re.compile(
    r"^\s*(that'?s (all|it)|thats (all|it)|all done|done|nothing( else)?( more)?|no(ne|pe| more)?|"
    r"that is all|finished|i'?m done|we'?re done|n/?a|no,? that'?s (all|it))\W*\s*$",
    re.IGNORECASE,
)
_SKIP = re.compile(
    # "tbd" and "no date yet" are how reps say a date is not known yet (issue 11)
    r"^\s*(skip|pass|none|nothing|no|nope|n/?a|not sure|don'?t know|dunno|no idea|"
    r"tb[dac]|to be (?:decided|confirmed|agreed)|no date(?: yet)?|unknown)\W*\s*$",
    re.I,
)
_YES = re.compile(
    r"^\s*(y|yes|yep|yeah|ok|okay|sure|correct|looks good|lgtm|confirm|still right|right|good|👍)\W*\s*$",
    re.I,
)
_KEEP = re.compile(r"^\s*(keep|keep it|leave it|that'?s fine|fine|ok|okay|yes)\W*\s*$", re.I)
_SEP = re.compile(r"\s+[-–—/|:]\s+|\s*[–—|:]\s*")

_CUSTOMER_WORDS = re.compile(
    r"^\s*(the )?(customer|they|them|theirs|their (side|step|one|action)|on them|"
    r"(the )?(customer|client|buyer)'?s( step| one)?|client|buyer)\W*$",
    re.I,
)
_US_WORDS = re.compile(
    r"^\s*(us|we|me|i|our side|ours|mine|myself|on (us|me)|our (step|one|action)|my (step|one))\W*$",
    re.I,
)


#: "I don't know"-type answers: the coach offers steps from the process instead of pushing.
_UNSURE = re.compile(
    r"\b(i\s*(really\s*)?(do\s*n[o']?t|dont|don't)\s*know|idk|dunno|no\s+(idea|clue)|not\s+sure|"
    r"unsure|no\s+clue|not\s+certain|haven'?t\s+(a|any)\s+(clue|idea)|can'?t\s+say|who\s+knows)\b",
    re.IGNORECASE,
)


def is_unsure(text: str) -> bool:
    """Whether an answer says the rep doesn't know ("no idea what they do next", "idk")."""
    return bool(_UNSURE.search(text))


def is_done(text: str) -> bool:
    return bool(_DONE.match(text))


def is_skip(text: str) -> bool:
    return bool(_SKIP.match(text))


# At a step question these words steer the conversation, they are no answer: "that's all",
# "skip", "looks good" mean "nothing (more) for this question", never history to keep.
_SKIP_QUESTION = re.compile(
    r"^\s*(skip( (it|this|that))?( one| question)?|move on|next( question)?|pass|looks good|"
    r"lgtm|all good|good|fine|that'?s fine|ok|okay|nothing to add|nothing for now|not yet)\W*\s*$",
    re.IGNORECASE,
)


def is_skip_question(text: str) -> bool:
    """A control word at a step question: skip it, store nothing (see `_SKIP_QUESTION`)."""
    return is_done(text) or is_skip(text) or bool(_SKIP_QUESTION.match(text))


def is_yes(text: str) -> bool:
    return bool(_YES.match(text))


def is_keep(text: str) -> bool:
    return bool(_KEEP.match(text))


def read_side(text: str) -> Side | None:
    if _CUSTOMER_WORDS.match(text):
        return "customer"
    if _US_WORDS.match(text):
        return "us"
    return None


def split_deal_name(text: str) -> tuple[str, str]:
    """'Acme Corp - 2027 renewal' -> ('Acme Corp', '2027 renewal'); no separator: all account."""
    parts = _SEP.split(text.strip(), maxsplit=1)
    account = parts[0].strip()[:200]
    name = parts[1].strip()[:200] if len(parts) > 1 else ""
    return account, name


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_answer(text: str) -> tuple[str, bool]:
    """Strip control characters and spare whitespace; cut very long answers (and say so)."""
    cleaned = " ".join(_CONTROL.sub(" ", text).split())
    if len(cleaned) > MAX_ANSWER_CHARS:
        return cleaned[:MAX_ANSWER_CHARS].rstrip() + "…", True
    return cleaned, False


def step_description(reading: Reading | Step, fallback: str) -> str:
    """The step as it goes on the plan: the action without its date phrase (the date is shown apart)."""
    action = reading.action or fallback
    if reading.date_text:
        at = action.lower().rfind(reading.date_text.lower())
        if at >= 0:
            action = action[:at] + action[at + len(reading.date_text) :]
    action = re.sub(r"\s+([,.;:])", r"\1", " ".join(action.split())).strip(" ,;:-–—")
    if not action:
        return fallback
    return action[0].upper() + action[1:]


#: A step said to have no date yet, at its end: "SOW to be sent by us, date tbd", "kickoff (tbc)".
_NO_DATE_YET = re.compile(
    r"[\s,;:(-]*\b(?:(?:the\s+)?(?:date|timing|when|day)\s+(?:is\s+|still\s+)*)?"
    r"(?:tbd|tbc|tba|to\s+be\s+(?:decided|confirmed|agreed)|not\s+(?:set|fixed|known)\s+yet|"
    r"no\s+date\s+yet)\b\)?[.!]*\s*$",
    re.IGNORECASE,
)


def without_date_yet(description: str) -> str | None:
    """The step without its "date tbd" ("SOW to be sent by us, date tbd" -> "SOW to be sent by
    us"), or None when it does not say its date is not known yet."""
    m = _NO_DATE_YET.search(description)
    if m is None or m.start() == 0:
        return None
    return description[: m.start()].rstrip(" ,;:-(")


#: A step whose subject is the rep ("I send…", "I'll book…", "Me to send…", "Let me…").
_FIRST_PERSON = re.compile(
    r"^\s*(?:i\b(?!\.)|i['’](?:ll|m|ve|d)\b|me to\b|let me\b|myself\b)", re.I
)


def first_person(description: str) -> bool:
    """Whether a step is the rep's own ("I send the SOC 2 report"): it is owned by the rep,
    as a suggested step the rep picks with "Me" is. "We send…" names no one: not the rep's."""
    return bool(_FIRST_PERSON.match(description))


#: Titles one person holds: "Their CFO signs…" names who owns the step.
_ONE_PERSON_WORDS = (
    "cfo ceo cto cio ciso coo cro cmo cpo gc dpo vp svp evp md chief head director manager mgr"
    " officer counsel lawyer champion champ sponsor eb boss lead owner architect founder"
    " president chair controller treasurer"
)
_ONE_PERSON = frozenset(_ONE_PERSON_WORDS.split())
_DETERMINERS = frozenset({"their", "the", "a", "an", "his", "her", "its", "our"})
#: Words that end a subject: pronouns, auxiliaries, "to" of note style ("Customer to send").
_STOPS = frozenset(
    {"they", "them", "to", "will", "would", "should", "must", "can", "may", "might", "has",
     "have", "had", "is", "are", "was", "were", "needs", "need", "shall"}
)


def names_owner(description: str) -> bool:
    """Whether a customer step's subject already says who owns it: a title one person holds
    ("Their CFO signs…", "Their R&D lead signs off", "Procurement lead raises the PO"), not a
    group or a pronoun ("Their legal team reviews…", "They send…", "Sign the order form"). A
    named person is `Step.owner` already; this is for the roles steering keeps out of names.
    The subject is taken as the first three words after "their"/"the" (reps' subjects are short)."""
    words = [w.strip(".,;:!?()\"'").lower() for w in description.split()]
    while words and words[0] in _DETERMINERS:
        words.pop(0)
    for word in words[:3]:
        if word.removesuffix("'s") in _ONE_PERSON:
            return True
        if word in _STOPS:
            return False  # the verb: the subject named no one
    return False


#: How sure of a step's side the steering must be for an undated step said where the deal's
#: standing was asked to go to the plan: "they send the PO" (1.0) does; "their CFO wants a
#: business case" or "waiting for their security review" (0.85) and "Legal is reading the
#: MSA" (0.6) say where things stand, which is what that question asks.
STANDING_STEP_SURE = 0.9
#: A step said in the progressive ("Priya is reviewing the MSA", "waiting for …") is going
#: on now: where the deal stands, unless it has a date. "are going to …" is the future.
_GOING_ON = re.compile(
    r"^(?:\S+\s+){0,4}?(?:is|are|am|im|\S*(?:'s|'re|'m|’s|’re|’m))\s+(?!going\s+to\b)\w+ing\b"
    r"|^\w+ing\b",
    re.I,
)


def names_a_step(reading: Reading) -> bool:
    """Whether an answer to "where are we?" (or to the stage question) names a next step
    for the plan rather than where the deal stands: a step with a date, or one said as an
    action to come whose doer is clear ("they send the PO", "we demoed last week, they want
    to loop in their CFO", "Raj will send the deck"). Pure: `reading` is
    `steering.read_answer`'s."""
    if reading.orientation != "next_step":
        return False
    return any(
        step.due is not None
        or (
            not _GOING_ON.search(step.action)
            and (step.side_confidence >= STANDING_STEP_SURE or step.owner is not None)
        )
        for step in reading.steps
    )


def context_line(text: str) -> str:
    """The first sentence of a history answer, short enough to read in a digest."""
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first if len(first) <= CONTEXT_CHARS else first[: CONTEXT_CHARS - 1].rstrip() + "…"


# --- quick date choices ---------------------------------------------------------------


def end_of_month(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def end_of_quarter(d: dt.date) -> dt.date:
    last_month = ((d.month - 1) // 3 + 1) * 3
    return end_of_month(d.replace(month=last_month, day=1))


def coming_weekday(today: dt.date, weekday: int) -> dt.date:
    """The next such weekday after today (today itself counts only if it is not yet passed)."""
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def quick_step_dates(today: dt.date, decision: dt.date | None) -> list[tuple[str, dt.date]]:
    """Three sensible 'by when?' answers, none after the decision date."""
    friday = coming_weekday(today, 4)
    options = [
        ("This Friday" if (friday - today).days < 7 else "Friday", friday),
        ("Next week", friday + dt.timedelta(days=7)),
        ("End of month", end_of_month(today)),
    ]
    if end_of_month(today) <= friday + dt.timedelta(days=7):
        options[2] = ("End of next month", end_of_month(end_of_month(today) + dt.timedelta(days=1)))
    seen: set[dt.date] = set()
    out = []
    for label, d in options:
        if d in seen or (decision and d > decision):
            continue
        seen.add(d)
        out.append((label, d))
    return out


#: A decision date offered as a quick choice is at least this many days away: a date closer
#: than a working week leaves no room for a plan, so it is never offered (typing it still works).
MIN_DECISION_LEAD_DAYS = 5


def quick_decision_dates(today: dt.date) -> list[tuple[str, dt.date]]:
    """Up to three month and quarter ends to offer as the target decision date, each at least
    `MIN_DECISION_LEAD_DAYS` away: on the last days of a quarter, "End of quarter" is too
    close and "End of next quarter" is offered instead."""
    eom = end_of_month(today)
    next_eom = end_of_month(eom + dt.timedelta(days=1))
    eoq = end_of_quarter(today)
    next_eoq = end_of_quarter(eoq + dt.timedelta(days=1))
    candidates = [
        ("End of this month", eom),
        ("End of next month", next_eom),
        ("End of quarter", eoq),
        ("End of next quarter", next_eoq),
    ]
    earliest = today + dt.timedelta(days=MIN_DECISION_LEAD_DAYS)
    seen: set[dt.date] = set()
    out = []
    for label, d in candidates:
        if d >= earliest and d not in seen:
            seen.add(d)
            out.append((label, d))
    return out[:3]
