"""Following up a step that fell due, in the rep's own words.

`read_followup(text, today)` turns an answer to "how did it go?" into what to do with the
step: done, partly done (the done part closed, the rest kept open), moved to a date found
in the answer, dropped (the answer is the reason), or unclear. Pure: `today` is passed in.

The order of the checks is the rule: "half done" is looked for first (it contains
"done"); then a future date anywhere in the answer means a reschedule ("CFO cancelled,
moving it to next Thursday" is not a drop although it says "cancelled"); then the words
of dropping ("didn't need it anymore"); then the words of doing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from process.dates import parse_due

FollowUpKind = Literal["done", "partial", "reschedule", "drop", "unclear"]

_PARTIAL = re.compile(
    r"\b(half[- ]done|halfway|half way|partly|partially|part of it|some of it|not all|"
    r"mostly done|almost done|in part)\b",
    re.I,
)
_BUT = re.compile(r"\s*(?:,\s*)?\b(?:but|except|though|however)\b\s*", re.I)
_LEAD = re.compile(r"^\s*(?:" + _PARTIAL.pattern[3:-3] + r")\s*[-:,;.–—]*\s*", re.I)
_MOVE = re.compile(r"\b(reschedul|mov|later|slip|delay|postpon|push|pushed|bump)", re.I)
_DROP = re.compile(
    r"\b(drop|no longer|not needed|no need|didn'?t need|don'?t need|doesn'?t need|"
    r"not necessary|unnecessary|anymore|any more|irrelevant|not relevant|remove|scrap|"
    r"skip it|won'?t happen|not going to happen|off the table|cancel(?:l?ed)?)\b",
    re.I,
)
_DONE = re.compile(
    r"\b(done|did|yes|yep|complete|completed|finished|happened|sent|signed|booked|held|"
    r"delivered|approved|went well|went fine)\b",
    re.I,
)


@dataclass(frozen=True)
class FollowUp:
    """What an answer says about a due step.

    `done_part`/`rest`: for "partial", what was done (the rep's words) and what is still to
    do, as an action ("Book the call"; empty when the answer does not say). `due`: the new date for "reschedule" (or the
    date the rest is due for "partial", if given). `reason`: the answer, for "drop".
    """

    kind: FollowUpKind
    due: dt.date | None = None
    done_part: str = ""
    rest: str = ""
    reason: str = ""


def read_followup(text: str, today: dt.date) -> FollowUp:
    """Read an answer to "how did it go?" (see the module docstring for the order)."""
    text = " ".join(text.split())
    found = parse_due(text, today)
    due = found[0] if found else None
    if _PARTIAL.search(text):
        body = text.replace(found[1], " ") if found else text  # the date is the rest's due
        done_part, rest = _partial(body)
        return FollowUp("partial", due=due, done_part=done_part, rest=rest)
    if due is not None:
        return FollowUp("reschedule", due=due)
    if _DROP.search(text):
        return FollowUp("drop", reason=text[:1000])
    if _MOVE.search(text):
        return FollowUp("reschedule")
    if _DONE.search(text):
        return FollowUp("done")
    return FollowUp("unclear")


#: Where a partly-done answer changes clause: "but", dashes, colons, semicolons, commas.
_CLAUSES = re.compile(
    r"\s*(?:,\s*)?\b(?:but|except|though|however|whereas)\b\s*|\s+[-–—]\s+|\s*[:;]\s*|,\s*"
)
_AFTER_BUT = re.compile(r"\b(?:but|except|though|however|whereas)\b", re.I)
#: Words saying a clause is what is left, not what was done.
_LEFT = re.compile(
    r"\b(still|need|needs|needed|left|remaining|remains|isn'?t|aren'?t|wasn'?t|weren'?t|"
    r"hasn'?t|haven'?t|didn'?t|not|yet to|pending|outstanding|to do|to go|waiting|"
    r"the rest|rest of)\b",
    re.I,
)


def _partial(body: str) -> tuple[str, str]:
    """The done part and the rest of a partly-done answer: what was done (in the rep's
    words), and what is left *as an action* ("the call isn't booked" -> "Book the call").
    A clause that only says how far it got ("it's half done", "halfway there") is neither."""
    done: list[str] = []
    left: list[str] = []
    for clause, after_but in _split(body):
        clause = clause.strip(" .,;:-–—")
        if not clause or _PARTIAL.search(clause):
            continue  # "it's half done", "mostly done": a state, not a part
        if after_but or _LEFT.search(clause):
            action = remaining_action(clause)
            if action:
                left.append(action)
        else:
            done.append(clause)
    return ", ".join(done), " and ".join(left)


def _split(body: str) -> list[tuple[str, bool]]:
    """The clauses of `body`, each with whether a "but" came before it."""
    out: list[tuple[str, bool]] = []
    but = False
    pos = 0
    for m in _CLAUSES.finditer(body):
        out.append((body[pos : m.start()], but))
        but = but or bool(_AFTER_BUT.search(m.group(0)))
        pos = m.end()
    out.append((body[pos:], but))
    return out


#: Participles reps use for what is not done yet, and the verb that does it.
_VERBS: dict[str, str] = {
    "sent": "send", "done": "finish", "signed": "sign", "booked": "book", "held": "hold",
    "paid": "pay", "written": "write", "given": "give", "made": "make", "run": "run",
    "built": "build", "set": "set", "approved": "approve", "scheduled": "schedule",
    "reviewed": "review", "returned": "return", "agreed": "agree", "confirmed": "confirm",
    "shared": "share", "submitted": "submit", "completed": "complete", "finished": "finish",
    "raised": "raise", "received": "receive", "issued": "issue", "filled": "fill",
    "answered": "answer", "uploaded": "upload", "countersigned": "countersign",
    "released": "release", "started": "start", "closed": "close", "finalised": "finalise",
    "finalized": "finalize", "tested": "test", "installed": "install", "configured": "configure",
    "updated": "update", "received back": "receive", "got": "get", "gotten": "get",
}
_PRONOUNS = frozenset({"i", "we", "you", "they", "he", "she", "it"})
_NOT = (
    r"(?:isn'?t|is not|aren'?t|are not|wasn'?t|was not|weren'?t|were not|hasn'?t been|"
    r"haven'?t been|has not been|have not been|not been|not)"
)
_PASSIVE = re.compile(
    rf"^(?P<subj>.+?)\s+(?:still\s+)?{_NOT}\s+(?:yet\s+|still\s+)?(?P<verb>\w+)(?P<tail>.*?)(?:\s+yet)?$",
    re.I,
)
_ACTIVE = re.compile(
    r"^(?P<subj>.+?)\s+(?:still\s+)?(?:hasn'?t|haven'?t|has not|have not|didn'?t|did not)"
    r"\s+(?:yet\s+)?(?P<verb>\w+)(?P<tail>.*?)(?:\s+yet)?$",
    re.I,
)
_NEEDS_TO = re.compile(
    r"^(?:(?P<subj>.+?)\s+)?(?:still\s+)?(?:need|needs|has|have|got)\s+to\s+(?P<what>.+)$", re.I
)
_NEEDS = re.compile(
    r"^(?P<subj>.+?)\s+(?:still\s+)?(?:needs|need|wants|want|is waiting (?:on|for)|"
    r"are waiting (?:on|for))\s+(?P<what>.+)$",
    re.I,
)
_LEFT_OVER = re.compile(
    r"^(?:(?:still\s+)?(?:to do|left|remaining|outstanding|pending)\s+(?:is\s+|are\s+)?)(?P<what>.+)$"
    r"|^(?P<what2>.+?)\s+(?:is\s+|are\s+)?(?:still\s+)?(?:left|remaining|outstanding|pending|"
    r"to do|to go)$",
    re.I,
)
_FILLER = re.compile(r"^(?:and|but|still|so|then|yet|the rest(?: of it)?(?: is)?)\b\s*", re.I)


def remaining_action(clause: str) -> str:
    """What is left to do, said as an action a plan step can hold ("" if nothing is said).

    "the call isn't booked" -> "Book the call"; "legal hasn't signed yet" -> "Legal to sign";
    "still need to book the call" -> "Book the call"; "procurement still needs the PO" ->
    "Procurement to get the PO"; "the security questionnaire is still pending" -> "Finish
    the security questionnaire"; anything else (already an action) is kept, capitalised.
    """
    text = clause.strip(" .,;:-–—")
    while _FILLER.match(text) and _FILLER.sub("", text, count=1) != text:
        text = _FILLER.sub("", text, count=1).strip()
    if not text or text.lower() in ("the rest", "rest", "it", "the remainder"):
        return ""
    m = _ACTIVE.match(text)
    if m and _verb(m["verb"]):
        return _doer(m["subj"], _verb(m["verb"]) + m["tail"])
    m = _PASSIVE.match(text)
    if m and _verb(m["verb"]):
        return _cap(f"{_verb(m['verb'])} {m['subj']}{m['tail']}")
    m = _NEEDS_TO.match(text)
    if m:
        return _doer(m["subj"] or "", m["what"])
    m = _NEEDS.match(text)
    if m:
        return _doer(m["subj"], f"get {m['what']}")
    m = _LEFT_OVER.match(text)
    if m:
        return _cap(f"finish {m['what'] or m['what2']}")
    return _cap(text)


def _verb(word: str) -> str:
    """The verb a participle (or a bare verb after "didn't") names; "" if it is no verb."""
    low = word.lower()
    if low in _VERBS:
        return _VERBS[low]
    if low.endswith("ied") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith("ed") and len(low) > 4:
        stem = low[:-2]
        return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "ls" else stem
    if low.isalpha() and low not in ("been", "yet", "there", "ready", "in"):
        return low  # "hasn't sign(ed)", "didn't send"
    return ""


def _doer(subject: str, action: str) -> str:
    """ "Legal to sign" (note style: who, then what); no subject or a pronoun: just the action."""
    who = subject.strip()
    if not who or who.lower() in _PRONOUNS:
        return _cap(action.strip())
    return _cap(f"{who} to {action.strip()}")


def _cap(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] if text else ""
