"""The grammar steering reads with: word lists, tokens, subjects, sides, owners, tenses.

Shared by the clause readers (`process/steering_readers.py`) and the answer-level reading
(`process/steering.py`). The word lists here are grammar (modals, auxiliaries, past forms);
the sales vocabulary a lead would review lives in `process/steering_vocab.py`.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from process import steering_vocab as vocab
from process.dates import DateConventions

Orientation = Literal["history", "vague", "next_step"]
Side = Literal["customer", "us"]


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
    r"i\s+think|i\s+guess|i\s+believe|i\s+suppose|i'd\s+say|i\s+would\s+say|after\s+that|after\s+this|post\s+which|"
    # "..., after which they renew": the joiner says "next"; the words after it are the step
    r"after\s+which|following\s+which|at\s+which\s+point|afterwards|subsequently|thereafter|"
    r"subsequent\s+to\s+which|upon\s+which|(?:up)?on\s+completion\s+of\s+which|at\s+which\s+stage|"
    # second-language "then after we do the training": afterwards
    r"then\s+after(?=\s+(?:we|i|they|he|she)\b)|whereupon|once\s+done|"
    r"meanwhile|in\s+the\s+meantime|in\s+parallel|later|secondly|second|thirdly|third|"
    r"step\s+\d|"
    # "..., and once that's done their team goes live": once the step before is done
    r"once\s+(?:that|this|it)(?:'s|\s+is|\s+has\s+been)\s+(?:done|complete|completed|finished|signed|through)|"
    r"followed\s+by|"
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
    redline turn sort iron settle resolve answer respond reply have re-engage reengage revert
    multithread fly
    """
)


_IRREGULAR_PAST: Final = _words(
    """
    had was were did said told met sent went saw got gave took made spoke came ran left lost
    won found thought felt knew brought bought began wrote heard paid led kept held sat
    showed shown been done seemed sold spent stood understood forgot became hadn't wasn't
    weren't didn't haven't hasn't ago yesterday already previously earlier last since
    couldn't couldnt wouldn't
    recently wanted needed asked
    """
)


_ED_NOT_PAST: Final = _words(
    """
    need needed speed feed seed breed shed hundred indeed embed proceed succeed exceed red
    bed led wed based interested excited concerned involved aligned engaged required
    detailed signed countersigned co-signed cosigned approved advanced dedicated preferred qualified related supposed
    scheduled expected planned customised customized revised updated completed redlined
    tailored proposed agreed committed limited automated integrated managed ed awaited
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
# Formal prose capitalises dates, document names and departments, which are no person: "no
# later than Tuesday 15 December", "SOC 2 Type II", "Both Parties", "Head of Enterprise
# Architecture". Months that are also given names (April, May, June, August) stay out.
_NOT_NAMES_EXTRA: Final = _words(
    """
    grp cmte rsm rvp avp gm bdm kam both everyone someone nobody anyone there here what
    pilot poc trial po sow msa dpa nda deck quote pricing contract order form paperwork
    signed revised updated final draft new current existing whole each every one two three
    also still just really now then already probably maybe only even and or but
    for to of with from about into onto upon via within without against toward towards
    until till nothing monday tuesday wednesday thursday friday saturday sunday
    mon tue tues wed weds thu thur thurs fri sat sun
    january february march september october november december
    feb mar apr aug sep sept oct nov dec xmas eod eow eom cob asap
    today tomorrow tonight year month quarter weekend type by close business
    week weeks day days months quarters years hours time
    fyi cc btw lol tbh imo fwiw afaik
    parties party decision award enterprise response feedback answer outcome result reply
    await awaits awaiting
    lot lots bods lads folks peeps people mate mates teammate sides solicitors lawyers
    quality within end imma hes shes sits budge mutual custom site survey tmrw tmr tmw tehm
    latest earliest
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


# A promise said in the perfect: "has undertaken to confirm", "have committed to send".
_COMMITTED: Final = _words("undertaken committed promised pledged offered volunteered agreed")


_AUX_OR_MODAL: Final = _AUXILIARIES | _MODALS


# Verbs a step is made of, for note style ("Customer to send PO") and present tense ("then legal signs").
_STEP_VERBS: Final = (
    _IMPERATIVES
    | _CUSTOMER_VERBS
    | _words(
        """
        be start mobilise mobilize lock cut ship fix test finish vote pick make take raise tabled
        revert circulate countersign allowlist whitelist export pull sign-off sign turn loop
        release dispatch transfer wire
        socialize socialise recommend add fill update populate enter input
        """
    )
)


# Discourse words and kinds of person that end whatever was read as a name before them.
_RESETS: Final = _words("anyway anyways so now then ok okay btw lady guy gal chap fellow person")


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


# Letters of any script: "Jiří", "Zoë" and "José" are names like "Raj".
_WORD: Final = re.compile(r"@?[^\W\d_](?:[^\W\d_]|['\-])*|\d+")


_OBJ_TO: Final = re.compile(
    r"\b(?P<verb>need|needs|want|wants|asked|ask|asks|expect|expects|expecting|told|get|getting|have|has|"
    r"loop\s+in|looping\s+in|bring\s+in|pull\s+in|"
    r"waiting\s+(?:on|for)|wait\s+(?:on|for)|requested|request|push|pushing|remind|reminded)\s+"
    r"(?P<obj>them|us|me|him|her|the\s+customer|the\s+client|their\s+[a-z]+(?:\s+[a-z]+)?|our\s+[a-z]+(?:\s+[a-z]+)?|"
    r"my\s+[a-z]+|@[\w.-]+|[A-Z][a-z]+"
    # "ask Dana on our deal desk to", "get Jess from marketing to": a name and its team
    r"(?:\s+(?:from|on|in|at)\s+(?:our|my|the|their)?\s*[a-z-]+(?:\s+(?:desk|team))?)?"
    r")\s+to\s+(?P<then>[a-z]+)",
    re.IGNORECASE,
)


_FROM_THEM: Final = re.compile(
    r"\b(?:from|back\s+from|out\s+of)\s+(?:them|the\s+customer|the\s+client|their\s+\w+|(?:the\s+)?[A-Z][a-z]+)\b"
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


@functools.lru_cache(maxsize=128)
def _tokens(text: str) -> tuple[_Token, ...]:
    """The words of `text`, lower-case, contractions expanded.

    Cached because several readers tokenise the same clause of one answer; the cache is
    small on purpose, so it only helps within an answer (a benchmark that reads the same
    answers round after round gets no help from it: it cycles through more than 128 clauses)."""
    return tuple(_tokenise(text))


def _tokenise(text: str) -> list[_Token]:
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


def _is_past_verb(tokens: Sequence[_Token], i: int) -> bool:
    word = tokens[i].word
    if (
        i
        and word in ("done", "sorted", "shown", "gone")
        and tokens[i - 1].word in _BE | {"get", "gets"}
    ):
        return False  # "once legal is done": a condition, not something that happened
    if word in _IRREGULAR_PAST:
        return not (
            word == "last" and tokens[i + 1 : i + 2] and tokens[i + 1].word in ("day", "week", "wk")
        )
    if len(word) > 4 and word.endswith("ed") and word not in _ED_NOT_PAST:
        if i + 1 < len(tokens) and tokens[i + 1].word in _AUX_OR_MODAL:
            return False  # a name or noun as subject: "Ahmed is presenting", "Ahmed will"
        return i == 0 or tokens[i - 1].word not in _DETERMINERS
    return False


def _subject(tokens: Sequence[_Token], end: int) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase just before index `end`."""
    start = end
    while start > 0:
        word = tokens[start - 1].word
        over_there = word == "there" and start > 1 and tokens[start - 2].word == "over"
        if (word in _SUBJECT_STOP and not over_there) or (
            _is_past_verb(tokens, start - 1) and word not in _PRONOUNS
        ):
            break  # but "priya over there now has to ..." is her
        if (
            start < end
            and tokens[start].word in _PRONOUNS
            and word not in ("and", "my", "our", "their", "his", "her")
            and not (tokens[start].word == "it" and word in _CUSTOMER_WORDS)  # "client IT"
            and not (tokens[start].word == "it" and word == "of")  # "their Head of IT"
        ):
            break
        start -= 1
        if end - start >= 8:  # "Cornelia Vos of their Strategic Sourcing team will"
            break
    return start, end


# Adverbs said between a subject and its verb: "anyway Kenji now needs to send ...", "their
# CFO also has to approve": the subject is the words before them.
_PRE_VERB_ADVERBS: Final = _words(
    "now also still just really first finally definitely probably actually likely personally"
)


def _subject_skipping_adverbs(tokens: Sequence[_Token], end: int) -> tuple[int, int]:
    """`_subject` of the words before `end`, past any adverbs right before it."""
    start, stop = _subject(tokens, end)
    if start < stop:
        return start, stop
    k = end
    while k > 0 and tokens[k - 1].word in _PRE_VERB_ADVERBS:
        k -= 1
    return _subject(tokens, k) if k < end else (start, stop)


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
    if last in ("it", "this", "that") and not (
        len(words) > 1 and (words[-2] in _CUSTOMER_WORDS or words[-2] == "of")
    ):
        return None  # but "client IT" is their IT team, "their Head of IT" a person's title
    if any(w in _US_WORDS for w in words):
        return "us"
    if any(w in _CUSTOMER_WORDS for w in words):
        return "customer"
    if len(words) <= 2 and words[-1] in _US_ROLES and words[0] in ("the", "our", "my", words[-1]):
        return "us"  # "SE to run the dry run": customers have no SEs
    return "customer"


def _owner_of(text: str, tokens: Sequence[_Token], start: int, end: int) -> str | None:
    while end > start + 1 and tokens[end - 1].word in _PRE_VERB_ADVERBS | {"then"}:
        end -= 1  # "Kenji now sends ...", "Tomas then signs ...": the adverb is no name
    if start >= end:
        return None
    return _name_in(text[tokens[start].start : tokens[end - 1].end])


_NAME_CHUNKS: Final = re.compile(
    r"[,()\[\]:;]|\s(?:from|in|on|at|of|with|over|and|who)\s", re.IGNORECASE
)


_CAPITALISED: Final = re.compile(r"(?<![\w'])[A-Z\u00C0-\u00DE][a-z\u00DF-\u00FF]")


_NAME_TOKEN: Final = re.compile(r"[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F'-]*\.?")


_ABSTRACT_ENDINGS: Final = ("tion", "sion", "ment", "ship", "ness")


# Particles of phrasal verbs ("signs off", "gets back", "runs it by"): never part of a name.
_PARTICLES: Final = _words("off up out back over down across through")


def _verb_form(low: str) -> bool:
    """Whether a lower-cased word is a form of a step verb or a particle, which no name is:
    "signs", "sends", "pushes", "off", "countersigned" (in lower-case chat every other word
    would pass for a name: "their cfo signs off the budget" has no "Signs Off")."""
    if low in _PARTICLES or low in _STEP_VERBS:
        return True
    if len(low) > 4 and low in _ED_NOT_PAST:
        return True  # "signed", "countersigned", "revised": participles, never a name ("Ed" is)
    stem = low.removesuffix("es") if low.endswith(("shes", "ches", "sses", "xes")) else low
    return stem != low and stem in _STEP_VERBS or (
        low.endswith("s") and not low.endswith("ss") and low[:-1] in _STEP_VERBS
    )


# Mandarin syllables (pinyin without tones), as initial + final: a given name such as
# "Xiaoling", "Tingting" or "Zhiming" ends in "-ing" like an English gerund but is made of
# syllables only, which "pricing", "meeting" or "funding" are not. Finals that only some
# initials take are limited to those (the standard pinyin table), so "king" or "fun" is none.
_PINYIN_INITIALS: Final = _words("b p m f d t n l g k h j q x zh ch sh r z c s y w")
_PINYIN_FINALS: Final = _words(
    "a o e i u ai ei ao ou an en ang eng ong er ia ie iao iu ian in iang ing iong ua uo uai ui"
    " uan un uang ue"
)
_PINYIN_ONLY: Final = {
    "ing": _words("b p m d t n l j q x y"),
    "o": _words("b p m f w"),
    "e": _words("m d t n l g k h zh ch sh r z c s y"),
    "en": _words("b p m f d n g k h zh ch sh r z c s w"),
    "un": _words("d t l g k h zh ch sh r z c s j q x y"),
    "i": _words("b p m d t n l j q x y zh ch sh r z c s"),
}
_PINYIN: Final = frozenset(
    i + f for i in _PINYIN_INITIALS for f in _PINYIN_FINALS if i in _PINYIN_ONLY.get(f, {i})
)


def _pinyin_name(word: str) -> bool:
    """Whether a lower-case "-ing" word is made of Mandarin syllables only ("xiaoling",
    "tingting", "ling"): a given name, not a gerund. A syllable without an initial
    ("an", "ou") only starts a word."""
    can = [True] + [False] * len(word)  # can[k]: word[:k] splits into syllables
    for k in range(1, len(word) + 1):
        can[k] = any(
            can[j] and (word[j:k] in _PINYIN or (j == 0 and word[j:k] in _PINYIN_FINALS))
            for j in range(max(0, k - 6), k)
        )
    return (
        word.endswith("ing")
        and can[-1]
        and word not in _PINYIN_LOOKALIKES
        and not _verb_stem(word)  # "sending", "waiting": a verb's -ing form first
    )


#: English "-ing" words that happen to split into syllables ("da-ting", "ti-ming").
_PINYIN_LOOKALIKES: Final = _words(
    "dating mining timing lining piling tiling dining aiming awaiting buying depending ending"
    " finding mixing pending ping rating remaining riding running sending tuning waiting"
    " tending bending mending bidding"
)


#: After "<Name>'s", a title is another person ("Priya's boss"); a team is hers ("Pavel's team").
_SOMEONES_TITLE: Final = _words(
    "boss manager mgr vp svp evp cfo ceo cto cio ciso coo cro cmo gc head director md gm"
    " chief counsel lawyer assistant deputy supervisor superior"
)


def _name_in(phrase: str) -> str | None:
    """The person named in a subject phrase ("Their CFO, Alasdair Reid" -> "Alasdair Reid").

    A pronoun or a role alone is no owner. In text with capitals a name is capitalised and
    not an acronym; in all-lower-case chat any word that is not a role or a known noun.
    """
    cased = _CAPITALISED.search(phrase, 1) is not None
    chunks = _NAME_CHUNKS.split(phrase)
    lower_lead = not cased and len(chunks[0].split()) == 1  # "jess from their secops is ..."
    if (
        len(chunks) > 1
        and (chunks[0][:1].isupper() or lower_lead)
        and _NAME_TOKEN.match(chunks[0].strip() or "-")
    ):
        # "Kenji Watanabe, our Customer Success Director, will ...", "Tom from our pre-sales":
        # a name said first is the person; the words after it are their title or team
        lead = _name_in(chunks[0])
        said = [w for w in chunks[0].split() if w.lower().rstrip(".") not in vocab.HONORIFICS]
        if lead is not None and said and said[0].lower() == lead.split()[0].lower():
            return lead  # "Mr Kim and Ms Park ...": the first named, past his title
    for chunk in reversed(chunks):
        run: list[str] = []
        possessive = False
        raws = _NAME_TOKEN.findall(chunk)
        for at, raw in enumerate(raws):
            word = raw.rstrip(".")
            low = word.lower().removesuffix("'s")
            if "'" in low and low.split("'")[0] in _PRONOUNS:
                low = low.split("'")[0]  # "I'll", "she'd"
            name_like = (
                len(word) >= 2
                # "The consultation is scheduled": abstract nouns are no one's name
                and not low.endswith(_ABSTRACT_ENDINGS)
                and (cased or not word.isupper())  # "CS" in lower-case chat is an acronym
                and (not low.endswith("ing") or _pinyin_name(low))  # "Xiaoling", not "pricing"
                and low not in vocab.ROLE_WORDS
                and low not in vocab.HONORIFICS
                and low not in _NOT_NAMES
                and not _verb_form(low)
                and (not cased or (word[:1].isupper() and not word.isupper()))
            )
            if low in _RESETS:
                run = []  # "went grate anyway raj needs ...": what came before was no name
                continue
            if name_like:
                run.append(word.removesuffix("'s"))
            elif run:
                ahead = {r.lower() for r in raws[at : at + 2]}
                if ahead & vocab.ORG_NOUNS and not possessive:
                    run = []  # "their Strategic Sourcing team": a team's name, no person
                    continue
                if possessive and low in _SOMEONES_TITLE:
                    run = []  # "Priya's boss signs off": the boss owns it, not Priya
                    continue
                break
            possessive = raw.lower().endswith("'s")  # "Pavel's team": Pavel leads it
        if run:
            name = " ".join(run[:3])
            return name if cased else name.title()
    return None


def _main_verb(tokens: Sequence[_Token], i: int) -> int | None:
    """Index of the first real verb at or after i, skipping adverbs and auxiliaries."""
    while i < len(tokens) and tokens[i].word in _MODAL_ADVERBS:
        i += 1
    return i if i < len(tokens) else None


# Vague verbs that are real work when their object is a document: "check contract".
_CHECKS: Final = _words("check review vet")


# Verbs that make "time" a meeting: "book time with their CFO".
_BOOKINGS: Final = _words(
    "book booking schedule scheduling block blocking grab grabbing set setting"
)


def _inflected(word: str) -> str:
    """The base form of a regular -ed/-ing/-s verb ("maintained" -> "maintain"), else the word."""
    for suffix in ("ed", "ing", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


_AGENT_LEADS: Final = _words("our their my the us me them his her")


def _is_concrete(tokens: Sequence[_Token], verb_at: int | None, text: str, has_date: bool) -> bool:
    """A forward clause names a real action unless its verb or object is a non-action."""
    if verb_at is None:
        return False
    rest = [t.word for t in tokens[verb_at:]]
    verb = rest[0]
    # a passive's agent is no object: "will be provided by our value engineering team"
    agent = next(
        (k for k in range(1, len(rest) - 1) if rest[k] == "by" and rest[k + 1] in _AGENT_LEADS),
        len(rest),
    )
    objects = set(rest[1 : min(8, agent)])
    nouns = objects & _CONCRETE_NOUNS
    # "come back to us", "get back to us", "hear back": waiting dressed as action.
    if len(rest) > 1 and rest[1] == "back" and verb in ("get", "come", "hear", "circle", "reach"):
        # "signed SOW should come back ... by end of month": the thing may be the subject
        subject = {t.word for t in tokens[:verb_at]} & _CONCRETE_NOUNS
        if verb in ("get", "come", "hear") and has_date:
            return True  # "their GC will come back by Friday week": a reply with a deadline
        return bool(nouns or (verb == "come" and subject)) and has_date
    if verb in ("come", "arrive", "land") and rest[1:2] and rest[1] in ("through", "in", "over"):
        return has_date  # "PO has to come through from their finance by 12/11": it arrives
    if verb not in _VAGUE_VERBS and _inflected(verb) in _VAGUE_VERBS:
        verb = _inflected(verb)  # "engagement will be maintained": maintain is no action
    if verb in _CHECKS and has_date and rest[1:2] and rest[1] in ("it", "them", "this", "that"):
        return True  # "their lawyer will check it until 9 December": a review with a deadline
    if verb in _BOOKINGS and "time" in objects:
        return True  # "booking time with their CFO" is a meeting
    if verb in ("chase", "chasing") and has_date and _chases_a_thing(text):
        return True  # "I'll chase Gemma on Monday for the sign-off on the SOW": a dated errand
    if verb in _VAGUE_VERBS:
        tail = rest[1:]
        for j, word in enumerate(tail[:-1]):
            if (
                word in ("to", "and")
                and tail[j + 1] in _IMPERATIVES
                and tail[j + 1] not in _VAGUE_VERBS
                and tail[j + 2 : j + 3] != ["back"]  # "... and get back to you" is no action
            ):
                return True
        direct = [w for w in tail[:2] if w not in _DETERMINERS][:1]
        if verb in _CHECKS and direct and direct[0] in _CONCRETE_NOUNS:
            return True  # "must check contract": checking a document is work, not a wait
        return bool(nouns) and has_date
    if objects & _VAGUE_OBJECTS and not nouns:
        return False
    return not (_HEDGES.search(text) and not has_date)


# British "chase": "chase Meera tomorrow for the vendor code" asks for a named thing by a date.
_CHASE_FOR: Final = re.compile(r"\bfor\s+(?P<what>(?:[\w-]+\s+){0,3}[\w-]+)", re.IGNORECASE)
_CHASED_THINGS: Final = _words("code number details form forms letter certificate cert")


def _chases_a_thing(text: str) -> bool:
    m = _CHASE_FOR.search(text)
    if m is None:
        return False
    what = {t.word for t in _tokens(m["what"])}
    return bool(what & (_CONCRETE_NOUNS | vocab.THEIR_DELIVERABLES | _CHASED_THINGS))


@dataclass
class _Context:
    text: str  # the clause without leading filler (what the action shows)
    body: str  # the same without a leading hedge ("maybe", "just")
    tokens: Sequence[_Token]
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


_HAVE_OBJECTS: Final = _words("it them this that the a an our their everything all")


def _modal_at(words: list[str], i: int) -> int | None:
    """If words[i] starts a forward modal ("will", "needs to", "is going to"), the index after it."""
    word = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if word in _MODALS:
        after = words[i + 2] if i + 2 < len(words) else ""
        if nxt in ("not", "never") or (
            word in ("should", "must") and nxt == "have" and after not in _HAVE_OBJECTS
        ):
            return None  # "they should have signed" happened (or didn't); "must have it signed" is ahead
        return i if word in ("owe", "owes") else i + 1
    if word in _TO_MODALS and nxt == "to":
        return i + 2
    if (
        word in _COMMITTED
        and nxt == "to"
        and i > 0
        and words[i - 1] in ("has", "have", "had")
        and words[i + 2 : i + 3]
        and words[i + 2] in _STEP_VERBS
    ):
        return i + 2  # "Rachel has undertaken to confirm the user count by Tuesday": a promise
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
    if word == "to" and i == 1 and words[0] in ("we", "i", "they") and nxt in _STEP_VERBS:
        return i + 1  # second-language note style: "and we to dispatch the hardware"
    return None


def _is_noun_phrase(words: list[str]) -> bool:
    """No verb, pronoun or preposition-led clause: "customer", "both legal teams", "field trial of the X"."""
    if words[0] in ("not", "no", "nothing") or words[0].endswith("ing"):
        return False
    return words[0] not in _PRONOUNS and not any(
        w in _AUX_OR_MODAL
        or w in _IRREGULAR_PAST
        or (w in _IMPERATIVES and w not in _CONCRETE_NOUNS)
        for w in words
    )


def _sureness(subject: list[str], owner: str | None) -> float:
    """How sure the side read from a subject is: "their CFO", "we" say it; a named person is
    usually the customer's (reps name colleagues as "our SE Ravi" or @mention them); a bare
    role or team ("legal", "the steering group") could be either side's."""
    if set(subject) & (_US_WORDS | _CUSTOMER_WORDS) or any(w.startswith("@") for w in subject):
        return 1.0  # a Slack mention is someone in our own workspace
    return 0.75 if owner else 0.6


def _is_artefact(words: list[str]) -> bool:
    """A subject that is a thing, not a person: "updated pricing sheet", "the SOW"."""
    return bool(set(words) & _CONCRETE_NOUNS) and not set(words) & vocab.ROLE_WORDS - _DETERMINERS


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
        # "their legal team finish", "their CISO and legal review": a plural subject
        plural_doer = before.endswith("s") or before in _DOERS or "and" in words[1:k]
        if word in _STEP_VERBS and word not in _CONCRETE_NOUNS and plural_doer:
            return k
        if (
            word in _STEP_VERBS
            and plural_doer
            and words[k + 1 : k + 2]
            and words[k + 1] in _DETERMINERS
        ):
            return k  # "their CISO and legal review the MSA": a noun-verb with its object
    return None


def _is_doer(words: list[str]) -> bool:
    """A subject that acts: a pronoun, a person's role or team, a name (not a contract or a trial),
    a Slack mention ("@jess runs the onboarding workshop" is no state that runs)."""
    return bool(set(words) & _DOERS) or any(w.startswith("@") for w in words)


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


# "-> next:", "-> then" join steps; they name no recipient
_ARROW: Final = re.compile(r"\s*-+>\s*(?!(?:next|nxt|then|now|ns)\b)(?P<to>\w+)", re.IGNORECASE)


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
    if _GOES_TO.search(text):
        return "us"  # "updated pricing sheet goes to lena in 2 days": we send it to a person
    recipient = _TO_ROLE.search(text)  # "SOC2 letter to infosec by 12/8"
    return "us" if recipient and recipient[1].lower() in _DOERS - _US_WORDS - {"i", "we"} else None


_GOES_TO: Final = re.compile(
    r"\b(?:goes|go|going|gets\s+sent|sent|heads|headed|heading)\s+(?:over\s+|out\s+)?to\s+"
    r"(?!(?:us|me|our|my|we|legal|procurement|deal)\b)[a-z]",
    re.IGNORECASE,
)


_TO_ROLE: Final = re.compile(r"\bto\s+(?:the\s+)?(\w+)", re.IGNORECASE)


def _deliverable_side(words: list[str]) -> Side | None:
    """Whose deliverable a thing is: a PO or a signature comes from them, a quote from us."""
    found = set(words[:6])
    if found & vocab.THEIR_DELIVERABLES:
        return "customer"
    return "us" if found & vocab.OUR_DELIVERABLES else None


def _verb_stem(word: str) -> bool:
    stem = word[:-3]
    return bool(
        stem in _IMPERATIVES
        or stem + "e" in _IMPERATIVES
        or (len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in _IMPERATIVES)
        or stem in ("fly", "head", "hop", "jump")
    )
