"""Reps correct themselves: "scratch that …", "actually it's ours", "no, the 4th".

`read_correction(text, today)` says whether an answer corrects the last thing recorded
rather than answering the current question, and how. Pure: `today` is passed in. The
wording is what reps typed in the trials of issue 10; a correction must start with a cue
("no", "actually", "sorry", "oops", "wait", "correction", "make that", "scratch that") so
that an ordinary answer ("Friday", "ours") is never mistaken for one.

"Scratch that" followed by only a date, a side or an owner ("scratch that, Jan 20",
"scratch that, it's ours", "scratch that, Raj owns it") amends the step like "no, …" does:
the rep is fixing one detail, not taking the step back. Followed by a whole step ("scratch
that, I send the SOC 2 report by Friday") it replaces the step.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from process.dates import parse_date_answer, parse_due
from process.plan import Side

CorrectionKind = Literal["scratch", "side", "due", "owner"]

_SCRATCH = re.compile(
    r"^\s*(?:scratch|strike|forget|cancel|ignore|delete|remove)\s+(?:that one|this one|that|the last(?: one| step)?)"
    r"\b[\s,.:;!-]*(?:(?:it'?s|it should be|should be|make it|instead)\b[\s,:]*)?(?P<rest>.*)$",
    re.I | re.S,
)
_CUE = re.compile(
    r"^\s*(?:(?:no|nope|actually|sorry|oops|wait|correction|my bad)\b[\s,.:;!-]*)+"
    r"|^\s*make (?:that|it)\b[\s,:]*",
    re.I,
)
_US = re.compile(r"\b(ours|mine|on us|on me|our (?:step|action|side)|my (?:step|action))\b", re.I)
_CUSTOMER = re.compile(
    r"\b(theirs|on them|their (?:step|action|side)|the customer'?s|customer'?s (?:step|action)"
    r"|for the customer|the customer)\b",
    re.I,
)
_IS = re.compile(r"\b(?:it|that|this|that one|this one)(?:'s| is| was)\b", re.I)
_DATE_LEAD = re.compile(r"^\s*(?:it'?s\s+|it is\s+|due\s+|by\s+|on\s+|for\s+)+", re.I)
#: "owner is Priya", "owner: Priya", "(actually) Priya owns it", "Priya's the owner":
#: a named owner needs no cue, the words "owner"/"owns" say it is no step.
_NAME = r"(?P<name>[A-Za-z][\w'.-]*(?: [A-Z][\w'.-]*)?)"
_OWNER = (
    re.compile(
        rf"^\s*(?:the\s+)?owner(?:\s+is|'s|\s*[:=]|\s+should be)\s+{_NAME}\s*[.!]?\s*$", re.I
    ),
    re.compile(
        rf"^\s*{_NAME}\s+(?:owns|has|is the owner of|'s the owner of)\s+(?:it|that|this|that one|this one)\s*[.!]?\s*$"
    ),
    re.compile(rf"^\s*{_NAME}(?:'s| is) the owner\s*[.!]?\s*$"),
)
#: Words that are no one's name ("it owns it", "that has it").
_NOT_NAMES = frozenset(
    {"it", "that", "this", "he", "she", "they", "them", "who", "which", "the", "we", "i"}
)
#: "that's ours not theirs", "it's theirs": whose it is, said of the last step with no cue;
#: the side named first is the one meant.
_WHOSE = re.compile(
    r"^\s*(?:that|it|this)(?: one)?(?:'s| is| was|’s)\s+(?:(?:actually|really)\s+)?"
    r"(?P<side>ours|mine|theirs|their step|our step|on us|on them)\b"
    r"(?:[\s,;-]*(?:not|and not|rather than)\s+(?:ours|mine|theirs)\b)?\s*[.!]?\s*$",
    re.I,
)
#: "not Friday, Monday": the date said first is the one being corrected.
_NOT_THIS = re.compile(
    r"^\s*not\s+(?P<wrong>[^,;]{1,30}?)(?:\s*[,;]\s*(?:but\s+)?|\s+but\s+)(?:it'?s\s+)?(?P<rest>.+)$",
    re.I,
)
#: "Monday", "on thursday", "fri": a weekday alone, read near the date it corrects.
_WEEKDAY_ONLY = re.compile(
    r"^\s*(?:on\s+|the\s+)?(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\s*[.!]?\s*$", re.I
)
#: "the 20th", "20th", "the 4th": a day of the month with no month named.
_DAY_ONLY = re.compile(r"^\s*(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s*$", re.I)
#: A person's name as reps type it after a cue ("no, Dana Reid"): one to three capitalised words.
_CUED_NAME = r"(?P<name>[A-Z\u00C0-\u00DE][\w\u00C0-\u024F'.-]*(?:\s+[A-Z\u00C0-\u00DE][\w\u00C0-\u024F'.-]*){0,2})"
#: After a cue, "it's Raj's", "Raj owns it", "owner is Raj", "Raj is doing it", "Wait, Maria".
_CUED_OWNER = re.compile(
    r"^(?:(?:it'?s|it is|that'?s|that is|the owner is|owner is|owned by|owner:?|make it)\s+)?"
    + _CUED_NAME
    + r"(?:'s|\s+(?:owns it|owns that|does it|does that|is doing it|'s doing it|will do it|"
    r"has it|is on it|instead))?$"
)
#: Capitalised first words that are never an owner's: sides, pronouns, date words.
_NOT_OWNER_WORDS = """i we they it ours mine theirs us them me the customer no yes today tomorrow next this
    end eod eow mid early late monday tuesday wednesday thursday friday saturday sunday mon
    tue tues wed thu thur thurs fri sat sun january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov
    dec q1 q2 q3 q4"""
_NOT_OWNER: frozenset[str] = frozenset(_NOT_OWNER_WORDS.split())


@dataclass(frozen=True)
class Correction:
    """What to change on the last recorded step (or decision date).

    `scratch`: take it back; `rest` (may be empty) is the answer meant instead.
    `side`: it belongs to `side`. `due`: its date is `due`. `owner`: `owner` does it.
    """

    kind: CorrectionKind
    rest: str = ""
    side: Side | None = None
    due: dt.date | None = None
    owner: str | None = None


def read_correction(
    text: str, today: dt.date, was: dt.date | None = None
) -> Correction | None:
    """The correction `text` makes, or None if it is an ordinary answer (see module doc).

    `was` is the date being corrected: "no, the 20th" said of a step due Jan 15 means
    Jan 20, the same month, not the next 20th from today (Dec 20).
    """
    m = _SCRATCH.match(text)
    if m:
        rest = m.group("rest").strip(" .!")
        # Only a detail after it ("scratch that, Jan 20"): amend the step, don't drop it.
        return _detail(rest, today, was, whole=True) or Correction("scratch", rest=rest)
    whose = _WHOSE.match(text)
    if whose:
        said = whose.group("side").lower()
        return Correction("side", side="customer" if "their" in said or "them" in said else "us")
    not_this = _NOT_THIS.match(text)
    if not_this and parse_date_answer(not_this.group("wrong"), today, allow_past=True):
        text = "no, " + not_this.group("rest")  # read on as "no, Monday"
    cue = _CUE.match(text)
    owner = _owner(text[cue.end() :] if cue else text)
    if owner:
        return Correction("owner", owner=owner)
    if not cue:
        return None
    rest = text[cue.end() :].strip(" .!")
    if not rest:
        return None
    return _detail(rest, today, was, whole=False)


def _detail(
    rest: str, today: dt.date, was: dt.date | None, whole: bool
) -> Correction | None:
    """The one detail `rest` corrects: the side, the date or the owner (None: not one).

    `whole`: the date must be all of `rest` (after "scratch that", "I send it Friday" is a
    new step, not a new date); after "no"/"actually" a date inside a short phrase counts.
    """
    words = rest.split()
    if not words or len(words) > 6:
        return None
    if _IS.search(rest) or len(words) <= 2:
        # "that's ours, owner is Ravi": the side and who owns it, in one breath
        owner = next(
            (o for piece in re.split(r",|;|\band\b", rest)[1:] if (o := _owner(piece.strip()))),
            None,
        )
        if _US.search(rest):
            return Correction("side", side="us", owner=owner)
        if _CUSTOMER.search(rest):
            return Correction("side", side="customer", owner=owner)
    bare = _DATE_LEAD.sub("", rest)
    day = _DAY_ONLY.match(bare)
    if day and was is not None:
        try:
            return Correction("due", due=was.replace(day=int(day.group(1))))
        except ValueError:
            pass  # no such day in that month: read it as a date from today
    # "no, Monday" of a step due Fri Dec 11 is the Monday near it (Dec 14), not this week's
    near = was is not None and _WEEKDAY_ONLY.match(bare)
    base = max(today, was - dt.timedelta(days=3)) if near and was else today
    due = parse_date_answer(bare, base, allow_past=True)
    if due is None and not whole:
        found = parse_due(rest, today)
        due = found[0] if found else None
    if due is not None:
        return Correction("due", due=due)
    owner = _CUED_OWNER.match(rest)
    if owner and owner.group("name").split()[0].lower().strip(".") not in _NOT_OWNER:
        return Correction("owner", owner=owner.group("name").removesuffix("'s"))
    return None


def _owner(text: str) -> str | None:
    """The name in "owner is priya" / "Priya owns it", capitalised; None if it says none."""
    for pattern in _OWNER:
        m = pattern.match(text)
        if m and m.group("name").split()[0].lower() not in _NOT_NAMES:
            name = m.group("name")
            return name[0].upper() + name[1:]
    return None
