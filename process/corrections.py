"""Reps correct themselves: "scratch that …", "actually it's ours", "no, the 4th".

`read_correction(text, today)` says whether an answer corrects the last thing recorded
rather than answering the current question, and how. Pure: `today` is passed in. The
wording is what reps typed in the trials of issue 10; a correction must start with a cue
("no", "actually", "sorry", "oops", "wait", "correction", "make that", "scratch that") so
that an ordinary answer ("Friday", "ours") is never mistaken for one.
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
#: "the 20th", "20th", "the 4th": a day of the month with no month named.
_DAY_ONLY = re.compile(r"^\s*(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s*$", re.I)


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
        return Correction("scratch", rest=m.group("rest").strip())
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
    short = len(rest.split()) <= 6
    if short and (_IS.search(rest) or len(rest.split()) <= 2):
        if _US.search(rest):
            return Correction("side", side="us")
        if _CUSTOMER.search(rest):
            return Correction("side", side="customer")
    if short:
        bare = _DATE_LEAD.sub("", rest)
        day = _DAY_ONLY.match(bare)
        if day and was is not None:
            try:
                return Correction("due", due=was.replace(day=int(day.group(1))))
            except ValueError:
                pass  # no such day in that month: read it as a date from today
        due = parse_date_answer(bare, today, allow_past=True)
        if due is None:
            found = parse_due(rest, today)
            due = found[0] if found else None
        if due is not None:
            return Correction("due", due=due)
    return None


def _owner(text: str) -> str | None:
    """The name in "owner is priya" / "Priya owns it", capitalised; None if it says none."""
    for pattern in _OWNER:
        m = pattern.match(text)
        if m and m.group("name").split()[0].lower() not in _NOT_NAMES:
            name = m.group("name")
            return name[0].upper() + name[1:]
    return None
