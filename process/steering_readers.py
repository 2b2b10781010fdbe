"""Clause readers: each recognises one way reps say (or don't say) a next step.

`read_clause` tries `READERS` from the most to the least specific frame: moved meetings,
states with a date, joint events, reported speech ("Raj said he'd sign by the 4th"), "it's on
their IT", "we need them to", wants ("they want our W-9"), modals, note style ("Customer to
send PO"), imperatives, progressives, noun-first deliverables ("revised quote goes out
tmrw"), and present tense. The first reader that recognises the clause decides it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from typing import Final

from process import steering_vocab as vocab
from process.dates import DateConventions, bare_date, parse_due
from process.steering_grammar import (
    _ARROW,
    _AUX_OR_MODAL,
    _AUXILIARIES,
    _BE,
    _CONCRETE_NOUNS,
    _CUSTOMER_PASSIVE_VERBS,
    _CUSTOMER_VERBS,
    _CUSTOMER_WORDS,
    _DETERMINERS,
    _FILLER_LEAD,
    _FROM_THEM,
    _HEDGE_LEAD,
    _IMPERATIVES,
    _MODAL_ADVERBS,
    _MODALS,
    _OBJ_TO,
    _PARTICLES,
    _PRE_VERB_ADVERBS,
    _PRONOUNS,
    _STEP_VERBS,
    _US_PASSIVE_VERBS,
    _US_WORDS,
    _VAGUE_OBJECTS,
    _VAGUE_VERBS,
    _WAITING,
    _WANTS,
    Side,
    _Clause,
    _Context,
    _deliverable_side,
    _direction,
    _is_artefact,
    _is_concrete,
    _is_doer,
    _is_past_verb,
    _main_verb,
    _modal_at,
    _modal_before,
    _name_in,
    _owner_of,
    _present_verb_at,
    _side_of,
    _subject_skipping_adverbs,
    _sureness,
    _tokens,
    _typo_of,
    _verb_form,
    _verb_stem,
    _words,
)


def _deadline_lead(
    body: str, today: datetime.date, conv: DateConventions, sequel: bool
) -> _Clause | None:
    """ "Before Friday(,) we send the deck": a clause led by "before <date>" is a step due
    then when what follows is one; None otherwise ("Before the workshop, ..." sets a scene)."""
    due = parse_due(body, today, conv)
    if due is None or not body.lower().startswith(due[1].lower()):
        return None
    rest = body[len(due[1]) :].lstrip(" ,;:-")
    inner = read_clause(rest, today, conv, sequel=sequel) if rest else None
    if inner is None or inner.kind != "forward":
        return None
    return replace(inner, due=due)


def read_clause(
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
    if words[0] in ("nothing", "nobody", "noone"):
        return _Clause("history", text=text)  # "nothing is moving there" says how things stand
    if _ACKNOWLEDGED.match(body):
        return _Clause("history", text=text)  # "Cool, will do." answers the coach, names no step
    if words[0] == "before" and (deadline := _deadline_lead(body, today, conv, sequel)):
        return replace(deadline, text=text)  # "Before Friday we send the deck": a deadline
    if (
        words[0] in vocab.SUBORDINATORS
        and not any(_modal_at(words, k) for k in range(len(words)))
        and not (words[0] in ("until", "till") and _until_is_deadline(words))
    ):
        return _Clause("history", text=text)  # "After the workshop on Thursday," sets the scene
    if _REASON_OPENER.match(body) and not any(_modal_at(words, k) for k in range(len(words))):
        return _Clause("history", text=text)  # "Due to the holidays on the 24th," gives a reason
    due = _main_due(body, today, conv)
    if due is not None and len(words) <= 6 and bare_date(body, today, conv) is not None:
        # "We send the SOW. By Friday.", "..., due the 2nd", "- target 12/10": a date alone
        # is the date of the step around it (steering attaches it), never a step of its own
        return _Clause("history", text=text, state_date=due)
    ctx = _Context(text, body, tokens, words, due, hedge is not None, today, conv, sequel)
    for reader in READERS:
        clause = reader(ctx)
        if clause is not None:
            return _agent_side(clause, body)
    if not ctx.past and (_WAITING.search(body) or (ctx.hedged and due is None)):
        return _Clause("vague", text=text)
    return _Clause("history", text=text)


# A noun-first step that ends by naming who does it: "Site survey at their Pune plant on 22/2
# by our engineering team", "Board pack to be reviewed by their finance committee".
_AGENT_TAIL: Final = re.compile(
    r"\bby\s+(?P<whose>our|my|their|the\s+(?:client|customer)'s)\s+(?P<who>(?:[\w-]+\s+){0,2}[\w-]+)"
    r"\s*[.!]?\s*$",
    re.IGNORECASE,
)


def _agent_side(clause: _Clause, body: str) -> _Clause:
    """The side an agent phrase at the end names ("... by our engineering team"), where the
    readers were not sure of one; the clause as it was otherwise."""
    if clause.kind != "forward" or (clause.side is not None and clause.side_confidence >= 0.8):
        return clause
    m = _AGENT_TAIL.search(body)
    if m is None or m["who"].split()[-1].lower() not in vocab.ORG_NOUNS | vocab.ROLE_WORDS:
        return clause
    side = "us" if m["whose"].lower() in ("our", "my") else "customer"
    return replace(clause, side=side, side_confidence=0.85, subjectless=False)


# An opening phrase that sets the scene with its own date: "After Thursday's demo they sign by
# the 15th", "Ahead of their board meeting on the 15th we send the deck on the 10th".
_SCENE_OPENER: Final = re.compile(
    r"^\W*(?:after|following|ahead\s+of|due\s+to|because\s+of|owing\s+to|as\s+(?:discussed|agreed|mentioned)|"
    r"per|since|post|"
    r"prior\s+to|before|in\s+preparation\s+for|in\s+advance\s+of)\b",
    re.IGNORECASE,
)


_REASON_OPENER: Final = re.compile(
    r"^\W*(?:due\s+to|because\s+of|owing\s+to|in\s+view\s+of|in\s+light\s+of)\b(?![^,;]*\b(?:we|they|i|he|she)\b)",
    re.IGNORECASE,
)


def _main_due(
    body: str, today: datetime.date, conv: DateConventions
) -> tuple[datetime.date, str] | None:
    """The clause's due date: its first future date, unless that date belongs to an opening
    phrase that sets the scene and the clause has another date for the step itself."""
    due = parse_due(body, today, conv)
    if due is None or not _SCENE_OPENER.match(body):
        return due
    at = body.lower().find(due[1].lower())
    later = parse_due(body[at + len(due[1]) :], today, conv) if at >= 0 else None
    return later or due


_ACKNOWLEDGED: Final = re.compile(
    r"^\W*(?:\w+\W+)?(?:will|can|i'll|we'll)\s+do(?:\s+that)?\W*$", re.I
)
_ASKS_COACH: Final = re.compile(r"\b(?:should|shall|could|can|would)\s+(?:i|we)\b", re.IGNORECASE)


_WAITED_FRAME: Final = re.compile(
    r"^(?:(?:we|i)(?:'re|'m|\s+are|\s+am)?\s+)?(?:still\s+)?(?:waiting|awaiting|wait)\b", re.I
)


def _read_frame(ctx: _Context) -> _Clause | None:
    """ "We need them to X", "they asked us to X": the frame's object does the step."""
    frame = _OBJ_TO.search(ctx.body)
    if frame is None or frame.group("then").lower() == "be":
        return None
    if _WAITED_FRAME.match(ctx.body):
        return None  # "waiting on their board to meet": the want reader's (`_awaited_step`)
    obj = frame.group("obj").lower().split()
    clear = obj[0] in ("them", "us", "me", "their", "our", "the") or _side_of(obj) == "us"
    clear = clear or obj[-1] in vocab.OUR_BARE_TEAMS  # "get Jess from marketing to ..."
    if not clear and not frame.group("verb").lower().startswith(("ask", "told", "need", "want")):
        return None  # "I have to get legal to approve": legal's side is unknown, read on
    then_at = next((k for k, t in enumerate(ctx.tokens) if t.start >= frame.start("then")), None)
    if then_at is None:
        return None
    owner = None if obj[0] in _PRONOUNS else _name_in(frame.group("obj"))
    side = _side_of(obj)
    before = [t.word for t in _tokens(ctx.body[: frame.start()])]
    asking = frame.group("verb").lower().split()[0] in (
        "ask", "remind", "push", "get", "loop", "looping", "bring", "pull"
    )
    if asking and (not before or set(before) & {"i", "we"}):
        # asking them is what we do; asking a named colleague of ours ("ask Neha from our
        # finance team to raise the credit note") hands the step to them, so they own it
        ours = (side == "us" or obj[-1] in vocab.OUR_BARE_TEAMS) and len(obj) > 1
        ours = ours or obj[0].startswith("@")  # "get @lena to approve the discount"
        ours = ours and owner is not None
        return ctx.step(then_at, "us", owner if ours else None, 0.8)
    return ctx.step(then_at, side, owner)


_FIRST_SUBJECT: Final = re.compile(
    # "'s" only as "is" ("Sunita's reviewing"), not the possessive of "The customer's Finance
    # Business Partner, Tomás Herrera, is to confirm"; nor after a time word: "After last week's steering committee,
    # Helen Marsh ... will present" has no "week is steering"
    r"^(?P<subj>[^;]{1,80}?)(?:(?<!week)(?<!day)(?<!month)(?<!year)(?<!quarter)(?<!night)(?<!tomorrow)"
    r"'s(?=\s+(?:\w+ing|going|got|been|to)\b)|,?\s+(?:is|are|am|has|have|was|were))\b",
    re.IGNORECASE,
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
        s_start, s_end = _subject_skipping_adverbs(
            ctx.tokens, i - 1 if i > 0 and words[i - 1] in _BE else i
        )
        comma = i > 0 and ctx.body[: ctx.tokens[i].start].rstrip().endswith(",")
        joined = i > 0 and (words[i - 1] == "and" or comma)
        first = _FIRST_SUBJECT.match(ctx.body) if joined else None
        if first is not None:  # "Sunita Rao is reviewing the doc and will respond by the 3rd",
            # "their legal are reviewing the DPA, should be back by 12/3"
            s_start, s_end = 0, sum(1 for t in ctx.tokens if t.end <= first.end("subj"))
        while s_end > s_start and words[s_end - 1] in _BE | {"will", "has", "have"}:
            s_end -= 1
        subj = words[s_start:s_end]
        verb_at = _main_verb(ctx.tokens, step)
        be_at = step + 1 if words[step : step + 1] and words[step] in _PRE_VERB_ADVERBS else step
        passive = be_at < len(words) - 1 and words[be_at] == "be"  # "must first be obtained"
        if passive:
            verb_at = be_at + 1
        side = _side_of(subj) if subj else "us"
        owner = _owner_of(ctx.body, ctx.tokens, s_start, s_end)
        sure = _sureness(subj, owner) if subj else 1.0
        if subj and words[s_start] == "both":
            side, sure = None, 0.9
        if subj and subj[-1] in ("nobody", "noone", "one"):
            return _Clause("vague", text=ctx.text)  # "nobody over there will commit"
        at = ctx.tokens[verb_at].start if verb_at is not None else 0
        agent = _AGENT.search(ctx.body, at) or (_GIVER.search(ctx.body, at) if passive else None)
        if agent is not None and (passive or not subj or sure < 1.0):
            # "... run by our engineer Kofi Mensah", "will be tabled by their COO"
            side, owner, sure = (
                _side_of(agent["agent"].lower().split()),
                _name_in(agent["agent"]),
                0.9,
            )
            title = _APPOSITIVE_SIDE.match(ctx.body, agent.end())
            if title is not None:  # "by Catherine Doyle, our Regional Vice President"
                side = "us" if title[1].lower() in ("our", "my") else "customer"
            named = _appositive(ctx.body, agent.end()) if owner is None else None
            if named is not None:  # "signed by their CFO, Amelia Hart, by 5 December"
                owner = _name_in(named)
        elif (
            passive
            and verb_at is not None
            and subj
            and subj[-1] not in _US_WORDS | _CUSTOMER_WORDS
            and not (
                set(subj) & {"their", "our", "my"} and _is_doer(subj)
            )  # "their legal ... be back"
        ):
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
        if owner is None and subj and (passive or _is_artefact(subj)):
            giver = _FROM_NAMED.search(ctx.body)  # "redlines will come back from their
            owner = _name_in(giver["who"]) if giver else None  # counsel, Ines Duarte, by ..."
        return ctx.step(verb_at, side, owner, sure)
    return None


_APPOSITIVE_SIDE: Final = re.compile(r",\s*(our|my|their)\b", re.IGNORECASE)


# The name after a title, set off by commas: "by their CFO, Amelia Hart, by 5 December".
_APPOSITIVE_NAME: Final = re.compile(
    r",\s*(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})\s*(?:,|$|\s+(?:by|on|before)\b)"
)


# In all-lower-case chat: "the contract gets signed by their ceo, jon, on friday".
_APPOSITIVE_LOWER: Final = re.compile(r",\s*(?P<name>[a-z][\w'-]+)\s*(?:,|$)")


def _appositive(body: str, at: int) -> str | None:
    """The name set off by commas right after a title ending at `at`, if any."""
    m = _APPOSITIVE_NAME.match(body, at)
    if m is None and not _CAPITALS.search(body, 1):
        m = _APPOSITIVE_LOWER.match(body, at)
    return m["name"] if m else None


_CAPITALS: Final = re.compile(r"[A-Z]")


_AGENT: Final = re.compile(
    r"\b(?:by|run\s+by|led\s+by)\s+(?P<agent>(?!(?i:(?:the\s+)?(?:end|close|start|middle|latest|eod|cob|eow|eom|"
    r"tomorrow|tmrw|today|tonight|next|this|then|mid|early|late|monday|tuesday|wednesday|thursday|friday|"
    r"mon|tue|tues|wed|weds|thu|thur|thurs|fri|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"january|february|march|april|june|july|august|september|october|november|december|q[1-4]|\d)))"
    r"(?:their|our|my|the|client|customer|us\b|me\b|them\b|[A-Z])[^,;.]{0,40}?)(?=\s+(?:by|on|before|at|in|for|to|within|"
    r"no\s+later)\b|[,;.]|$)",
)


# Who gives what is obtained: "approval must first be obtained from our Regional Vice
# President, Mr. Gregory Hale, before ...": the giver does the step.
_GIVER: Final = re.compile(
    r"(?<=\s)(?:obtained|secured|sought|received|granted)\s+from\s+"
    r"(?P<agent>(?:their|our|my|the|client|customer|(?-i:[A-Z]))[^,;.]{0,40}?)"
    r"(?=\s+(?:by|on|before|at|in|for|to|within|no\s+later)\b|[,;.]|$)",
    re.IGNORECASE,
)


_OBJECTS: Final = _words("it them us him her up over out back")


def _third_person_stem(word: str) -> str | None:
    """ "takes" -> "take", "sends" -> "send", "pushes" -> "push": a step verb said of someone."""
    if len(word) < 4 or not word.endswith("s") or word.endswith("ss"):
        return None
    for stem in (word[:-1], word[:-2], word[:-3] + "y"):
        if stem in _IMPERATIVES or stem in _STEP_VERBS:
            return stem
    return None


def _read_imperative(ctx: _Context) -> _Clause | None:
    """ "Book our CEO for a call...", "Follow up.", "Let's...", but not "Demo was solid"."""
    words = ctx.words
    first = words[0]
    if first not in _IMPERATIVES and len(words) > 1 and words[1] in ("them", "us", "the", "our"):
        first = _typo_of(first, _IMPERATIVES) or first  # phone typing: "sned them the pricing"
    if ctx.sequel and len(words) > 1 and words[1] in _DETERMINERS_AFTER | _OBJECTS:
        # "... by fri and takes it to the COO": the doer of the step before, in the third person
        stem = _third_person_stem(first)
        if stem is not None:
            return ctx.step(0, "us", None, 0.8, subjectless=True)
    if first == "let" and len(words) > 2:
        # "let them digest it" is their step; "let's schedule the demo" is ours
        theirs = words[1] in ("them", "him", "her")
        verb_at = _main_verb(ctx.tokens, 2 if theirs or words[1] in ("us", "me") else 1)
        return ctx.step(verb_at, "customer" if theirs else "us", None)
    if first in _WANTS and _FROM_THEM.search(ctx.body):
        return ctx.step(1, "customer", None)  # "Need the PO from them before the 20th"
    if first not in _IMPERATIVES or (first in _CONCRETE_NOUNS and ctx.past):
        return None  # "demo w/ their team went well" names a demo, it does not ask for one
    if len(words) > 1 and (words[1] in _AUXILIARIES or _is_past_verb(ctx.tokens, 1)):
        return None
    if len(words) > 2 and words[2] in _BE and words[1] in _CONCRETE_NOUNS:
        return None  # "order form is in the doc": a noun compound and its state, no request
    if (
        words[1:2]
        and words[1] not in _DETERMINERS_AFTER | _PRONOUNS
        and any(ctx.past_verb_at(k) for k in range(2, min(4, len(words))))
    ):
        return None  # "recap call went fine": a noun compound and its past, no request
    if (ctx.hedged or (len(words) == 1 and not ctx.sequel)) and not ctx.has_date:
        return _Clause("vague", text=ctx.text)  # "Maybe loop in my manager", "Call."
    theirs = _FROM_THEM.search(ctx.body) or first in _CUSTOMER_VERBS
    return ctx.step(0, "customer" if theirs else "us", None, 0.8, subjectless=not theirs)


def _read_present(ctx: _Context) -> _Clause | None:
    """Present tense with a future date: "The committee decides on Jan 15", "Dana is booking ... for Monday".

    After "then"/"and" in a multi-step answer no date is needed: "..., then legal signs the DPA".
    """
    due, words = ctx.due, ctx.words
    if ctx.past:
        return None
    if due is None and not ctx.sequel and not _undated_step(words) and not _named_doer(ctx):
        return None
    if (
        due is not None
        and due[0] == ctx.today
        and due[1].lower() == "today"
        and not (ctx.sequel or set(words[:2]) & {"we", "i"} or words[0].startswith("@"))
    ):
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
            sequel_verb = _sequel_verb_at(words) if ctx.sequel else None
            if sequel_verb is None:
                return None
            # "..., then their procurement starts vendor onboarding": after "then" any verb in
            # the present tense after a short subject is the next step, not only a step verb
            s_end = verb_at = sequel_verb
            return _forward_present(ctx, words, s_end, verb_at, due)
        # a short noun phrase up to the first verb-looking word ("decides", "meets")
        s_end = 1
        while s_end < min(len(words), 4) and not words[s_end].endswith("s"):
            if words[s_end] in _IMPERATIVES or words[s_end] in _SUBJECT_ENDS:
                break  # "PO by end of Q1": the date is no part of the subject (nor its owner)
            s_end += 1
        verb_at = s_end
    return _forward_present(ctx, words, s_end, verb_at, due)


_SUBJECT_ENDS: Final = _words("by before until till on in at for from to of no")


def _named_doer(ctx: _Context) -> bool:
    """ "Raj sends the PO", "Priya signs the order form": a named person, then a step verb in
    the present with an object, is their next step even without a date (`_undated_step`
    takes roles and pronouns as doers, never a name)."""
    words = ctx.words
    if len(words) < 3 or set(words) & _DONE_OR_HABIT or words[2] in _NOT_UNDATED:
        return False
    verb = words[1]
    if not (verb.endswith("s") and not verb.endswith("ss") and _verb_form(verb)):
        return False
    if verb in _PARTICLES or words[0] in vocab.ROLE_WORDS:
        return False
    return _name_in(ctx.body[ctx.tokens[0].start : ctx.tokens[0].end]) is not None


def _undated_step(words: list[str]) -> bool:
    """ "their CISO reviews the security pack", "they kick off after the holidays": an answer
    to "what happens next?" in the present tense names the next step even without a date.

    Only a step verb after a doer, with something after it (an object or a time), counts:
    "they use Salesforce" or "legal is slow" stay descriptions.
    """
    if len(words) < 3 or not _is_doer(words[:1] + words[1:3]) or set(words) & _DONE_OR_HABIT:
        return False  # "they cut the PO last week" is done; "their board meets quarterly" a habit
    if words[0] in ("they", "we", "i", "he", "she"):
        at = 1
        verb = words[1]
        stepped = verb in _STEP_VERBS or (
            words[0] in ("he", "she") and verb.endswith("s") and verb[:-1] in _STEP_VERBS
        )
    else:
        found = _present_verb_at(words)
        if found is None or found < 1:
            return False
        at, stepped = found, True
    return stepped and at + 1 < len(words) and words[at] not in _NOT_UNDATED


_NOT_UNDATED: Final = _words(
    "need needs want wants like likes love loves use uses have has know knows"
)


_DONE_OR_HABIT: Final = _words(
    "last yesterday ago earlier already previously just only usually always never every"
    " quarterly monthly weekly annually yearly daily often sometimes"
)


def _sequel_verb_at(words: list[str]) -> int | None:
    """A present-tense verb ("starts", "goes", "reissues") after a subject of 1-3 words."""
    if set(words) & _DONE_OR_HABIT:
        return None  # "..., but their board only meets quarterly": a habit, not a step
    for k in range(1, min(len(words), 4)):
        word = words[k]
        if (
            len(word) > 3
            and word.endswith("s")
            and not word.endswith(("ss", "us", "is"))
            and words[k - 1] not in _DETERMINERS_AFTER
            and word not in vocab.THEIR_DELIVERABLES | vocab.OUR_DELIVERABLES
        ):
            return k
    return None


_DETERMINERS_AFTER: Final = _words("the a an our their my his her its your this that these those")


def _forward_present(
    ctx: _Context, words: list[str], s_end: int, verb_at: int, due: tuple[datetime.date, str] | None
) -> _Clause | None:
    vague_verb = verb_at < len(words) and words[verb_at] in _VAGUE_VERBS
    if (
        vague_verb and not _is_concrete(ctx.tokens, verb_at, ctx.body, ctx.has_date)
    ) or _WAITING.search(ctx.body):
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


# ------------------------------------------------------------------ frames added for chat
_STATE_PERIOD: Final = re.compile(
    r"\bin\s+(?:effect|place|force)\b.*\b(?:until|till|through|thru|to)\b|"  # "a change freeze is in effect from .. through .."
    r"\b(?:valid|good|open|on\s+pto|on\s+leave|off|out|frozen|locked)\s+(?:\w+\s+){0,2}?"
    r"(?:until|till|til|through|thru)\b|\b(?:is|are)\s+(?:only\s+)?(?:valid|good)\b",
    re.IGNORECASE,
)


_UNTIL_DATE: Final = re.compile(r"\b(?:until|till|til|through|thru)\s*$", re.IGNORECASE)


_AFTER_CHANGE: Final = _words(
    "in on at by from after before next this early mid late end around as with tomorrow today"
    " monday tuesday wednesday thursday friday jan feb mar apr may jun jul aug sep sept oct nov dec"
    " january february march april june july august september october november december"
)


def _date_follows(ctx: _Context, k: int) -> bool:
    """The date phrase starts right after word k ("starts 1/15")."""
    if ctx.due is None:
        return False
    return 0 <= ctx.body.lower().find(ctx.due[1].lower()) <= ctx.tokens[k].end + 2


# The words of a deadline: something is due by then. A state's date is said with a verb
# ("the trial runs until Dec 15", "renewal's up 1/31"), never with "by" alone.
_DEADLINE: Final = re.compile(r"^(?:by|before|no\s+later\s+than|latest\s+by)\b", re.IGNORECASE)


def _verbless_deadline(ctx: _Context) -> bool:
    """ "budget by end of Q2", "renewal paperwork by the 15th": a thing due by a date, no verb."""
    if ctx.due is None or not _DEADLINE.match(ctx.due[1]):
        return False
    head = ctx.body[: ctx.body.lower().find(ctx.due[1].lower())]
    head_words = [t.word for t in _tokens(head)]
    return bool(head_words) and not any(
        w in _BE or w in vocab.STATE_VERBS or w in _AUX_OR_MODAL or w.endswith("ed")
        for w in head_words
    )


#: First words of a verb's object: "runs the pen test", "finishes our DPIA" (not "ends the 31st").
_OBJECT_LEADS: Final = _words("the a an our their my his her its these those some")


def _read_state(ctx: _Context) -> _Clause | None:
    """ "The trial runs until Dec 15", "our quote expires 12/31": a state with a date is context."""
    words = ctx.words
    if words[0] in _IMPERATIVES and words[0] not in _CONCRETE_NOUNS:
        return None  # "schedule the IQ/OQ runs for January" asks for something
    if _verbless_deadline(ctx):
        return None  # "budget by end of Q2": due by then, not a state that lasts till then
    modal = _modal_before(words, len(words))
    standing = not _STANDING_WORDS.isdisjoint(words) and vocab.STANDING_TERMS.search(ctx.body)
    if not modal and (standing or set(words[:5]) & vocab.RULE_SUBJECTS):
        return _Clause("history", text=ctx.text)  # "they need 60 days notice", "policy requires"
    if ctx.due is not None and not modal and _passed_month(ctx):
        return _Clause("history", text=ctx.text)  # "The budget is approved ... in October"
    if (
        ctx.due is not None
        and not modal
        and set(words[:3]) & vocab.STATE_SUBJECTS
        and not _is_doer(words)
        and not vocab.HANDOVER_MOTIONS.search(ctx.body)
        and not any(
            w in _STEP_VERBS
            or w in _CONCRETE_NOUNS - vocab.STATE_SUBJECTS
            or (w.endswith("s") and w[:-1] in _STEP_VERBS)
            for w in words
        )
        and not set(words)
        & (
            vocab.THEIR_DELIVERABLES
            | vocab.OUR_DELIVERABLES
            | vocab.JOINT_EVENTS
            | vocab.OUR_EVENTS
        )
    ):
        return _Clause("history", text=ctx.text, state_date=ctx.due)  # "renewal's up 1/31"
    if (
        ctx.due is not None
        and set(words) & vocab.ONGOING_VERBS
        and _UNTIL_WORD.search(ctx.body)
        and not modal
    ):
        return _Clause("history", text=ctx.text, state_date=ctx.due)  # "trialing it till dec 15"
    for k, word in enumerate(words):
        takes_object = words[k + 1 : k + 2] and (
            words[k + 1] in _DETERMINERS
            # "their procurement starts vendor onboarding": a bare noun object, not "starts in Jan"
            or (words[k + 1] not in _AFTER_CHANGE and not _date_follows(ctx, k))
        )
        if k and word in vocab.PERSON_CHANGES and not takes_object and not _modal_before(words, k):
            return _Clause("history", text=ctx.text, state_date=ctx.due)  # "new lead starts in Jan"
        base_state = word in vocab.STATE_VERBS_BASE and set(words[:k]) & vocab.STATE_SUBJECTS
        if (
            (word not in vocab.STATE_VERBS and not base_state)
            or k == 0
            or (words[k - 1] in ("to", "will") and words[k - 2 : k - 1] not in (["due"], ["set"]))
        ):
            continue  # "is due to expire on March 31" is a state; "we need to renew" is not
        if words[k + 1 : k + 2] and words[k + 1] in _OBJECT_LEADS and not _date_follows(ctx, k):
            continue  # "Lucas runs the pen test by dec 9": with an object it is someone's step
        period = base_state and ctx.due is not None and _UNTIL_WORD.search(ctx.body)
        if _is_doer(words[max(0, k - 2) : k]) or (_modal_before(words, k) and not period):
            continue  # "their privacy team finishes the DPIA" is a step; "the trial will run until"
        return _Clause("history", text=ctx.text, state_date=ctx.due)
    if _absent_until(ctx.body):
        return _Clause("history", text=ctx.text, state_date=ctx.due)  # "he'll be away until Jan"
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
    if period and _until_is_deadline(words):
        return None  # "Jiří prepares the SLA proposal until end of this week": a deadline
    if period and not period.group().lower().startswith(("out", "end")):
        after = ctx.body[period.end() :].lower()
        due_text = ctx.due[1].lower() if ctx.due else ""
        right_after = due_text in after[: len(due_text) + 6]
        if not due_text or not (due_text.startswith(period.group().lower()) or right_after):
            period = None  # "walking his CFO through it", "go through the numbers": no period
    if period and (not _is_doer(words[:3]) or set(words[:4]) & {"has", "have", "having"}):
        return _Clause(
            "history", text=ctx.text, state_date=ctx.due
        )  # "freeze is dec 14 thru jan 4"
    return None


# One of these words is in every standing term (a cheap test before the phrase search).
_STANDING_WORDS: Final = _words("notice each every once monthly weekly fortnightly")


_MONTH_ONLY: Final = re.compile(
    r"^(?:in|during)\s+(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december)$",
    re.IGNORECASE,
)


def _passed_month(ctx: _Context) -> bool:
    """ "approved by the direction in October" said in November: a month just gone, told in
    the present (second-language English), is history, not a step eleven months ahead."""
    due = ctx.due
    return (
        due is not None
        and bool(_MONTH_ONLY.match(due[1]))
        and 0 < (ctx.today.month - due[0].month) % 12 <= 3  # October said in November
        and "next" not in ctx.words
    )


def _absent_until(body: str) -> bool:
    """ "Their FD is away until Monday week", "seconded to a programme until February", "I'm
    out next week" (someone away for a period, right after being)."""
    until = _UNTIL_WORD.search(body)
    if until is not None and vocab.ABSENCES.search(body, 0, until.start()) is not None:
        return True
    return _AWAY_FOR.match(body) is not None


_AWAY_FOR: Final = re.compile(
    r"^\W*(?:i'm|i\s+am|we're|we\s+are|he's|he\s+is|she's|she\s+is|they're|they\s+are|\w+\s+is)\s+"
    r"(?:out|off|away|ooo|on\s+(?:leave|pto|holiday|vacation|annual\s+leave))\s+"
    r"(?:next|this|all|for|from|the\s+(?:rest|whole))\b",
    re.IGNORECASE,
)


_UNTIL_WORD: Final = re.compile(r"\b(?:until|till|til)\b", re.IGNORECASE)


def _until_is_deadline(words: list[str]) -> bool:
    """ "prepares X until Friday", "until Friday they confirm": second-language English for "by".

    A one-off action in the present tense (a step verb, not a state verb) before or right
    after "until <date>" makes the date a deadline; "is frozen until", "runs until" stay states.
    """
    at = next((k for k, w in enumerate(words) if w in ("until", "till", "til")), None)
    if at is None:
        return False
    for k, word in enumerate(words):
        if k == at or word in vocab.STATE_VERBS or word in _BE:
            continue
        if word.endswith("s") and (word[:-1] in _STEP_VERBS or word[:-2] in _STEP_VERBS):
            return True
        if k and words[k - 1] in ("i", "we", "they") and word in _STEP_VERBS:
            return True
    return False


_PERIOD: Final = re.compile(
    r"\b(?:until|till|til|through|thru)\b|\bout\s+of\s+support\b|\bend\s+of\s+life\b", re.I
)


_REPORTED_STEP: Final = re.compile(
    r"^\s*(?:(?:[\w-]+\s+){0,4}?that\s+|on\s+the\s+call\s+)?(?P<pro>he|she|they|it|we|i)\s*"
    r"(?:'d|'ll|would|will|is\s+going\s+to|was\s+going\s+to|(?:is|are|was)\s+gonna|gonna|should|can|could)\s+"
    r"(?P<rest>.+)$",
    re.IGNORECASE,
)


# An agreement reported without a speaker: "it was agreed that we would deliver a deep-dive
# next Thursday", "it has been decided that their CFO would sign". The clause after "that" is
# the step; "would" there is the future seen from the meeting, read as "will".
_AGREED_THAT: Final = re.compile(
    # "On the call it was agreed that ...": a short lead may say where
    r"^\s*(?:(?:on|during|at|in)\s+(?:the|our|this|today's|yesterday's)\s+[\w-]+(?:\s+[\w-]+)?\s*,?\s+)?"
    r"it\s+(?:was|has\s+been|had\s+been|is)\s+(?:agreed|decided|confirmed|settled)(?!\s+by\b)"
    r"(?:\s+\w+){0,3}?\s+that\s+(?P<rest>\w.*)$",
    re.IGNORECASE,
)
_WOULD: Final = re.compile(r"\bwould\b(?!\s+(?:like|prefer|hope|rather|appreciate)\b)", re.I)


def _read_agreed(ctx: _Context) -> _Clause | None:
    """ "It was agreed that we would deliver the deep-dive next Thursday": the step agreed on."""
    m = _AGREED_THAT.match(ctx.body)
    if m is None:
        return None
    inner = read_clause(_WOULD.sub("will", m["rest"], count=1), ctx.today, ctx.conv)
    return replace(inner, text=ctx.text) if inner.kind == "forward" else None


def _read_reported(ctx: _Context) -> _Clause | None:
    """ "Raj said he'd sign by the 4th", "their legal said they'd turn it round in 3 days"."""
    impersonal = _REPORTED_BY.match(ctx.body)
    if impersonal is not None:  # "It has been confirmed by Mr Omar Siddiqui ... that ...": he said it
        speaker, rest, verb = impersonal["who"], ctx.body[impersonal.end() :], impersonal["verb"]
    else:
        said = vocab.REPORTING_VERBS.search(ctx.body)
        if said is None or said.start() == 0:
            return None
        speaker = ctx.body[: said.start()].strip(" ,")
        rest, verb = ctx.body[said.end() :], said.group()
    speaker_words = [t.word for t in _tokens(speaker)]
    if not speaker_words or speaker_words[-1] in ("i", "we"):
        return None
    step = _REPORTED_STEP.match(rest)
    if step is not None:
        inner = read_clause(f"{speaker} will {step['rest']}", ctx.today, ctx.conv)
        if inner.kind != "forward":
            return inner
        pronoun = step["pro"].lower()
        side = _side_of(speaker_words) if pronoun in ("he", "she", "they", "it") else "us"
        # "lena mentioned they'd approve budget": a named speaker who says what their side
        # will do is the one to hold to it ("their legal said they'd" names no one)
        owner = _name_in(speaker) if pronoun in ("he", "she", "they") else None
        return _Clause("forward", side, owner, ctx.text, inner.due, 0.9)
    passive = _THAT_PASSIVE.match(rest)
    speaker_name = _name_in(speaker)
    if passive is not None:
        # "Priya Nair, their VP Procurement, has advised that the purchase order will be
        # raised by 18 December": nobody else is named, so the one who says it will be done
        # owns it (the side is the speaker's). "..., who confirmed that the PO would be
        # raised by Friday": the reported future, read as "will"
        inner = read_clause(
            re.sub(r"\bwould\b", "will", passive["rest"], count=1), ctx.today, ctx.conv
        )
        if inner.kind == "forward" and speaker_name is not None:
            side = _side_of(speaker_words) or inner.side
            return _Clause("forward", side, speaker_name, ctx.text, inner.due, 0.9)
        if inner.kind == "forward" and inner.due is not None:
            return replace(inner, text=ctx.text)
    if impersonal is not None:
        # "It has been agreed by Ms Nadia Rahman that their legal will return the redlines":
        # the clause after "that" says who does what
        inner = read_clause(_WOULD.sub("will", rest.lstrip()[4:], count=1), ctx.today, ctx.conv)
        return replace(inner, text=ctx.text) if inner.kind == "forward" else None
    if verb.lower() in ("promised", "committed") and ctx.due is not None:
        # "Their counsel has our redlines and promised a response": the speaker is the subject
        head = next(
            (k for k, w in enumerate(speaker_words) if w in _AUX_OR_MODAL), len(speaker_words)
        )
        inner_subject = _THAT_SUBJECT.match(rest)  # "promised that Mr Rodrigo Alves will share"
        owner = (_name_in(inner_subject["subj"]) if inner_subject else None) or _name_in(speaker)
        return ctx.forward(_side_of(speaker_words[:head] or speaker_words), owner, 0.9)
    return None


# A report in the passive names its speaker after "by": "It has been confirmed by Mr. Omar
# Siddiqui of their finance function that ...", "it was indicated by their CFO that ...".
# (A title in apposition may follow: "it was communicated by their CFO, Mr. Paul Grant, that".)
_REPORTED_BY: Final = re.compile(
    r"^\s*it\s+(?:has\s+been|had\s+been|was|is|'s\s+been)\s+(?P<verb>[a-z]+ed)\s+by\s+"
    r"(?P<who>[^,;]{2,80}?(?:,\s*[^,;]{2,50}?)?),?\s+(?=that\b)",
    re.IGNORECASE,
)


# A reported step in the passive with no agent: "that the purchase order will be raised by
# 18 December" (an agent, "... raised by their finance team", names the owner instead).
_THAT_PASSIVE: Final = re.compile(
    r"^\s*that\s+(?P<rest>(?:(?:the|a|an|its|their|our)\s+|(?!(?:he|she|they|we|i|it|you|this|there)\b))[^,;]{1,60}?\s+(?:will|would|shall|is\s+to|are\s+to)"
    r"\s+be\s+\w+(?:ed|en|t|de)\b(?!\s+by\s+(?!\d|the\s+end|end|close|next|mid|early|late|this|"
    r"monday|tuesday|wednesday|thursday|friday|january|february|march|april|may|june|july|"
    r"august|september|october|november|december)).*)$",
    re.IGNORECASE,
)


_THAT_SUBJECT: Final = re.compile(
    r"^\s*that\s+(?P<subj>[^,;]{1,40}?)\s+(?:will|would|shall|is\s+going\s+to)\s", re.IGNORECASE
)


_WANT: Final = re.compile(
    r"^(?P<subj>[^,;]{0,80}?)\s*\b(?P<verb>wants?|needs?|requested|has\s+requested|have\s+requested|"
    r"asked\s+(?:us\s+|me\s+)?for|(?:is|are)\s+asking\s+(?:us\s+|me\s+)?for|expects?|(?:is|are)\s+expecting|"
    r"requires?|(?:(?:is|are|am)\s+)?awaiting|(?:(?:is|are|am)\s+)?waiting\s+(?:on|for|from))\s+"
    r"(?P<obj>(?!to\s+(?!see\b|hear\b))(?!that\b).+)$",
    re.IGNORECASE,
)


# "Anita in our finance team will submit the forms by Monday, as requested by their VP": an
# aside says why; the clause before it says who does what.
_AS_ASKED: Final = re.compile(
    r",?\s*\bas\s+(?:requested|asked|agreed|discussed|promised)\b.*$", re.IGNORECASE
)


# A request in the subjunctive passive: "the client has requested that the test environment be
# made available by Monday", "they asked that the revised SOW be sent before the call". The
# thing asked for is ours to do ("that their IT be involved" is no such request).
_ASKED_TO_BE_DONE: Final = re.compile(
    r"\b(?:requested|asked|required|requires|request|asks|insisted|stipulated)\s+that\s+"
    r"(?:the|a|an|our|this|these|all)\s+(?:[\w-]+\s+){0,6}?be\s+(?!by\b)\w+(?:ed|en|t|de)\b",
    re.IGNORECASE,
)


def _read_request(ctx: _Context) -> _Clause | None:
    """ "A W-9 has been requested from us by Friday", "it has been requested that we provide ..."."""
    body = _AS_ASKED.sub("", ctx.body)
    if not (vocab.REQUESTS_OF_US.search(body) or _ASKED_TO_BE_DONE.search(body)):
        return None
    return ctx.forward("us", None, 0.9) if ctx.due is not None else _Clause("vague", text=ctx.text)


def _read_want(ctx: _Context) -> _Clause | None:
    """ "They want our W-9 by Friday" (ours), "we need the signed order form back" (theirs)."""
    m = _WANT.match(ctx.body)
    if m is None:
        return None
    subj_tokens = _tokens(m["subj"])
    if any(_is_past_verb(subj_tokens, k) for k in range(len(subj_tokens))):
        return None  # "their CEO joined ... and said she wants this done"
    subj = [t.word for t in subj_tokens if t.word not in _MODAL_ADVERBS]
    if subj and subj[-1] in ("have", "has") and len(subj) > 1:
        subj = subj[:-1]  # "they've asked for the ROI calc"
    if subj and subj[-1] in _BE and len(subj) > 1 and "wait" in m["verb"].lower():
        subj = subj[:-1]  # "we're waiting for ..."
    if subj and subj[-1] in _AUX_OR_MODAL:
        return None
    past = m["verb"].lower().startswith(("requested", "has", "have", "asked"))
    if past and ctx.due is None:
        return None  # "they asked about SOC 2" is history; a request with a date is a step
    obj = m["obj"]
    obj_words = [t.word for t in _tokens(obj)]
    waiting = "wait" in m["verb"].lower()
    if waiting:
        awaited = _awaited_step(ctx, obj)
        if awaited is not None:
            return awaited
        given = _wanted_owner("", [], obj) if ctx.due is not None else None
        if given is not None:
            # "awaiting Mr Chen's confirmation of the licence count by Monday", "waiting for
            # confirmation from Anand on the license count by monday": the named giver's step
            ours = _MENTIONED.search(obj) or _FROM_OURS.search(obj)
            return ctx.forward("us" if ours else "customer", given, 0.85)
    stale = ctx.due is None and "since" in obj_words  # waiting since, no date ahead
    if waiting and (stale or not set(obj_words) & _CONCRETE_NOUNS):
        return _Clause("vague", text=ctx.text)  # "just waiting on them really", "since two weeks"
    if {"things", "stuff", "bits"} & set(obj_words[:3]):
        return None  # "two things we need from them:" introduces the steps
    if set(obj_words[:6]) & _VAGUE_OBJECTS and not set(obj_words) & _CONCRETE_NOUNS:
        return _Clause("vague", text=ctx.text)
    side = _direction(obj)
    if side is None and obj_words and obj_words[0] in ("their", "his", "her"):
        side = "customer"
    if side is None and obj_words and obj_words[0] in ("our", "my"):
        side = "us"
    if side is None and _MENTIONED.search(obj):
        side = "us"  # "need @omar to approve", "sign-off from @karim": a Slack mention is ours
    if side is None:
        wanter = _side_of(subj) if subj else "us"
        side = "customer" if wanter == "us" else "us" if wanter == "customer" else None
    owner = _wanted_owner(m["subj"], subj, obj)
    if (
        side == "us"
        and owner is not None
        and subj
        and _side_of(subj) == "customer"
        and owner == _name_in(m["subj"])
    ):
        owner = None  # "Raj wants the SOW by Friday": ours to send; Raj, theirs, owns nothing
    return ctx.forward(side, owner, 0.85)


# Waiting on someone to do something: "waiting on Fiona in their procurement to issue the
# call-off", "awaiting for Kavita from their finance to do the approval".
_WAITED_ON: Final = re.compile(r"^(?:for\s+)?(?P<who>[^,;]{1,80}?)\s+to\s+(?P<rest>(?!be\b)\w.*)$", re.I)


# After the verb, words that say it has no object of its own.
_NO_OBJECT: Final = _words("from on about with in at for to back over into")


def _awaited_step(ctx: _Context, obj: str) -> _Clause | None:
    """The step of the one waited on, when they are named (a person, or their team) and what
    they are to do is a step: "waiting on their reorg to settle" or "on them to get back to
    us" stay vague."""
    m = _WAITED_ON.match(obj)
    if m is None:
        return None
    who = [t.word for t in _tokens(m["who"])]
    if not who or who[0] in _PRONOUNS:
        return None
    if who[0] in _DETERMINERS_AFTER:
        if not _is_doer(who):
            return None  # "their restructure": no one who acts ("our legal guy Kofi" does)
    elif _name_in(m["who"]) is None:
        return None
    rest = [t.word for t in _tokens(m["rest"])]
    if rest[1:2] == ["from"] or (ctx.due is None and (len(rest) < 2 or rest[1] in _NO_OBJECT)):
        return None  # "to return from leave", "to sign", "to decide on the vendor": no step yet
    inner = read_clause(f"{m['who']} will {m['rest']}", ctx.today, ctx.conv)
    if inner.kind != "forward":
        return None
    owner = inner.owner or _name_in(m["who"])
    return _Clause("forward", inner.side or "customer", owner, ctx.text, ctx.due, inner.side_confidence)


_MENTIONED: Final = re.compile(r"^@|\bfrom\s+@")
_FROM_OURS: Final = re.compile(r"\bfrom\s+(?:our|my)\b", re.IGNORECASE)


# Who a want names as doing it, when the one who wants is no person: "need nkechi's
# signature", "needs greta (CFO) to approve", "approval from our regional head Vikram".
_OWNER_IN_WANT: Final = re.compile(
    r"^(?:the\s+)?(?:(?:mr|mrs|ms|dr|prof|herr|frau|sr|sra|khun|pak)\.?\s+)?"
    r"(?P<possessor>[^\W\d_][\w-]*(?:\s+(?-i:[A-Z])[\w-]*)?)'s\s+(?:\w+\s+)?"
    r"(?:signature|sign-?off|signoff|approval|go-ahead|ok|okay|yes|nod|john\s+hancock|decision|"
    r"confirmation|answer|response|feedback)\b"
    r"|^(?P<doer>@?[^\W\d_][\w-]*)\s*(?:\([^)]*\)\s*)?to\s+\w"
    r"|\bfrom\s+(?:(?:our|their|his|her|the)\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?P<giver>(?-i:[A-Z][a-z\u00df-\u00ff][^\W\d_]*)(?:\s+(?-i:[A-Z][a-z\u00df-\u00ff][^\W\d_]*))?)\b"
    r"|\bfrom\s+(?P<mention>@[\w.-]+)"
    # "the sign-off of their CFO, Ms. Amara Obi, by ...": a title, then the name
    r"|\b(?:from|of)\s+(?P<titled>(?:our|their|my|the)\s+[^,;]{1,40}?,\s*(?-i:[A-Z])[\w'-]+"
    r"(?:\s+(?-i:[A-Z])[\w'-]+){0,2})\s*(?:,|$)",
    re.IGNORECASE,
)


def _wanted_owner(said: str, subj: list[str], obj: str) -> str | None:
    """The named person of a want: the one who wants it ("priyanka needs sign-off from her
    GM": she chases it), else the one whose signature or approval it is."""
    thing = subj[0] in _THE and not _is_doer(subj) if subj else False  # "The discount requires"
    if subj and not set(subj) & _PRONOUNS and not thing:
        name = _name_in(said)
        if name is not None:
            return name
    titled = _TITLED_DOER.match(obj)
    if titled is not None:  # "need our RVP, Gregory Hale, to approve", "my VP (Sandra) to"
        return _name_in(titled["who"])
    m = _OWNER_IN_WANT.search(obj)
    if m is None:
        return None
    return _name_in(
        m["possessor"] or m["doer"] or m["giver"] or m["mention"] or m["titled"] or ""
    )


_THE: Final = _words("the a an this that these those")


# The one a want names by title, then by name: "our RVP, Gregory Hale, to approve the
# discount", "my VP (Sandra) to approve", "their CFO Martina to sign".
_TITLED_DOER: Final = re.compile(
    r"^(?P<who>(?:our|their|my|his|her)\s+[^;]{1,60}?)\s*,?\s+to\s+[a-z]", re.IGNORECASE
)


_ON_WHOM: Final = re.compile(
    r"\b(?:is|are|'s|sits)\s+(?P<prep>on|down\s+to|with)\s+(?P<who>(?:their|our|my)\s+[\w-]+(?:\s+[\w-]+)?|us|them|me)\b",
    re.IGNORECASE,
)


def _read_responsibility(ctx: _Context) -> _Clause | None:
    """ "SAML config is on our SE", "the app registration is on their IT, by Thursday"."""
    if ctx.words[0] in ("they", "we", "i", "he", "she"):
        return None
    m = _ON_WHOM.search(ctx.body)
    if m is None or m.group().lower().startswith("sits"):
        return None
    if m["prep"].lower() == "with" and ctx.due is None:
        return None  # "the contract is with their legal" says where it sits, not who acts next
    who = m["who"].lower().split()
    return ctx.forward(_side_of(who), None, 0.9)


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
    r"\b(?:expected|due|scheduled|planned|slated|targeted|anticipated|needed|required)\s+(?:by|on|for|before|in|within|no\s+later)\b"
    r"|\bpending\s+(?:from|with|at|on)\b(?!.*\bsince\b)|\b(?:awaited|outstanding)\s*$",
    re.I,
)


_NAME_IS_DOING: Final = re.compile(r"^\s*(\w+)(?:'s|\s+is)\s+\w+ing\b")


def _read_deliverable(ctx: _Context) -> _Clause | None:
    """Noun-first and passive steps: "revised quote goes out tmrw", "PO gets raised by their finance"."""
    words = ctx.words
    if words[0] in _PRONOUNS or ctx.past_verb_at(0):
        return None
    verb_at = _present_verb_at(words)
    if verb_at not in (None, -1) and not _is_artefact(words[:verb_at]):
        return None  # "nadia from their procurement sends the PO": a person acts
    named = _NAME_IS_DOING.match(ctx.body)
    if named is not None and _name_in(named[1]) is not None:
        return None  # "bjorn's getting a budget number from his finance team": a person acts
    passive = _PASSIVE.search(ctx.body) or _PASSIVE_PLAIN.search(ctx.body)
    before = _tokens(ctx.body[: passive.start()]) if passive else ctx.tokens
    note = passive is None and ctx.due is not None and _NOTE_EXPECTED.search(ctx.body)
    if note and not _is_past_verb(ctx.tokens, 0):
        before = _tokens(ctx.body[: note.start()])  # "approval needed on their side by EOM"
    if any(_is_past_verb(before, k) for k in range(len(before))):
        return None  # "order form went out thru pandadoc yesterday"
    agent = passive.groupdict().get("agent") if passive else None
    if agent and ctx.due is not None and ctx.due[1] in agent:
        agent = agent[: agent.index(ctx.due[1])].rstrip() or None  # "... board in two weeks"
    if agent:
        agent_words = [t.word for t in _tokens(agent)]
        owner = _name_in(agent)
        named = _appositive(ctx.body, passive.end("agent")) if owner is None else None
        if named is not None:  # "reviewed by the client's DPO, Dr. Stefan Keller, within ..."
            owner = _name_in(named)
        return ctx.forward(_side_of(agent_words), owner, 0.9)
    side = _direction(ctx.body)
    if passive is None and _NOTE_EXPECTED.search(ctx.body):
        # note style without a verb: "Contract signature expected by 15/12"
        side = side or _deliverable_side(words)
        return ctx.forward(side, _named_party(ctx.body), 0.8) if side else None
    if side is None and passive is not None:
        side = _deliverable_side(words)
    if side is None and passive is not None:
        part = passive["part"].lower().split()[0]
        side = (
            "customer"
            if part in _CUSTOMER_PASSIVE_VERBS | {"raised", "completed", "filled"}
            else None
        )
        side = "us" if part in _US_PASSIVE_VERBS else side
    if side is None:
        return None
    if ctx.due is None and passive is None and not _ARROW.search(ctx.body):
        return None
    return ctx.forward(side, _named_party(ctx.body), 0.85)


# A named person around a noun-first step, set off by a title: "Our Account Director, Neil
# Bashir, has scheduled a call with their COO", "pending approval from their Head of
# Procurement, Li Wei". The title's commas make the name sure; a bare capital is no person.
_NAMED_PARTY: Final = re.compile(
    r"^\s*(?P<subj>(?i:their|our|the)\s+[^,;]{2,50},\s*[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})\s*,"
    r"|\b(?i:pending)\s+(?:[\w-]+\s+)?(?i:from|with)\s+"
    r"(?P<giver>(?i:their|our|the)\s+[^,;]{2,50},\s*[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})\s*(?:,|$)",
)


def _named_party(body: str) -> str | None:
    m = _NAMED_PARTY.search(body)
    if m is None:
        m = _FROM_NAMED.search(body) or _PENDING_WITH.search(body)
        return _name_in(m["who"]) if m else None
    return _name_in(m["subj"] or m["giver"])


# "PO is pending with Mr. Rao for approval", "approval pending from Kavita in their finance".
_PENDING_WITH: Final = re.compile(
    r"\b(?i:pending|awaited|outstanding)\s+(?:(?i:[a-z-]+)\s+)?(?i:from|with)\s+"
    r"(?P<who>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})"
)


# A thing wanted from a titled person: "Sign-off from their CFO, Ms. Amara Obi, is required by
# 10 December", "approval from our CRO Hannah is needed by Friday".
_FROM_NAMED: Final = re.compile(
    r"\b(?i:from)\s+(?P<who>(?i:their|our|my|the)\s+[^,;.]{1,50}?"
    r"(?:,\s*[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2}(?=\s*,))?)"
    r"(?=,|\s+(?i:is|are|will|has|must|by|before|on)\b)"
)


_BOOKED: Final = re.compile(
    r"\b(?:booked|scheduled|set|confirmed|planned|arranged|fixed|locked\s+in)\s+(?:for|on)\b", re.I
)


_CLIENTS: Final = re.compile(r"\b(?:client|customer)'s\s", re.IGNORECASE)


_WITH_SOMEONE: Final = re.compile(r"\b(?:with|w/)\s", re.IGNORECASE)


def _whose_event(words: list[str], k: int) -> Side | None:
    """Whose the event at word k is, said around it: "The customer's architecture review board"
    and "Board meeting of client" are theirs; "of our" ours; None when nothing says."""
    before, after = set(words[:k]), words[k + 1 : k + 4]
    if before & {"customer", "client", "buyer", "prospect"}:
        return "customer"
    if "of" in after:
        of = after[after.index("of") + 1 : after.index("of") + 3]
        if set(of) & {"client", "customer", "buyer", "their", "the client", "prospect"}:
            return "customer"
        if set(of) & {"our", "us"}:
            return "us"
    return None


def _read_event(ctx: _Context) -> _Clause | None:
    """ "Final negotiation mtg mon", "3-way call w/ their EB and my VP thurs": a step for both sides."""
    head = ctx.words[:5]
    undated = ctx.sequel or re.search(r"\b(?:tbd|tbc|slot|date)\b", ctx.body, re.I)
    booked = _BOOKED.search(ctx.body)  # "intro call with their CISO booked for Thursday"
    if set(ctx.words) & vocab.CANCELLATIONS:
        return _Clause("history", text=ctx.text)
    if (ctx.past and not booked) or not (ctx.due or undated):
        return None
    if ctx.words[0] in vocab.VERDICTS:
        return _Clause("history", text=ctx.text)  # "good call today", "great demo yesterday"
    events = vocab.JOINT_EVENTS | vocab.OUR_EVENTS
    modal = next((k for k in range(len(ctx.words)) if _modal_at(ctx.words, k) is not None), None)
    if modal is not None and "be" in ctx.words[modal : modal + 3] and _AGENT.search(ctx.body):
        return None  # "The kickoff will be hosted by our Delivery Lead, Ms. Priya Raman": hers
    if modal and set(ctx.words[:modal]) & {"their", "our", "my"} and _is_doer(ctx.words[:modal]):
        return None  # "Their Architecture Review Board will assess ... at its 2 December session"
    if (
        modal
        and _is_doer(ctx.words[modal - 1 : modal])
        and _CLIENTS.search(ctx.body, 0, ctx.tokens[modal].start)
    ):
        return None  # "The client's architecture review board is to assess ...": theirs
    if head[0] in _PRONOUNS or (
        head[0] in _IMPERATIVES
        and (
            head[0] not in events
            and not set(head[1:3]) & events
            or (len(head) > 1 and head[1] in _DETERMINERS | _PRONOUNS)
        )
    ):
        return (
            None  # "I review it Wednesday", "call the CFO tomorrow", "schedule QBR": someone acts
        )
    for k, word in enumerate(head):
        verb = word in _IMPERATIVES or (word.endswith("s") and word[:-1] in _STEP_VERBS)
        if word in _AUX_OR_MODAL or (k and verb and word not in _CONCRETE_NOUNS):
            return None  # "mirela confirms the cutover weekend": she acts
        if head[k + 1 : k + 2] == ["to"]:
            return None  # "planning to send the contract" is no planning session
        if word in vocab.OUR_EVENTS and "joint" not in head and "both" not in head:
            return ctx.forward("us", None, 0.75)
        if word in vocab.JOINT_EVENTS or word in vocab.OUR_EVENTS:
            if head[0] in ("their", "our", "my") and not _WITH_SOMEONE.search(ctx.body):
                # "their security review by EOM": whose the event is, the possessive says
                return ctx.forward("customer" if head[0] == "their" else "us", None, 0.8)
            whose = _whose_event(ctx.words, k)
            if whose is not None and not _WITH_SOMEONE.search(ctx.body):
                return ctx.forward(whose, None, 0.8)
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
    debating haggling deliberating dragging awaiting expecting anticipating pending
    """
)


def _does_event(ctx: _Context, after: int) -> bool:
    """ "Ben from our solutions team is doing the ROI workshop next week": "doing" an event
    with a date is running it, a step with its doer as the subject (undated it says how
    things stand)."""
    if ctx.due is None or not ctx.body[:after].lower().endswith("doing"):
        return False
    events = vocab.JOINT_EVENTS | vocab.OUR_EVENTS
    return any(t.word in events for t in _tokens(ctx.body[after:])[:5])


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
    if verb in _VAGUE_VERBS or (verb in _NOT_STEPS_ING and not _does_event(ctx, m.end())):
        return None
    subj_tokens = _tokens(m["subj"])
    subj = [t.word for t in subj_tokens]
    if not subj or (
        subj[-1] in ("there", "it", "that", "this", "what") and subj[-2:-1] != ["over"]
    ):
        return None  # "there is", but "legal over there is reviewing our DPA" is their step
    if (subj[-1] == "they" or " since " in ctx.body) and ctx.due is None:
        return None  # "they're evaluating us + seismic" describes now
    if any(_is_past_verb(subj_tokens, k) for k in range(len(subj_tokens))):
        return None
    verb_at = next((k for k, t in enumerate(ctx.tokens) if t.start >= m.start("verb")), None)
    owner = _owner_of(m["subj"], subj_tokens, 0, len(subj_tokens))
    sure = 1.0 if "@" in m["subj"] else _sureness(subj, owner)
    return ctx.step(verb_at, _side_of(subj), owner, sure)


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
    if set(ctx.words) & vocab.OUR_EVENTS and not set(ctx.words) & vocab.JOINT_EVENTS:
        # "demo ... preponed at the client's request", "Client has postponed the final
        # presentation": whoever moved it, we still give it
        return ctx.forward("us", None, 0.8)
    return ctx.forward(_side_of(subj) if subj else "us", None, 0.7)


# "what's left is their legal review", "only thing left is olu signing the order form": what
# remains to be done is the next step, said as a thing or as someone doing it.
_REMAINING: Final = re.compile(
    r"^(?:what's|what\s+is|what\s+remains\s+is|all\s+that's|all\s+that\s+is|"
    r"(?:the\s+)?(?:only|last|one)\s+(?:thing|step|item)|(?:the\s+)?remaining\s+(?:step|item|thing))"
    r"(?:\s+(?:left|remaining|outstanding|pending|missing|open))?\s*(?:is|are|=|:)\s+(?P<rest>\w.*)$",
    re.IGNORECASE,
)


def _read_remaining(ctx: _Context) -> _Clause | None:
    m = _REMAINING.match(ctx.body)
    if m is None:
        return None
    rest = m["rest"]
    inner = read_clause(rest, ctx.today, ctx.conv, sequel=True)
    if inner.kind == "vague":
        return inner
    words = [t.word for t in _tokens(rest)]
    doing = next((k for k, w in enumerate(words) if w.endswith("ing") and _verb_stem(w)), None)
    owner = _name_in(" ".join(rest.split()[:doing])) if doing else None
    side = _direction(rest) or (
        "customer" if set(words[:3]) & {"their", "his", "her"} or owner else None
    )
    side = side or _deliverable_side(words) or ("us" if set(words[:3]) & {"our", "my"} else None)
    if inner.kind == "forward":
        return replace(inner, text=ctx.text, side=inner.side or side)
    if side is None:
        return None  # "what's left is unclear": no thing and no one to do it
    return ctx.forward(side, owner, 0.8)


# "PO to follow", "a formal award notification is expected to follow within the week", "the
# PO expected the following week": a thing said to come next, after a step, is a step.
_TO_FOLLOW: Final = re.compile(
    r"^(?P<thing>(?:(?:the|a|an|their|our)\s+)?(?:[\w-]+\s+){0,4}?[\w-]+)\s+"
    r"(?:(?:is|are|will\s+be)\s+)?(?:expected\s+to\s+follow|to\s+follow|expected)\b",
    re.IGNORECASE,
)


def _read_to_follow(ctx: _Context) -> _Clause | None:
    m = _TO_FOLLOW.match(ctx.body)
    if m is None or not (ctx.sequel or "follow" in m.group().lower()):
        return None  # "the PO expected next week" alone is read by the other readers
    thing = [t.word for t in _tokens(m["thing"])]
    if thing[0] in _PRONOUNS or not (_is_artefact(thing) or _deliverable_side(thing)):
        return None  # "they are expected to sign" is read by the modal reader
    side = _direction(ctx.body) or _deliverable_side(thing)
    if side is None and thing[0] in ("their", "our"):
        side = "customer" if thing[0] == "their" else "us"
    return ctx.forward(side, None, 0.8 if side else 0.5)


READERS: Final = (
    _read_remaining,
    _read_to_follow,
    _read_moved,
    _read_state,
    _read_event,
    _read_request,
    _read_agreed,
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
