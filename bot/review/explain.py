"""Answers that are no answer: a question back ("what should I put here?", "what do you
mean by decision date?") gets the question explained; an answer that says nothing ("1",
"👍", "something", a lone name) is not stored as the deal's context or risk.

`question_back(d, text)` is called for every typed answer in a review before it reaches
the question's answerer (bot/review/commands.py); `says_nothing(text)` is what the context
and risk questions check before they keep an answer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from process.playbook import Stage

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

#: "what should I put here?", "what do you mean by decision date?", "huh?", "example?"
_QUESTION_BACK = re.compile(
    r"^\s*(?:(?:what|how|which|why)\b.*\b(?:mean|meant|put|write|say|type|answer|want|expect|"
    r"example|asking)\b[^?]*\?+|huh|what|eh|sorry|(?:an? )?examples?|help me|"
    r"i don'?t (?:get|understand)(?: it| this| that| the question)?|"
    r"what does (?:that|this|it) mean)\W*$",
    re.I,
)
#: Words that say nothing about a deal on their own.
_EMPTY_WORDS = frozenset(
    {
        "something",
        "stuff",
        "things",
        "whatever",
        "nothing",
        "n/a",
        "na",
        "none",
        "test",
        "asdf",
        "blah",
        "dunno",
        "hmm",
        "hm",
        "idk",
        "meh",
        "same",
        "yes",
        "no",
        "hi",
        "hello",
    }
)


def says_nothing(text: str) -> bool:
    """Whether `text` carries nothing to keep: no letters ("1", "👍", "..."), a lone short
    word or name ("Raj"), a filler word ("something"), a keyboard mash ("asdfghjkl
    qwerty", `_mashed`), or a slash command typed as text."""
    typed = text.strip()
    words = re.findall(r"[^\W\d_][\w'’-]*", typed)
    if not words or typed.startswith("/"):
        return True
    if all(_mashed(word) for word in words):
        return True
    if len(words) == 1:
        word = words[0].lower()
        return word in _EMPTY_WORDS or len(word) <= 3 or typed[:1].isupper()
    return False


#: The letter rows of a keyboard: "asdfghjkl", "qwerty" are a hand run along one.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _mashed(word: str) -> bool:
    """Whether a word is a keyboard mash: four letters or more run along one keyboard row
    ("asdfghjkl", "qwerty", "lkjh"), or with no vowel ("sdfgkj"; not an acronym: "MSSP")."""
    low = word.lower()
    if len(low) < 4:
        return False
    if any(low in row or low in row[::-1] for row in _ROWS):
        return True
    return not word.isupper() and not re.search(r"[aeiouy]", low)


def _explanation(d: Dialog, stage: Stage) -> str | None:
    account = d.deal.account if d.deal else "the customer"
    if stage is Stage.CONTEXT:
        return (
            "Where the deal stands now, in one line: the last thing that happened or what "
            f"{account} is doing, e.g. “Demo went well; their CFO wants a business case”. "
            "It is shown on the plan card and in your manager's digest. Or type *skip*."
        )
    if stage in (Stage.DECISION_DATE, Stage.DECISION_CHECK, Stage.DECISION_MOVE):
        return (
            f"The decision date is the day *{account}* must decide (buy, or not), set by "
            "their own timeline: a budget cycle, a contract ending, a go-live. Every step is "
            "planned back from it, so a best guess is fine: “end of March”, “Mar 31” or "
            "“Q1”."
        )
    if stage is Stage.DEAL_STAGE:
        lines = "\n".join(
            f"• *{st.name}*: done when {st.exit_criteria[0].text[:1].lower()}"
            f"{st.exit_criteria[0].text[1:]}"
            for st in d.process.stages
        )
        return f"The stage is how far {account} is in buying. Pick the first not done yet:\n{lines}"
    if stage is Stage.RISK:
        return (
            "*No decision* means they don't buy from anyone: the deal stalls. What would "
            f"make {account} put it off? Too many options, not enough information, fear it "
            "won't work. Pick one, type it in your words, or *skip*."
        )
    return None


def question_back(d: Dialog, text: str) -> bool:
    """If `text` asks what the current question means, explain it and ask again (True)."""
    stage = d.stage
    if stage is None or not _QUESTION_BACK.match(text):
        return False
    said = _explanation(d, stage)
    if said is None:
        return False
    d.say(said, "coach")
    d.ask()
    return True
