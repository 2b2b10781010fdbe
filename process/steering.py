"""Steering: is a rep's answer history, a vague intention, or a concrete next step?

The coach asks forward questions ("What does the customer have to do next?") and reps
often answer with what already happened or with a wish. Steering reads one answer and
says which it is, whose step it is, who owns it and by when, so the engine can push back
("That's what happened; what happens next?") or record the step in the action plan.

Why rules, not a model: answers are short, the signal is grammatical (modal verbs,
imperatives, tense) plus a small vocabulary of non-actions ("follow up", "keep pushing"),
and the engine needs a decision in microseconds, deterministically, with no I/O.

How: split the answer into clauses; read each clause as one of
  forward (modal "will/need to/has to/must/should/going to/owe", an imperative, an
  "X asked us to"/"we need them to" frame, or a present-tense verb with a future date),
  vague (a forward clause whose action is a non-action or hedged without a date, or a
  waiting/hoping clause), or history (everything else: past tense, states).
The first concrete forward clause makes the answer a next step; otherwise any vague clause
makes it vague; otherwise it is history.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Final, Literal

from process.dates import parse_due

__all__ = ["Orientation", "Reading", "Side", "read_answer"]

_log = logging.getLogger(__name__)

Orientation = Literal["history", "vague", "next_step"]
Side = Literal["customer", "us"]


@dataclass(frozen=True)
class Reading:
    """What one answer says about the next step (see module docstring)."""

    orientation: Orientation
    side: Side | None  # whose step, None if the answer doesn't say
    due: datetime.date | None  # never before `today` for a next_step
    owner: str | None  # the person/team named as doing it, as written; None for I/we/they
    action: str  # the answer cleaned into a short step description
    date_text: str | None  # the phrase the due date came from, e.g. "by Friday"


# Analysing more than this is pointless for a chat answer and would only cost time.
_MAX_CHARS: Final = 2000
_MAX_ACTION: Final = 200


# ------------------------------------------------------------------ vocabulary
def _words(text: str) -> frozenset[str]:
    """A word list written as one string, so the vocabulary stays readable on a page."""
    return frozenset(text.split())


_US_WORDS: Final = _words("i we me us our my ours myself ourselves you your")
_CUSTOMER_WORDS: Final = _words(
    """
    they them their theirs he she his her him customer client prospect buyer champion
    procurement customers clients
    """
)
_US_ROLES: Final = _words("se ae csm sdr bdr vp manager rep")  # only with our/my, or bare "the SE"
_PRONOUNS: Final = _words("i we they he she you it me us them this that")
_MODAL_ADVERBS: Final = _words(
    """
    also then probably definitely just really still first likely actually quickly hopefully
    finally both all need eventually soon maybe again now next ideally personally formally
    officially either immediately be able going further perhaps surely certainly
    absolutely gonna
    """
)
_FILLER_LEAD: Final = re.compile(
    r"^(?:\s|[-*•>,:;.!?)(\"']|\d+[.)]\s|"
    # multi-word openers first: the regex takes the first alternative that matches
    r"\b(?:(?:the\s+)?next\s+steps?(?:\s+(?:is|are|will\s+be))?(?:\s+(?:to|that|for))?|"
    r"(?:the\s+)?plan\s+is(?:\s+(?:to|that|for))?|the\s+idea\s+is(?:\s+(?:to|that))?|"
    r"i\s+think|i\s+guess|i\s+believe|i\s+suppose|i'd\s+say|i\s+would\s+say|after\s+that|"
    r"so|well|ok|okay|um+|uh+|hmm+|honestly|basically|probably|then|next|now|and|but|also|yeah|yes|"
    r"yep|tbh|imo|realistically|ideally|frankly|right|anyway|please|pls|plz)\b)+",
    re.IGNORECASE,
)
_HEDGE_LEAD: Final = re.compile(
    r"^(?:\s|\b(?:maybe|perhaps|hopefully|just|possibly|probably|try\s+and|try\s+to|we'll\s+try\s+to)\b)+",
    re.IGNORECASE,
)
_HEDGES: Final = re.compile(
    r"\b(?:maybe|perhaps|hopefully|possibly|at\s+some\s+point|eventually|some\s*day|sometime|soon|"
    r"when\s+they(?:'re|\s+are)\s+ready|i\s+guess|if\s+we're\s+lucky|fingers\s+crossed|down\s+the\s+road|"
    r"in\s+the\s+future|one\s+of\s+these\s+days|whenever|at\s+some\s+stage)\b|🤞",
    re.IGNORECASE,
)
_WAITING: Final = re.compile(
    r"\b(?:wait(?:ing)?|hop(?:e|ing)|hopefully|we'll\s+see|wait\s+and\s+see|see\s+what\s+happens|idk|dunno|"
    r"not\s+sure|no\s+idea|tbd|ball\s+(?:is\s+)?in\s+their\s+court|up\s+to\s+them|their\s+move|"
    r"fingers\s+crossed|nothing\s+(?:yet|for\s+now)|nothing\s+really|n/?a)\b|🤞|🙏",
    re.IGNORECASE,
)
_VAGUE_VERBS: Final = _words(
    """
    follow touch check keep stay wait hope see continue push nurture circle ping chase come
    think consider engage connect sync align figure monitor watch remain maintain drive try
    be work reach talk move progress advance nudge stay hear re-engage reengage explore look
    keeping waiting hoping pushing continuing following checking touching circling pinging
    chasing nurturing staying trying reconnect regroup revisit catch digest mull ponder
    reflect sit sleep let multithread multi-thread
    """
)
_VAGUE_OBJECTS: Final = _words(
    """
    value momentum relationship relationships rapport urgency engagement alignment
    conversation conversations trust buy-in champion pressure touch warm things progress
    traction interest excitement visibility awareness mindshare deal pipeline loop radar top
    course track dialogue dialog relations time space excited comfortable happy interested
    engaged warmed onboard aboard sure feel pain
    """
)
# Deal artefacts and events: naming one turns "follow up on X by Friday" into a real step.
_CONCRETE_NOUNS: Final = _words(
    """
    proposal contract quote pricing price redlines redline po order form sow msa dpa nda
    questionnaire demo pilot poc review meeting call workshop deck invoice agreement
    signature approval sign-off signoff budget rfp rfi security legal terms renewal
    references reference business case roi plan timeline report spec requirements scope
    seats licenses licences data diagram architecture integration sandbox trial onsite intro
    introduction agenda invite documents docs paperwork redlined map soc
    """
)
# Steps only the buyer can take: an imperative "Sign the order form by Friday" is theirs.
_CUSTOMER_VERBS: Final = _words("sign countersign approve issue decide choose pick select return")
_US_PASSIVE_VERBS: Final = _words(
    "sent delivered prepared drafted built configured shared scheduled"
)
_CUSTOMER_PASSIVE_VERBS: Final = _words(
    "signed approved issued countersigned returned decided executed"
)
_IMPERATIVES: Final = _words(
    """
    send book schedule set get share draft prepare write call email meet review sign confirm
    present deliver finish build run map follow touch check keep stay continue push ping
    circle nurture loop reach ask find identify introduce intro organize organise arrange
    host plan submit finalize finalise negotiate close align update create escalate chase
    demo propose make give provide line lock nail secure discuss talk walk validate test
    complete start kick invite clarify agree decide approve issue return execute hold do try
    wait see hope engage sync connect drive move fix onboard pull put bring remind obtain
    collect gather request setup coordinate document configure install deploy train
    walkthrough summarize summarise recap consider think explore look work nudge countersign
    choose pick select order buy pay wrap lay outline price quote package scope define agree
    introduce connect grab pin text message slack dm contact brief prep rework revise
    redline turn sort iron settle resolve answer respond reply
    """
)
_IRREGULAR_PAST: Final = _words(
    """
    had was were did said told met sent went saw got gave took made spoke came ran left lost
    won found thought felt knew brought bought began wrote heard paid led kept held sat
    showed shown been done seemed sold spent stood understood forgot became hadn't wasn't
    weren't didn't haven't hasn't ago yesterday already previously earlier last since
    recently wanted needed asked
    """
)
_ED_NOT_PAST: Final = _words(
    """
    need needed speed feed seed breed shed hundred indeed embed proceed succeed exceed red
    bed led wed based interested excited concerned involved aligned engaged required
    detailed signed approved advanced dedicated preferred qualified related supposed
    scheduled expected planned customised customized revised updated completed redlined
    tailored proposed agreed committed limited automated integrated managed ed
    """
)
_DETERMINERS: Final = _words(
    """
    the a an our their my his her its this that these those is are be been being am get got
    getting was were some any fully all more newly your no
    """
)
_SUBJECT_STOP: Final = _words(
    """
    said says told think thinks hope guess believe mentioned confirmed that so then now but
    because if when after before yesterday today once since as while meanwhile next also
    which who where week call meeting demo there here otherwise ok okay yes well
    honestly basically step steps is are was were
    """
)

# After these a first word is a subject noun, not an imperative: "Demo was solid".
_AUXILIARIES: Final = _words(
    "will is are was were has have had needs must should went did does seems looks looked can could"
    " would may might shall"
)

_BE: Final = _words("is are am be")
_MODALS: Final = _words("will shall must should owe owes gotta")
_TO_MODALS: Final = _words(
    "need needs have has got ought plan plans planning want wants intend intends aim aims promised agreed"
)
_AUX_OR_MODAL: Final = _AUXILIARIES | _MODALS
_WANTS: Final = _words("need needs want wants expect expecting")
_SCHEDULED: Final = _words("supposed scheduled expected due set meant slated")

# Contractions expanded so the grammar below sees plain words.
_CONTRACTIONS: Final = (
    (re.compile(r"\bwon'?t\b", re.IGNORECASE), "will not"),
    (re.compile(r"\bcan'?t\b", re.IGNORECASE), "can not"),
    (re.compile(r"\bgonna\b", re.IGNORECASE), "going to"),
    (re.compile(r"\bgotta\b", re.IGNORECASE), "got to"),
    (re.compile(r"\bwanna\b", re.IGNORECASE), "want to"),
    (re.compile(r"'ll\b", re.IGNORECASE), " will"),
    (re.compile(r"'re\b", re.IGNORECASE), " are"),
    (re.compile(r"\b(?:i)'m\b", re.IGNORECASE), "i am"),
    (re.compile(r"'ve\b", re.IGNORECASE), " have"),
    (re.compile(r"\b(it|that|he|she|there|what)'s\b", re.IGNORECASE), r"\1 is"),
)
_SLANG: Final = _words("gonna gotta wanna wont cant")
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
#: Emoji and pictographs (with their joiners and variation selectors) carry no step: read
#: "by next Friday 🙏" as "by next Friday".
_PICTOGRAPHS: Final = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+"
)
_CLAUSE_SPLIT: Final = re.compile(
    r"(?:[;!?\n]|\.(?!\d)|\s[-\u2013\u2014]\s)+\s*"
    r"|,\s*(?=(?:and\s+)?(?:so|then|now|but|next|after\s+that|which\s+means)\b)"
    r"|,\s*(?=(?:we|i|they|he|she|you)\b)"
    r"|\s+(?:and\s+then|but|then|so\s+now|and\s+now|now)\s+(?=(?:we|i|they|he|she|our|their|my|the)\b)",
    re.IGNORECASE,
)
_OBJ_TO: Final = re.compile(
    r"\b(?P<verb>need|needs|want|wants|asked|ask|asks|expect|expects|expecting|told|get|getting|have|has|"
    r"waiting\s+(?:on|for)|wait\s+(?:on|for)|requested|request|push|pushing|remind|reminded)\s+"
    r"(?P<obj>them|us|me|him|her|the\s+customer|the\s+client|their\s+[a-z]+(?:\s+[a-z]+)?|our\s+[a-z]+(?:\s+[a-z]+)?|"
    r"my\s+[a-z]+|[A-Z][a-z]+)\s+to\s+(?P<then>[a-z]+)",
    re.IGNORECASE,
)
_FROM_THEM: Final = re.compile(
    r"\b(?:from|back\s+from|out\s+of)\s+(?:them|the\s+customer|the\s+client|their\s+\w+|[A-Z][a-z]+)\b"
    r"|\bget\s+(?:them|their\s+\w+|the\s+customer)\s+to\b",
)


@dataclass(frozen=True)
class _Token:
    word: str  # lower-case, contractions expanded
    start: int  # span in the clause text, for quoting the owner as written
    end: int


@dataclass(frozen=True)
class _Clause:
    kind: Literal["forward", "vague", "history"]
    side: Side | None = None
    owner: str | None = None
    text: str = ""
    due: tuple[datetime.date, str] | None = None  # found in this clause


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for m in _WORD.finditer(text):
        raw = m.group().lower().strip("'-")
        if not raw:
            continue
        expanded = raw
        if "'" in raw or raw in _SLANG:
            for pattern, repl in _CONTRACTIONS:
                expanded = pattern.sub(repl, expanded)
        if expanded.endswith("'s"):
            expanded = expanded[:-2]
        for part in expanded.split():
            out.append(_Token(part, m.start(), m.end()))
    return out


def _is_past_verb(tokens: list[_Token], i: int) -> bool:
    word = tokens[i].word
    if word in _IRREGULAR_PAST:
        return True
    if len(word) > 4 and word.endswith("ed") and word not in _ED_NOT_PAST:
        if i + 1 < len(tokens) and tokens[i + 1].word in _AUX_OR_MODAL:
            return False  # a name or noun as subject: "Ahmed is presenting", "Ahmed will"
        return i == 0 or tokens[i - 1].word not in _DETERMINERS
    return False


def _subject(tokens: list[_Token], end: int) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase just before index `end`."""
    start = end
    while start > 0:
        word = tokens[start - 1].word
        if word in _SUBJECT_STOP or (_is_past_verb(tokens, start - 1) and word not in _PRONOUNS):
            break
        if (
            start < end
            and tokens[start].word in _PRONOUNS
            and word not in ("and", "my", "our", "their", "his", "her")
        ):
            break
        start -= 1
        if end - start >= 6:
            break
    return start, end


def _side_of(words: list[str]) -> Side | None:
    if not words:
        return None
    last = words[-1]
    if len(words) > 1 and words[-2] in ("their", "our", "my", "his", "her"):
        last = words[-2]  # "their IT", "our legal"
    if last in ("i", "we", "you", "me", "us", "our", "my"):
        return "us"
    if last in ("they", "he", "she", "them", "their", "his", "her"):
        return "customer"
    if last in ("it", "this", "that"):
        return None
    if any(w in _US_WORDS for w in words):
        return "us"
    if any(w in _CUSTOMER_WORDS for w in words):
        return "customer"
    if len(words) <= 2 and words[-1] in _US_ROLES and words[0] in ("the", "our", "my"):
        return "us"
    return "customer"


def _owner_of(text: str, tokens: list[_Token], start: int, end: int) -> str | None:
    if start >= end:
        return None
    words = [t.word for t in tokens[start:end]]
    if len(words) == 1 and words[0] in _PRONOUNS:
        return None
    phrase = text[tokens[start].start : tokens[end - 1].end].strip()
    return phrase or None


def _main_verb(tokens: list[_Token], i: int) -> int | None:
    """Index of the first real verb at or after i, skipping adverbs and auxiliaries."""
    while i < len(tokens) and tokens[i].word in _MODAL_ADVERBS:
        i += 1
    return i if i < len(tokens) else None


def _is_concrete(tokens: list[_Token], verb_at: int | None, text: str, has_date: bool) -> bool:
    """A forward clause names a real action unless its verb or object is a non-action."""
    if verb_at is None:
        return False
    rest = [t.word for t in tokens[verb_at:]]
    verb = rest[0]
    objects = set(rest[1:8])
    nouns = objects & _CONCRETE_NOUNS
    # "come back to us", "get back to us", "hear back": waiting dressed as action.
    if len(rest) > 1 and rest[1] == "back" and verb in ("get", "come", "hear", "circle", "reach"):
        return bool(nouns) and has_date
    if verb in _VAGUE_VERBS:
        tail = rest[1:]
        for j, word in enumerate(tail[:-1]):
            if (
                word in ("to", "and")
                and tail[j + 1] in _IMPERATIVES
                and tail[j + 1] not in _VAGUE_VERBS
            ):
                return True
        return bool(nouns) and has_date
    if objects & _VAGUE_OBJECTS and not nouns:
        return False
    return not (_HEDGES.search(text) and not has_date)


def _read_clause(text: str, today: datetime.date) -> _Clause:
    """Read one clause; the readers are tried from the most to the least specific frame."""
    lead = _FILLER_LEAD.match(text)
    if lead:
        text = text[lead.end() :]
    hedge = _HEDGE_LEAD.match(text)
    body = text[hedge.end() :] if hedge else text
    tokens = _tokens(body)
    if not tokens:
        return _Clause("history", text=text)
    due = parse_due(body, today)
    ctx = _Context(text, body, tokens, [t.word for t in tokens], due, hedge is not None, today)
    for reader in (_read_frame, _read_modal, _read_imperative, _read_present):
        clause = reader(ctx)
        if clause is not None:
            return clause
    if not ctx.past and (_WAITING.search(body) or (ctx.hedged and due is None)):
        return _Clause("vague", text=text)
    return _Clause("history", text=text)


@dataclass
class _Context:
    text: str  # the clause without leading filler (what the action shows)
    body: str  # the same without a leading hedge ("maybe", "just")
    tokens: list[_Token]
    words: list[str]
    due: tuple[datetime.date, str] | None
    hedged: bool
    today: datetime.date

    @property
    def has_date(self) -> bool:
        return self.due is not None

    @property
    def past(self) -> bool:
        return any(_is_past_verb(self.tokens, k) for k in range(len(self.tokens)))

    def step(self, verb_at: int | None, side: Side | None, owner: str | None) -> _Clause:
        """Forward if the action at verb_at is concrete, else vague."""
        if _is_concrete(self.tokens, verb_at, self.body, self.has_date):
            return _Clause("forward", side, owner, self.text, self.due)
        return _Clause("vague", text=self.text)


def _read_frame(ctx: _Context) -> _Clause | None:
    """ "We need them to X", "they asked us to X": the frame's object does the step."""
    frame = _OBJ_TO.search(ctx.body)
    if frame is None or frame.group("then").lower() == "be":
        return None
    obj = frame.group("obj").lower().split()
    clear = obj[0] in ("them", "us", "me", "their", "our", "the") or _side_of(obj) == "us"
    if not clear and not frame.group("verb").lower().startswith(("ask", "told", "need", "want")):
        return None  # "I have to get legal to approve": legal's side is unknown, read on
    then_at = next((k for k, t in enumerate(ctx.tokens) if t.start >= frame.start("then")), None)
    if then_at is None:
        return None
    owner = None if obj[0] in _PRONOUNS else frame.group("obj")
    return ctx.step(then_at, _side_of(obj), owner)


def _modal_at(words: list[str], i: int) -> int | None:
    """If words[i] starts a forward modal ("will", "needs to", "is going to"), the index after it."""
    word = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if word in _MODALS:
        if nxt in ("not", "never") or (word == "should" and nxt == "have"):
            return None
        return i if word in ("owe", "owes") else i + 1
    if word in _TO_MODALS and nxt == "to":
        return i + 2
    if word == "going" and nxt == "to" and (i == 0 or words[i - 1] in _BE):
        return i + 2
    if word in _BE and nxt in _SCHEDULED and words[i + 2 : i + 3] == ["to"]:
        return i + 3
    return None


def _read_modal(ctx: _Context) -> _Clause | None:
    """ "X will/needs to/has to/must/should/is going to/owes ...": X is the owner."""
    words = ctx.words
    for i, word in enumerate(words):
        if word in ("not", "never") and i > 0 and words[i - 1] in _MODALS:
            return _Clause("history", text=ctx.text)  # "they won't sign before January": a state
        step = _modal_at(words, i)
        if step is None:
            continue
        s_start, s_end = _subject(ctx.tokens, i - 1 if i > 0 and words[i - 1] in _BE else i)
        while s_end > s_start and words[s_end - 1] in _BE | {"will", "has", "have"}:
            s_end -= 1
        subj = words[s_start:s_end]
        verb_at = _main_verb(ctx.tokens, step)
        passive = verb_at is not None and words[verb_at] == "be" and verb_at + 1 < len(words)
        if passive and verb_at is not None:
            verb_at += 1
        side = _side_of(subj) if subj else "us"
        owner = _owner_of(ctx.body, ctx.tokens, s_start, s_end)
        if passive and verb_at is not None and subj and subj[-1] not in _US_WORDS | _CUSTOMER_WORDS:
            # "the contract needs to be signed": the participle says whose step it is
            participle = words[verb_at]
            side = "customer" if participle in _CUSTOMER_PASSIVE_VERBS else None
            side = "us" if participle in _US_PASSIVE_VERBS else side
            owner = None
        if not subj and _FROM_THEM.search(ctx.body):
            side = "customer"
        return ctx.step(verb_at, side, owner)
    return None


def _read_imperative(ctx: _Context) -> _Clause | None:
    """ "Book our CEO for a call...", "Follow up.", "Let's...", but not "Demo was solid"."""
    words = ctx.words
    first = words[0]
    if first == "let" and len(words) > 2:
        # "let them digest it" is their step; "let's schedule the demo" is ours
        theirs = words[1] in ("them", "him", "her")
        return ctx.step(
            2 if theirs or words[1] == "us" else 1, "customer" if theirs else "us", None
        )
    if first in _WANTS and _FROM_THEM.search(ctx.body):
        return ctx.step(1, "customer", None)  # "Need the PO from them before the 20th"
    if first not in _IMPERATIVES:
        return None
    if len(words) > 1 and (words[1] in _AUXILIARIES or _is_past_verb(ctx.tokens, 1)):
        return None
    if (ctx.hedged or len(words) == 1) and not ctx.has_date:
        return _Clause("vague", text=ctx.text)  # "Maybe loop in my manager", "Call."
    theirs = _FROM_THEM.search(ctx.body) or first in _CUSTOMER_VERBS
    return ctx.step(0, "customer" if theirs else "us", None)


def _read_present(ctx: _Context) -> _Clause | None:
    """Present tense with a future date: "The committee decides on Jan 15", "Dana is booking ... for Monday"."""
    due, words = ctx.due, ctx.words
    if due is None or ctx.past:
        return None
    if due[0] == ctx.today and not due[1].lower().startswith("by"):
        return None  # "they're using a spreadsheet today" describes now
    be = next((k for k, w in enumerate(words) if w in _BE), None)
    if be is not None:
        s_end, verb_at = be, be + 1
    elif words[0] in ("i", "we", "they", "he", "she"):
        s_end, verb_at = 1, 1
    else:
        # a short noun phrase up to the first verb-looking word ("decides", "meets")
        s_end = 1
        while s_end < min(len(words), 4) and not words[s_end].endswith("s"):
            if words[s_end] in _IMPERATIVES:
                break
            s_end += 1
        verb_at = s_end
    if (verb_at < len(words) and words[verb_at] in _VAGUE_VERBS) or _WAITING.search(ctx.body):
        return _Clause("vague", text=ctx.text)
    subj = words[:s_end]
    if not subj:
        return None
    owner = _owner_of(ctx.body, ctx.tokens, 0, s_end)
    return _Clause("forward", _side_of(subj), owner, ctx.text, due)


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


def read_answer(
    text: str, today: datetime.date, colleagues: Collection[str] = ()
) -> Reading:
    """Read one answer to a forward question; never raises, whatever the text.

    `colleagues` are names of people in our own workspace that the answer mentioned (a
    Slack `<@U…>`, a Teams `<at>`, decoded by the handler): a step one of them owns is
    *our* step, owned by that person, whatever the words around the name suggest.
    """
    try:
        return _ours(_read(text, today), colleagues)
    except Exception:  # a coaching hint must never break the conversation; the log says why
        _log.exception("steering failed on an answer of %d chars", len(str(text)))
        return Reading("history", None, None, None, _clean(str(text)[:_MAX_CHARS]), None)


def _ours(reading: Reading, colleagues: Collection[str]) -> Reading:
    """A step owned by a mentioned colleague is ours, with that colleague as its owner."""
    if reading.orientation != "next_step" or not colleagues:
        return reading
    owner = (reading.owner or "").casefold()
    head = reading.action.casefold()
    for name in colleagues:
        n = name.casefold().strip()
        if not n:
            continue
        named = re.compile(rf"(?<!\w){re.escape(n)}(?!\w)")
        if named.search(owner) or (not owner and named.match(head)):
            return replace(reading, side="us", owner=name)
    return reading


def _read(text: str, today: datetime.date) -> Reading:
    text = _CONTROL.sub(" ", text[:_MAX_CHARS]).replace("\u2019", "'").replace("\u2018", "'")
    text = _PICTOGRAPHS.sub(" ", text)
    parts = [p for p in _CLAUSE_SPLIT.split(text) if p and p.strip()]
    clauses = [(_read_clause(p, today), p) for p in parts]
    for index, (clause, _raw) in enumerate(clauses):
        if clause.kind != "forward":
            continue
        due = clause.due
        if due is None:  # a trailing ", by Thursday" may sit in the next fragment
            rest = " ".join(
                p
                for c, p in clauses[index + 1 :]
                if c.kind == "history" or (c.kind == "forward" and c.side == clause.side)
            )
            due = parse_due(rest, today)
        return Reading(
            "next_step",
            clause.side,
            due[0] if due else None,
            clause.owner,
            _clean(clause.text),
            due[1] if due else None,
        )
    kind: Orientation = "vague" if any(c.kind == "vague" for c, _ in clauses) else "history"
    return Reading(kind, None, None, None, _clean(text), None)
