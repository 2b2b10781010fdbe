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
from dataclasses import dataclass
from typing import Final, Literal

from process import steering_vocab as vocab
from process.dates import DateConventions, bare_date, falls_on_weekend, parse_due

__all__ = ["Orientation", "Reading", "Side", "Step", "read_answer"]

_log = logging.getLogger(__name__)

Orientation = Literal["history", "vague", "next_step"]
Side = Literal["customer", "us"]


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
    r"so|well|ok|okay|um+|uh+|hmm+|honestly|basically|probably|then|"
    r"next(?!\s+(?:week|wk|month|quarter|year|mon|tue|wed|thu|fri|sat|sun))|now|and|but|also|yeah|yes|"
    r"to\s+be\s+(?:honest|fair|clear)|kindly\s+note|please\s+note|as\s+discussed|kindly|"
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
    reflect sit sleep let multithread multi-thread reconvene
    """
)
_VAGUE_OBJECTS: Final = _words(
    """
    value momentum relationship relationships rapport urgency engagement alignment
    conversation conversations trust buy-in champion pressure touch warm things progress
    traction interest excitement visibility awareness mindshare pipeline loop radar top
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
    rating assessment numbers list details answers figures volumes export file sample
    certificate cert letter login access pack summary doc mapping recommendation study case
    w-9 w9 forms form spec prototype environment credentials sig dpia
    """
)
# Steps only the buyer can take: an imperative "Sign the order form by Friday" is theirs.
_CUSTOMER_VERBS: Final = _words("sign countersign approve issue decide choose pick select return")
_US_PASSIVE_VERBS: Final = _words(
    "sent delivered prepared drafted built configured shared scheduled issued submitted"
    " provided produced obtained"
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
    redline turn sort iron settle resolve answer respond reply have re-engage reengage
    multithread fly
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

# Besides roles (steering_vocab.ROLE_WORDS): words that come before a verb but name no one.
_NOT_NAMES_EXTRA: Final = _words(
    """
    grp cmte rsm rvp avp gm bdm kam both everyone someone nobody anyone there here what
    pilot poc trial po sow msa dpa nda deck quote pricing contract order form paperwork
    signed revised updated final draft new current existing whole each every one two three
    also still just really now then already probably maybe only even and or but
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
# Verbs a step is made of, for note style ("Customer to send PO") and present tense ("then legal signs").
_STEP_VERBS: Final = (
    _IMPERATIVES
    | _CUSTOMER_VERBS
    | _words(
        """
        be start mobilise mobilize lock cut ship fix test finish vote pick make take raise tabled
        revert circulate countersign allowlist whitelist export pull sign-off sign turn loop
        socialize socialise recommend
        """
    )
)
_NOT_NAMES: Final = (
    _NOT_NAMES_EXTRA
    | _CONCRETE_NOUNS
    | _VAGUE_OBJECTS
    | _IMPERATIVES
    | _DETERMINERS
    | _PRONOUNS
    | _MODAL_ADVERBS
    | _AUXILIARIES
    | _MODALS
    | _US_WORDS
    | _CUSTOMER_WORDS
    | _US_ROLES
    | _SUBJECT_STOP
    | _IRREGULAR_PAST
)
_WANTS: Final = _words("need needs want wants expect expecting")
_SCHEDULED: Final = _words("supposed scheduled expected due set meant slated required")

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
_WORD: Final = re.compile(r"@?[A-Za-z][A-Za-z'\-]*|\d+")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
#: Emoji and pictographs (with their joiners and variation selectors) carry no step: read
#: "by next Friday 🙏" as "by next Friday".
_PICTOGRAPHS: Final = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+"
)
# Where one clause ends and the next begins. A step often follows history ("had the budget
# mtg mon, anyway tomas has to...") or another step ("..., then procurement issues the PO").
_CLAUSE_SPLIT: Final = re.compile(
    r"(?:[;!?\n]|\.(?![\d\w])|:\s|\s[-\u2013\u2014]+\s|\s\d[.)]\s|^\s*\d[.)]\s)+\s*"
    r"|,\s*(?=(?:and\s+)?(?:so|then|now|but|next|after\s+that|which\s+means|anyway|anyways|meanwhile|"
    r"plus|after\s+which|following\s+which|followed\s+by|whilst|while|good\s+news)\b)"
    r"|,\s*(?=(?:we|i|they|he|she|you|i'm|i'll|we'll|they'll)\b)"
    r"|,\s+and\s+"
    r"|(?<!\bby)(?<!\bsince)(?<!\buntil)(?<!\btill)(?<!'ll)(?<!will)(?<!\bto)(?<!must)(?<!\bcan)"
    r"\s+(?:and\s+)?then\s+(?!(?:\w+s|will)\b)"
    r"|\s+(?:but|so\s+now|and\s+now|now|whilst|meanwhile|after\s+which|followed\s+by|following\s+which)\s+"
    r"(?=(?:we|i|they|he|she|our|their|my|the|a|an)\b)"
    r"|\s+and\s+(?=(?:we|i|they|he|she|our|their|i'll|we'll|they'll|i'm)\b)"
    r"|,?\s+and\s+(?=(?:the\s+)?[\w-]+\s+(?:[\w-]+\s+)?(?:will|would|is\s+to|are\s+to|has\s+to|needs\s+to|must)\s)"
    r"|,\s*(?=(?-i:[A-Z][a-z]+)\s+(?:will|is|has|\w+s)\s)"
    r"|,\s*(?=(?:our|their)\s+(?:[\w-]+\s+){0,3}?(?:will|is|are|has|have|needs|must|\w+s)\s)"
    r"|(?<![\w/])(?=\d[.)]\s)",
    re.IGNORECASE,
)
# A separator after which a present-tense clause is a further step ("..., then legal signs").
_SEQUEL: Final = re.compile(r"\bthen\b|\band\b|\bwhilst\b|\bwhile\b|\bafter\b|\bfollow|\d[.)]|->|,|:", re.I)
_ARROW_SPLIT: Final = re.compile(r"\s*-+>\s*")
# "... on Thursday and send the VPAT afterwards": a second verb for the same doer.
_AND_VERB: Final = re.compile(
    r"\s+and\s+(?=(?:send|share|schedule|book|set|sign|submit|deliver|get|issue|return|confirm|"
    r"organise|organize|arrange|run|review|present|draft|raise|complete|loop|intro|introduce)\b)",
    re.IGNORECASE,
)
_MIN_WORDS_BEFORE_AND: Final = 5
_SLACK_LINK: Final = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>|<((?:https?|mailto):[^>]*)>")
_SLACK_MENTION: Final = re.compile(r"<@[UW][A-Z0-9]+(?:\|([^>]*))?>")
_ENTITIES: Final = (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"))
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
    side_confidence: float = 1.0
    subjectless: bool = False  # an imperative or a bare noun phrase: may continue a step
    state_date: tuple[datetime.date, str] | None = None


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
    if i and word in ("done", "sorted", "shown", "gone") and tokens[i - 1].word in _BE | {"get", "gets"}:
        return False  # "once legal is done": a condition, not something that happened
    if word in _IRREGULAR_PAST:
        return not (word == "last" and tokens[i + 1 : i + 2] and tokens[i + 1].word in ("day", "week", "wk"))
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
    if any(w.startswith("@") for w in words):
        return "us"  # a Slack mention is someone in our own workspace
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
    return _name_in(text[tokens[start].start : tokens[end - 1].end])


_NAME_CHUNKS: Final = re.compile(r"[,()\[\]:;]|\s(?:from|in|on|at|of|with|over|and|who)\s", re.IGNORECASE)
_CAPITALISED: Final = re.compile(r"(?<![\w'])[A-Z\u00C0-\u00DE][a-z\u00DF-\u00FF]")
_NAME_TOKEN: Final = re.compile(r"[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F'-]*\.?")


def _name_in(phrase: str) -> str | None:
    """The person named in a subject phrase ("Their CFO, Alasdair Reid" -> "Alasdair Reid").

    A pronoun or a role alone is no owner. In text with capitals a name is capitalised and
    not an acronym; in all-lower-case chat any word that is not a role or a known noun.
    """
    cased = _CAPITALISED.search(phrase, 1) is not None
    for chunk in reversed(_NAME_CHUNKS.split(phrase)):
        run: list[str] = []
        for raw in _NAME_TOKEN.findall(chunk):
            word = raw.rstrip(".")
            low = word.lower().removesuffix("'s")
            if "'" in low and low.split("'")[0] in _PRONOUNS:
                low = low.split("'")[0]  # "I'll", "she'd"
            name_like = (
                len(word) >= 2
                and not low.endswith("ing")
                and low not in vocab.ROLE_WORDS
                and low not in vocab.HONORIFICS
                and low not in _NOT_NAMES
                and (not cased or (word[:1].isupper() and not word.isupper()))
            )
            if name_like:
                run.append(word.removesuffix("'s"))
            elif run:
                break
        if run:
            name = " ".join(run[:3])
            return name if cased else name.title()
    return None


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


def _read_clause(
    text: str,
    today: datetime.date,
    conv: DateConventions,
    question: bool = False,
    sequel: bool = False,
) -> _Clause:
    """Read one clause; the readers are tried from the most to the least specific frame."""
    if vocab.WISHES.search(text):
        return _Clause("vague", text=text)
    lead = _FILLER_LEAD.match(text)
    if lead:
        text = text[lead.end() :]
    hedge = _HEDGE_LEAD.match(text)
    body = text[hedge.end() :] if hedge else text
    tokens = _tokens(body)
    if not tokens:
        return _Clause("history", text=text)
    words = [t.word for t in tokens]
    if (
        question and (words[0] in vocab.QUESTION_OPENERS or _ASKS_COACH.search(body))
    ) or vocab.QUESTION_PHRASES.search(body):
        return _Clause("vague", text=text)  # a question back to the coach
    if vocab.VAGUE_IDIOMS.search(body):
        return _Clause("vague", text=text)
    due = parse_due(body, today, conv)
    ctx = _Context(text, body, tokens, words, due, hedge is not None, today, conv, sequel)
    for reader in _READERS:
        clause = reader(ctx)
        if clause is not None:
            return clause
    if not ctx.past and (_WAITING.search(body) or (ctx.hedged and due is None)):
        return _Clause("vague", text=text)
    return _Clause("history", text=text)


_ASKS_COACH: Final = re.compile(r"\b(?:should|shall|could|can|would)\s+(?:i|we)\b", re.IGNORECASE)


@dataclass
class _Context:
    text: str  # the clause without leading filler (what the action shows)
    body: str  # the same without a leading hedge ("maybe", "just")
    tokens: list[_Token]
    words: list[str]
    due: tuple[datetime.date, str] | None
    hedged: bool
    today: datetime.date
    conv: DateConventions
    sequel: bool = False  # follows "then"/"and" after a step: a present-tense verb is a step

    @property
    def has_date(self) -> bool:
        return self.due is not None

    @property
    def past(self) -> bool:
        return any(_is_past_verb(self.tokens, k) for k in range(len(self.tokens)))

    def past_verb_at(self, k: int) -> bool:
        return _is_past_verb(self.tokens, k)

    def step(
        self,
        verb_at: int | None,
        side: Side | None,
        owner: str | None,
        sure: float = 1.0,
        subjectless: bool = False,
    ) -> _Clause:
        """Forward if the action at verb_at is concrete, else vague."""
        if _is_concrete(self.tokens, verb_at, self.body, self.has_date):
            return _Clause("forward", side, owner, self.text, self.due, sure, subjectless)
        return _Clause("vague", text=self.text)

    def forward(self, side: Side | None, owner: str | None, sure: float) -> _Clause:
        return _Clause("forward", side, owner, self.text, self.due, sure)


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
    owner = None if obj[0] in _PRONOUNS else _name_in(frame.group("obj"))
    side = _side_of(obj)
    before = [t.word for t in _tokens(ctx.body[: frame.start()])]
    if frame.group("verb").lower() in ("ask", "remind", "push", "get") and set(before) & {"i", "we"}:
        return ctx.step(then_at, "us", None, 0.8)  # asking them is what we do
    return ctx.step(then_at, side, owner)


def _modal_at(words: list[str], i: int) -> int | None:
    """If words[i] starts a forward modal ("will", "needs to", "is going to"), the index after it."""
    word = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if word in _MODALS:
        if nxt in ("not", "never") or (word in ("should", "must") and nxt == "have"):
            return None
        return i if word in ("owe", "owes") else i + 1
    if word in _TO_MODALS and nxt == "to":
        return i + 2
    if word == "going" and nxt == "to" and (i == 0 or words[i - 1] in _BE):
        return i + 2
    if word in _BE and nxt in ("now", "also", "still") and i + 2 < len(words):
        nxt, i = words[i + 2], i + 1
    if word in _BE and nxt in _SCHEDULED and words[i + 2 : i + 3] == ["to"]:
        return i + 3
    if word in _BE and nxt == "yet" and words[i + 2 : i + 3] == ["to"]:
        return i + 3  # "Client legal team is yet to vet the MSA"
    if word in _BE and nxt == "to" and words[i + 2 : i + 3] and words[i + 2] not in _DETERMINERS:
        return i + 2  # British "Their CFO is to approve the business case"
    if word == "to" and 0 < i <= 8 and nxt in _STEP_VERBS and _is_noun_phrase(words[:i]):
        return i + 1  # note style: "Customer to send PO by Friday", "Quote to be shared"
    return None


_FIRST_SUBJECT: Final = re.compile(
    r"^(?P<subj>[^;]{1,80}?)(?:'s|,?\s+(?:is|are|am|has|have|was|were))\b", re.IGNORECASE
)


def _is_noun_phrase(words: list[str]) -> bool:
    """No verb, pronoun or preposition-led clause: "customer", "both legal teams", "field trial of the X"."""
    if words[0] in ("not", "no", "nothing") or words[0].endswith("ing"):
        return False
    return words[0] not in _PRONOUNS and not any(
        w in _AUX_OR_MODAL or w in _IRREGULAR_PAST or (w in _IMPERATIVES and w not in _CONCRETE_NOUNS)
        for w in words
    )


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
        first = _FIRST_SUBJECT.match(ctx.body) if i > 0 and words[i - 1] == "and" else None
        if first is not None:  # "Sunita Rao is reviewing the doc and will respond by the 3rd"
            s_start, s_end = 0, sum(1 for t in ctx.tokens if t.end <= first.end("subj"))
        while s_end > s_start and words[s_end - 1] in _BE | {"will", "has", "have"}:
            s_end -= 1
        subj = words[s_start:s_end]
        verb_at = _main_verb(ctx.tokens, step)
        passive = step < len(words) - 1 and words[step] == "be"
        if passive:
            verb_at = step + 1
        side = _side_of(subj) if subj else "us"
        owner = _owner_of(ctx.body, ctx.tokens, s_start, s_end)
        sure = _sureness(subj, owner) if subj else 1.0
        if subj and words[s_start] == "both":
            side, sure = None, 0.9
        if subj and subj[-1] in ("nobody", "noone", "one"):
            return _Clause("vague", text=ctx.text)  # "nobody over there will commit"
        agent = _AGENT.search(ctx.body, ctx.tokens[verb_at].start if verb_at is not None else 0)
        if agent is not None and (passive or not subj or sure < 1.0):
            # "... run by our engineer Kofi Mensah", "will be tabled by their COO"
            side, owner, sure = _side_of(agent["agent"].lower().split()), _name_in(agent["agent"]), 0.9
        elif passive and verb_at is not None and subj and subj[-1] not in _US_WORDS | _CUSTOMER_WORDS:
            # "the contract needs to be signed": the participle says whose step it is
            participle = words[verb_at]
            side = "customer" if participle in _CUSTOMER_PASSIVE_VERBS else None
            side = "us" if participle in _US_PASSIVE_VERBS else side
            side = _direction(ctx.body) or side or _deliverable_side(subj)
            owner, sure = None, 0.8
        if not subj and _FROM_THEM.search(ctx.body):
            side = "customer"
        elif sure < 1.0 and side == "customer" and not passive and _is_artefact(subj):
            side, sure = _direction(ctx.body) or side, 0.5
        return ctx.step(verb_at, side, owner, sure)
    return None


_AGENT: Final = re.compile(
    r"\b(?:by|run\s+by|led\s+by)\s+(?P<agent>(?!(?i:(?:the\s+)?(?:end|close|start|middle|latest|eod|cob|eow|eom|"
    r"tomorrow|tmrw|today|tonight|next|this|then|mid|early|late|monday|tuesday|wednesday|thursday|friday|"
    r"mon|tue|tues|wed|weds|thu|thur|thurs|fri|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"january|february|march|april|june|july|august|september|october|november|december|q[1-4]|\d)))"
    r"(?:their|our|my|the|client|customer|[A-Z])[^,;.]{0,40}?)(?=\s+(?:by|on|before|at|in|for|to|within|"
    r"no\s+later)\b|[,;.]|$)",
)


def _sureness(subject: list[str], owner: str | None) -> float:
    """How sure the side read from a subject is: "their CFO", "we" say it; a named person is
    usually the customer's (reps name colleagues as "our SE Ravi" or @mention them); a bare
    role or team ("legal", "the steering group") could be either side's."""
    if set(subject) & (_US_WORDS | _CUSTOMER_WORDS):
        return 1.0
    return 0.75 if owner else 0.6


def _is_artefact(words: list[str]) -> bool:
    """A subject that is a thing, not a person: "updated pricing sheet", "the SOW"."""
    return bool(set(words) & _CONCRETE_NOUNS) and not set(words) & vocab.ROLE_WORDS - _DETERMINERS


def _read_imperative(ctx: _Context) -> _Clause | None:
    """ "Book our CEO for a call...", "Follow up.", "Let's...", but not "Demo was solid"."""
    words = ctx.words
    first = words[0]
    if first not in _IMPERATIVES and len(words) > 1 and words[1] in ("them", "us", "the", "our"):
        first = _typo_of(first, _IMPERATIVES) or first  # phone typing: "sned them the pricing"
    if first == "let" and len(words) > 2:
        # "let them digest it" is their step; "let's schedule the demo" is ours
        theirs = words[1] in ("them", "him", "her")
        return ctx.step(
            2 if theirs or words[1] == "us" else 1, "customer" if theirs else "us", None
        )
    if first in _WANTS and _FROM_THEM.search(ctx.body):
        return ctx.step(1, "customer", None)  # "Need the PO from them before the 20th"
    if first not in _IMPERATIVES or (first in _CONCRETE_NOUNS and ctx.past):
        return None  # "demo w/ their team went well" names a demo, it does not ask for one
    if len(words) > 1 and (words[1] in _AUXILIARIES or _is_past_verb(ctx.tokens, 1)):
        return None
    if (ctx.hedged or len(words) == 1) and not ctx.has_date:
        return _Clause("vague", text=ctx.text)  # "Maybe loop in my manager", "Call."
    theirs = _FROM_THEM.search(ctx.body) or first in _CUSTOMER_VERBS
    return ctx.step(0, "customer" if theirs else "us", None, 0.8, subjectless=not theirs)


def _typo_of(word: str, vocabulary: frozenset[str]) -> str | None:
    """The vocabulary word `word` is one slip away from: two letters swapped or one dropped."""
    if len(word) < 4:
        return None
    for k in range(len(word) - 1):
        swapped = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
        if swapped in vocabulary:
            return swapped
    for k in range(len(word)):
        for letter in "abcdefghijklmnopqrstuvwxyz":
            if word[:k] + letter + word[k:] in vocabulary:
                return word[:k] + letter + word[k:]
    return None


def _read_present(ctx: _Context) -> _Clause | None:
    """Present tense with a future date: "The committee decides on Jan 15", "Dana is booking ... for Monday".

    After "then"/"and" in a multi-step answer no date is needed: "..., then legal signs the DPA".
    """
    due, words = ctx.due, ctx.words
    if (due is None and not ctx.sequel) or ctx.past:
        return None
    if due is not None and due[0] == ctx.today and due[1].lower() == "today":
        return None  # "they're using a spreadsheet today" describes now; "EOD" is a deadline
    be = next((k for k, w in enumerate(words) if w in _BE), None)
    found = _present_verb_at(words)
    if found == -1:
        return _Clause("history", text=ctx.text)  # "legal agreed to our cap on Thursday"
    if be is not None and (found is None or be < found):
        if due is None:
            return None
        s_end, verb_at = be, be + 1
    elif words[0] in ("i", "we", "they", "he", "she"):
        s_end, verb_at = 1, 1
    elif found is not None:
        s_end = verb_at = found
    else:
        if due is None:
            return None
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
    side = _side_of(subj)
    owner = _owner_of(ctx.body, ctx.tokens, 0, s_end)
    sure = _sureness(subj, owner)
    if _is_artefact(subj):
        direction = _direction(ctx.body)
        if direction is not None:
            side, sure = direction, 0.8
    return _Clause("forward", side, owner, ctx.text, due, sure)


_SKIP_ADVERBS: Final = _words("then now also will just still first finally both all")


def _present_verb_at(words: list[str]) -> int | None:
    """Index of the present-tense verb after a short subject ("procurement cuts", "our SE builds").

    -1 when the word there is a past form ("legal agreed to..."), None when there is none.
    """
    for k in range(1, min(len(words), 7)):
        word, before = words[k], words[k - 1]
        if word in _SKIP_ADVERBS or before in _DETERMINERS:
            continue
        if len(word) > 4 and word.endswith("ed") and word not in ("need", "needed"):
            return -1 if k <= 4 else None
        if word.endswith("s") and (
            word[:-1] in _STEP_VERBS or word[:-2] in _STEP_VERBS or word[:-3] + "y" in _STEP_VERBS
        ):
            return k
        plural_doer = before.endswith("s") or before in _DOERS  # "their legal team finish"
        if word in _STEP_VERBS and word not in _CONCRETE_NOUNS and plural_doer:
            return k
    return None


# ------------------------------------------------------------------ frames added for chat
_STATE_PERIOD: Final = re.compile(
    r"\b(?:valid|good|open|on\s+pto|on\s+leave|off|out|frozen|locked)\s+(?:\w+\s+){0,2}?"
    r"(?:until|till|til|through|thru)\b|\b(?:is|are)\s+(?:only\s+)?(?:valid|good)\b",
    re.IGNORECASE,
)
_UNTIL_DATE: Final = re.compile(r"\b(?:until|till|til|through|thru)\s*$", re.IGNORECASE)


def _read_state(ctx: _Context) -> _Clause | None:
    """ "The trial runs until Dec 15", "our quote expires 12/31": a state with a date is context."""
    words = ctx.words
    if words[0] in _IMPERATIVES and words[0] not in _CONCRETE_NOUNS:
        return None  # "schedule the IQ/OQ runs for January" asks for something
    for k, word in enumerate(words):
        if word not in vocab.STATE_VERBS or k == 0 or words[k - 1] in ("to", "will"):
            continue
        if _is_doer(words[max(0, k - 2) : k]) or _modal_before(words, k):
            continue  # "their privacy team finishes the DPIA" is a step
        return _Clause("history", text=ctx.text, state_date=ctx.due)
    if _modal_before(words, len(words)):
        return None
    be = next((k for k, w in enumerate(words[:6]) if w in _BE), None)
    if (
        be
        and ctx.due is not None
        and ctx.body.lower().find(ctx.due[1].lower()) <= ctx.tokens[be].end + 4
        and not _is_doer(words[:be])
        and not set(words[:be]) & (vocab.JOINT_EVENTS | vocab.OUR_EVENTS)
    ):
        return _Clause("history", text=ctx.text, state_date=ctx.due)  # "renewal date is march 31"
    if _STATE_PERIOD.search(ctx.body):
        return _Clause("history", text=ctx.text, state_date=ctx.due)
    period = _PERIOD.search(ctx.body)
    if period and ctx.due is None and not period.group().lower().startswith(("out", "end")):
        period = None  # "walking his CFO through it" is no period
    if period and (not _is_doer(words[:3]) or set(words[:4]) & {"has", "have", "having"}):
        return _Clause("history", text=ctx.text, state_date=ctx.due)  # "freeze is dec 14 thru jan 4"
    return None


_PERIOD: Final = re.compile(r"\b(?:until|till|til|through|thru)\b|\bout\s+of\s+support\b|\bend\s+of\s+life\b", re.I)


def _is_doer(words: list[str]) -> bool:
    """A subject that acts: a pronoun, a person's role or team, a name (not a contract or a trial)."""
    return bool(set(words) & _DOERS)


_NOT_DOERS: Final = _words(
    """
    vendor supplier partner data product risk audit security service project program programme
    delivery commercial contracts category bid general solutions grid claims underwriting user
    users side unit function network trust it its it's this that
    """
)
_DOERS: Final = (vocab.ROLE_WORDS | _PRONOUNS) - _DETERMINERS - _NOT_DOERS


def _modal_before(words: list[str], end: int) -> bool:
    return any(_modal_at(words, i) is not None for i in range(min(end, len(words))))


_REPORTED_STEP: Final = re.compile(
    r"^\s*(?:that\s+|on\s+the\s+call\s+)?(?P<pro>he|she|they|it|we|i)\s*"
    r"(?:'d|'ll|would|will|is\s+going\s+to|was\s+going\s+to|(?:is|are|was)\s+gonna|gonna|should|can|could)\s+"
    r"(?P<rest>.+)$",
    re.IGNORECASE,
)


def _read_reported(ctx: _Context) -> _Clause | None:
    """ "Raj said he'd sign by the 4th", "their legal said they'd turn it round in 3 days"."""
    said = vocab.REPORTING_VERBS.search(ctx.body)
    if said is None or said.start() == 0:
        return None
    speaker = ctx.body[: said.start()].strip(" ,")
    rest = ctx.body[said.end() :]
    speaker_words = [t.word for t in _tokens(speaker)]
    if not speaker_words or speaker_words[-1] in ("i", "we"):
        return None
    step = _REPORTED_STEP.match(rest)
    if step is not None:
        inner = _read_clause(f"{speaker} will {step['rest']}", ctx.today, ctx.conv)
        if inner.kind != "forward":
            return inner
        pronoun = step["pro"].lower()
        side = _side_of(speaker_words) if pronoun in ("he", "she", "they", "it") else "us"
        owner = _name_in(speaker) if pronoun in ("he", "she") else None
        return _Clause("forward", side, owner, ctx.text, inner.due, 0.9)
    verb = said.group().lower()
    if verb in ("promised", "committed") and ctx.due is not None:
        return ctx.forward(_side_of(speaker_words), _name_in(speaker), 0.9)
    return None


_WANT: Final = re.compile(
    r"^(?P<subj>[^,;]{0,80}?)\s*\b(?P<verb>wants?|needs?|requested|has\s+requested|have\s+requested|"
    r"asked\s+for|(?:is|are)\s+asking\s+for|expects?|(?:is|are)\s+expecting|requires?|awaiting|"
    r"waiting\s+(?:on|for))\s+"
    r"(?P<obj>(?!to\s+(?!see\b|hear\b))(?!that\b).+)$",
    re.IGNORECASE,
)


def _read_want(ctx: _Context) -> _Clause | None:
    """ "They want our W-9 by Friday" (ours), "we need the signed order form back" (theirs)."""
    m = _WANT.match(ctx.body)
    if m is None:
        return None
    subj_tokens = _tokens(m["subj"])
    if any(_is_past_verb(subj_tokens, k) for k in range(len(subj_tokens))):
        return None  # "their CEO joined ... and said she wants this done"
    subj = [t.word for t in subj_tokens if t.word not in _MODAL_ADVERBS]
    if subj and subj[-1] in _AUX_OR_MODAL:
        return None
    past = m["verb"].lower().startswith(("requested", "has", "have", "asked"))
    if past and ctx.due is None:
        return None  # "they asked about SOC 2" is history; a request with a date is a step
    obj = m["obj"]
    obj_words = [t.word for t in _tokens(obj)]
    if m["verb"].lower().startswith(("await", "wait")) and not set(obj_words) & _CONCRETE_NOUNS:
        return _Clause("vague", text=ctx.text)  # "just waiting on them really"
    if {"things", "stuff", "bits"} & set(obj_words[:3]):
        return None  # "two things we need from them:" introduces the steps
    if set(obj_words[:6]) & _VAGUE_OBJECTS and not set(obj_words) & _CONCRETE_NOUNS:
        return _Clause("vague", text=ctx.text)
    side = _direction(obj)
    if side is None and obj_words and obj_words[0] in ("their", "his", "her"):
        side = "customer"
    if side is None and obj_words and obj_words[0] in ("our", "my"):
        side = "us"
    if side is None:
        wanter = _side_of(subj) if subj else "us"
        side = "customer" if wanter == "us" else "us" if wanter == "customer" else None
    return ctx.forward(side, None, 0.85)


_ON_WHOM: Final = re.compile(
    r"\b(?:is|are|'s|sits)\s+(?:on|down\s+to|with)\s+(?P<who>(?:their|our|my)\s+[\w-]+(?:\s+[\w-]+)?|us|them|me)\b",
    re.IGNORECASE,
)


def _read_responsibility(ctx: _Context) -> _Clause | None:
    """ "SAML config is on our SE", "the app registration is on their IT, by Thursday"."""
    if ctx.words[0] in ("they", "we", "i", "he", "she"):
        return None
    m = _ON_WHOM.search(ctx.body)
    if m is None or m.group().lower().startswith("sits"):
        return None
    who = m["who"].lower().split()
    return ctx.forward(_side_of(who), None, 0.9)


_ARROW: Final = re.compile(r"\s*-+>\s*(?P<to>\w+)")


def _direction(text: str) -> Side | None:
    """Which way a deliverable travels: from them to us is their step, to them ours (first cue wins)."""
    toward = vocab.TOWARD_US.search(text)
    away = vocab.FROM_US.search(text)
    arrow = _ARROW.search(text)
    if arrow is not None:
        to_us = arrow["to"].lower() in ("us", "me", "our")
        cue = arrow.start()
        if (toward is None or cue < toward.start()) and (away is None or cue < away.start()):
            return "customer" if to_us else "us"
    if toward and (away is None or toward.start() < away.start()):
        return "customer"
    if away:
        return "us"
    recipient = _TO_ROLE.search(text)  # "SOC2 letter to infosec by 12/8"
    return "us" if recipient and recipient[1].lower() in _DOERS - _US_WORDS - {"i", "we"} else None


_TO_ROLE: Final = re.compile(r"\bto\s+(?:the\s+)?(\w+)", re.IGNORECASE)


_PASSIVE: Final = re.compile(
    r"\b(?:to\s+be|will\s+be|is\s+to\s+be|are\s+to\s+be|gets?|getting|is\s+being|needs\s+to\s+be|"
    r"has\s+to\s+be|must\s+be|should\s+be)\s+(?P<part>\w+(?:\s+(?:out|up|back|over|off|across))?)"
    r"(?:\s+\S+){0,8}?\s+by\s+(?P<agent>(?!(?:the\s+)?(?:end|close|eod|cob|eow|eom|tomorrow|tmrw|today|"
    r"mon|tue|wed|thu|fri|next|this|[0-9]))[^,;]+)?",
    re.IGNORECASE,
)
_PASSIVE_PLAIN: Final = re.compile(
    r"\b(?:to\s+be|will\s+be|is\s+to\s+be|gets?|is\s+being)\s+(?P<part>\w+)", re.IGNORECASE
)


_NOTE_EXPECTED: Final = re.compile(
    r"\b(?:expected|due|scheduled|planned|slated)\s+(?:by|on|for|before|in|within|no\s+later)\b", re.I
)


def _deliverable_side(words: list[str]) -> Side | None:
    """Whose deliverable a thing is: a PO or a signature comes from them, a quote from us."""
    found = set(words[:6])
    if found & vocab.THEIR_DELIVERABLES:
        return "customer"
    return "us" if found & vocab.OUR_DELIVERABLES else None


def _read_deliverable(ctx: _Context) -> _Clause | None:
    """Noun-first and passive steps: "revised quote goes out tmrw", "PO gets raised by their finance"."""
    words = ctx.words
    if words[0] in _PRONOUNS or ctx.past_verb_at(0):
        return None
    verb_at = _present_verb_at(words)
    if verb_at not in (None, -1) and not _is_artefact(words[:verb_at]):
        return None  # "nadia from their procurement sends the PO": a person acts
    passive = _PASSIVE.search(ctx.body) or _PASSIVE_PLAIN.search(ctx.body)
    before = _tokens(ctx.body[: passive.start()]) if passive else ctx.tokens
    if any(_is_past_verb(before, k) for k in range(len(before))):
        return None  # "order form went out thru pandadoc yesterday"
    agent = passive.groupdict().get("agent") if passive else None
    if agent:
        agent_words = [t.word for t in _tokens(agent)]
        return ctx.forward(_side_of(agent_words), _name_in(agent), 0.9)
    side = _direction(ctx.body)
    if passive is None and _NOTE_EXPECTED.search(ctx.body):
        # note style without a verb: "Contract signature expected by 15/12"
        side = side or _deliverable_side(words)
        return ctx.forward(side, None, 0.8) if side else None
    if side is None and passive is not None:
        side = _deliverable_side(words)
    if side is None and passive is not None:
        part = passive["part"].lower().split()[0]
        side = "customer" if part in _CUSTOMER_PASSIVE_VERBS | {"raised", "completed", "filled"} else None
        side = "us" if part in _US_PASSIVE_VERBS else side
    if side is None:
        return None
    if ctx.due is None and passive is None and not _ARROW.search(ctx.body):
        return None
    return ctx.forward(side, None, 0.85)


def _read_event(ctx: _Context) -> _Clause | None:
    """ "Final negotiation mtg mon", "3-way call w/ their EB and my VP thurs": a step for both sides."""
    head = ctx.words[:5]
    undated = ctx.sequel or re.search(r"\b(?:tbd|tbc|slot|date)\b", ctx.body, re.I)
    if ctx.past or not (ctx.due or undated):
        return None
    if head[0] in _PRONOUNS or (
        head[0] in _IMPERATIVES and len(head) > 1 and head[1] in _DETERMINERS | _PRONOUNS
    ):
        return None  # "I review it Wednesday", "call the CFO tomorrow": someone acts
    for k, word in enumerate(head):
        if word in _AUX_OR_MODAL or (k and word in _IMPERATIVES and word not in _CONCRETE_NOUNS):
            return None
        if word in vocab.OUR_EVENTS and "joint" not in head and "both" not in head:
            return ctx.forward("us", None, 0.75)
        if word in vocab.JOINT_EVENTS or word in vocab.OUR_EVENTS:
            return _Clause("forward", None, None, ctx.text, ctx.due, 0.9, subjectless=True)
    return None


_PROGRESSIVE: Final = re.compile(
    r"^(?P<subj>[^;]{1,80}?)(?:'s|'re|'m|,?\s+(?:is|are|am))\s+(?:(?:now|still|also|currently|already|"
    r"actually|busy)\s+)*(?P<verb>[a-z]{2,}ing)\b",
    re.IGNORECASE,
)
_NOT_STEPS_ING: Final = _words(
    """
    being going coming having getting looking doing feeling saying thinking using evaluating
    comparing considering struggling leaning planning ramping sitting waiting hoping arguing
    debating haggling deliberating dragging
    """
)


def _read_progressive(ctx: _Context) -> _Clause | None:
    """ "Gunnar is pitching us to their exec team", "im prepping the exec summary"; gerund openers are ours."""
    words = ctx.words
    first = words[0]
    if (
        first.endswith("ing")
        and _verb_stem(first)
        and first not in _VAGUE_VERBS | _CONCRETE_NOUNS | _NOT_STEPS_ING
        and not ctx.past
    ):
        return ctx.step(0, "us", None, 0.8)  # "sending the SOW EOW", "flying to rotterdam"
    m = _PROGRESSIVE.match(ctx.body)
    if m is None:
        return None
    verb = m["verb"].lower()
    if verb in _VAGUE_VERBS or verb in _NOT_STEPS_ING:
        return None
    subj_tokens = _tokens(m["subj"])
    subj = [t.word for t in subj_tokens]
    if not subj or subj[-1] in ("there", "it", "that", "this", "what"):
        return None
    if (subj[-1] == "they" or " since " in ctx.body) and ctx.due is None:
        return None  # "they're evaluating us + seismic" describes now
    if any(_is_past_verb(subj_tokens, k) for k in range(len(subj_tokens))):
        return None
    verb_at = next((k for k, t in enumerate(ctx.tokens) if t.start >= m.start("verb")), None)
    owner = _name_in(m["subj"])
    sure = 1.0 if "@" in m["subj"] else _sureness(subj, owner)
    return ctx.step(verb_at, _side_of(subj), owner, sure)


def _verb_stem(word: str) -> bool:
    stem = word[:-3]
    return bool(
        stem in _IMPERATIVES
        or stem + "e" in _IMPERATIVES
        or (len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in _IMPERATIVES)
        or stem in ("fly", "head", "hop", "jump")
    )


_MOVED: Final = re.compile(
    r"\b(?:preponed|postponed|moved|rescheduled|pushed|brought\s+forward|pulled\s+in|prepone|move)\b"
    r".*\b(?:to|till|until|for)\s+",
    re.IGNORECASE,
)


def _read_moved(ctx: _Context) -> _Clause | None:
    """ "Client has preponed the final decision meeting to 3rd Dec": the meeting is the step."""
    if ctx.due is None or not _MOVED.search(ctx.body):
        return None
    subj = ctx.words[: next((k for k, w in enumerate(ctx.words) if w in _AUX_OR_MODAL), 1)]
    return ctx.forward(_side_of(subj) if subj else "us", None, 0.7)


_READERS: Final = (
    _read_moved,
    _read_state,
    _read_event,
    _read_reported,
    _read_responsibility,
    _read_frame,
    _read_want,
    _read_modal,
    _read_imperative,
    _read_progressive,
    _read_deliverable,
    _read_present,
)


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
    text: str, today: datetime.date, conventions: DateConventions | None = None
) -> Reading:
    """Read one answer to a forward question; never raises, whatever the text.

    `conventions` are the workspace's date habits (DD/MM, fiscal year); US defaults if None.
    """
    try:
        return _read(text, today, conventions or DateConventions())
    except Exception:  # a coaching hint must never break the conversation; the log says why
        _log.exception("steering failed on an answer of %d chars", len(str(text)))
        return Reading("history", None, None, None, _clean(str(text)[:_MAX_CHARS]), None)


_TRAILING_TITLE: Final = re.compile(r"(?<=[A-Za-z])\s+(?:sir|ji|madam)\b", re.IGNORECASE)
_HONORIFIC_DOT: Final = re.compile(r"\b(Mr|Mrs|Ms|Dr|Prof|St|vs|approx|etc)\.", re.IGNORECASE)
_SPELLING: Final = re.compile(
    r"(?<![\w'/])(?:"
    + "|".join(re.escape(k) for k in sorted(vocab.CHAT_SPELLINGS, key=len, reverse=True))
    + r")(?![\w'/])",
    re.IGNORECASE,
)


def _normalise(text: str) -> str:
    """Plain text to read: no control characters, emoji, Slack markup, or chat spellings."""
    text = _CONTROL.sub(" ", text[:_MAX_CHARS]).replace("\u2019", "'").replace("\u2018", "'")
    text = _PICTOGRAPHS.sub(" ", text)
    if "<" in text:
        text = _SLACK_LINK.sub(lambda m: m[1] or m[2], text)
        text = _SLACK_MENTION.sub(lambda m: "@" + (m[1] or "teammate").replace(" ", ""), text)
    if "&" in text:
        for entity, char in _ENTITIES:
            text = text.replace(entity, char)
    text = _HONORIFIC_DOT.sub(r"\1", text)
    text = _TRAILING_TITLE.sub("", text)
    return _SPELLING.sub(lambda m: vocab.CHAT_SPELLINGS[m.group().lower()], text)


@dataclass(frozen=True)
class _Part:
    text: str
    question: bool  # ends with "?"
    sequel: bool  # after "then", "and", an arrow or a list number
    listed: bool = False  # an item of a list ("1) ...", "two things: ...", "first ...")


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
    out: list[_Part] = []
    for part, sep, question in raw:
        listed = ":" in sep or bool(_LISTED.match(part))
        sequel = bool(_SEQUEL.search(sep)) or listed
        for piece, joined in _subsplit(part, today, conv):
            if piece.strip():
                out.append(_Part(piece, question, sequel or joined, listed))
    return out


_LISTED: Final = re.compile(r"\s*(?:\d[.)]\s|first\b|firstly\b|step\s+1\b|to\s+start\b)", re.IGNORECASE)


def _subsplit(part: str, today: datetime.date, conv: DateConventions) -> list[tuple[str, bool]]:
    """Arrows and "and <verb>" inside one clause: split only where the left side is a whole step.

    "security pack -> their infosec" is one step; "our SE finishes the spec by fri -> their
    architects sign off" is two. "draft the plan and share it by Friday" is one step;
    "run the demo on Thursday and send the VPAT" two (the left side has its own date).
    """
    pieces = [part]
    if "->" in part or ">" in part:
        arrows = _ARROW_SPLIT.split(part)
        pieces = [arrows[0]]
        for piece in arrows[1:]:
            right = [t.word for t in _tokens(piece)]
            if len(_tokens(pieces[-1])) >= 4 and _present_verb_at(right) not in (None, -1):
                pieces.append(piece)  # "... by fri -> their architects sign off next week"
            else:
                pieces[-1] += " -> " + piece  # "security pack -> their infosec EOD"
    out: list[tuple[str, bool]] = []
    for piece in pieces:
        chunks = _AND_VERB.split(piece)
        merged = [chunks[0]]
        for chunk in chunks[1:]:
            if parse_due(merged[-1], today, conv) is None:
                merged[-1] += " and " + chunk  # "draft the plan and share it by Friday": one step
            else:
                merged.append(chunk)
        out.extend((m, k > 0 or len(out) > 0) for k, m in enumerate(merged))
    return out


def _read(text: str, today: datetime.date, conv: DateConventions) -> Reading:
    text = _normalise(text)
    if vocab.META_REMARKS.search(text):
        return Reading("vague", None, None, None, _clean(text), None, confidence=0.9)
    only_date = bare_date(text, today, conv)
    if only_date is not None:
        return Reading("vague", None, None, None, _clean(text), None, bare_date=only_date)
    clauses: list[tuple[_Clause, str]] = []
    stepped = False
    for part in _split(text, today, conv):
        sequel = part.sequel and (stepped or part.listed)
        clause = _read_clause(part.text, today, conv, part.question, sequel)
        if clause.kind == "history" and "," in part.text:
            # "ok so legal finally came back, nadia from their procurement sends the PO by fri"
            head, tail = _step_after_comma(part.text, today, conv)
            if tail is not None:
                clauses.append((_Clause("history", text=head), head))
                clause, part = tail, _Part(tail.text, part.question, True)
        stepped = stepped or clause.kind == "forward"
        clauses.append((clause, part.text))
    steps: list[Step] = []
    context: list[str] = []
    last: _Clause | None = None
    for index, (clause, raw) in enumerate(clauses):
        if clause.kind != "forward":
            if clause.kind == "history" and not steps:
                context.append(_clean(raw))
            continue
        side, owner, sure = clause.side, clause.owner, clause.side_confidence
        if _JOINT.search(clause.text):
            side, sure = None, 0.9  # "has to be agreed by both sides"
        if clause.subjectless and last is not None and side != "customer":
            side, owner, sure = last.side, last.owner, last.side_confidence
        due = clause.due
        after = _AFTER_PREVIOUS.search(clause.text) if due is None and steps else None
        if after is not None and steps[-1].due is not None:
            # "... by Friday, then procurement cuts the PO the week after"
            days = 7 if "week" in after.group().lower() else 1
            due = (steps[-1].due + datetime.timedelta(days=days), after.group())
        if due is None:  # a trailing ", by Thursday" may sit in the next fragment
            rest = []
            for c, p in clauses[index + 1 :]:
                if c.kind == "forward":
                    break
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
        steps.append(_step(clause.text, side, owner, due, sure))
        last = _Clause("forward", side, owner, clause.text, due, sure)
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


_JOINT: Final = re.compile(r"\b(?:both\s+(?:sides|parties|teams)|jointly|joint)\b", re.IGNORECASE)
_AFTER_PREVIOUS: Final = re.compile(
    r"\b(?:the\s+(?:week|day)\s+after|a\s+week\s+later|the\s+following\s+(?:week|day)|the\s+next\s+day)\b",
    re.IGNORECASE,
)
_RESUMES: Final = re.compile(r"^\s*(?:\w+(?:'ll|\s+will)?\s+)?\w+\s+(?:it|them|that|this)\b", re.I)


def _step_after_comma(
    text: str, today: datetime.date, conv: DateConventions
) -> tuple[str, _Clause | None]:
    """The history before a comma and the step after it, if the words after a comma read as one."""
    at = text.find(",")
    while at > 0:
        rest = text[at + 1 :]
        tail = _read_clause(rest, today, conv)
        if tail.kind == "forward" and not rest.split()[0].lower().endswith("ing"):
            return text[:at], tail
        at = text.find(",", at + 1)
    return text, None


def _step(
    text: str,
    side: Side | None,
    owner: str | None,
    due: tuple[datetime.date, str] | None,
    sure: float,
) -> Step:
    action = _clean(text)
    if due is not None:
        at = action.lower().rfind(due[1].lower())
        if at >= 0:
            cut = (action[:at] + action[at + len(due[1]) :]).strip(" ,;:-")
            action = _clean(re.sub(r"\s+([,.;:])", r"\1", cut)) or action
    return Step(side, owner, due[0] if due else None, action, due[1] if due else None, sure)
