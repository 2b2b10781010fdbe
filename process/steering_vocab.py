"""The words and phrases steering listens for, as tables a sales lead can review.

Each table says what a phrase means for the coach; `process/steering.py` holds the grammar
that applies them. Phrases are matched case-insensitively on word boundaries, with any run
of spaces, and with ' standing for any apostrophe (or none: "balls with them"). Source:
answers reps typed in Slack and Teams (../shared/coaching/*-dev.tsv and the blind batches
logged in tests/process/blind/README.md).

To add a phrase: put it in the table whose meaning fits and run
`../shared/tools/score-steering` to see it helps on the dev sets.
"""

from __future__ import annotations

import re
from typing import Final


def words(text: str) -> frozenset[str]:
    """A word list written as one string, so the vocabulary stays readable on a page."""
    return frozenset(text.split())


def phrases(*items: str) -> re.Pattern[str]:
    """One pattern matching any of the phrases (see module docstring for the matching rules)."""
    alternatives = []
    for item in sorted(items, key=len, reverse=True):
        words = [re.escape(w).replace("'", "'?") for w in item.split()]
        alternatives.append(r"\s+".join(words))
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


# How reps spell when typing fast: read as the word meant (dates have their own table in
# process/dates.py). Left: as typed; right: as read.
# Punctuation said aloud by reps who dictate on the phone: "... by friday period after that we
# schedule the go live call", "... went fine new line Jenna is taking ...". "period" is also a
# noun ("over the Christmas period"): it is punctuation only after none of these words.
DICTATED_PUNCTUATION: Final[dict[str, str]] = {
    "new line": ".",
    "new paragraph": ".",
    "full stop": ".",
    "comma": ",",
    "question mark": "?",
    "exclamation mark": "!",
    "period": ".",
}
PERIOD_NOUN_AFTER: Final = words("""
    the a an this that same whole holiday holidays christmas xmas festive summer trial notice
    grace cooling-off review evaluation pilot contract renewal freeze quiet blackout year-end
    fiscal reporting budget planning transition onboarding implementation time long short
    waiting warranty payment billing lock-in lock minimum initial sales
    """)

CHAT_SPELLINGS: Final[dict[str, str]] = {
    "w/": "with",
    "w/o": "without",
    "thru": "through",
    "thier": "their",
    "teh": "the",
    "im": "I'm",
    "ive": "I've",
    "ill": "I'll",
    "id": "I'd",
    "theyre": "they're",
    "theyll": "they'll",
    "theyve": "they've",
    "hed": "he'd",
    "shed": "she'd",
    "theyd": "they'd",
    "havent": "haven't",
    "hasnt": "hasn't",
    "didnt": "didn't",
    "dont": "don't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "arent": "aren't",
    "cant": "can't",
    "wont": "won't",
    "em": "them",
    "mtg": "meeting",
    "mgr": "manager",
    "ppl": "people",
    "pls": "please",
    "rn": "right now",
    "hopin": "hoping",
    "tryna": "trying to",
    "lemme": "let me",
    "ima": "I'm going to",
    "&": "and",
    "tl;dr": "in short",
    "tldr": "in short",
    "w": "with",
    "r": "are",
    "u": "you",
    "ur": "your",
    "n": "and",
    "wil": "will",
    "shud": "should",
    "shld": "should",
    "wud": "would",
    "b4": "before",
    "yday": "yesterday",
    "gr8": "great",
    "waitin": "waiting",
    "chasin": "chasing",
    "sendin": "sending",
    # nobody sings in a deal review: a swapped pair of letters
    "sing": "sign",
    "sings": "signs",
    "singed": "signed",
    "singing": "signing",
    # "there" typed for "their" before "side"/"end" ("CFA approval needed on there side")
    "on there side": "on their side",
    "on there end": "on their end",
    "from there side": "from their side",
    "from there end": "from their end",
}

# Words worth reading through a phone slip ("waitnig", "hopefuly", "shoud", "repot"): every
# one-slip misspelling of these is read as the word (generated: see process/typos.py).
# Weekdays, months and "tomorrow" have their own table in process/dates.py.
TYPO_TARGETS: Final = words("""
    should would could waiting hopefully hoping report urgency proposal contract pricing
    approval signature questionnaire procurement security invoice meeting sending their
    legal signed review redlines finance tomorrow please
    """)

# A clause with one of these is vague, whatever else it says: idioms for "nothing concrete".
VAGUE_IDIOMS: Final = phrases(
    # enterprise prose that names no step: an expectation, an intention, a dependency
    "it is our expectation",
    "our expectation is",
    "the intention is to",
    "our intention is to",
    "position ourselves",
    "contingent on",
    "contingent upon",
    "depends on",
    "depends now from",
    "depends from",
    "dependent on",
    "maintain regular contact",
    "maintain contact",
    "stay in touch",
    "keep in touch",
    "awaiting direction",
    "awaiting guidance",
    "awaiting feedback",
    "yet to be communicated",
    "yet to be confirmed",
    "will be confirmed once",
    "pending confirmation",
    "to be confirmed",
    "follow up with them regularly",
    "continue to follow up",
    "is not decided",
    "not yet decided",
    "remain under discussion",
    "remains under discussion",
    "ball's with them",
    "ball is with them",
    "ball's in their court",
    "ball is in their court",
    "ball in their court",
    "ball is in",
    "ball's in",
    "ghosting",
    "gone dark",
    "radio silence",
    "ball's firmly in their court",
    "it's over to them",
    "over to them now",
    "up to them",
    "however we can",
    "wherever we can",
    "where we can",
    "on their side now",
    "it's all on their side",
    "over the line",
    "breathing room",
    "air cover",
    "get in front of",
    "cross that bridge",
    "come around",
    "come good",
    "up in the air",
    "whatever it takes",
    "depends on",
    "it depends",
    "no clue",
    "no idea",
    "not much we can do",
    "nothing for us to do",
    "nothing we can do",
    "rethink",
    "compelling event",
    "off the fence",
    "knocking on doors",
    "knock on doors",
    "figure out",
    "find a way",
    "work out a way",
    "work out how",
    "explore opportunities",
    "lean on",
    "leaning on",
    "grind it out",
    "grinding it out",
    "park it",
    "park this",
    "hang fire",
    "lap of the gods",
    "keep them warm",
    "keep warm",
    "keep it warm",
    "keep it alive",
    "frees up",
    "more free",
    "look to",
    "looking to re-engage",
    "if all goes well",
    "if all goes to plan",
    "all being well",
    "inshallah",
    "insha'allah",
    "god willing",
    "get to it when",
    "when they get to it",
    "know more after",
    "wait and see",
    "see where things land",
    "see where we land",
    "see how things",
    "see how it goes",
    "see how the",
    "take it from there",
    "touch wood",
    "fingers crossed",
    "dig deeper",
    "more bought in",
    "buy-in",
    "do their thing",
    "pray",
    "drive alignment",
    "build more value",
    "build value",
    "understand their priorities",
    "give them a nudge",
    "somehow",
    "at some point",
    "at some stage",
    "one of these days",
    "play it by ear",
    "leave it with them",
    "leave it with",
    "for a bit",
    "give it time",
    "needs to land",
    "has to land",
    "land it",
    "land this",
    "can't say",
    "hard to say",
    "nothing planned",
    "nothing scheduled",
    "nothing booked",
    "keep the pressure on",
    "keep pushing",
    "keep chipping away",
    "let it breathe",
    "let the dust settle",
    "in the pipeline",
    "see what happens",
    "we'll see",
    "stay close",
    "stay on top of",
    "socialise internally",
    "socialize internally",
    "discuss internally",
    "think it over",
    "mull it over",
    "on them now",
    "done our part",
    "done all we can",
    "more people",
    "further alignment",
    "be reassessed",
    "be revisited",
    "be reviewed once",
    "appropriate juncture",
    "in due course",
    "way forward",
    "plugging away",
    "plug away",
    "slow burner",
    "slow burn",
    "keep following up",
    "keep following",
    "keep chasing",
    "keep nudging",
    "make more pressure",
    "more pressure",
    "put pressure",
    "depends from",
    "depending on",
    "should be fine",
    "should be ok",
    "should be okay",
    "don't know",
    "not sure",
    "we will see",
    "waiting game",
    "more champions",
    "another champion",
    "more allies",
    "more sponsors",
    "being discussed",
    "under discussion",
    "being worked out",
    "still tbd",
    "gone quiet",
    "gone silent",
    "be convinced",
    "be persuaded",
    "be sold on",
    "see the value",
    "get comfortable",
    "make up her mind",
    "make up his mind",
    "make up their mind",
    "make up their minds",
    "make her mind up",
    "make his mind up",
    "make their mind up",
    "make their minds up",
    "get his act together",
    "get her act together",
    "get their act together",
    "get their ducks in a row",
)

# A hoped-for outcome, even with a date, is a wish, not a step ("hopefully they sign by Xmas").
WISHES: Final = phrases(
    "hopefully",
    "hoping",
    "hope",
    "hopeful",
    "would be great",
    "would be good",
    "would be nice",
    "would love",
    "would like to",
    "i'd like to",
    "we'd like to",
    "ideally",
    "aiming to",
    "aiming for",
    "aim for",
    "hoping for",
    "aim to",
    "expecting positive",
    "expecting good news",
    "positive outcome",
    "reckon it'll",
    "i reckon",
    "reckon they",
    "wish",
    "it is hoped",
    "it's hoped",
    "is hoped",
    "look favourably",
    "look favorably",
    "try to",
    "try and",
    "try my best",
    "do my best",
    "best effort",
    "will try",
    "trying to",
    "if we're lucky",
    "with any luck",
    "big push",
)

# The rep talking about the conversation itself: a correction or an apology is no answer.
META_REMARKS: Final = phrases(
    "scratch that",
    "ignore my last",
    "ignore that",
    "disregard",
    "wrong deal",
    "wrong account",
    "wrong opportunity",
    "mixed up my",
    "correction:",
    "nvm",
    "never mind",
    "my bad",
    "that last answer was",
    "skip this one",
    "ignore my previous",
    "please ignore",
    "for another account",
    "for another deal",
    "wrong customer",
    "wrong thread",
    "wrong channel",
    "wrong chat",
    "autocorrect",
)

# Words that open a question back to the coach ("should I escalate?", "any ideas?").
QUESTION_OPENERS: Final = words("""
    should shall could can would will do does did what how why which who when where is are
    any thoughts ideas any suggestions am
    """)

# Questions back to the coach even without a question mark.
QUESTION_PHRASES: Final = phrases(
    "how am i supposed to",
    "what would you",
    "what do you",
    "what should i",
    "what should we",
    "any ideas",
    "any thoughts",
    "any suggestions",
    "what counts as",
    "do you want",
    "can we skip",
    "should i",
    "should we",
    "shall i",
    "lmk if",
    "let me know if",
    "wondering if",
    "do i need to",
    "please advise",
    "kindly advise",
    "advise on",
    "your advice",
    "your suggestion",
)

# Words that open a clause of time or condition: "After the workshop on Thursday, they ...",
# "Once legal signs off, ...": the scene for a step, not a step.
SUBORDINATORS: Final = words("after before once following post until when whenever if unless")

# Verbs of a state that lasts until a date: "the trial runs until Dec 15" is context.
STATE_VERBS: Final = words("""
    runs ends expires renews auto-renews auto-rolls rolls lapses finishes starts begins closes lasts
    remains stays wraps concludes
    lifts thaws resets ending expiring closing lapsing
    """)

# Second-language English writes the base form for a state too: "their contract finish on
# 31 March". Read as a state only when the subject is an agreement or a period, not a person.
STATE_VERBS_BASE: Final = words("""
    finish end expire close run renew lapse finishing ending running renewing expiring
    """)
STATE_SUBJECTS: Final = words("""
    contract contracts agreement licence license licenses subscription term trial pilot poc year
    fy budget freeze period quarter window renewal lease support
    """)

# Standing rules and terms are context, not steps: "their procurement policy requires three
# bids", "they need 60 days notice to cancel", "their ARB meets the first Wednesday of each month".
RULE_SUBJECTS: Final = words("policy policies rules rule process guidelines regulations standard")
STANDING_TERMS: Final = phrases(
    "days notice",
    "days' notice",
    "notice period",
    "months notice",
    "months' notice",
    "each month",
    "every month",
    "each week",
    "every week",
    "each quarter",
    "every quarter",
    "every other week",
    "once a month",
    "once a quarter",
    "monthly",
    "weekly",
    "fortnightly",
)

# Things a customer keeps doing until a date: "they're trialing it till dec 15" is context.
ONGOING_VERBS: Final = words("trialing trialling testing piloting evaluating using running")

# Someone away for a while, then back: "their FD is away until Monday week" is context.
ABSENCES: Final = phrases(
    "away",
    "off",
    "out",
    "ooo",
    "out of office",
    "on leave",
    "on pto",
    "on holiday",
    "on vacation",
    "on annual leave",
    "on secondment",
    "seconded",
    "travelling",
    "traveling",
    "on paternity leave",
    "on maternity leave",
    "on mat leave",
    "offline",
    "unavailable",
    "closed",
    "shut",
    "shut down",
)

# A person arriving or leaving is news, not a step: "their new procurement lead starts in January".
PERSON_CHANGES: Final = words("joins retires resigns quits starts leaves")

# Reported speech: "Raj said he'd sign by the 4th" is Raj's step, not history.
REPORTING_VERBS: Final = phrases(
    "said",
    "says",
    "mentioned",
    "told me",
    "told us",
    "promised",
    "confirmed",
    "committed",
    "reckons",
    "assured us",
    "assured me",
    "let us know",
    "let me know",
    "indicated",
    "told",
    "informed",
    "informed us",
    "wrote",
    "wrote that",
    # enterprise prose reports a promise formally: "Marcus, their General Counsel, stated that
    # he would provide his comments ...", "Priya has advised that the PO will be raised by ..."
    "stated",
    "has stated",
    "advised",
    "has advised",
    "noted",
    "explained",
)

# Requests made of us, said without us as the subject: "a W-9 has been requested from us",
# "it has been requested that we provide ...": our step.
REQUESTS_OF_US: Final = phrases(
    # "the client has requested our signed NDA by 15/12", "they are asking our bank details"
    "requested that our",
    "requested our",
    "request our",
    "requests our",
    "asking our",
    "asking for our",
    "asked for our",
    "asks for our",
    "require our",
    "requires our",
    "requested from us",
    "requested of us",
    "asked of us",
    "requested that we",
    "asked that we",
    "required from us",
    "required that we",
    "expected from us",
    "expected of us",
    "they need from us",
    "they want from us",
    "required by their",
    "requested by their",
    "needed by their",
    "expected by their",
    "required by the customer",
    "required by the client",
)

# Where a deliverable goes, for noun-first and passive steps ("SOC2 letter to their infosec").
# Checked in this order: the first that matches decides.
TOWARD_US: Final = phrases(
    # a thing waiting on them: "countersignature pending with their CFO", "a yes from his CTO"
    "pending with",
    "sits with",
    "sitting with",
    "stuck with",
    "from his",
    "from her",
    "from them",
    "from their",
    "from the customer",
    "from the client",
    "from client",
    "from client's",
    "from their end",
    "on their end",
    "on their side",
    "over there",
    "-> us",
    "-> me",
    "to us",
    "back to us",
    "back from",
    "their end",
)
FROM_US: Final = phrases(
    "from us",
    "from our",
    "from me",
    "from my",
    "goes out",
    "go out",
    "going out",
    "gets sent",
    "over to them",
    "to them",
    "to their",
    "to the customer",
    "to the client",
    "to client",
    "with the client",
    "with the customer",
    "with their",
    "-> their",
    "-> them",
)

# A thing moving between the sides by a date is a step, even when its subject is a contract or
# a term that otherwise names a state: "countersigned contract goes back dec 17", "the renewal
# quote gets sent Friday". "The trial runs until Dec 15" moves nothing and stays a state.
HANDOVER_MOTIONS: Final = phrases(
    "goes out",
    "go out",
    "going out",
    "goes back",
    "go back",
    "going back",
    "goes over",
    "comes back",
    "come back",
    "coming back",
    "comes over",
    "gets sent",
    "get sent",
    "gets returned",
    "gets sent back",
    "is sent",
    "is returned",
)

# Nouns for things that happen with both sides in the room: a step whose side is joint.
JOINT_EVENTS: Final = words("""
    meeting mtg call dinner lunch review retro retrospective workshop session sessions
    planning negotiation kickoff kick-off walkthrough sync offsite summit governance catch-up
    catchup go-live golive cutover qbr
    """)
# Deliverables only one side hands over, for passives with no doer ("PO will be released").
THEIR_DELIVERABLES: Final = words(
    "po purchase signature sign-off signoff approval award payment countersignature countersigned go-ahead"
    " decision verdict feedback confirmation"
)
OUR_DELIVERABLES: Final = words(
    "quote quotation proposal pricing deck demo sow invoice certificate cert credentials"
    " sandbox report whitepaper"
)

# An event called off is news, not a step, even when it names its old date: "the steering
# committee meeting scheduled for 18 November was cancelled".
CANCELLATIONS: Final = words("cancelled canceled scrapped scratched axed shelved called-off")

# A verdict before an event says how it went, so the event is history: "good call today",
# "great demo yesterday", "tough meeting this morning".
VERDICTS: Final = words(
    "good great solid productive positive nice awesome excellent fantastic brilliant decent"
    " tough rough difficult bad awful terrible strong weak fine okay ok helpful useful"
)

# Events we run for them: "demo w/ the plant mgr thursday" is our step.
OUR_EVENTS: Final = words("demo presentation pitch onsite visit training")
# Bodies that meet on a date: "..., they will take the final decision there" happens at it.
MEETING_BODIES: Final = words("committee cmte steerco board council panel")

# Words that are never a person's name, so "procurement has to" has no named owner.
ROLE_WORDS: Final = words("""
    the a an our their my his her your its this that these those who which team teams side
    customer client prospect buyer vendor supplier partner champion champ eb cfo ceo cto cio
    ciso coo cro cmo gc dpo eng vp svp evp md head lead leads director manager mgr officer owner
    counsel lawyer lawyers legal procurement purchasing finance fin it infosec security ops
    operations admin admins ap accounts payable board committee cmte steering group panel
    council cabinet authority desk office department dept function unit architect architects
    engineer engineers se ae csm sdr bdr pm rep reps sales marketing product engineering
    support hr privacy compliance risk audit data qa bod folks people guy guys person boss
    exec execs executive executives leadership management sponsor user users staff
    registrar dean professor principal trust estates facilities network netops appsec
    devops it's they he she we i you it them us me him
    chief head-of general solutions delivery commercial contracts category bid project
    programme program service desk grid claims underwriting
    financial technology information revenue digital investment transformation strategy
    shared services infrastructure analytics capital approvals works regional global senior
    deputy associate assistant implementation supply chain treasury internal enterprise
    vice president chair chairman chairwoman chairperson controller comptroller treasurer
    secretary founder co-founder cofounder teammate
    """)
# (The last lines are the words of formal titles and bodies, "the Chief Financial Officer",
# "the Capital Approvals Board", "their Head of Shared Services": capitalised, never a name.)
# Titles and courtesy words around a name: "Mr. Suresh Iyer", "Pradeep sir".
HONORIFICS: Final = words(
    "mr mr. mrs mrs. ms ms. dr dr. prof prof. sir madam ji san sama sr sra srta mme mlle herr frau"
    " señor señora señorita senhor senhora dona signor signora signorina mx"
    # French and South Asian forms: "Monsieur Pierre Lefèvre", "Shri Anil Kumar"
    " monsieur madame mademoiselle mlle. mme. m. shri sri smt smt."
    # Thai, Indonesian/Malay, Turkish, Hindi/Urdu and Telugu forms, before or after the name:
    # "Khun Somchai", "Pak Budi", "Ahmet Bey", "Ravi bhai", "Reddy garu"
    " khun pak bapak ibu bey hanim hanım bhai saab sahab sahib garu ma'am mam maam"
    # Arabic, Dutch, Swedish, and the professional titles of Latin Europe and Latin America:
    # "Sheikh Ahmed", "Mevrouw de Vries", "Fru Lindqvist", "Lic. Hernández", "Ing. Pérez"
    " sheikh shaikh mevrouw meneer dhr mevr fru lic ing dra dott avv"
    # Polish and Vietnamese: "Pan Tomasz Nowak", "Pani Ewa", "Anh Minh", "Chị Lan"
    " pan pani anh chị"
)

# Teams a rep calls by their bare name because only the vendor has them in a deal: "I'll get
# Jess from marketing to pull together a case study" is our colleague (their IT is "their IT").
OUR_BARE_TEAMS: Final = words("marketing presales pre-sales solutions enablement")

# Nouns that end a team's or an organisation's name: "Cornelia Vos of their Strategic Sourcing
# team", "Tatiana from purchase department": the capitalised words before them are no person.
ORG_NOUNS: Final = words("""
    team teams department dept office board committee group unit function division desk
    council panel authority trust bank ministry agency
    """)
