"""The sales process in the review: the deal's stage, steps offered to a stuck rep, and the
indecision check with its de-risking step.

When the rep doesn't know what comes next ("no idea", or a second vague answer), the coach
offers typical steps from the process (`process.workback.suggest`) for the deal's stage and
the side asked, as choices. Picking one fills the step, asks who owns it and proposes a due
date worked back from the decision date (`process.workback.propose_due`); the rep can
always type their own instead. The process in force is `Dialog.process`.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from bot.messages import Choice
from process import playbook as pb
from process.corrections import read_correction
from process.dates import parse_date_answer, parse_due
from process.plan import Plan, Side
from process.playbook import Stage, fmt_date
from process.sales_process import ProcessStep
from process.steering import read_answer
from process.workback import propose_due, stage_reached, suggest
from storage import crud

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

#: Longest choice label: Slack buttons take 75 characters, Teams shows about as many.
LABEL_CHARS = 70


def current_plan(d: Dialog) -> Plan:
    deal = d.deal
    assert deal is not None
    steps = crud.steps_for(d.s, [deal.id or 0]).get(deal.id or 0, [])
    return crud.to_plan(deal, steps, 0, d.tz)


def _label(text: str, lead_days: int) -> str:
    tail = f" (~{lead_days}d)"
    room = LABEL_CHARS - len(tail)
    return (text if len(text) <= room else text[: room - 1].rstrip() + "…") + tail


# --- the deal's stage ---------------------------------------------------------------------


def ask_deal_stage(d: Dialog) -> None:
    account = d.deal.account if d.deal else "the customer"
    choices = tuple(
        Choice(st.name, f"dstage:{st.id}") for st in d.process.stages
    ) + (Choice("Not sure", "dstage:skip"),)
    d.question(
        f"Where is *{account}* in their buying journey? I use it to suggest next steps and "
        "to check the time still needed before the decision date.",
        choices,
        hint="Pick the stage they are in now (the one whose exit criteria are not met yet).",
    )


#: "they're in procurement", "still at the pilot stage": the words around a stage's name.
_STAGE_FRAME = re.compile(
    r"^(?:(?:they(?:'re| are)|we(?:'re| are)|it'?s|still|now)\s+)*(?:(?:in|at)\s+)?"
    r"(?:the\s+)?(.+?)(?:\s+(?:stage|phase|step))?$"
)


def _stage_from_text(d: Dialog, text: str) -> str | None:
    """The stage a typed answer names: its id or name ("Solution validated", "solution"),
    or the name of its exit criteria or a word that recognises work on it ("pilot",
    "security review", "they're in procurement"). The answer must be only that name, so a
    sentence about the deal ("demo went well") names no stage. None when it names no stage
    or more than one."""
    typed = re.sub(r"[’`]", "'", re.sub(r"\s+", " ", text.strip().lower())).strip(" .!")
    m = _STAGE_FRAME.match(typed)
    core = m.group(1) if m else typed
    if not core:
        return None
    stages = d.process.stages
    for st in stages:  # the stage itself, or the start of its name ("security")
        name = st.name.lower()
        if core in (st.id, name) or (len(core) >= 4 and name.startswith(core)):
            return st.id
    found = {
        st.id
        for st in stages
        for c in st.exit_criteria
        if core in (c.name.lower(), *(w.lower() for w in c.match))
    }
    return found.pop() if len(found) == 1 else None


def _names_a_step(d: Dialog, text: str) -> bool:
    """As the context question reads it (`steps.on_context`): a step for the plan."""
    return pb.names_a_step(read_answer(text, d.today, d.colleagues, conventions=d.dates))


def on_deal_stage(d: Dialog, text: str | None, value: str | None) -> None:
    from bot.review import steps

    deal = d.deal
    assert deal is not None
    picked = (value or "").removeprefix("dstage:") if value else _stage_from_text(d, text or "")
    back = Stage(d.state.resume) if d.state.resume else Stage.CONTEXT
    if picked == "skip" or (text and (pb.is_skip(text) or pb.is_unsure(text))):
        d.say("Fine: I'll suggest from the start of the process until you set it.")
        d.state.resume = None
        d.goto(back)
        return
    stage = d.process.stage(picked)
    if stage is None and text and back is Stage.CONTEXT and not _names_a_step(d, text):
        # They answered "where are we?" instead: keep it as the context line and move on.
        d.state.resume = None
        d.state.stage = Stage.CONTEXT.value
        d.state.trail.append(Stage.CONTEXT.value)  # `back` from the next question comes here
        steps.on_context(d, text, None)
        return
    if stage is None and text and back is Stage.CONTEXT:
        # A step in it ("…, anyway Raj sends the approval by the 15th"): keep the answer for
        # the context question (its history and its step are read there) and ask the stage
        # once more, so neither the step nor the stage is lost.
        if d.state.carried:  # a second time: leave the stage for the `stage` command
            d.state.carried = f"{d.state.carried.rstrip(' .')}. {text}"
            d.say(
                "I'll suggest from the start of the process until you set the stage "
                "(type *stage* any time).",
                "coach",
            )
            d.state.resume = None
            d.goto(back)
            return
        d.state.carried = text
        d.say(
            "I'll keep that for the plan. But which stage are they in? Pick one, or *not sure*.",
            "coach",
        )
        d.ask()
        return
    if stage is None:
        d.say("Which of these stages is it?", "warning")
        d.ask()
        return
    reason = "first set" if deal.stage is None else "moved by the rep"
    crud.set_stage(d.s, deal, stage.id, d.now, reason, d.state.review_id)
    d.record(text or stage.name)
    d.say(f"Stage: *{stage.name}*. To move on: {stage.exit_criteria[0].text.lower()}.", "success")
    d.state.resume = None
    d.goto(back)


def start_stage_change(d: Dialog) -> None:
    """The `stage` command: ask the stage now and come back to the current question."""
    if not d.state.active or d.deal is None:
        d.say("Set a deal's stage during its review: type *review* and the deal.")
        return
    d.state.resume = d.state.stage
    d.goto(Stage.DEAL_STAGE)


def maybe_ask_stage(d: Dialog) -> bool:
    """At the context question: ask the stage in the first review, or move it on when the
    done steps met every exit criterion of the stage. True when the stage is being asked."""
    deal = d.deal
    if deal is None:
        return False
    if deal.stage is None or d.process.stage(deal.stage) is None:
        # Asked in the first review only; later, the `stage` command sets it.
        if d.state.stage_asked or crud.previous_reviews(d.s, deal):
            return False
        d.state.stage_asked = True
        d.state.resume = Stage.CONTEXT.value
        if d.state.trail and d.state.trail[-1] == Stage.CONTEXT.value:
            d.state.trail.pop()  # the stage is asked first; context comes back after it
        d.goto(Stage.DEAL_STAGE)
        return True
    reached = stage_reached(d.process, deal.stage, current_plan(d))
    if reached != deal.stage:
        new = d.process.stage(reached)
        assert new is not None
        crud.set_stage(d.s, deal, reached, d.now, "exit criteria met", d.state.review_id)
        d.say(f"The done steps meet this stage's exit criteria: moved to *{new.name}*.", "success")
    return False


# --- offering steps when the rep doesn't know -------------------------------------------------


def should_offer(d: Dialog, text: str, orientation: str) -> bool:
    """An "I don't know" answer, or a second vague answer in a row, at a step question not
    offered for yet in this review (history answers keep their own redirects)."""
    stage = d.stage
    if orientation == "next_step" or stage is None or stage.value in d.state.offered_for:
        return False
    # A redirect with no history streak was a redirect of a vague answer.
    second_vague = orientation == "vague" and d.state.redirects >= 1 and d.state.history_streak == 0
    return pb.is_unsure(text) or second_vague


def offer(d: Dialog) -> bool:
    """Offer 2-4 steps from the process for the side asked; False when there are none."""
    origin = d.stage
    deal = d.deal
    assert origin is not None and deal is not None
    asked: Side | None = pb.STEP_STAGES.get(origin)
    plan = current_plan(d)
    sides: list[Side] = [asked] if asked else ["customer", "us"]
    picks: list[tuple[Side, ProcessStep]] = []
    for side in sides:
        picks += [(side, s) for s in suggest(d.process, deal.stage, side, plan, limit=4)]
    if asked is None:  # "what else": alternate theirs and ours
        theirs = [p for p in picks if p[0] == "customer"]
        ours = [p for p in picks if p[0] == "us"]
        picks = [p for pair in zip_longest(theirs, ours) for p in pair if p is not None]
    picks = picks[:4]
    if not picks:
        return False
    d.state.offered = [
        {
            "text": s.text,
            "side": side,
            "lead_days": s.lead_days,
            "meets": s.meets,
            "prepares": s.prepares,
        }
        for side, s in picks
    ]
    d.state.offered_for.append(origin.value)
    d.state.resume = origin.value
    d.goto(Stage.SUGGEST)
    return True


def ask_suggest(d: Dialog) -> None:
    deal = d.deal
    stage = d.process.stage(deal.stage if deal else None)
    where = f" at *{stage.name}*" if stage else ""
    account = deal.account if deal else "the customer"
    whose = {"customer": f"{account} does", "us": "we do"}.get(
        pb.STEP_STAGES.get(Stage(d.state.resume or Stage.MORE.value)) or "", "happens"
    )
    choices = tuple(
        Choice(_label(o["text"], o["lead_days"]), f"suggest:{i}")
        for i, o in enumerate(d.state.offered)
    ) + (Choice("None of these", "suggest:none"),)
    d.question(
        f"That's normal. Here is what {whose} next in most deals{where}. Pick one, or type "
        "your own:",
        choices,
        hint="~Nd: typical working days it takes (from the sales process).",
        parent=Stage(d.state.resume) if d.state.resume else None,
    )


def on_suggest(d: Dialog, text: str | None, value: str | None) -> None:
    from bot.review import step_details, steps  # they call into this module: import at use

    origin = Stage(d.state.resume or Stage.MORE.value)
    if value and value.startswith("suggest:") and value != "suggest:none":
        index = value.removeprefix("suggest:")
        if not index.isdigit() or int(index) >= len(d.state.offered):
            d.ask()
            return
        picked: dict[str, Any] = d.state.offered[int(index)]
        d.record(picked["text"], "next_step", picked["side"])
        d.state.pending = {
            "description": picked["text"],
            "side": picked["side"],
            "owner": None,
            "due": None,
            "origin": origin.value,
            "lead_days": picked["lead_days"],
            "meets": picked["meets"],
            "prepares": picked.get("prepares"),
        }
        d.state.offered = []
        d.state.resume = None
        d.goto(Stage.STEP_OWNER)
        return
    d.state.offered = []
    d.state.resume = None
    if value == "suggest:none" or not text or pb.is_skip(text) or pb.is_unsure(text):
        asked = pb.STEP_STAGES.get(origin)
        d.say("OK: I've noted it as a gap to find out before the next review.", "coach")
        if asked is None:
            d.goto(step_details.after_steps(d))
            return
        d.state.gave_up.append(asked)
        d.goto(step_details.next_step_stage(d, after=origin))
        return
    d.state.stage = origin.value  # their own step, read like any answer to the question
    steps.step_answer(d, text)


# --- who owns a picked step, and the due date worked back ------------------------------------


def ask_step_owner(d: Dialog) -> None:
    """Who owns a step: a picked suggestion (either side), or a typed customer step that
    named no one (asked once, last: `step_details.continue_pending`). Skip always moves on."""
    p = d.state.pending or {}
    if p.get("side") == "us":
        text, choices = "Who on our side owns it?", (Choice("Me", "owner:me", "primary"),)
    else:
        text, choices = "Who on their side owns this? (a name or a role)", ()
    d.question(
        f"“{p.get('description', '')}”. {text}",
        choices + (Choice("Skip", "owner:skip"),),
        parent=Stage(p.get("origin", Stage.MORE.value)),
    )


#: An owner's name is short: an answer longer than this is the rep moving on.
OWNER_WORDS = 6

#: First words of a clause, never of a name: "they countersign", "we do it".
_CLAUSE_LEAD_WORDS = "i we they he she you it i'll we'll they'll he'll she'll"
_CLAUSE_LEADS = frozenset(_CLAUSE_LEAD_WORDS.split())


def _no_name(text: str) -> bool:
    """Whether an answer to "who owns this?" is plainly no one's name: a clause led by a
    pronoun ("they countersign") or a sentence (more than `OWNER_WORDS` words: "Dr. Patel
    mentioned legal will finish the review by the 14th"). Side words are read before it."""
    words = text.lower().split()
    return bool(words) and (
        (words[0] in _CLAUSE_LEADS and len(words) >= 2) or len(words) > OWNER_WORDS
    )


def side_word(side: str) -> str:
    """ "ours" or "theirs", as the coach says whose a step is."""
    return "ours" if side == "us" else "theirs"


def on_step_owner(d: Dialog, text: str | None, value: str | None) -> None:
    from bot.review import step_details

    p = d.state.pending
    assert p is not None
    picked = "lead_days" in p  # a suggested step: its due date is worked back next
    p["owner_asked"] = True
    # "no, the 20th" or "owner is Priya" said here corrects the step, it names no one
    corrects = bool(text) and read_correction(text or "", d.today) is not None
    side = pb.read_side(text) if text and not value else None
    if side is not None and side != p.get("side") and not picked:
        p["side"] = side  # "ours" said of a customer step: a side correction, no owner
        d.say(f"Changed: “{p.get('description', '')}” is {side_word(side)}.", "success")
        step_details.continue_pending(d)
        return
    if side is not None and not (side == "us" and p.get("side") == "us"):
        text, value = None, "owner:skip"  # "theirs" of their step: nothing to add ("me": me)
    if text and not corrects and not value and side is None and _no_name(text):
        if picked:
            # a suggested step's date is still to come: it is asked first, and what was
            # typed here is answered after the step is saved (`step_details.carry_on`)
            d.state.waiting = text
            d.say(f"No owner for “{p.get('description', '')}” then.", "coach")
            propose(d, p)
            step_details.continue_pending(d)
            return
        if not step_details.new_steps(d, text, doer=False):
            # "they countersign": a clause, not a name; the question moves on and the
            # clause answers the next one
            step_details.carry_on(d, text, "A name or a role, or *skip*.")
            return
    if text and not picked and not corrects and step_details.new_steps(d, text, doer=False):
        # "I send the revised quote tmrw": a step of its own, not who owns this one; nor
        # is it who owns the other steps of the same answer (they are not asked)
        asked = any(q.get("side") != "us" and not q.get("owner") for q in d.state.queued)
        others = " (nor for the rest of that answer)" if asked else ""
        d.say(f"No owner for “{p.get('description', '')}” then{others}.", "coach")
        step_details.carry_on(d, text, "", skip_owners=True)
        return
    if text and not picked and (corrects or len(text.split()) > OWNER_WORDS):
        step_details.carry_on(d, text, "A name or a role, or *skip*.")
        return
    if text and not picked and pb.is_skip_question(text):
        text, value = None, "owner:skip"  # "that's all", "looks good": no owner, move on
    redated = parse_date_answer(text, d.today, conv=d.dates) if text and not picked else None
    if redated is not None and redated >= d.today:
        # "Dec 12", "by the 14th": the step's date, said here; it names no one
        p["due"] = redated.isoformat()
        d.say(f"Due {fmt_date(redated, d.today)} then, and no owner named.", "success")
        step_details.continue_pending(d)
        return
    named = _owner_and_date(d, text) if text and not picked else None
    if named is not None:
        # "procurement by Friday": who owns it and, said in the same breath, by when
        p["owner"], due = named
        p["due"] = due.isoformat()
        d.say(f"{named[0]} owns it, due {fmt_date(due, d.today)}.", "success")
        step_details.continue_pending(d)
        return
    if text and not picked and parse_due(text, d.today, d.dates) is not None:
        # "PO from Priya's team expected 21st": more than a name and its date; it answers
        # the question that comes next, the owner stays unnamed
        step_details.carry_on(d, text, "A name or a role, or *skip*.")
        return
    if text and _NO_ONE.match(text):
        text, value = None, "owner:skip"  # "no one yet", "not sure who": no owner
    if value == "owner:skip" or (text and (pb.is_skip(text) or pb.is_unsure(text))):
        d.state.owner_skips += 1
    me = value == "owner:me" or (text and pb.read_side(text) == "us" and p.get("side") == "us")
    if me:
        p["owner"] = d.user.display_name or "me"
    elif (
        value != "owner:skip" and text and not pb.is_skip(text) and not pb.is_unsure(text)
    ):
        p["owner"] = text.strip()[:200]
    if picked:
        propose(d, p)
    step_details.continue_pending(d)


#: "Nobody yet", "not sure who": no owner, said in words.
_NO_ONE = re.compile(
    r"^\s*(?:no\s*one|nobody|none|no\s+owner|not\s+sure\s+who|unknown|same\s+person|"
    r"don'?t\s+know\s+who|idk\s+who)(?:\s+(?:yet|for\s+now|so\s+far))?\W*$",
    re.IGNORECASE,
)

#: A preposition left dangling where a date was cut from an owner's answer ("procurement by").
_DANGLING_DATE_WORD = re.compile(r"[\s,]*\b(?:by|on|due|before|until|till|for|from|,)\s*$", re.I)


def _owner_and_date(d: Dialog, text: str) -> tuple[str, dt.date] | None:
    """ "procurement by Friday", "Priya, Dec 12" typed at "Who on their side owns this?": the
    owner (at most three words left once the date is cut) and the date; None otherwise."""
    found = parse_due(text, d.today, d.dates)
    if found is None or found[0] < d.today:
        return None
    at = text.lower().find(found[1].lower())
    if at < 0:
        return None
    rest = _DANGLING_DATE_WORD.sub("", (text[:at] + " " + text[at + len(found[1]) :]).strip())
    rest = rest.strip(" ,;:-.")
    if not rest or len(rest.split()) > 3 or pb.is_skip(rest) or pb.is_unsure(rest):
        return None
    return rest[:200], found[0]


def propose(d: Dialog, p: dict[str, Any]) -> None:
    """Work the picked step's due date back from the decision date, and say why."""
    deal = d.deal
    assert deal is not None
    lead = int(p.get("lead_days", 0))
    decision = deal.decision_date if p.get("origin") != Stage.RISK.value else None
    prop = propose_due(d.process, lead, p.get("meets"), decision, d.today, p.get("prepares"))
    p["proposed"] = prop.due.isoformat()
    takes = f"It takes ~{lead} working day{'' if lead == 1 else 's'}"
    if decision is None:
        d.say(f"{takes}: done by {fmt_date(prop.due, d.today)} if it starts now.", "coach")
    elif prop.late:
        d.say(
            f"{takes}: even starting today it is done {fmt_date(prop.due, d.today)}, which "
            f"leaves too little time for what must follow before the decision on "
            f"{fmt_date(decision, d.today)}. Start now, compress, or revisit the date.",
            "warning",
        )
    else:
        d.say(
            f"{takes}; to make {fmt_date(decision, d.today)} it should be done by "
            f"{fmt_date(prop.due, d.today)}, so start by {fmt_date(prop.start_by, d.today)}.",
            "coach",
        )


def proposed_choice(d: Dialog) -> tuple[Choice, ...]:
    """The worked-back date as the first 'by when?' choice, when there is one."""
    iso = (d.state.pending or {}).get("proposed")
    if not iso:
        return ()
    due = dt.date.fromisoformat(iso)
    return (Choice(f"Proposed ({pb.short_date(due, d.today)})", f"date:{iso}", "primary"),)


# --- the indecision check -----------------------------------------------------------------


#: "Same as before" typed at the risk question of a later review.
_SAME = re.compile(
    r"^\s*(?:(?:it'?s|still)\s+)?(?:the\s+)?(?:same(?:\s+as\s+(?:before|last\s+time))?|"
    r"still\s+the\s+same|unchanged|no\s+change|as\s+before)\s*[.!]*\s*$",
    re.I,
)


def ask_risk(d: Dialog) -> None:
    kinds = d.process.indecision
    account = d.deal.account if d.deal else "the customer"
    earlier = d.deal.risk if d.deal else None
    if earlier:
        # named in this review already (`back`, or asked again): not "last time"
        now = any(
            e["kind"] == "risk" and e.get("review_id") == d.state.review_id
            for e in d.state.undo
        )
        said = (
            f"you named the risk of *no decision* as “{earlier}”"
            if now
            else f"last time the risk of *no decision* was “{earlier}”"
        )
        d.question(
            f"Last one: {said}. Still the same, or is it something else now?",
            (Choice("Same as before", "risk:same", "primary"),)
            + tuple(Choice(k.label, f"risk:{k.id}") for k in kinds if k.label != earlier)
            + (Choice("Skip", "risk:skip"),),
        )
        return
    if not kinds:
        d.question(
            "Last one: what could make this end in *no decision*? A competing priority, a "
            "missing sponsor, budget timing…",
            (Choice("Skip", "risk:skip"),),
        )
        return
    d.question(
        f"Last one: could *{account}* end up making *no decision*? Most stalls are fear of "
        "choosing wrong. What would hold them back? Pick one, or say it in your words.",
        tuple(Choice(k.label, f"risk:{k.id}") for k in kinds) + (Choice("Skip", "risk:skip"),),
    )


def on_risk(d: Dialog, text: str | None, value: str | None) -> None:
    deal = d.deal
    assert deal is not None
    if value == "risk:same" or (text and deal.risk and _SAME.match(text)):
        d.say(f"Keeping the risk: {deal.risk}")
        d.goto(Stage.SUMMARY)
        return
    kind = next((k for k in d.process.indecision if value == f"risk:{k.id}"), None)
    if kind is not None:
        d.remember("risk", old=deal.risk, deal_id=deal.id)
        deal.risk = kind.label
        d.s.add(deal)
        d.record(kind.label)
        d.state.indecision = kind.id
        d.goto(Stage.RISK_STEP)
        return
    if value is None and text and _says_nothing(text) and not d.state.redirects:
        # "asdfghjkl qwerty", "1": pushed back once, as at the context question; never kept
        d.state.redirects += 1
        d.say(
            f"“{text[:40]}” doesn't tell me what would make {deal.account} put the decision "
            "off. In a few words, e.g. “not sure it will work with their ERP”, pick one, "
            "or *skip*.",
            "coach",
        )
        d.ask()
        return
    if value is None and text and _a_step_not_a_risk(d, text):
        # "Priya sends the signed order form by Dec 20": a step, typed where the risk was
        # asked; it goes in the plan like any step of "what else?", and the risk is asked
        # again once the rep says that's all
        from bot.review import steps

        d.say("That's a step, so it goes in the plan rather than as the risk.", "coach")
        d.state.stage = Stage.MORE.value
        d.state.reset_question()
        # not answered: `step_details.after_steps` asks it again after the steps
        d.state.trail = [s for s in d.state.trail if s != Stage.RISK.value]
        steps.step_answer(d, text)
        return
    if value != "risk:skip" and text and not _no_risk(text):
        d.remember("risk", old=deal.risk, deal_id=deal.id)
        deal.risk = text[:1000]
        d.s.add(deal)
        d.record(text)
    d.goto(Stage.SUMMARY)


def _a_step_not_a_risk(d: Dialog, text: str) -> bool:
    """Whether an answer to the risk question is a step of the plan: steering reads a step
    whose doer is said (a name, or a side it is sure of) and that has a date."""
    from bot.review import step_details

    return any(step.due is not None for step in step_details.new_steps(d, text))


def _says_nothing(text: str) -> bool:
    """An answer that names no risk and is no skip either ("1", "asdfghjkl qwerty")."""
    from bot.review import explain

    return explain.says_nothing(text) and not (pb.is_skip(text) or pb.is_skip_question(text))


def _no_risk(text: str) -> bool:
    """ "skip", "looks good", "1", "👍": no risk named, nothing to store."""
    from bot.review import explain

    return pb.is_skip(text) or pb.is_skip_question(text) or explain.says_nothing(text)


def ask_risk_step(d: Dialog) -> None:
    kind = next((k for k in d.process.indecision if k.id == d.state.indecision), None)
    if kind is None:
        d.goto(Stage.SUMMARY)
        return
    d.question(
        f"To take that fear away: *{kind.step}*. Add it to the plan as our step?",
        (Choice("Add it to the plan", "riskstep:add", "primary"), Choice("No thanks", "riskstep:no")),
    )


def on_risk_step(d: Dialog, text: str | None, value: str | None) -> None:
    from bot.review import step_details

    kind = next((k for k in d.process.indecision if k.id == d.state.indecision), None)
    d.state.indecision = None
    if kind is None or not (value == "riskstep:add" or (text and pb.is_yes(text))):
        d.goto(Stage.SUMMARY)
        return
    d.state.pending = {
        "description": kind.step,
        # the rep reads the coaching; the customer reads this (shared plan, exports)
        "shared_text": kind.shared_step,
        "side": "us",
        "owner": d.user.display_name or None,
        "due": None,
        "origin": Stage.RISK.value,
        "lead_days": kind.lead_days,
    }
    propose(d, d.state.pending)
    step_details.continue_pending(d)
