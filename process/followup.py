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

    `done_part`/`rest`: for "partial", what was done and what is still open (rest may be
    empty when the answer does not say). `due`: the new date for "reschedule" (or the
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
        body = _LEAD.sub("", text)
        if found:  # the date goes on the rest's due date, not into its words
            body = body.replace(found[1], " ")
        done_part, _, rest = (" ".join(p.split()).strip(" .,;-–—") for p in _split_but(body))
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


def _split_but(text: str) -> tuple[str, str, str]:
    m = _BUT.search(text)
    if not m:
        return text, "", ""
    return text[: m.start()], m.group(0), text[m.end() :]
