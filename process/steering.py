"""Steering: is a rep's answer history, a vague intention, or concrete next steps?

The coach asks forward questions ("What does the customer have to do next?") and reps
answer the way they type in Slack and Teams: history first, two steps in one line, a
date alone, a wish. `read_answer` reads one answer into a `Reading`: its orientation, every
step it names (side, named owner, due date, the action without history or date words),
the history said around them (kept as context) and how sure it is, so the engine can push
back ("That's what happened; what happens next?"), ask instead of guessing ("Theirs or
ours?", "What happens on Wed Dec 9?"), or record the steps in the action plan.

Why rules, not a model: answers are short, the signal is grammatical (modal verbs,
imperatives, tense) plus a vocabulary of non-actions ("follow up", "ball's with them"),
and the engine needs a decision well under a millisecond, deterministically, with no I/O.

How (issue 11): normalise the text (Slack markup, emoji, chat spellings); a whole answer
that is a correction or only a date is vague; otherwise split it into clauses at sentence
ends, "then", "after that" ("post that"), "and <someone>" (a Slack mention too), arrows and
list numbers, "<an action> before we can <act>" (the action first), ", which <they> will ..."
(`_split`); a clause dated from the step before ("the week after") or saying it comes after
("afterwards") follows it whatever the separator. Read each clause with
`steering_readers.read_clause` (forward, vague or history, with side and owner), and
make each forward clause a step: a clause with no subject continues the step before it,
"the week after" counts from it, a date in a trailing fragment belongs to the step before.
Vocabulary tables: `process/steering_vocab.py`; grammar: `process/steering_grammar.py`.
Dates: `process/dates.py`, the one date path (the dialog's typed dates use it too).
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Final

from process import learned_steering, typos
from process import steering_vocab as vocab
from process.dates import SLIPS as DATE_SLIPS
from process.dates import DateConventions, bare_date, falls_on_weekend, parse_due
from process.steering_grammar import (
    _FILLER_LEAD,
    Orientation,
    Side,
    _Clause,
    _direction,
    _is_doer,
    _modal_at,
    _name_in,
    _present_verb_at,
    _tokens,
    _verb_form,
    _verb_stem,
)
from process.steering_readers import (
    read_clause,
)

__all__ = [
    "Orientation",
    "Reading",
    "Side",
    "Step",
    "is_step_verb",
    "read_answer",
    "travels_from",
]


_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    """One concrete step named in an answer."""

    side: Side | None  # whose step; None when both sides do it or the answer doesn't say
    owner: str | None  # a named person ("Priya"); never a pronoun or a role alone
    due: datetime.date | None  # never before `today`
    action: str  # the step's words, without history before it
    date_text: str | None  # the phrase the due date came from, e.g. "by Friday"
    side_confidence: float = 1.0  # 0..1; below SURE the coach asks "theirs or ours?"

    @property
    def on_weekend(self) -> bool:
        """A due date on a Saturday or Sunday, worth a second look."""
        return self.due is not None and falls_on_weekend(self.due)


#: Below this side confidence the coach asks instead of guessing.
SURE: Final = 0.7


@dataclass(frozen=True)
class Reading:
    """What one answer says about the next step (see module docstring).

    `side`, `due`, `owner`, `action` and `date_text` are the first step's (kept so callers
    that want one step need not look into `steps`); `steps` holds every step, in the order
    written. `context` is the history said before or around the steps, for the review's
    context line. `bare_date` is set when the whole answer is a date ("dec 9"): the coach
    asks what happens then. `state_date` is a date a state runs to ("the trial runs until
    Dec 15"): worth planning against, not a step. `confidence` (0..1) is how sure the
    orientation is.
    """

    orientation: Orientation
    side: Side | None  # whose step, None if the answer doesn't say
    due: datetime.date | None  # never before `today` for a next_step
    owner: str | None  # the person named as doing the first step
    action: str  # the answer cleaned into a short step description
    date_text: str | None  # the phrase the due date came from, e.g. "by Friday"
    steps: tuple[Step, ...] = ()
    confidence: float = 1.0
    context: str = ""
    bare_date: datetime.date | None = None
    state_date: tuple[datetime.date, str] | None = None


# Analysing more than this is pointless for a chat answer and would only cost time.
_MAX_CHARS: Final = 2000


_MAX_ACTION: Final = 200


_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


#: Emoji and pictographs (with their joiners and variation selectors) carry no step: read
#: "by next Friday 🙏" as "by next Friday".
_PICTOGRAPHS: Final = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]+")


#: Emoji as Slack delivers them, as shortcodes: ":pray:", ":white_check_mark:", ":+1:".
_SHORTCODE: Final = re.compile(r":[a-z0-9][a-z0-9_+'-]*:", re.IGNORECASE)


#: Phone slips of grammar words and of the dates' words, one table (see process/typos.py).
_SLIPS: Final = {**typos.table(sorted(vocab.TYPO_TARGETS)), **DATE_SLIPS}


# Where one clause ends and the next begins. Bullets ("•", "·", "▪") end a list item the way
# a line break does: Slack keeps them in one line when a rep pastes a list. A step often follows history ("had the budget
# mtg mon, anyway tomas has to...") or another step ("..., then procurement issues the PO").
_CLAUSE_SPLIT: Final = re.compile(
    r"(?=[\s,;!?.:\d\u2013\u2014])(?:"  # every separator starts with one of these: skip the rest fast
    # ... and " / " between words, and lettered items "a) ... b) ...", as list items end
    r"(?:[;!?\n]|\.(?![\d\w])|:\s|\s[-\u2013\u2014]+\s|\s\d[.)]\s|^\s*\d[.)]\s|\s*[\u2022\u00b7\u25aa\u25e6]\s"
    r"|\s/\s|\s[a-e]\)\s)+\s*"
    r"|,\s*(?=(?:and\s+)?(?:so|then|now|but|next|after\s+that|which\s+means|anyway|anyways|meanwhile|"
    r"plus|after\s+which|after\s+this|post\s+which|following\s+which|followed\s+by|whilst|while|good\s+news|"
    # formal "next": "..., subsequent to which the contract will be issued", "upon which ..."
    r"subsequent\s+to\s+which|upon\s+which|(?:up)?on\s+completion\s+of\s+which|at\s+which\s+stage)\b)"
    r"|,\s*(?=(?:we|i|they|he|she|you|i'm|i'll|we'll|they'll)\b)"
    # "..., after UAT we go live on 12/12": an event, then our step (read by `_once_split`)
    r"|,\s*(?=after\s+(?!(?:we|i|they|he|she)\b)(?:[\w-]+\s+){1,3}?(?:we|i)\s)"
    # "order form is in the doc, just need nkechi's signature": the want after the news; with
    # no comma, "...they have the order form just need Tom's signature" (not "we just need")
    r"|,\s*(?=(?:just|still|only|now)\s+need\b)"
    r"|(?<!\bwe)(?<!\bi)(?<!\bthey)(?<!\bhe)(?<!\bshe)(?<!,)\s+(?=just\s+need\b)"
    r"|,\s+and\s+"
    r"|(?<!\bby)(?<!\bsince)(?<!\buntil)(?<!\btill)(?<!'ll)(?<!will)(?<!\bto)(?<!must)(?<!\bcan)"
    r"(?<!\bwe)(?<!\bi)(?<!\bthey)(?<!\bhe)(?<!\bshe)"  # "and we then book ...": one step
    r"\s+(?:and\s+)?then\s+(?!(?:\w+s|will)\b)"
    # "... while their IT opens the firewall", "... and meanwhile their IT does the
    # questionnaire", "..., thereafter the client will issue the PO", "... and later their CFO signs"
    r"|,?\s+(?:and\s+)?(?:while|meanwhile|in\s+the\s+meantime|in\s+parallel|thereafter|later)\s*,?\s+"
    r"(?=(?:we|i|they|he|she|our|their|my|the|a|an)\b|@\w|(?-i:[A-Z][a-z]+)\s+(?:\w+s|will|is|has|needs|must)\b)"
    r"|\s+(?:but|so\s+now|and\s+now|now|whilst|meanwhile|after\s+which|followed\s+by|following\s+which|"
    r"subsequent\s+to\s+which|upon\s+which)\s+"
    r"(?=(?:we|i|they|he|she|our|their|my|the|a|an)\b|@\w|(?-i:[A-Z][a-z]+)\s+(?:\w+s|will|is|has|needs|must)\b)"
    # "... and <@U1|sam> builds the env": a colleague's mention, then its own verb
    r"|\s+and\s+(?=(?:we|i|they|he|she|i'll|we'll|they'll|i'm)\b|@[\w.-]+\s+(?:\w+s|will|is|has|needs|must|can)\b)"
    # "... to the board on 1st March and if it is approved they release the PO": a condition
    # on the step before opens the next one (read by `_CONDITIONAL`)
    r"|,?\s+and\s*,?\s+(?=(?:if|provided|assuming|subject\s+to)\s)|,\s*(?=if\s)"
    # "... on 10 December, and a formal award notification is expected to follow", "..., with
    # the PO expected the following week": a thing that follows is the next step
    r"|,?\s+(?:and|with)\s+(?=(?:the\s+|a\s+|an\s+|their\s+|our\s+)?(?:[\w-]+\s+){1,4}?"
    r"(?:(?:is|are|will\s+be)\s+)?(?:expected|to\s+follow)\b"
    # "..., with signature targeted for 7 December": a plan for the thing, with its date
    r"|(?:the\s+|a\s+|an\s+|their\s+|our\s+)?(?:[\w-]+\s+){1,3}?(?:(?:is|are|will\s+be)\s+)?"
    r"(?:targeted|planned|scheduled|anticipated|slated|pencilled\s+in|penciled\s+in)\s+(?:for|on|by|in)\b)"
    # "... open the ports by 12/2 so we can start the pilot on 12/7": what the step makes possible
    r"|,?\s+so\s+(?:that\s+)?(?=(?:we|i|they|you)\s+(?:can|could)\s)"
    # "... and our SE builds the env": "our/their" starts a step only with a verb after it
    # ("call w/ their COO and our CRO" is one step with two people in it)
    r"|\s+and\s+(?=(?:our|their)\s+(?:[\w-]+\s+){1,3}?(?:will|is|are|has|have|needs|must|should|can|to)\b"
    r"|(?:our|their)\s+(?:[\w-]+\s+){1,2}?\w+s\s+(?:the|a|an|our|their|us|them|it|off|up|over|back)\b)"
    # "... and Dragan from their IT checks it": a named person from one side starts a step
    r"|\s+and\s+(?=(?-i:[A-Z][^\W\d_]+)\s+(?:from|in|at|of)\s+(?:their|our|the|client|customer)\b)"
    r"|,?\s+so\s+(?=(?!(?:we|i|they|you|it|that)\b)[\w-]+\s+(?:will|is|has|needs|must)\b)"
    r"|,?\s+and\s+(?=(?:the\s+)?[\w-]+\s+(?:[\w-]+\s+)?(?:will|would|is\s+to|are\s+to|has\s+to|needs\s+to|must)\s)"
    # "Following our meeting on Tuesday, Mr Suresh Iyer will share ...": a name of 1-3 words
    r"|,\s*(?=(?-i:[A-Z][a-z]+)(?:\s+(?-i:[A-Z][a-z]+)){0,2}\s+(?:will|is|has|\w+s)\s)"
    # "first we send the SOW, second they sign", "step 1 ... step 2 ...": the next list item
    # ("a second quote" is no item: "second" alone only after a comma)
    r"|,\s*(?=(?:second|secondly|third|thirdly)\s+\w)|\s+(?=(?:secondly|thirdly|step\s+[2-9])\s+\w)"
    # "..., kindly revert with PO by 12/7": a request of the reader starts a step
    r"|,\s*(?=(?:kindly|please|pls|plz)\s+\w)"
    # "Ravi to share the pricing and Deepa to confirm the budget": note style, another doer
    r"|,?\s+and\s+(?=(?-i:[A-Z][a-z]+)\s+to\s+(?!the\b|them\b|us\b|our\b|their\b)\w)"
    r"|,\s*(?=(?:our|their)\s+(?:[\w-]+\s+){0,3}?(?:will|is|are|has|have|needs|must|\w+s)\s)"
    r"|(?<![\w/])(?=\d[.)]\s)"
    # "... by thurs after that our SE does the SSO", "... and subsequently issue a memo"
    # ("the PO will subsequently be raised" is one clause: no cut after an auxiliary)
    r"|(?<!\bwill)(?<!\bwould)(?<!\bshall)(?<!\bmust)(?<!\bto)(?<!\bbe)(?<!\bis)(?<!\bare)(?<!\bcan)"
    r",?\s+(?:and\s+)?(?:after\s+that|afterwards|subsequently|at\s+which\s+point|"
    r"once\s+(?:that|this|it)(?:'s|\s+is|\s+has\s+been)\s+(?:done|complete|completed|finished|signed)|"
    r"once\s+(?:done|complete|completed|signed|received|approved)|whereupon)"
    r"\s*,?\s+(?=[\w@])"
    r")",
    re.IGNORECASE,
)


# A separator after which a present-tense clause is a further step ("..., then legal signs").
_SEQUEL: Final = re.compile(
    r"\bthen\b|\band\b|\bwhilst\b|\bwhile\b|\bmeanwhile\b|\bafter\b|\bfollow|\bnow\b|\d[.)]|->|,|;|:", re.I
)


# A clause that says itself it comes next, at its start or its end, whatever separator came
# before it ("; after that we flip SSO", ". we flip SSO afterwards").
_FOLLOWS_ON: Final = re.compile(
    r"^\W*(?:and\s+)?(?:after\s+that|after\s+this|afterwards|subsequently|thereafter|then|"
    r"once\s+(?:that|this|it)(?:'s|\s+is|\s+has\s+been)?\s+(?:done|in|through|signed|back|sorted)|"
    r"once\s+done)\b"
    r"|\b(?:after\s+that|afterwards|after)\W*$",
    re.IGNORECASE,
)


# "->", "→", and a bare ">" between words ("finance approval > legal > signature").
_ARROW_SPLIT: Final = re.compile(r"\s*(?:-+>|\u2192)\s*|\s+>\s+")


# A date said once for every link of a chain: "..., all before EOQ", "..., both by Friday".
_FOR_ALL: Final = re.compile(
    r",?\s+(?:all|both|everything)\s+(?P<when>(?:by|before|until|in)\s.+)$", re.I
)


# "... on Thursday and send the VPAT afterwards": a second verb for the same doer.
_AND_VERB: Final = re.compile(
    r"\s+and\s+(?=(?:send|share|schedule|book|set|sign|submit|deliver|get|issue|return|"
    # "review the changes and confirm whether a further call is needed": the outcome of the
    # step before, reported back, not a step of its own
    r"confirm(?!\s+(?:whether|if)\b)|"
    r"organise|organize|arrange|run|review|present|draft|raise|complete|loop|intro|introduce)\b)",
    re.IGNORECASE,
)


# "... writes up the recommendation by fri and takes it to the COO", "sending the quote EOD +
# booking the signing call": the same doer's next verb, said in the third person or as an
# -ing form. Only before an object (a determiner, pronoun or particle), where the word can
# only be a verb ("the quotes and demos" stay nouns).
_AND_INFLECTED: Final = re.compile(
    r"\s+and\s+(?=(?P<verb>[a-z]+(?:s|ing))\s+(?:the|a|an|it|them|this|that|our|their|his|her|us|up|"
    r"over|out|back|in|off|across|through)\b)",
    re.IGNORECASE,
)


def _split_and_verb(piece: str) -> list[str]:
    """`piece` cut before each "and <verb>" (bare verbs of `_AND_VERB`, inflected step verbs)."""
    cuts = [(m.start(), m.end()) for m in _AND_VERB.finditer(piece)]
    for m in _AND_INFLECTED.finditer(piece):
        if _inflected_step_verb(m["verb"].lower()):
            cuts.append((m.start(), m.end()))
    if not cuts:
        return [piece]
    out, at = [], 0
    for start, end in sorted(set(cuts)):
        if start >= at:
            out.append(piece[at:start])
            at = end
    return [*out, piece[at:]]


def _inflected_step_verb(word: str) -> bool:
    """ "takes", "pushes", "booking": a step verb in the third person or as an -ing form."""
    if word.endswith("ing"):
        return _verb_stem(word)
    stems = {word[:-1], word[:-2] if word.endswith("es") else word[:-1]}
    return bool((stems | {w + "e" for w in stems}) & _INFLECTED_VERBS)


#: Step verbs whose -s / -ing forms after "and" start the same doer's next step.
_INFLECTED_VERBS: Final = vocab.words(
    "send share schedule book set sign submit deliver get issue return confirm organise organize"
    " arrange run review present draft raise complete loop introduce take bring walk circulate"
    " forward release take write prepare finalise finalize update build test"
)


_MIN_WORDS_BEFORE_AND: Final = 5


_NO_STEP_OF_ITS_OWN: Final = re.compile(r"\bneedful\b|\bbest\b|\bneed\s+to\s+\w+\s*$", re.I)


# "... and share it", "... and send them over": the second verb acts on the first one's thing,
# so the two are one step; "allowlist our IPs and set up the SAML app" are two.
_BACK_REFERENCE: Final = re.compile(
    r"^\w+(?:\s+\w+)?\s+(?:it|them|this|that|these|those)\b"
    # "draft the MAP and share w/ Raj EOD", "fill the form and send to us": no object of its own
    r"|^\w+\s+(?:w/|with|to|over|back|across|out|along|through)(?:\s|$)",
    re.I,
)


_SLACK_LINK: Final = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>|<((?:https?|mailto):[^>]*)>")


_SLACK_MENTION: Final = re.compile(r"<@[UW][A-Z0-9]+(?:\|([^>]*))?>")


_ENTITIES: Final = (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"))


#: Slack markup around words: *bold*, _italic_, ~strike~, `code`. The words stay, the marks go
#: (a step's action is shown back to the rep and stored; "snake_case" is left alone).
_MARKUP: Final = re.compile(r"(?<![\w*_~`])([*_~`]+)(?=\S)(.+?)(?<=\S)\1(?![\w*_~`])")


#: "and than we schedule kickoff": "than" where a clause starts is "then" typed by sound.
_THAN_THEN: Final = re.compile(r"(?:(?<=\band\s)|(?<=[,;.]\s)|^)than\b(?=\s+\w)", re.IGNORECASE)


#: "... by 12/3 than their team tests it": "than" with no comparative before it is "then".
_THAN_AFTER: Final = re.compile(
    r"\b(?P<before>[\w/]+)\s+than\s+(?=(?:their|there|our|we|they|i|he|she|the|it)\s)",
    re.IGNORECASE,
)
_COMPARATIVES: Final = vocab.words("more less rather other sooner later earlier fewer")


def _than_or_then(m: re.Match[str]) -> str:
    before = m["before"].lower()
    if before in _COMPARATIVES or (before.endswith("er") and len(before) > 3):
        return m.group()  # "later than their deadline", "rather than the CFO"
    return m["before"] + " then "


#: A cleft puts the doer in front: "it's their legal that owes us redlines" is "their legal
#: owes us redlines" (not "it", nobody's).
_CLEFT: Final = re.compile(
    r"\bit(?:'s|\s+is)\s+(?P<who>(?:their|our|my|the)\s+(?:[\w-]+\s+){0,3}?[\w-]+)\s+(?:that|who)\s+",
    re.IGNORECASE,
)


def _emoji_stop(m: re.Match[str]) -> str:
    before, after = m.string[: m.start()].rstrip(), m.string[m.end() :].lstrip()
    if before and after and before[-1].isalnum() and after[0].isalpha():
        return ". "
    return " "


_DICTATED: Final = re.compile(
    r"(?:(?P<before>[\w'-]+)\s+)?\b(?P<said>"
    + "|".join(sorted(vocab.DICTATED_PUNCTUATION, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)


def _dictated(m: re.Match[str]) -> str:
    said = m["said"].lower()
    before = m["before"] or ""
    if said == "period" and (not before or before.lower() in vocab.PERIOD_NOUN_AFTER):
        return m.group()  # "over the Christmas period": the noun
    return before + vocab.DICTATED_PUNCTUATION[said] + " "


#: "ahmed's walking his CFO thru the biz case": "'s" before a verb in -ing is "is".
_IS_DOING: Final = re.compile(
    r"\b(?P<who>(?!(?:let|it|that|what|there|here|who)'s)[^\W\d_][\w-]*)'s\s+(?P<verb>[a-z]+ing)"
    r"(?=\s+(?:the|a|an|his|her|their|our|my|it|them|us|up|over|out|back|through|thru|in|on|to)\b)",
    re.IGNORECASE,
)


def _is_doing(m: re.Match[str]) -> str:
    if not _verb_stem(m["verb"].lower()):
        return m.group()  # "ahmed's onboarding plan": a possessive
    return f"{m['who']} is {m['verb']}"


#: "Kwame Mensah, who sponsored the pilot, will present ...": an aside about the person,
#: between the subject and its verb, says who they are, not what happens next; it goes so
#: that the name stays the subject (the action reads "Kwame Mensah, will present ...").
_WHO_ASIDE: Final = re.compile(
    r"(?<=\w),\s+who\s+(?!will\b|is\s+to\b|must\b|shall\b)[^,;.]{3,80},"
    r"(?=\s+(?:will|is|are|has|have|must|shall|should|needs)\b)",
    re.IGNORECASE,
)


#: " + " and " & " join list items in chat ("sending the quote EOD + booking the call"); a
#: joiner between words is an "and" to split at, "R&D" and "T&Cs" are words.
_PLUS: Final = re.compile(r"\s+[+&]\s+")


def _clean(text: str) -> str:
    text = " ".join(text.split())
    lead = _FILLER_LEAD.match(text)
    if lead and lead.end() < len(text):
        text = text[lead.end() :]
    text = text.strip(" ,;:-").rstrip(".")
    if len(text) > _MAX_ACTION:
        cut = text.rfind(" ", 0, _MAX_ACTION - 1)
        text = text[: cut if cut > 0 else _MAX_ACTION - 1].rstrip(" ,;:") + "…"
    return text[:1].upper() + text[1:]


def travels_from(action: str) -> Side | None:
    """Whose a deliverable is by the way it travels ("revised quote goes out" -> "us",
    "signed DPA back to us" -> "customer"), None when the words say no direction."""
    return _direction(action)


def is_step_verb(word: str) -> bool:
    """Whether a word is a form of a step verb ("send", "sends", "signed") or a particle
    ("off", "back"), from the step-verb table in `steering_grammar` (any case)."""
    return _verb_form(word.lower())


def read_answer(
    text: str,
    today: datetime.date,
    colleagues: Collection[str] = (),
    *,
    conventions: DateConventions | None = None,
) -> Reading:
    """Read one answer to a forward question; never raises, whatever the text.

    `colleagues` are names of people in our own workspace that the answer mentioned (a
    Slack `<@U…>`, a Teams `<at>`, decoded by the handler): a step one of them owns is
    *our* step, owned by that person, whatever the words around the name suggest.
    `conventions` are the workspace's date habits (DD/MM, fiscal year); US defaults if None.
    """
    try:
        conv = conventions or DateConventions()
        return _ours(_second_opinion(text, _read(text, today, conv), today, conv), colleagues)
    except Exception:  # a coaching hint must never break the conversation; the log says why
        _log.exception("steering failed on an answer of %d chars", len(str(text)))
        return Reading("history", None, None, None, _clean(str(text)[:_MAX_CHARS]), None)


def _ours(reading: Reading, colleagues: Collection[str]) -> Reading:
    """Steps owned by a mentioned colleague are ours, with that colleague as their owner."""
    if reading.orientation != "next_step" or not colleagues:
        return reading
    steps = tuple(_colleague_step(step, colleagues) for step in reading.steps)
    first = steps[0]
    return replace(reading, side=first.side, owner=first.owner, steps=steps)


def _colleague_step(step: Step, colleagues: Collection[str]) -> Step:
    owner = (step.owner or "").casefold()
    head = step.action.casefold()
    for name in colleagues:
        n = name.casefold().strip()
        if not n:
            continue
        named = re.compile(rf"(?<!\w){re.escape(n)}(?!\w)")
        # "Dana" read from "Dana Rep sends ...": the name the handler decoded starts with it
        if named.search(owner) or (owner and n.startswith(owner + " ")) or named.match(head):
            return replace(step, side="us", owner=name, side_confidence=1.0)
    return step


_TRAILING_TITLE: Final = re.compile(
    r"(?<=[A-Za-z])(?:\s+(?:sir|ji|madam|ma'am|maam)|-(?:san|sama|ji|sensei|ssi|nim|kun))\b",
    re.IGNORECASE,
)


_HONORIFIC_DOT: Final = re.compile(
    r"\b(Mr|Mrs|Ms|Dr|Dra|Prof|St|Sr|Sra|Srta|Jr|Mme|Mlle|Lic|Ing|Eng|Dott|Avv|Dhr|Mevr|vs|approx|etc)\.",
    re.IGNORECASE
)


#: "the no. of licences", "PO no. 4471": "no." is "number", no sentence end ("they said no. we
#: wait" keeps its stop: only before "of" or a figure).
_NUMBER_DOT: Final = re.compile(r"\b(no|nos|num)\.(?=\s*(?:of\b|#?\d))", re.IGNORECASE)


#: "..., only then can we sign", "only after that can procurement raise the PO": the inverted
#: order after "only then" said plainly ("then we can sign"), so the joiner and the subject
#: start the next step as usual.
_ONLY_THEN: Final = re.compile(
    r"\bonly\s+(?P<when>then|after\s+(?:that|this|which)|once\s+(?:that|this|it)(?:'s|\s+is)\s+\w+|"
    r"at\s+that\s+point)\s+(?P<aux>can|could|will|would|may|shall|do|does)\s+"
    r"(?P<who>we|i|they|he|she|you|(?:the|their|our|my)\s+[\w-]+|[\w-]+)\s+(?=\w)",
    re.IGNORECASE,
)


#: "..., contingent upon which our team will schedule the kick-off": formal "upon which";
#: Indian English "basis which" / "based on which" is the same joiner.
_UPON_WHICH: Final = re.compile(
    r"\b(?:(?:contingent|conditional|dependent)\s+(?:up)?on|basis|based\s+on)\s+which\b", re.I
)


#: "... by Monday and accordingly we will share the agreement": "accordingly" before a
#: subject is "then" (Indian English), the step that follows.
_ACCORDINGLY: Final = re.compile(
    r"\baccordingly\s*,?\s+(?=(?:we|i|they|he|she|our|their|the|client|customer)\b)", re.I
)


#: Phone typing drops the apostrophe: "were sending the SOW tmrw" at a clause start, before a
#: verb in -ing, is "we're" ("they were sending" and "were down to two vendors" stay).
_WERE: Final = re.compile(r"(?:^|(?<=[,;.!?]\s))were(?=\s+(?:\w+ing|gonna)\b)", re.IGNORECASE)


#: Second-language "After, our director signs" at a sentence start is "after that".
_AFTER_COMMA: Final = re.compile(r"(?:^|(?<=[.;!]\s))(after|afterward)\s*,", re.IGNORECASE)


_ONLY_BEFORE_THEN: Final = re.compile(
    r"\bonly\s+(?=(?:then|after\s+(?:that|this))\s+(?:we|i|they|he|she|our|their)\b)", re.I
)


def _only_then(m: re.Match[str]) -> str:
    aux = "" if m["aux"].lower() in ("do", "does") else m["aux"] + " "
    return f"{m['when']} {m['who']} {aux}"


#: Indian English "post that" / "post this" is "after that" where a clause starts ("..., post
#: that we will share the invoice"), and "post UAT we go live" is "after UAT ..."; "I'll post
#: that update", "... and post that in slack" and "post the notes in slack" are the verb.
_POST_THAT: Final = re.compile(
    r"(?:(?<=[,;.]\s)|(?<=\band\s)|^)post\s+(?=(?:that|this)\s*(?:,|\s+(?:we|i|they|he|she|our|their|the|"
    r"client|customer)\b|\s+@)|(?:[\w-]+\s+){1,3}?(?:we|i|they)\s)",
    re.IGNORECASE,
)


_SPELLING: Final = re.compile(
    r"(?<![\w'/&])(?:"
    + "|".join(re.escape(k) for k in sorted(vocab.CHAT_SPELLINGS, key=len, reverse=True))
    + r")(?![\w'/&])",
    re.IGNORECASE,
)


# "there lawyer must check contract": "there" before a role is "their", typed by sound.
_THERE_ROLE: Final = re.compile(
    r"\bthere\s+(?=(?-i:IT)\b|(?:"
    + "|".join(
        sorted(
            vocab.ROLE_WORDS
            - vocab.words(
                "the a an our their my his her your its this that these those who which it's they he she"
                " we i you it them us me him side"
            ),
            key=len,
            reverse=True,
        )
    )
    + r")\b)",
    re.IGNORECASE,
)


def _spelled(m: re.Match[str]) -> str:
    """The word meant; a capital letter alone is an initial ("R&D", "Plan B"), not "are"."""
    typed = m.group()
    return typed if len(typed) == 1 and typed.isupper() else vocab.CHAT_SPELLINGS[typed.lower()]


def _normalise(text: str) -> str:
    """Plain text to read: no control characters, emoji, Slack markup, or chat spellings."""
    text = _CONTROL.sub(" ", text[:_MAX_CHARS]).replace("\u2019", "'").replace("\u2018", "'")
    # an emoji between words ends what came before ("demo'd last wk :fire: anyway marco ..."),
    # as a full stop would; at the end it is only dropped
    text = _PICTOGRAPHS.sub(_emoji_stop, text)
    if ":" in text:
        text = _SHORTCODE.sub(_emoji_stop, text)
    if _DICTATED.search(text):
        text = _DICTATED.sub(_dictated, text)
    if "<" in text:
        text = _SLACK_LINK.sub(lambda m: m[1] or m[2], text)
        # "<@U08CS1|Jess Patel>" -> "@Jess.Patel": one mention, whose name reads "Jess Patel"
        text = _SLACK_MENTION.sub(lambda m: "@" + (m[1] or "teammate").replace(" ", "."), text)
    if "&" in text:
        for entity, char in _ENTITIES:
            text = text.replace(entity, char)
    if any(c in text for c in "*_~`"):
        text = _MARKUP.sub(r"\2", text).replace("`", " ")
    text = _THAN_THEN.sub("then", text)
    if " than " in text.lower():
        text = _THAN_AFTER.sub(_than_or_then, text)
    if "+" in text or "&" in text:
        text = _PLUS.sub(" and ", text)
    if "it" in text.lower():
        text = _CLEFT.sub(r"\g<who> ", text)
    if "'s " in text:
        text = _IS_DOING.sub(_is_doing, text)
    if ", who " in text:
        text = _WHO_ASIDE.sub(",", text)
    text = _HONORIFIC_DOT.sub(r"\1", text)
    if "no" in text.lower():
        text = _NUMBER_DOT.sub(lambda m: "numbers " if m[1].lower() == "nos" else "number ", text)
    if " which" in text.lower():
        text = _UPON_WHICH.sub("upon which", text)
    if "accordingly" in text.lower():
        text = _ACCORDINGLY.sub("then ", text)
    if "were " in text.lower():
        text = _WERE.sub("we're", text)
    if "after" in text.lower():
        text = _AFTER_COMMA.sub(r"\1 that,", text)
    if "only " in text.lower():
        text = _ONLY_THEN.sub(_only_then, text)
        text = _ONLY_BEFORE_THEN.sub("", text)
    if "post " in text.lower():
        text = _POST_THAT.sub("after ", text)
    text = _TRAILING_TITLE.sub("", text)
    text = _SPELLING.sub(_spelled, text)
    text = _THERE_ROLE.sub("their ", typos.fix(text, _SLIPS))
    return " ".join(text.split())


@dataclass(frozen=True)
class _Part:
    text: str
    question: bool  # ends with "?"
    sequel: bool  # after "then", "and", an arrow or a list number
    listed: bool = False  # an item of a list ("1) ...", "two things: ...", "first ...")
    counted: bool = False  # an item of a list whose heading counts them ("three things:")


def _split(text: str, today: datetime.date, conv: DateConventions) -> list[_Part]:
    """The answer's clauses in order."""
    raw: list[tuple[str, str, bool]] = []  # (text, separator before it, ends with "?")
    at, before = 0, ""
    for m in _CLAUSE_SPLIT.finditer(text):
        if m.start() > at:
            raw.append((text[at : m.start()], before, "?" in m.group()))
            before = ""
        before += m.group()
        at = max(at, m.end())
    if at < len(text):
        raw.append((text[at:], before, False))
    for k in range(len(raw) - 1, 0, -1):
        if (
            raw[k][1].strip() == ","
            and _TITLE_END.search(raw[k - 1][0])
            and _NAME_LEAD.match(raw[k][0])
        ):
            # "... presented on February 4 by their Director of Operations, Mr Tobias Wren,
            # following which ...": the name is the title's, in the clause before
            raw[k - 1 : k + 1] = [(raw[k - 1][0] + ", " + raw[k][0], raw[k - 1][1], raw[k][2])]
        elif raw[k][1].strip() in (",", ";") and not _JOINER_FIRST.match(raw[k][0]) and (
            _NAME_ONLY.match(raw[k - 1][0])
            or (_SUBJECT_ONLY.match(raw[k - 1][0]) and _VERB_FIRST.match(raw[k][0]))
        ):
            # "Their CFO, Dana; signs the order form by Dec 4": the subject, then its verb
            # "Kenji Watanabe, our Customer Success Director, will present ...": one clause
            raw[k - 1 : k + 1] = [(raw[k - 1][0] + ", " + raw[k][0], raw[k - 1][1], raw[k][2])]
        elif (
            raw[k][1].strip() == ", and"
            and (_SUBJECT_ONLY.match(raw[k - 1][0]) or _NAME_ONLY.match(raw[k - 1][0]))
            and _VERB_AFTER_SUBJECT.match(raw[k][0])
        ):
            # "Our CEO, Sarah Lindgren, and their COO will meet on 2 December": the titled
            # name is the first of two subjects, not a clause of its own
            raw[k - 1 : k + 1] = [(raw[k - 1][0] + raw[k][1] + raw[k][0], raw[k - 1][1], raw[k][2])]
        elif (
            raw[k][1].strip() == ","
            and _NAME_END.search(raw[k - 1][0])
            and _TITLE_AFTER_NAME.match(raw[k][0])
        ):
            # "... send the diagram to Ingrid Solberg, their HR Systems Lead, by 18 December":
            # the title names who the person is (a plural word in it, "Systems", is no verb)
            raw[k - 1 : k + 1] = [(raw[k - 1][0] + ", " + raw[k][0], raw[k - 1][1], raw[k][2])]
        elif raw[k][1].strip().lower() == "and" and (
            _NAME_ONLY.match(raw[k - 1][0]) or _MENTION_ONLY.match(raw[k - 1][0])
        ):
            # "Marta and Li from their data team will validate ...": a name alone is no
            # clause; two people share the verb, and the first named owns the step
            raw[k - 1 : k + 1] = [(raw[k - 1][0] + " and " + raw[k][0], raw[k - 1][1], raw[k][2])]
    for k in range(len(raw) - 1, 0, -1):
        if _SO_CAN.match(raw[k][1]) and parse_due(raw[k - 1][0], today, conv) is None:
            # "share the usage data so we can size the deployment, by Thursday": with no date
            # of its own the step before is for the sake of it, one step
            raw[k - 1 : k + 1] = [(raw[k - 1][0] + raw[k][1] + raw[k][0], raw[k - 1][1], raw[k][2])]
    raw = [piece for item in raw for piece in _scene_split(item, today, conv)]
    raw = [piece for item in raw for piece in _bare_scene_split(item, today, conv)]
    raw = [piece for item in raw for piece in _which_split(item)]
    raw = [piece for item in raw for piece in _then_name_split(item)]
    raw = [piece for item in raw for piece in _once_split(item)]
    raw = [piece for item in raw for piece in _ahead_split(item)]
    raw = [piece for item in raw for piece in _afterwards_split(item, today, conv)]
    raw = [piece for item in raw for piece in _before_split(item, today, conv)]
    out: list[_Part] = []
    for part, sep, question in raw:
        listed = ":" in sep or bool(_BULLET.search(sep)) or bool(_LISTED.match(part))
        # "...; we flip SSO the week after", "...; after that we flip SSO": it follows the step before
        follows = bool(out) and bool(_AFTER_PREVIOUS.search(part) or _FOLLOWS_ON.search(part))
        sequel = bool(_SEQUEL.search(sep)) or listed or follows
        items = _counted_items(out[-1].text if out else "", part) if ":" in sep else None
        if items is not None:
            # "Three things are missing: the signature of the CFO, the vendor registration and
            # our bank letter": as many things as the heading counts
            out.extend(_Part(item, question, True, True, counted=True) for item in items)
            continue
        if out and (_COUNTED.search(out[-1].text) and _is_heading(out[-1].text) or out[-1].counted):
            counted = bool(_BULLET.search(sep) or _LISTED.match(part))  # "two things: • X • Y"
        else:
            counted = False
        for piece, joined, arrowed in _subsplit(part, today, conv):
            if piece.strip():
                out.append(_Part(piece, question, sequel or joined, listed or arrowed, counted))
    return out


_COUNTED: Final = re.compile(
    r"\b(?P<n>two|three|four|five|[2-5])\s+(?:\w+\s+)?(?:things|items|asks|steps|actions|bits|blockers|"
    r"deliverables|documents|docs|pieces)\b",
    re.IGNORECASE,
)
_NUMBERS: Final = {"two": 2, "three": 3, "four": 4, "five": 5}
_ITEM_SPLIT: Final = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s+\+\s+|\s*&\s*", re.IGNORECASE)


def _counted_items(heading: str, part: str) -> list[str] | None:
    """The items of `part` if `heading` counts them ("two things:") and the count agrees."""
    m = _COUNTED.search(heading)
    if m is None or not _is_heading(heading):
        return None
    n = m["n"].lower()
    count = int(n) if n.isdigit() else _NUMBERS[n]
    shared = _FOR_ALL.search(part)  # "the DPA and the PO, both by Friday"
    tail = " " + shared["when"] if shared else ""
    items = [
        i + tail for i in _ITEM_SPLIT.split(part[: shared.start()] if shared else part) if i.strip()
    ]
    return items if len(items) == count else None


# A counted item with a doer of its own ("we send the SOW") is read as said.
_OWN_SUBJECT: Final = re.compile(r"^\W*(?:we|i|they|he|she|we'll|i'll|they'll)\b", re.IGNORECASE)


_PAST_ITEM: Final = re.compile(
    r"\b(?:was|were|did|had|already|been)\b", re.IGNORECASE
)  # "the signed DPA" is a thing


# "once hamid confirms seat count we send the updated order form", "Once Fiona gives sign-off,
# their procurement will issue the PO": the condition is the step before, the main clause
# the step after it. Only "once"/"as soon as" at the start: "we sign, after they approve"
# and "if they approve" stay conditions.
_ONCE: Final = re.compile(
    r"^\s*(?:once|as\s+soon\s+as|after|when|while|whilst)\s+(?P<cond>[^,;]+?"
    # "Once their infosec has completed its review, which is expected by Friday, Daniel will
    # issue ...": the aside dates the condition, it is no main clause
    r"(?:\s*,\s*which\s+(?:is|are|will\s+be)\s+(?:expected|due|scheduled|planned|set)\b[^,;]*)?)"
    r"(?:\s*,\s*(?:then\s+)?|\s+(?=(?:we|i|we'll|i'll)\s))(?P<main>\w.*)$",
    re.IGNORECASE,
)


# "While their IT completes the SSO setup, our consultant finalises the templates": two doers
# at work at once, two steps. "While we wait for legal, ..." or "while I have you" is no step.
_IDLE_WHILE: Final = re.compile(
    r"^\s*(?:while|whilst)\s+(?:[\w'-]+\s+){0,4}?(?:wait|waits|waiting|have|has|is|are|am|was|were)\b",
    re.IGNORECASE,
)


# "Once their team has completed its review": the perfect after "once" is a future step done
# before the main clause, as "once their team completes its review" is.
_PERFECT_STEP: Final = re.compile(
    r"^(?:[\w'-]+\s+){1,5}?(?:has|have)\s+(?:\w+ly\s+)?(?:completed|finished|signed|approved|"
    r"reviewed|returned|sent|shared|issued|submitted|provided|confirmed|finalised|finalized|"
    r"signed\s+off|raised|released|agreed|concluded)\b",
    re.IGNORECASE,
)


_HAS_DONE: Final = re.compile(r"\b(?:has|have)\b", re.IGNORECASE)


# "Following the positive outcome of the pilot, which concluded last week, the Investment
# Committee will consider ...", "Further to our call on Tuesday, ...": a lead that names an
# event (no verb of its own, a "which ..." aside allowed) sets the scene for the main clause
# after its comma; read apart, the lead is history and the main clause reads as if alone.
# "Upon receipt of the signed order form" names a thing, not an action: a scene too, as
# "once approvals are in" is no step of its own. But an aside that dates the event ahead
# ("Upon completion of the validation, which is scheduled to finish on 27 November, ...")
# makes it the first step, as "once their review, which is expected by Friday, ..." is.
_SCENE_WORDS: Final = (
    r"(?:following|further\s+to|subsequent\s+to|in\s+light\s+of|in\s+view\s+of|"
    # "per my convo w/ grace on friday, her boss makes the call": "per" names the source of
    # what follows, no step of its own ("Per Olsson will sign" has no comma after "Per Olsson")
    r"(?:(?:as\s+)?per|according\s+to)(?=\s+(?:my|our|the|their|his|her|your)\s)|"
    r"pursuant\s+to|as\s+a\s+result\s+of|(?:up)?on\s+(?:receipt|completion|conclusion)\s+of)\s+"
)
_SCENE_LEAD: Final = re.compile(
    rf"^\s*(?P<scene>{_SCENE_WORDS}"
    r"(?P<event>[^,;]+?)(?:\s*,\s*(?P<aside>(?:which|who)\s+[^,;]+?))?)\s*,\s*(?P<main>\w.*)$",
    re.IGNORECASE,
)
# The scene lead once cut off: history even when it names a day ("Further to our call on
# Friday" is the call that was, not one to come), as long as a clause follows it.
# ("following which the PO will be raised" is the next step, not a scene).
_SCENE_ONLY: Final = re.compile(rf"^\s*{_SCENE_WORDS}(?!which\b)[^,;]+$", re.IGNORECASE)
_DATED_AHEAD: Final = re.compile(
    r"^which\s+(?:is|are|will\s+be)\s+(?:scheduled|expected|due|planned|set)\b", re.IGNORECASE
)


def _scene_split(
    item: tuple[str, str, bool], today: datetime.date, conv: DateConventions
) -> list[tuple[str, str, bool]]:
    text, sep, question = item
    m = _SCENE_LEAD.match(text)
    if m is None or _present_verb_at([t.word for t in _tokens(m["event"])]) not in (None, -1):
        return [item]
    aside = m["aside"] or ""
    if _DATED_AHEAD.match(aside) and parse_due(aside, today, conv) is not None:
        return [(m["event"] + ", " + aside, sep + ": ", False), (m["main"], ", then ", question)]
    return [(m["scene"], sep, False), (m["main"], ", ", question)]


# A scene lead with no comma before reported speech: "after the workshop Raj said he'd get the
# budget signed off before xmas". The speech was after the event, so the event is history
# (its day too: "after the call on thursday she said ..."), and what was promised is the step.
_BARE_SCENE: Final = re.compile(
    r"^\s*(?P<scene>(?:after|following|post|at\s+the\s+end\s+of)\s+(?:[\w'-]+\s+){0,3}?"
    r"(?P<event>[\w-]+)(?:\s+(?:on\s+|last\s+)?(?:\w+day|yesterday|today|this\s+morning|"
    r"last\s+week|week))?)\s+(?P<main>(?:(?-i:[A-Z][a-z\u00df-\u00ff]+)|he|she|they|their|his|her)\b.*)$",
    re.IGNORECASE,
)


def _bare_scene_split(
    item: tuple[str, str, bool], today: datetime.date, conv: DateConventions
) -> list[tuple[str, str, bool]]:
    text, sep, question = item
    m = _BARE_SCENE.match(text)
    if m is None or m["event"].lower() not in vocab.JOINT_EVENTS | vocab.OUR_EVENTS:
        return [item]
    said = vocab.REPORTING_VERBS.search(m["main"])
    if said is None or len(_tokens(m["main"][: said.start()])) > 4:
        return [item]  # only speech reported after the event: "after the demo they sign" is ahead
    if read_clause(m["main"], today, conv).kind != "forward":
        return [item]
    return [(m["scene"], sep, False), (m["main"], ", ", question)]


# "We present to their steering group on 2 December, ahead of which we will circulate a
# pre-read": the clause after "ahead of which" is done first, so it is the first step.
_AHEAD_OF_WHICH: Final = re.compile(
    r"^(?P<main>.+?\w)\s*,\s*(?:ahead\s+of|in\s+advance\s+of|prior\s+to|in\s+preparation\s+for)"
    r"\s+which\s*,?\s+(?P<first>(?:we|i|they|he|she|our|their|the)\s+\w.*)$",
    re.IGNORECASE,
)


# "we will issue the revised order form, which their procurement team will then process": a
# relative clause with a doer of its own and a future is the next step, done to the thing
# before "which" ("their procurement team will then process it").
_WHICH_THEY_WILL: Final = re.compile(
    r"^(?P<left>.+?\w)\s*,\s*which\s+(?P<who>(?:their|our|the|they|we)\b(?:\s+[\w-]+){0,3}?)\s+"
    r"(?P<aux>will|shall)\s+(?P<then>then\s+)?(?P<verb>[a-z]+)(?P<rest>.*)$",
    re.IGNORECASE,
)


def _which_split(item: tuple[str, str, bool]) -> list[tuple[str, str, bool]]:
    text, sep, question = item
    m = _WHICH_THEY_WILL.match(text) if ", which " in text.lower() else None
    if m is None or m["verb"].lower() in ("be", "have", "need", "want"):
        return [item]
    then = f"{m['who']} {m['aux']} {m['then'] or ''}{m['verb']} it{m['rest']}"  # "sign it off"
    return [(m["left"], sep, False), (then, ", then ", question)]


# "... by thurs then lukas fills it in": "then" before a word in -s is the same doer's next
# verb ("and then signs") unless a verb follows that word, which is then a name.
_THEN_S_WORD: Final = re.compile(r"\s+(?:and\s+)?then\s+(?=[a-z]+s\s+[a-z])", re.IGNORECASE)


def _then_name_split(item: tuple[str, str, bool]) -> list[tuple[str, str, bool]]:
    text, sep, question = item
    for m in _THEN_S_WORD.finditer(text) if " then " in text.lower() else ():
        words = [t.word for t in _tokens(text[m.end() :])][:6]
        if len(_tokens(text[: m.start()])) >= 2 and _present_verb_at(words) == 1:
            left, right = text[: m.start()], text[m.end() :]
            return [(left, sep, False), *_then_name_split((right, m.group(), question))]
    return [item]


def _ahead_split(item: tuple[str, str, bool]) -> list[tuple[str, str, bool]]:
    text, sep, question = item
    m = _AHEAD_OF_WHICH.match(text)
    if m is None:
        return [item]
    return [(m["first"], sep + ": ", False), (m["main"], ", then ", question)]


def _once_split(item: tuple[str, str, bool]) -> list[tuple[str, str, bool]]:
    text, sep, question = item
    late = _ONCE_AFTER.match(text)
    if late is not None and not _ANAPHORIC.match(late["cond"]):
        words = [t.word for t in _tokens(late["cond"])]
        if len(words) >= 2 and _present_verb_at(words) not in (None, -1):
            # "Client will raise the PO once we share the revised quote tomorrow": the
            # condition is done first, so it is the first step
            return [(late["cond"], sep + ": ", False), (late["main"], ", then ", question)]
        if len(words) >= 2 and _PERFECT_STEP.match(late["cond"]):
            # "... will sign the order form once the security review has concluded"
            said = _HAS_DONE.sub("will have", late["cond"], count=1)
            return [(said, sep + ": ", False), (late["main"], ", then ", question)]
    done = _AFTER_DONE.match(text)
    if done is not None and _PERFECT_STEP.match(done["cond"]) and not _ANAPHORIC.match(done["cond"]):
        # "we can only send the PO after they have signed the NDA": as with "once" (a present
        # tense after "after" stays a condition: "we'll sign, after they approve the budget")
        said = _HAS_DONE.sub("will have", done["cond"], count=1)
        return [(said, sep + ": ", False), (done["main"], ", then ", question)]
    m = _ONCE.match(text) or _ONCE_ALONE.match(text)  # alone: the comma split the main clause off
    if m is None or _ANAPHORIC.match(m["cond"]) or _IDLE_WHILE.match(text):
        return [item]  # "once that's done, ..." names no step of its own
    words = [t.word for t in _tokens(m["cond"])]
    perfect = _present_verb_at(words) in (None, -1) and _PERFECT_STEP.match(m["cond"])
    if m.groupdict().get("main") and _AFTER_EVENT.match(text) and not perfect and (
        _present_verb_at(words) in (None, -1)
    ):
        # "after the UAT we go live on 12/12": the event sets the scene (as it does before a
        # comma), the main clause is the step
        return [(text[: m.start("main")].rstrip(" ,"), sep, False), (m["main"], ", ", question)]
    if len(words) < 2 or (_present_verb_at(words) in (None, -1) and not perfect):
        return [item]
    # "once their team has reviewed it" is said of the future: alone it reads "will have reviewed"
    said = _HAS_DONE.sub(r"will have", m["cond"], count=1) if perfect else m["cond"]
    cond = (said, sep + ": ", False)
    return [cond, (m["main"], ", then ", question)] if m.groupdict().get("main") else [cond]


_AFTER_DONE: Final = re.compile(r"^(?P<main>.*?\w)\s*,?\s+after\s+(?P<cond>\w.*)$", re.IGNORECASE)
_AFTER_EVENT: Final = re.compile(r"^\s*(?:after|following)\s", re.IGNORECASE)


# "<step> once <someone does something>": a trailing condition that names an action (a
# subject and a present-tense step verb) is a step of its own, done before the main clause.
# "once legal is done" or "once approvals are in" names no action: one step, as before.
_ONCE_AFTER: Final = re.compile(
    r"^(?P<main>.*?\w)\s*,?\s+(?:once|as\s+soon\s+as)\s+(?P<cond>\w.*)$", re.IGNORECASE
)


# Second-language "after" for "afterwards": "Our legal reviews their comments until the 9th
# and after we do a call", "They send the list until Thursday, after we create the accounts".
# Only when the step before has its own date and the "after" clause has none: "we'll sign,
# after they approve the budget" stays one step on a condition.
_AFTERWARDS: Final = re.compile(
    r"^(?P<left>.+?\w)(?:\s*,\s*|\s+and\s+)after\s+(?P<right>(?:we|i|they|he|she)\s+\w.*)$",
    re.IGNORECASE,
)


def _afterwards_split(
    item: tuple[str, str, bool], today: datetime.date, conv: DateConventions
) -> list[tuple[str, str, bool]]:
    text, sep, question = item
    m = _AFTERWARDS.match(text)
    if m is None or parse_due(m["left"], today, conv) is None:
        return [item]
    if parse_due(m["right"], today, conv) is not None:
        return [item]
    return [(m["left"], sep, False), (m["right"], ", then ", question)]


# "need @omar to approve the discount before i can send the quote", "Approval must first be
# obtained from our RVP before the final quotation can be issued": what "before ... can"
# waits for is done first, and the thing it makes possible is the step after it. Narrow on
# purpose: only "can/could" (enablement), and only when the first part names an action
# ("need their W9 before we can invoice" wants a thing: one step; "... before the pilot
# starts" dates the step by an event: one step).
_BEFORE_CAN: Final = re.compile(
    r"^(?P<first>.+?[\w%)])\s*,?\s+before\s+(?P<then>(?:i|we|they|he|she|you|@[\w.-]+)\s+(?:can|could)\s+"
    r"(?!not\b|be\b)\w.*|(?:the|a|an|our|their|this|that|any|my)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:can|could)\s+be\s+\w+.*)$",
    re.IGNORECASE,
)
# "need their W9 + bank details", "finance over there needs our W-9": a thing wanted, no
# action of its own ("need @omar to approve ..." names one).
_WANTS_A_THING: Final = re.compile(
    r"^\W*(?:[\w@'-]+\s+){0,4}?(?:need|needs|want|wants|require|requires)\s+"
    r"(?!(?:[\w@'.-]+\s+){0,3}?to\s+\w)",
    re.IGNORECASE,
)
_ANOTHER_DOER: Final = re.compile(r"(?<=\w)\s+(?:we|i|they|he|she)\s+\w", re.IGNORECASE)
_CAN_BE: Final = re.compile(r"\b(?:can|could)\s+be\b", re.IGNORECASE)


def _before_split(
    item: tuple[str, str, bool], today: datetime.date, conv: DateConventions
) -> list[tuple[str, str, bool]]:
    text, sep, question = item
    m = _BEFORE_CAN.match(text) if " before " in text.lower() else None
    if m is None or _WANTS_A_THING.match(m["first"]) or _ANOTHER_DOER.search(m["then"]):
        return [item]  # "..., before they can review it we need X": a main clause follows
    if read_clause(m["first"], today, conv).kind != "forward":
        return [item]
    # "i will send the quote", "the quotation will be issued": the step, said as one
    then = _SEQUEL_CAN.sub(r"\1will", _CAN_BE.sub("will be", m["then"], count=1), count=1)
    return [(m["first"], sep, False), (then, ", then ", question)]


_ONCE_ALONE: Final = re.compile(
    r"^\s*(?:once|as\s+soon\s+as|after|when|while|whilst)\s+(?P<cond>[^,;]+?)\s*$", re.I
)


_ANAPHORIC: Final = re.compile(r"^(?:that|this|it|done|signed|which)\b", re.IGNORECASE)


_SO_CAN: Final = re.compile(r",?\s+so\s+(?:that\s+)?$", re.IGNORECASE)


_NAME_ONLY: Final = re.compile(r"^\s*(?-i:[A-Z][\w'-]+)(?:\s+(?-i:[A-Z][\w'-]+)){0,2}\s*$")
_MENTION_ONLY: Final = re.compile(r"^\s*@[\w.-]+\s*$")


# A name that a clause opens with, alone or before a comma: "Herr Klaus Weber, on 14 December".
_NAME_LEAD: Final = re.compile(r"^\s*(?-i:[A-Z][\w'-]+)(?:\s+(?-i:[A-Z][\w'-]+)){0,2}\s*(?:,|$)")


# A title in apposition after a person's name: "their HR Systems Lead", "our Director of
# Finance", then a comma or the end; capitalised words only, so "their team signs" is no title.
_TITLE_AFTER_NAME: Final = re.compile(
    r"^\s*(?:their|our|the\s+client's|the\s+customer's)\s+(?-i:[A-Z][\w&-]*)"
    r"(?:\s+(?:(?-i:of|and|for)|&|(?-i:[A-Z][\w&-]*))){0,5}\s*(?:,|$)",
    re.IGNORECASE,
)
_NAME_END: Final = re.compile(r"(?-i:[A-Z][\w'-]+)\s*$")


# A clause that ends in a title, the person's name to follow after a comma: "... by their
# Director of Operations", "from our Regional Vice President".
_TITLE_END: Final = re.compile(
    r"\b(?:their|our|the\s+client's|the\s+customer's)\s+(?-i:[A-Z][\w&-]*)"
    r"(?:\s+(?:(?-i:of|and|for)|&|(?-i:[A-Z][\w&-]*))){0,5}\s*$",
    re.IGNORECASE,
)


# A clause that opens with a joiner to the step before ("following which ...", "after which"):
# never the verb of a name before it.
_JOINER_FIRST: Final = re.compile(
    r"^\s*(?:following|after|post|upon|subsequent\s+to)\s+which\b|^\s*(?:then|after\s+that)\b",
    re.IGNORECASE,
)


_SUBJECT_ONLY: Final = re.compile(
    r"^\s*(?:their|our|the|client's|customer's)\s+[\w-]+(?:\s+[\w-]+)?,?\s+"
    r"(?-i:[A-Z][\w'-]+)(?:\s+(?-i:[A-Z][\w'-]+)){0,2}\s*$",
    re.IGNORECASE,
)
# "their COO will meet ...": a second subject (up to four words), then its verb.
_VERB_AFTER_SUBJECT: Final = re.compile(
    r"^\s*(?:their|our|the|his|her)\s+(?:[\w-]+\s+){0,3}?(?:will|is|are|has|have|must|to)\b",
    re.IGNORECASE,
)
_VERB_FIRST: Final = re.compile(r"^\s*(?:will|is|has|needs|must|should|\w+s)\b", re.IGNORECASE)


_BULLET: Final = re.compile("[\u2022\u00b7\u25aa\u25e6]")


_LISTED: Final = re.compile(
    r"\s*(?:\d[.)]\s|first\b|firstly\b|second\b|secondly\b|third\b|thirdly\b|step\s+\d\b|"
    r"to\s+start\b)",
    re.IGNORECASE,
)


def _subsplit(
    part: str, today: datetime.date, conv: DateConventions
) -> list[tuple[str, bool, bool]]:
    """Arrows and "and <verb>" inside one clause: split only where the left side is a whole step.

    "security pack -> their infosec" is one step; "our SE finishes the spec by fri -> their
    architects sign off" is two. "draft the plan and share it by Friday" is one step;
    "run the demo on Thursday and send the VPAT" two (the left side has its own date).
    Each piece comes with whether it follows another (joined) and whether arrows made a
    list of them ("legal signs off -> procurement raises the PO").
    """
    pieces = [part]
    if "->" in part or ">" in part or "\u2192" in part:
        shared = _FOR_ALL.search(part)  # "A > B > C, all before EOQ": one date for every link
        if shared is not None:
            part = part[: shared.start()]
        arrows = _ARROW_SPLIT.split(part)
        pieces = [arrows[0]]
        chain = len(arrows) >= 3 and all(0 < len(_tokens(a)) <= 3 for a in arrows)
        for piece in arrows[1:]:
            if chain:
                pieces.append(piece)  # "finance approval > legal > signature": three links
                continue
            right = [t.word for t in _tokens(piece)]
            if len(_tokens(pieces[-1])) >= 2 and _present_verb_at(right) not in (None, -1):
                pieces.append(piece)  # "... by fri -> their architects sign off next week"
            elif (
                len(pieces[-1].split()) >= 2
                and parse_due(piece, today, conv) is not None
                and parse_due(pieces[-1], today, conv) is not None
            ):
                pieces.append(piece)  # "infosec review by wed -> legal by fri": each dated
            elif len(pieces) >= 2 and right and set(right) <= _MILESTONES:
                pieces.append(piece)  # "... -> their architects sign off -> PO": the last step
            else:
                pieces[-1] += " -> " + piece  # "security pack -> their infosec EOD"
        if shared is not None:
            tail = " " + shared["when"]
            pieces = [p + tail for p in pieces] if len(pieces) > 1 else [pieces[0] + shared.group()]
    arrowed = len(pieces) > 1
    pieces = [p for piece in pieces for p in _and_subject_split(piece, today, conv)]
    out: list[tuple[str, bool, bool]] = []
    for piece in pieces:
        chunks = _split_and_verb(piece)
        merged = [chunks[0]]
        for chunk in chunks[1:]:
            if parse_due(merged[-1], today, conv) is None and (
                _BACK_REFERENCE.search(chunk)
                or len(_tokens(merged[-1])) < 4  # "client to sign and return the LOI"
                or _NO_STEP_OF_ITS_OWN.search(merged[-1])  # "do the needful and send the SOW"
            ):
                merged[-1] += " and " + chunk  # "draft the plan and share it by Friday": one step
            else:
                merged.append(chunk)
        out.extend((m, k > 0 or len(out) > 0, arrowed) for k, m in enumerate(merged))
    return out


# "... and the council announces ...", "... and the SLA document until the 4 December":
# an "and" before a new subject, which starts a step if the words after it have their own
# verb or both sides have their own date.
_AND_SUBJECT: Final = re.compile(
    # "and also the committee needs to ...": "also" adds a step, it is no part of its subject
    r",?\s+and\s+(?:also\s+|additionally\s+)?(?=(?:the|their|our|his|her)\s|[a-z][\w-]*\s+(?:[\w-]+\s+)?\w+s\s"
    # note style with its own date: "... by month end and kick-off to happen in first week of Jan"
    r"|[a-z][\w-]*\s+(?:[\w-]+\s+)?to\s+(?:happen|take\s+place|start|begin|follow|be)\b)",
    re.IGNORECASE,
)


# The passive auxiliary of a step ("will be raised", "is to be signed") and a second thing
# with only its participle ("and the kickoff meeting scheduled"): English leaves the
# auxiliary out the second time.
_PASSIVE_AUX: Final = re.compile(
    r"\b(?P<aux>(?:will|shall|must|should|is\s+to|are\s+to)\s+be)\s+\w+(?:ed|en|t)\b", re.IGNORECASE
)
_GAPPED_PASSIVE: Final = re.compile(
    r"^(?P<thing>(?:the|a|an|their|our)\s+(?:[\w-]+\s+){1,3}?)(?P<done>[a-z]+(?:ed|en)|sent|held|made|paid)\b"
    r"(?=\s*$|\s+(?:by|on|for|to|within|before|in|at|back|over|out|no\s+later)\b)",
    re.IGNORECASE,
)


# A deliverable or an event alone, as the last link of a chain of steps ("... -> PO").
_MILESTONES: Final = (
    vocab.THEIR_DELIVERABLES
    | vocab.OUR_DELIVERABLES
    | vocab.JOINT_EVENTS
    | vocab.words("the a signed kick off go live contract order form")
)


# "sending the SOW EOW, they sign by the 9th, kickoff 12/14": a comma before words with their
# own date, when the words before it had theirs.
_DATED_COMMA: Final = re.compile(r",\s+")


_DETERMINED: Final = re.compile(r"(?:the|their|our|his|her)\s", re.IGNORECASE)


def _and_subject_split(piece: str, today: datetime.date, conv: DateConventions) -> list[str]:
    out = [piece]
    if "," in piece and parse_due(piece, today, conv) is not None:  # no date: nothing to split on
        chunks = _DATED_COMMA.split(piece)
        if len(chunks) > 1:
            merged = [chunks[0]]
            for chunk in chunks[1:]:
                due = parse_due(chunk, today, conv)
                rest = chunk.replace(due[1], " ") if due else ""
                own = due is not None and len(_tokens(rest)) >= 1
                # "questionnaire back by fri, PO from procurement the week after"
                own = own or bool(_AFTER_PREVIOUS.search(chunk) and len(_tokens(chunk)) >= 4)
                if own and len(_tokens(merged[-1])) >= 2 and parse_due(merged[-1], today, conv):
                    merged.append(chunk)
                else:
                    merged[-1] += ", " + chunk
            out = merged
    if " and " not in piece.lower():
        return out
    if len(out) > 1:
        return [p for part in out for p in _and_subject_split(part, today, conv)]
    for m in reversed(list(_AND_SUBJECT.finditer(piece))):
        left, right = out[0][: m.start()], out[0][m.end() :]
        aux = _PASSIVE_AUX.search(left)
        if aux is not None and _GAPPED_PASSIVE.match(right):
            # "the purchase order will be raised and the kickoff meeting scheduled": the
            # second thing's "will be" is left out; it is a step of its own, read with it
            out[0:1] = [
                left,
                _GAPPED_PASSIVE.sub(rf"\g<thing> {aux['aux']} \g<done>", right, count=1),
            ]
            continue
        words = [t.word for t in _tokens(right)]
        verb = _present_verb_at(words)
        if (
            verb is not None
            and not _DETERMINED.match(right)
            and not _is_doer(words[:verb])
            and not (verb == 1 and _name_in(right.split()[0]) is not None)  # "and Sam books ..."
        ):
            continue  # "... + next steps email today": a bare subject must be someone who acts
        dated = parse_due(left, today, conv) is not None and parse_due(right, today, conv)
        left_words = [t.word for t in _tokens(left)]
        if (
            verb is None
            and _DETERMINED.match(right)
            and _present_verb_at(left_words) not in (None, -1)  # not a subject alone before it
        ):
            # "... and the committee needs to see the ROI model": a subject of its own with a
            # forward modal right after it ("needs to", "will", "has to") is a step of its own
            # (not note style "and the pricing to be approved": that shares the step's date)
            verb = next(
                (k for k in range(1, min(len(words), 5)) if words[k] != "to" and _modal_at(words, k)),
                None,
            )
        if len(_tokens(left)) >= 3 and ((verb is not None and 0 < verb <= 4) or dated):
            out[0:1] = [left, right]
    return out


def _read(text: str, today: datetime.date, conv: DateConventions) -> Reading:
    text = _normalise(text)
    if vocab.META_REMARKS.search(text):
        return Reading("vague", None, None, None, _clean(text), None, confidence=0.9)
    only_date = bare_date(_HEDGE_LEAD_WORDS.sub("", _HEDGE_TAIL.sub("", text)), today, conv)
    if only_date is not None:
        return Reading("vague", None, None, None, _clean(text), None, bare_date=only_date)
    if _WHOLE_HEDGE.match(text) or (text.rstrip().endswith("?") and _ASKS_COACH_LEAD.match(text)):
        # "hopefully they sign before xmas, then we kick off in jan": the hope covers it all;
        # "should I escalate to my VP and then loop in their CEO?" asks the coach
        return Reading("vague", None, None, None, _clean(text), None, confidence=0.8)
    clauses: list[tuple[_Clause, str]] = []
    stepped = False
    reported = False  # a step was reported with "would" ("it was agreed that they would ...")
    labels: dict[int, tuple[datetime.date, str]] = {}  # a date before a colon dates what follows
    parts = _split(text, today, conv)
    if len(parts) > 1 and all(
        bare_date(_HEDGE_TAIL.sub("", p.text.rstrip(" ?")), today, conv) for p in parts
    ):
        # "dec 9 then dec 16?": dates alone, however many; the coach asks what happens then
        first = bare_date(_HEDGE_TAIL.sub("", parts[0].text.rstrip(" ?")), today, conv)
        return Reading("vague", None, None, None, _clean(text), None, bare_date=first)
    list_side: Side | None = None  # "two things on us:" says whose the counted items are
    for at, part in enumerate(parts):
        if not part.counted and _is_heading(part.text):
            list_side = _direction(part.text) or _heading_side(part.text)
        sequel = part.sequel and (stepped or part.listed)
        nxt = parts[at + 1] if at + 1 < len(parts) else None
        if nxt is not None and nxt.listed and _is_heading(part.text):
            # "two things we need from them:" introduces the steps; it is none of them
            clauses.append((_Clause("history", text=part.text), part.text))
            continue
        if _WISH_TAIL.match(part.text) and clauses and clauses[-1][0].kind == "forward":
            # "Maybe they will sign in December, we hope": the wish is about the step before
            clauses[-1] = (_Clause("vague", text=clauses[-1][1]), clauses[-1][1])
            continue
        if nxt is not None and _SCENE_ONLY.match(part.text):
            clauses.append((_Clause("history", text=part.text), part.text))
            continue
        labelling = nxt is not None and nxt.listed
        only = (
            bare_date(_DATE_LEAD.sub("", _PROMISED_LEAD.sub("", part.text)), today, conv)
            if stepped or labelling
            else None
        )
        if only is not None and labelling:
            # "Thursday: demo. Friday: pricing.": a date before a colon labels what follows
            labels[len(clauses) + 1] = (only, part.text)
            clauses.append((_Clause("history", text=part.text), part.text))
            continue
        if stepped and only is not None:
            # "... owes us redlines. due the 2nd, then ...": the date of the step before it
            clauses.append((_Clause("history", text=part.text), part.text))
            continue
        if stepped and _HEAR_BACK_TAIL.match(", " + part.text):
            # "we send the deck tmrw, should hear back next week": the reply the step waits
            # for, no step of ours; a date in it dates the step before when that has none
            clauses.append((_Clause("history", text=part.text), part.text))
            continue
        said = part.text
        cond = _CONDITIONAL.match(said) if stepped else None
        if cond is not None:
            # "..., if they approve she gets procurement to cut the PO": the main clause is the
            # step that follows the one before, on its outcome (the action keeps the "if")
            said, sequel = cond["main"], True
        clause = read_clause(
            _as_sequel(said, reported) if sequel else said, today, conv, part.question, sequel
        )
        if clause.kind == "forward" and clause.text != part.text:
            clause = replace(clause, text=part.text)
        if (
            clause.state_date is not None
            and clauses
            and clauses[-1][0].kind != "forward"
            and bare_date(part.text, today, conv) is not None
        ):
            # "legal review (theirs) – by 4 Dec": a date alone belongs to the clause before
            # it; read the two together (after a step, the step takes it: see below)
            joined_text = clauses[-1][1] + " " + part.text
            joined = read_clause(joined_text, today, conv, part.question, sequel)
            if joined.kind == "forward":
                clauses[-1] = (joined, joined_text)
                stepped = True
                continue
        if clause.kind == "history" and _COMMA.search(part.text):
            # "ok so legal finally came back, nadia from their procurement sends the PO by fri"
            head, tail = _step_after_comma(part.text, today, conv)
            if tail is not None:
                clauses.append((_Clause("history", text=head), head))
                clause, part = tail, _Part(tail.text, part.question, True)
        if part.counted and not _PAST_ITEM.search(part.text) and not _OWN_SUBJECT.match(part.text):
            # "Three things are missing: the signature of the CFO, ...": each counted thing is
            # a step, dated or not; whose, a heading "on us" says, else the thing itself
            words = {t.word for t in _tokens(part.text)}
            side = (
                list_side
                or _direction(part.text)
                or ("us" if words & {"our", "my"} else "customer" if "their" in words else None)
                or _deliverable_side_of(words)
            )
            clause = _Clause(
                "forward", side, None, part.text, parse_due(part.text, today, conv), 0.9
            )

        stepped = stepped or clause.kind == "forward"
        reported = reported or (
            clause.kind == "forward" and bool(_REPORTED_WOULD.search(part.text))
        )
        clauses.append((clause, part.text))
    steps: list[Step] = []
    context: list[str] = []
    last: _Clause | None = None
    heading: Side | None = None  # "two things from their side: confirm X & get us Y"
    for index, (clause, raw) in enumerate(clauses):
        words = {t.word for t in _tokens(raw)}
        if clause.kind == "history" and steps and words and words <= _MILESTONES and _undated(raw):
            # "... -> their architects sign off next week -> PO": the PO is the next step
            side = _deliverable_side_of(words)
            clause = _Clause("forward", side, None, raw, None, 0.8, subjectless=True)
        if clause.kind != "forward" and heading is not None and clause.kind == "history":
            item_due = parse_due(raw, today, conv)
            if item_due is not None and _ITEM.match(raw):
                # "Two things from our side: the training plan until Friday and the SLA ..."
                clause = _Clause("forward", heading, None, raw, item_due, 0.9, subjectless=True)
        if clause.kind != "forward":
            if clause.kind == "history" and not steps:
                context.append(_clean(raw))
                heading = _direction(raw) if _LIST_HEADING.search(raw) else None
            continue
        side, owner, sure = clause.side, clause.owner, clause.side_confidence
        if heading is not None and clause.subjectless:
            side, sure = heading, 0.9  # the heading says whose list it is
        if _STANDS_IN.search(clause.text) and owner is not None:
            side, sure = "us", 0.8  # "I'm out next week so Dev will cover the call": our colleague
        if _JOINT.search(clause.text) or _both_sides_meet(clause.text):
            side, sure = None, 0.9  # "has to be agreed by both sides"
        agent = _PASSIVE_BY.search(clause.text)
        if agent is not None:
            # "will be arranged by my team", "is to be prepared by Catherine Doyle, our RVP":
            # the passive's agent does the step, whatever the thing or the event suggests
            who = (agent["who"] or agent["title"]).lower()
            side, sure = ("us" if who.startswith(("us", "me", "my", "our")) else "customer"), 0.9
        if clause.subjectless and last is not None and side != "customer":
            side, owner, sure = last.side, last.owner, last.side_confidence
        if side == "customer" and sure < SURE and steps and _theirs_for_sure(steps[-1]):
            # "their legal reviews the MSA and then finance issues the PO": a bare role after
            # a step of theirs is theirs too (ours would be "our finance"), no need to ask
            sure = 0.9
        due = clause.due or labels.get(index)
        if due is None and _BY_THEN.search(clause.text):
            # "Fiscal year end for them is 31 March, they must have it signed before then"
            said = [c.state_date for c, _ in clauses[:index] if c.state_date is not None]
            due = (said[-1][0], _BY_THEN.search(clause.text).group()) if said else None
        if (
            due is None
            and steps
            and steps[-1].due is not None
            and _at_the_event_before(clause.text, steps[-1].action)
        ):
            # "Client has asked to prepone the review meeting to Wednesday, we will present the
            # final solution then": the meeting sets the scene; the step is what happens at it
            event = steps.pop()
            context.append(event.action)
            steps.append(_step(clause.text, side, owner, None, sure))
            steps[-1] = replace(steps[-1], due=event.due, date_text=event.date_text)
            last = _Clause("forward", side, owner, clause.text, None, sure)
            continue
        after = _AFTER_PREVIOUS.search(clause.text) if due is None else None
        # counted from the step before, or from a state's date when no step came before:
        # "their budget freeze lifts on Jan 5 and they sign the week after"
        said = [c.state_date[0] for c, _ in clauses[:index] if c.state_date is not None]
        base = (steps[-1].due if steps else None) or (said[-1] if said and not steps else None)
        if after is not None and base is not None:
            # "... by Friday, then procurement cuts the PO the week after"
            n = after["n"]
            count = 1 if n is None else int(n) if n.isdigit() else _COUNT[n.lower()]
            days = count * (7 if "week" in after.group().lower() else 1)
            days = 0 if after["same"] else days  # "we send pricing right after": the same day
            due = (base + datetime.timedelta(days=days), after.group())
        if due is None:  # a trailing ", by Thursday" may sit in the next fragment
            rest = []
            for later, (c, p) in enumerate(clauses[index + 1 :], start=index + 1):
                if c.kind == "forward" or later + 1 in labels:
                    break  # the next step, or a date that labels the next item
                if c.kind == "history":
                    rest.append(p)
            due = parse_due(" ".join(rest), today, conv)
        if (
            last is not None
            and steps[-1].due is None
            and side == last.side
            and due is not None
            and _RESUMES.match(_FILLER_LEAD.sub("", clause.text))
        ):
            # "I owe them a whitepaper, I'll send it tomorrow": the date of the same step
            steps[-1] = _step(last.text, last.side, last.owner, due, last.side_confidence)
            continue
        if (
            due is not None
            and steps
            and steps[-1].due
            and due[0] < steps[-1].due
            and (_BARE_WEEKDAY.match(due[1]) or _COUNTED_PERIOD.match(due[1]))
        ):
            if _BARE_WEEKDAY.match(due[1]):
                # "she presents on tues; if she approves we send the order form wed": the
                # Wednesday after that Tuesday, not the one before it
                ahead = (steps[-1].due - due[0]).days // 7 + 1
                due = (due[0] + datetime.timedelta(days=7 * ahead), due[1])
            else:
                # "PO by 5th Dec, thereafter we initiate onboarding within a week": a week
                # from the step before, not from today
                rebased = parse_due(due[1], steps[-1].due, conv)
                due = rebased or (steps[-1].due + (due[0] - today), due[1])
        steps.append(_step(clause.text, side, owner, due, sure))
        last = _Clause("forward", side, owner, clause.text, due, sure)
    if steps and context:
        steps = _named_by_history(steps, " ".join(context))
    steps = _needful_merged(steps)
    if steps:
        first = steps[0]
        confidence = min(0.95, 0.6 + 0.35 * first.side_confidence)
        return Reading(
            "next_step",
            first.side,
            first.due,
            first.owner,
            first.action,
            first.date_text,
            tuple(steps),
            confidence,
            " / ".join(context)[:_MAX_ACTION],
        )
    kind: Orientation = "vague" if any(c.kind == "vague" for c, _ in clauses) else "history"
    state = next((c.state_date for c, _ in clauses if c.state_date), None)
    return Reading(kind, None, None, None, _clean(text), None, confidence=0.8, state_date=state)


# "do the needful" (Indian English: do what is needed) with nothing after it names no work of
# its own: it is the step beside it. "Client will do the needful, Mr. Anand Rao will release
# the LOI by February 3rd" and "Demo has been preponed to Tuesday as per client request, our
# SE Arjun will do the needful" are one step each: the work and date of the other clause, the
# person named in either ("do the needful for the sandbox access" has its own object).
_BARE_NEEDFUL: Final = re.compile(r"\bdo\s+the\s+needful\W*$", re.IGNORECASE)


def _needful_merged(steps: list[Step]) -> list[Step]:
    out: list[Step] = []
    for step in steps:
        prev = out[-1] if out else None
        bare = (
            (prev is not None and _BARE_NEEDFUL.search(prev.action) is not None),
            _BARE_NEEDFUL.search(step.action) is not None,
        )
        # "we do the needful, they sign" is two steps (each names its doer); a side the rules
        # only inferred ("moved as per their ask": 0.7) yields to the named person's
        clash = (
            prev is not None
            and None not in (prev.side, step.side)
            and prev.side != step.side
            and (
                min(prev.side_confidence, step.side_confidence) >= 0.9
                # "Mr. Rao will do the needful by Friday, then we can raise the invoice": a named
                # person's needful first, then a step that is surely the other side's
                or (bare[0] and prev.owner is not None and step.side_confidence >= 0.9)
            )
        )
        if prev is None or bare[0] == bare[1] or clash:
            out.append(step)
            continue
        filler, work = (step, prev) if bare[1] else (prev, step)
        owner = filler.owner or work.owner
        side = (filler.side if filler.owner else work.side) or filler.side
        dated = work if work.due is not None else filler
        out[-1] = replace(work, side=side, owner=owner, due=dated.due, date_text=dated.date_text)
    return out


# "..., then we can raise the invoice", "... so we can start the pilot on 12/7": after a step,
# "can" is what that step makes possible, the next step, not an ability or an offer. Read as
# "will" (the rep's words stay in the action).
_SEQUEL_CAN: Final = re.compile(
    # "then procurement can raise the PO", "... before @sam can send it": one word will do
    r"^(\W*(?:(?:then|so|and|so\s+that)\s+)?(?:we|i|they|he|she|you|(?:our|their|the)\s+[\w-]+|@?[\w-]+)\s+)"
    r"(?:can|could)(?=\s+(?!not\b|be\b|have\b)\w)",
    re.IGNORECASE,
)


# A condition on the step before, then the step it opens: "if it is approved they release
# the PO", "subject to their endorsement, procurement will initiate the contracting".
_CONDITIONAL: Final = re.compile(
    # formal inversion: "should it be approved, the contract will be executed ..."
    r"^\W*(?:if|provided(?:\s+that)?|assuming|subject\s+to|should(?=\s+(?:it|they|this|that|the\s+\w+)\s+be\b))"
    r"\s+(?P<cond>[^,;]+?)"
    r"(?:\s*,\s*(?:then\s+)?|\s+(?:then\s+)?(?=(?:we|i|they|he|she|we'll|they'll|i'll)\s))(?P<main>\w.*)$",
    re.IGNORECASE,
)


# "it was agreed that their data team would provide samples by Thursday, after which our
# engineers would build the mapping": once a step is reported with "would", the steps after
# it keep the reported future, read as "will" (not a hypothetical).
_REPORTED_WOULD: Final = re.compile(r"\bthat\s+(?:[\w'-]+\s+){1,5}?would\s+\w", re.IGNORECASE)
_SEQUEL_WOULD: Final = re.compile(
    r"^(\W*(?:(?:then|so|and)\s+)?(?:we|i|they|he|she|(?:our|their|the)\s+(?:[\w-]+\s+){0,2}?[\w-]+)\s+)"
    r"would(?=\s+(?!not\b|like\b|prefer\b|rather\b|be\s+(?:great|good|nice|ideal)\b)\w)",
    re.IGNORECASE,
)


def _as_sequel(text: str, reported: bool = False) -> str:
    lead = _FILLER_LEAD.match(text)  # "after which our engineers would ...", "after that X can ..."
    at = lead.end() if lead else 0
    head, rest = text[:at], text[at:]
    if reported:
        rest = _SEQUEL_WOULD.sub(r"\1will", rest, count=1)
    return head + _SEQUEL_CAN.sub(r"\1will", rest, count=1)


# The person the rep spoke with, in the history before a step: "Talked to Esme yesterday",
# "Spoke to Hamish, their COO, yesterday". Capitalised only: in lower-case chat any word
# could be taken for a name.
_SPOKE_WITH: Final = re.compile(
    r"\b(?:talked|spoke|spoken|met|chatted|caught\s+up|call|called|meeting|met\s+up)\s+"
    r"(?:to|with|w/)\s+(?-i:(?P<name>[A-Z][a-z\u00df-\u00ff]+(?:\s+[A-Z][a-z\u00df-\u00ff]+)?))\b",
    re.IGNORECASE,
)
_HE_OR_SHE: Final = re.compile(r"^(?:he|she)(?:'s|'ll|'d)?\b", re.IGNORECASE)


def _named_by_history(steps: list[Step], history: str) -> list[Step]:
    """ "Talked to Esme yesterday, she's presenting on the 9th": "she" is Esme, the owner."""
    names = {m["name"] for m in _SPOKE_WITH.finditer(history)}
    if len(names) != 1:
        return steps
    (name,) = names
    return [
        replace(step, owner=name) if step.owner is None and _HE_OR_SHE.match(step.action) else step
        for step in steps
    ]


# A hope at the start governs the whole answer; a question to the coach is no step.
_WHOLE_HEDGE: Final = re.compile(
    r"^\W*(?:hopefully|ideally|fingers\s+crossed|if\s+all\s+goes\s+well|with\s+any\s+luck)\b",
    re.IGNORECASE,
)
_ASKS_COACH_LEAD: Final = re.compile(
    r"^\W*(?:should|shall|could|can|would|do|must)\s+(?:i|we)\b", re.IGNORECASE
)


_LIST_HEADING: Final = re.compile(r"\b(?:things|items|asks|steps|actions|bits)\b", re.IGNORECASE)


# Someone who stands in for the rep is a colleague: "Dev will cover the follow-up call",
# "Priya will step in for me on Tuesday".
_STANDS_IN: Final = re.compile(
    r"\b(?:will|'ll|to|is\s+going\s+to|can)\s+(?:cover|step\s+in|stand\s+in|fill\s+in|deputi[sz]e)\b",
    re.IGNORECASE,
)


def _theirs_for_sure(step: Step) -> bool:
    return step.side == "customer" and step.side_confidence >= SURE


# Words that only introduce a date said on its own after a step: "due the 2nd", "ETA Friday".
_DATE_LEAD: Final = re.compile(
    r"^\W*(?:due|deadline|target|eta|latest|by|before|no\s+later\s+than)\b[\s:]*", re.IGNORECASE
)

# "waiting on Tomás to send the DPA, he promised EOW": who promised a date for the step before
# it, no step of its own ("he promised to send it EOW" has its verb, and stays a step).
_PROMISED_LEAD: Final = re.compile(
    r"^\W*(?:he|she|they)\s+(?:promised|said|told|committed|confirmed|mentioned|reckons|"
    r"reckoned|thinks|expects|estimated|estimates)"
    r"(?:\s+(?:us|me))?(?:\s+(?:it|that))?(?:\s+(?:for|on))?\s+(?=\w)",
    re.IGNORECASE,
)


def _undated(text: str) -> bool:
    """No digit in the words: a milestone alone, not a date."""
    return not any(c.isdigit() for c in text)


def _deliverable_side_of(words: set[str]) -> Side | None:
    if words & vocab.THEIR_DELIVERABLES:
        return "customer"
    return "us" if words & vocab.OUR_DELIVERABLES else None


def _heading_side(text: str) -> Side | None:
    """ "two things on us", "3 asks from our side": whose list a heading announces."""
    words = {t.word for t in _tokens(text)}
    if words & {"us", "our", "we", "me", "my"}:
        return "us"
    return "customer" if words & {"them", "their", "they"} else None


def _is_heading(text: str) -> bool:
    """ "Two things from our side", "3 asks for them": a short line that announces a list."""
    return bool(_LIST_HEADING.search(text)) and len(text.split()) <= 8


# A list item that names a thing, not an action: "the training plan until Friday".
_ITEM: Final = re.compile(r"^\s*(?:the|a|an|our|their|my)\s+\w", re.IGNORECASE)


# A clause that is only a wish about the one before it: "..., we hope", "..., fingers crossed".
_WISH_TAIL: Final = re.compile(
    r"^\W*(?:(?:we|i)\s+(?:hope|pray|wish)|hopefully|fingers\s+crossed|touch\s+wood|"
    r"god\s+willing|inshallah|if\s+all\s+goes\s+well)\W*$",
    re.IGNORECASE,
)


# A bare date with a shrug is still only a date: "wk of the 7th maybe?", "EOW? not sure".
_HEDGE_TAIL: Final = re.compile(
    r"[\s?,.!]*\b(?:maybe|probably|possibly|perhaps|i\s+think|i\s+guess|not\s+sure|idk|dunno|"
    r"tbh|hopefully|ish|or\s+so|at\s+a\s+guess|tbc|tentatively|"
    r"subject\s+to\s+(?:\w+\s+){0,2}?\w+|pending\s+(?:\w+\s+)?(?:budget|approval|sign-?off))\b[\s?,.!]*$",
    re.IGNORECASE,
)


# "Eventually in January.", "probably Q1": a hedge before a bare date leaves a bare date.
_HEDGE_LEAD_WORDS: Final = re.compile(
    r"^\W*(?:(?:eventually|probably|maybe|perhaps|possibly|hopefully|likely|realistically|"
    r"prob|prolly|tentatively|roughly|around|sometime|some\s+time)\b[\s,]*)+",
    re.IGNORECASE,
)


_JOINT: Final = re.compile(r"\b(?:both\s+(?:sides|parties|teams)|jointly|joint)\b", re.IGNORECASE)


# "exec sponsor call w/ their COO + our CRO", "workshop with both their ops leads and our PM"
_WITH_BOTH: Final = re.compile(
    r"\b(?:with|w/)\s+(?:both\s+)?(?=.*\btheir\b)(?=.*\bour\b)", re.IGNORECASE
)


_PASSIVE_BY: Final = re.compile(
    r"\b(?:be|been|being|is|are|was|were)\s+(?:\w+\s+)?"
    # "is required by their infosec office" is asked *of* us: REQUESTS_OF_US decides those
    r"(?!(?:required|requested|needed|expected|wanted|asked|demanded)\b)\w+(?:ed|en|de|ne|wn|un|t)\s+by\s+"
    r"(?:(?P<who>us|me|my\s+\w+|our\s+\w+|them|their\s+\w+)\b"
    r"|(?-i:[A-Z][\w'-]+)(?:\s+(?-i:[A-Z][\w'-]+)){0,2},\s*(?P<title>our|my|their)\b)",
    re.IGNORECASE,
)


def _both_sides_meet(text: str) -> bool:
    """An event whose participants come from both sides, with no doer before it: joint."""
    m = _WITH_BOTH.search(text)
    if m is None:
        return False
    head = [t.word for t in _tokens(text[: m.start()])]
    events = vocab.JOINT_EVENTS | vocab.OUR_EVENTS | vocab.words("call meeting session sync")
    return bool(set(head) & events) and not set(head) & vocab.words("we i they he she")


_AFTER_PREVIOUS: Final = re.compile(
    r"\b(?:the\s+(?:week|day)\s+after|a\s+week\s+later|the\s+following\s+(?:week|day)|the\s+next\s+day|"
    r"(?P<n>\d|a|one|two|three|four)\s+(?P<unit>weeks?|days?|business\s+days?)\s+(?:after\s+that|later)|"
    r"(?P<same>(?:right|straight|immediately)\s+(?:after(?:\s+(?:that|it))?|afterwards)))\b",
    re.IGNORECASE,
)
# A weekday said alone ("wed", "on Thursday", "by fri"): the next one, which may fall before
# the step said before it.
_BARE_WEEKDAY: Final = re.compile(
    r"^(?:on\s+|by\s+)?(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:[a-z]*day)?$", re.I
)
# A period counted from now ("within a week", "in 3 days"), which after a later-dated step
# counts from that step.
_COUNTED_PERIOD: Final = re.compile(
    r"^(?:with)?in\s+(?:a|an|one|two|three|four|\d+)\s+(?:business\s+|working\s+)?"
    r"(?:days?|weeks?|wks?|fortnight)$",
    re.I,
)
_COUNT: Final = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}


# "by then", "before then": the date of the state said before ("... ends 31 March, ... by then").
_BY_THEN: Final = re.compile(r"\b(?:by|before|until|till)\s+then\b", re.IGNORECASE)


# A step said to happen at the event named before it: "..., we will present the solution then".
_AT_THAT: Final = re.compile(
    r"\b(?:then|there|at\s+(?:that|the|this)\s+(?:meeting|call|session|review|workshop))\W*$",
    re.IGNORECASE,
)


def _at_the_event_before(text: str, before: str) -> bool:
    """ "..., we will present the solution then/there": `text` happens at the event `before` names
    (a meeting, a demo; a body that meets, "the steering committee", only with "there")."""
    at = _AT_THAT.search(text)
    if at is None:
        return False
    events = vocab.JOINT_EVENTS | vocab.OUR_EVENTS
    if at.group().lower().startswith("there"):
        events = events | vocab.MEETING_BODIES
    return bool({t.word for t in _tokens(before)} & events)


_RESUMES: Final = re.compile(r"^\s*(?:\w+(?:'ll|\s+will)?\s+)?\w+\s+(?:it|them|that|this)\b", re.I)


def _step_after_comma(
    text: str, today: datetime.date, conv: DateConventions
) -> tuple[str, _Clause | None]:
    """The history before a comma and the step after it, if the words after a comma read as one."""
    at = _COMMA.search(text).start() if _COMMA.search(text) else -1
    while at > 0:
        rest = text[at + 1 :]
        tail = read_clause(rest, today, conv)
        first = rest.split()[0].lower() if rest.split() else ""
        if tail.kind == "forward" and (not first.endswith("ing") or _verb_stem(first)):
            return text[:at], tail
        m = _COMMA.search(text, at + 1)
        at = m.start() if m else -1
    return text, None


# Not the comma of "250,000". A discourse reset works as a comma in chat typed without
# them: "pilot went great so nadia writes up the recommendation by fri".
_COMMA: Final = re.compile(
    r",(?!\d{3}\b)|\s(?=(?:so\s+now|and\s+now|so|now|anyway|anyways)\s)", re.I
)


# Prepositions that only introduced the date cut out of a step's action.
_DANGLING: Final = re.compile(
    # ", which is expected by Friday" loses its date: the aside goes with it
    r"(?:,?\s*\bwhich\s+(?:is|are|will\s+be)(?:\s+(?:expected|due|scheduled|planned|set))?(?!\w)|"
    r",?\s*\bwhich\s+(?:we|they|i)\s+(?:expect|anticipate)(?:\s+to\s+(?:receive|see|have))?(?!\w)|"
    # "... their Audit Committee, which meets on 9 December": the body's sitting is the date
    r",?\s*\bwhich\s+(?:meets|sits|convenes|reconvenes)(?!\w)|"
    r"\s*\b(?:for|on|at|by|to|before|until|till|til|around|due|latest|the|no\s+later\s+than|"
    r"(?:the\s+)?(?:week|weekend|w/c|wc)\s+(?:of|commencing|beginning|starting))(?!\w))+\s*$",
    re.IGNORECASE,
)


# A subjectless "should hear back" after a step is its outcome, no part of what is done:
# "they're gonna run it by security, should hear back (by friday)". Its date is the step's.
_HEAR_BACK_TAIL: Final = re.compile(
    r"\s*,\s*(?:and\s+)?(?:(?:we|i)\s+|we'll\s+|i'll\s+)?(?:(?:should|will|would|might|may|hope\s+to|"
    r"expect\s+to|hopefully|then)\s+)+(?:get\s+to\s+)?hear\s+(?:back|from\s+(?:them|him|her))"
    r"(?P<rest>[^,;]*)$",
    re.IGNORECASE,
)


def _step(
    text: str,
    side: Side | None,
    owner: str | None,
    due: tuple[datetime.date, str] | None,
    sure: float,
) -> Step:
    action = _clean(text)
    tail = _HEAR_BACK_TAIL.search(action)
    if tail is not None and len(_tokens(action[: tail.start()])) >= 3:
        action = action[: tail.start()]  # its date, if any, is cut below or stays the step's
    if due is not None:
        at = action.lower().rfind(due[1].lower())
        if at >= 0:
            # "book the kickoff call for Dec 9": no preposition is left dangling at the cut
            left = _DANGLING.sub("", action[:at])
            cut = (left + " " + action[at + len(due[1]) :]).strip(" ,;:-")
            action = _clean(re.sub(r"\s+([,.;:])", r"\1", cut)) or action
    return Step(side, owner, due[0] if due else None, action, due[1] if due else None, sure)


# --- The learned second opinion (issue 11): process/learned_steering.py, docs/steering_model.md.
# The rules read first; a small model trained on the labelled answers may overrule their
# orientation when it is very sure (setting STEERING_MODEL=off turns both heads off). A step
# it finds where the rules found none has no side of its own; the side head then gives the
# first step a side where the reading has none (unless the rules are sure it is a joint step),
# or replaces the rules' side when it disagrees and is very sure. Its probability becomes the
# step's side confidence, so below SURE the coach still asks "theirs or ours?".


def _second_opinion(
    text: str, reading: Reading, today: datetime.date, conv: DateConventions
) -> Reading:
    if reading.bare_date is not None:  # the whole answer is a date: the coach asks about it
        return reading
    verdict = learned_steering.overrule(text, reading.orientation)
    if verdict is not None:
        kind, sure = verdict
        plain = _normalise(text)
        if kind != "next_step":
            return Reading(kind, None, None, None, _clean(plain), None, confidence=sure)
        # The rules found no step here; read it as one ("Raj sends the PO" has no date, so no
        # rule took it for a step): whoever the clause names as doer is the step's owner.
        clause = read_clause(plain, today, conv, sequel=True)
        owner = clause.owner if clause.kind == "forward" else None
        step = _step(plain, None, owner, parse_due(plain, today, conv), 0.0)
        reading = Reading(
            "next_step", None, step.due, None, step.action, step.date_text, (step,), sure
        )
    return _side_opinion(text, reading)


def _side_opinion(text: str, reading: Reading) -> Reading:
    """The first step's side from the side head, when it has one to give (see above)."""
    if reading.orientation != "next_step" or not reading.steps:
        return reading
    first = reading.steps[0]
    if first.side is None and first.side_confidence >= SURE:
        return reading  # the rules are sure it is both sides' step ("joint workshop w/ their IT")
    verdict = learned_steering.side_opinion(text, first.action, first.side)
    if verdict is None:
        return reading
    side, sure = verdict
    first = replace(first, side=side, side_confidence=sure)  # type: ignore[arg-type]
    return replace(reading, side=first.side, steps=(first, *reading.steps[1:]))
