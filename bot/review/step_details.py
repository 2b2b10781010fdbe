"""Completing a step and moving on: whose it is, by when, a date after the decision date;
saving it to the plan; and which step question comes next.

`steps.capture` leaves a step-in-progress in `ReviewState.pending`; `continue_pending` asks
what it still lacks (STEP_SIDE, STEP_DUE) and what deserves a second look (STEP_DAY_OFF: a
due date on a weekend or public holiday, asked once per step; STEP_LATE: after the decision
date) over as many turns as it takes, then `save_pending` writes it and `next_step_stage`
picks the next question.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from bot.messages import Choice, Question, Text, owner_note, side_label
from bot.review import guide
from process import playbook as pb
from process.corrections import read_correction
from process.dates import parse_date_answer, parse_due
from process.plan import same_step
from process.playbook import Stage, fmt_date
from process.steering import SURE, is_step_verb, read_answer, travels_from
from process.steering import Step as ReadStep
from process.workdays import day_off, holiday_dates, next_working_day
from storage import crud

if TYPE_CHECKING:
    from bot.review.dialog import Dialog
    from storage.models import PlanStep


def continue_pending(d: Dialog) -> None:
    """Ask what the pending step still lacks (side, date, a date before the decision), or save it."""
    p = d.state.pending
    assert p is not None
    deal = d.deal
    assert deal is not None
    if p.get("step_id"):  # a saved step a correction re-dated: only its new day is checked
        if p.get("due") and not p.get("day_asked") and _day_off(d, p["due"]):
            p["day_asked"] = True
            d.goto(Stage.STEP_DAY_OFF)
        else:
            save_pending(d)
    elif p.get("side") is None:
        d.goto(Stage.STEP_SIDE)
    elif p.get("passed"):  # its date just passed: "did you mean next year's?" (Dialog.past)
        passed = dt.date.fromisoformat(p.pop("passed"))
        d.state.stage = Stage.STEP_DUE.value
        d.state.reset_question()
        d.say(f"“{p.get('description', '')}”:")
        d.past(passed)
    elif p.get("due") is None and not p.get("no_date"):
        d.goto(Stage.STEP_DUE)
    elif p.get("due") and not p.get("day_asked") and _day_off(d, p["due"]):
        p["day_asked"] = True  # said once: a date picked instead is taken as the rep's
        d.goto(Stage.STEP_DAY_OFF)
    elif (
        p.get("due")
        and deal.decision_date
        and dt.date.fromisoformat(p["due"]) > deal.decision_date
        and not p.get("keep_late")
    ):
        d.goto(Stage.STEP_LATE)
    elif _ask_owner(d, p):
        d.goto(Stage.STEP_OWNER)
    else:
        save_pending(d)


#: Skips of "Who on their side owns this?" after which a review stops asking it.
OWNER_SKIPS_BEFORE_QUIET = 2


def _ask_owner(d: Dialog, p: dict[str, object]) -> bool:
    """Whether to ask "Who on their side owns this?": a customer step nobody was named for
    (not "Raj sends…", not "Their CFO signs…"), once per step in a review. Asked last, so
    the step is complete when the rep skips it or answers something else."""
    if p.get("side") != "customer" or p.get("owner") or p.get("owner_asked"):
        return False
    description = str(p.get("description", ""))
    if pb.names_owner(description) or description.lower() in d.state.owner_asked:
        return False
    if d.state.owner_skips >= OWNER_SKIPS_BEFORE_QUIET:
        return False
    p["owner_asked"] = True
    d.state.owner_asked.append(description.lower())
    return True


def recheck_corrected(d: Dialog, step: PlanStep, origin: str | None, then: Stage | None) -> bool:
    """After a correction re-dated a saved step ("no, Dec 25", "make it Saturday"): put it
    through `continue_pending` as a new step's date is, so a weekend or public holiday gets
    the same question. True when that question is asked; `then` is the question to go to
    afterwards (None: the current one again)."""
    if step.due is None or not _day_off(d, step.due.isoformat()):
        return False
    d.state.pending = {
        "step_id": step.id,
        "description": step.description,
        "side": step.side,
        "due": step.due.isoformat(),
        "origin": origin or Stage.MORE.value,
        "then": (then or d.stage or Stage.MORE).value,
        "then_goto": then is not None,
    }
    continue_pending(d)
    return True


def _save_corrected(d: Dialog, p: dict[str, object]) -> None:
    """The day-off question about a corrected step answered: keep the date or take the new
    one (the correction's undo entry still restores the date before it), then go on."""
    d.state.pending = None
    found = crud.get_step(d.s, d.user, int(str(p["step_id"])))
    due = dt.date.fromisoformat(str(p["due"])) if p.get("due") else None
    if found is not None and due is not None and found[0].due != due:
        step, deal = found
        step.due = due
        if step.review_id == d.state.review_id:  # else an edit's slip stands (edit.apply_edit)
            step.original_due = due
        d.s.add(step)
        late = deal.decision_date is not None and due > deal.decision_date
        note = " That's after the decision date." if late else ""
        d.say(f"Changed: “{step.description}” is due {fmt_date(due, d.today)}.{note}", "success")
    then = Stage(str(p.get("then") or Stage.MORE.value))
    if p.get("then_goto"):
        d.goto(then)
    else:  # the question the correction was typed at, asked again
        d.state.stage = then.value
        d.state.reset_question()
        d.ask()


def save_pending(d: Dialog) -> None:
    p = d.state.pending
    deal = d.deal
    assert p is not None and deal is not None
    if p.get("step_id"):
        _save_corrected(d, p)
        return
    due = dt.date.fromisoformat(p["due"]) if p.get("due") else None
    step = crud.add_step(
        d.s,
        deal,
        p["description"],
        p["side"],
        due,
        d.now,
        p.get("owner"),
        d.state.review_id,
        shared_text=p.get("shared_text"),
    )
    d.state.pending = None
    d.remember("step", step_id=step.id, origin=p.get("origin", Stage.MORE.value))
    d.state.steps_added += 1
    if step.side and step.side not in d.state.got:
        d.state.got.append(step.side)
    owner = owner_note(step.owner, step.description)
    when = f", due {fmt_date(due, d.today)}" if due else ", no date yet"
    d.state.batch.append(f"*{side_label(step.side)}*{owner}: {step.description}{when}")
    from bot.review.steps import _already_planned

    while d.state.queued:  # the next step of the same answer (issue 11), unless planned
        d.state.pending = d.state.queued.pop(0)
        if _already_planned(d, str(d.state.pending.get("description", ""))):
            d.state.pending = None
            continue
        continue_pending(d)
        _note_waiting(d)
        return
    lines, d.state.batch = d.state.batch, []
    if len(lines) == 1:
        d.say(f"Added to the plan: {lines[0]}", "success")
    else:
        listed = "\n".join(f"• {line}" for line in lines)
        d.say(f"Added {len(lines)} steps to the plan:\n{listed}", "success")
    origin = Stage(p.get("origin", Stage.MORE.value))
    d.goto(Stage.SUMMARY if origin is Stage.RISK else next_step_stage(d, after=origin))
    _answer_waiting(d)


def recount_sides(d: Dialog) -> None:
    """After an undo or a correction: which sides still have a step from this review."""
    deal = d.deal
    if deal is None or not d.state.active:
        return
    mine = [
        s
        for s in crud.steps_for(d.s, [deal.id or 0]).get(deal.id or 0, [])
        if s.review_id == d.state.review_id and s.status == "open"
    ]
    d.state.got = [side for side in ("customer", "us") if any(s.side == side for s in mine)]


def after_steps(d: Dialog) -> Stage:
    """The question after the steps: the risk, or the summary when the risk was answered in
    this review already (a step added from the summary goes back to the summary)."""
    return Stage.SUMMARY if Stage.RISK.value in d.state.trail else Stage.RISK


def next_step_stage(d: Dialog, after: Stage) -> Stage:
    """Customer step first, then ours, then work back until 'that's all' or enough steps."""
    order = [Stage.CUSTOMER_NEXT, Stage.US_NEXT, Stage.MORE]
    if after is Stage.MORE:
        return (
            after_steps(d)
            if d.state.steps_added >= pb.MAX_STEPS_PER_REVIEW or "more" in d.state.gave_up
            else Stage.MORE
        )
    for stage in order[: order.index(after) + 1]:
        side = pb.STEP_STAGES[stage]
        if side and side not in d.state.got and side not in d.state.gave_up:
            return stage
    return order[order.index(after) + 1]


# --- completing a step: whose, by when, and after the decision date ----------------------


def _origin(d: Dialog) -> Stage:
    return Stage((d.state.pending or {}).get("origin", Stage.MORE.value))


def ask_step_side(d: Dialog) -> None:
    account = d.deal.account if d.deal else "the customer"
    d.question(
        f"Theirs or ours? ({_which(d)}“{(d.state.pending or {}).get('description', '')}”)",
        (Choice(f"{account}'s", "side:customer"), Choice("Ours", "side:us")),
        parent=_origin(d),
    )


def on_step_side(d: Dialog, text: str | None, value: str | None) -> None:
    side = (value or "").removeprefix("side:") if value else pb.read_side(text or "")
    if side not in ("customer", "us") and text and _named_side(d, text):
        side = _named_side(d, text)
    if side not in ("customer", "us") and text:
        # "I send the revised quote tmrw" is a step of its own: kept for after this one
        if _queue_new_steps(d, text, new_only=True):
            return
        # "ours, I do it", "they do": this step's side, said as who does it
        said = read_answer(text, d.today, d.colleagues, conventions=d.dates).steps
        if said and said[0].side_confidence >= 0.95:
            side = said[0].side
    if side not in ("customer", "us") and text and _whose_said(text) and not pb.is_unsure(text):
        # "need to follow up w/ legal eow", "they will get back to us after the holidays":
        # whose the words say, steering reads no step in them (a vague idiom)
        if _same_as_asked(d, text):
            side = _whose_said(text)
        else:
            _queue_said(d, text, _whose_said(text) or "us")
            return
    if side not in ("customer", "us"):
        d.say("Is it the customer's step or ours?", "warning")
        d.ask()
        return
    assert d.state.pending is not None
    d.state.pending["side"] = side
    continue_pending(d)


#: The questions about the step being completed where a correction ("that's ours not
#: theirs", "owner is Priya") is of that step, not of the step saved before it.
_FOLLOW_UPS = frozenset({Stage.STEP_SIDE, Stage.STEP_DUE, Stage.STEP_DAY_OFF, Stage.STEP_LATE})


def correct_pending(d: Dialog, text: str) -> bool:
    """A side or owner correction typed at a question about the step being completed
    ("that's ours not theirs" at "By when?"): read by `process.corrections.read_correction`,
    as at the step questions, and applied to that step; then the question it interrupted is
    asked again (or, at "Theirs or ours?", answered). True when it was one."""
    p = d.state.pending
    if p is None or p.get("step_id") or d.stage not in _FOLLOW_UPS:
        return False
    fix = read_correction(text, d.today)
    if fix is None or fix.kind not in ("side", "owner"):
        return False
    description = p.get("description", "")
    if fix.kind == "side" and fix.side:
        p["side"] = fix.side
        d.say(f"Changed: *{side_label(fix.side)}*: {description}.", "success")
    elif fix.kind == "owner" and fix.owner:
        p["owner"] = fix.owner[:200]
        d.say(f"Changed: {fix.owner} owns “{description}”.", "success")
    else:
        return False
    if d.stage is Stage.STEP_SIDE:
        continue_pending(d)
    else:
        d.ask()
    return True


#: An answer that starts by saying whose it is: the rep ("I…", "we…", "need to…") or the
#: customer ("they…", "their team will…").
_OURS_SAID = re.compile(
    r"^\s*(?:i|i['’](?:ll|m|d)|we|we['’](?:ll|re|d)|me|let me|let['’]?s|"
    r"(?:need|needs|have|has|got|gotta|must)(?:\s+to)?)\b",
    re.I,
)
_THEIRS_SAID = re.compile(r"^\s*(?:they|they['’](?:ll|re|d)|them|their\s+\w+)\b", re.I)


def _whose_said(text: str) -> str | None:
    """Whose an answer at "Theirs or ours?" says the step is by its first words, else None."""
    if _OURS_SAID.match(text):
        return "us"
    return "customer" if _THEIRS_SAID.match(text) else None


def _same_as_asked(d: Dialog, text: str) -> bool:
    """Whether `text` speaks of the step asked about: it says only who ("I will", "we'll
    handle"), points back at it ("they will do it") or shares more than a verb with it
    (`_about`)."""
    asked = str((d.state.pending or {}).get("description", ""))
    words = {w.strip(".,;:!?()\"'").lower() for w in text.split()}
    if _BACK_REFERENCES & words or len(_content(text)) < 2:
        return True
    return bool(asked) and _about(ReadStep(None, None, None, text, None), asked)


def _queue_said(d: Dialog, text: str, side: str) -> None:
    """Keep a step typed at "Theirs or ours?" whose side its words say (`_whose_said`) for
    after the step asked about, as `_queue_new_steps` keeps one steering read."""
    from bot.review import steps

    found = parse_due(text, d.today, d.dates)
    due, phrase = found if found else (None, None)
    step = ReadStep(side, None, due, text, phrase)  # type: ignore[arg-type]
    new = steps._pending(step, text, None, _origin(d), d.user.display_name or None)
    d.state.queued.append(new)
    d.say(f"I'll add “{new['description']}” next. First, this one:", "coach")
    d.ask()


def _named_side(d: Dialog, text: str) -> str | None:
    """The account's name ("Acme", "Acme's") answers "theirs or ours?" too."""
    account = (d.deal.account if d.deal else "").lower()
    typed = text.strip().lower().rstrip(".!").removesuffix("'s").removesuffix("’s")
    return "customer" if account and typed in (account, account.split()[0]) else None


def _queue_new_steps(
    d: Dialog, text: str, sure: bool = False, new_only: bool = False, dated: bool = False
) -> dt.date | bool:
    """A new step typed at "theirs or ours?", "by when?" or "keep that late date?": keep it
    for after this one (True), rather than asking again or taking its side or date and
    losing it. `sure`: only a step whose side the words say ("I send pricing by Dec 1"),
    not a bare date. `new_only`: only steps of their own (`own_step`: "I send the revised
    quote tmrw", not "they send it by Friday"). `dated` (at "by when?"): the date said for
    this step beside them ("by Friday, and I send the quote tmrw") is returned instead of
    True when there is one, and the question is not asked again."""
    from bot.review import steps
    from process.steering import SURE

    reading = read_answer(text, d.today, d.colleagues, conventions=d.dates)
    if reading.orientation != "next_step" or not reading.steps:
        return False
    if sure and (
        reading.steps[0].side_confidence < SURE
        or parse_date_answer(text, d.today, allow_past=True, conv=d.dates) is not None
    ):
        return False
    found = list(reading.steps)
    if new_only:
        found = new_steps(d, text)
        if not found:
            return False
    origin = _origin(d)
    new = [steps._pending(step, text, None, origin, d.user.display_name or None) for step in found]
    d.state.queued.extend(new)
    said = f"I'll add “{new[0]['description']}” next."
    rest = _rest_of(text, found) if dated else ""
    day = parse_date_answer(rest, d.today, conv=d.dates) if rest else None
    if day is not None:
        d.say(said, "coach")
        return day
    d.say(f"{said} First, this one:", "coach")
    d.ask()
    return True


def _rest_of(text: str, found: list[ReadStep]) -> str:
    """What `text` says besides the steps `found`: "by Friday" of "by Friday, and I send
    the revised quote tmrw"."""
    rest = text
    for step in found:
        for part in (step.action, step.date_text or ""):
            at = rest.lower().find(part.lower()) if part else -1
            if at >= 0:
                rest = rest[:at] + " " + rest[at + len(part) :]
    rest = rest.strip(" ,;.-—")
    for joint in (" and then", " then", " and", " also", ","):
        rest = rest.removesuffix(joint).strip(" ,;.-—")
    return rest


def _which(d: Dialog) -> str:
    """ "step 2 of 3: " while the steps of one answer are completed in turn, else ""."""
    total = len(d.state.batch) + 1 + len(d.state.queued)
    return f"step {len(d.state.batch) + 1} of {total}: " if total > 1 else ""


def ask_step_due(d: Dialog) -> None:
    decision = d.deal.decision_date if d.deal else None
    proposed = (d.state.pending or {}).get("proposed")
    d.question(
        f"By when? ({_which(d)}“{(d.state.pending or {}).get('description', '')}”)",
        guide.proposed_choice(d)
        + d.date_choices(
            [o for o in pb.quick_step_dates(d.today, decision) if o[1].isoformat() != proposed]
        )
        + (Choice("No date yet", "date:none"),),
        date_input=True,
        hint=pb.date_hint(d.today, 12, "Friday", "in two weeks"),
        parent=_origin(d),
    )


def on_step_due(d: Dialog, text: str | None, value: str | None) -> None:
    p = d.state.pending
    assert p is not None
    # "I send the revised quote tmrw" is a step of its own with a doer and what they do,
    # not this step's date ("they send it by Friday", "legal signs off first, so Dec 15" are)
    queued = _queue_new_steps(d, text, new_only=True, dated=True) if text and not value else False
    if isinstance(queued, dt.date):
        p["due"] = queued.isoformat()
        continue_pending(d)
        return
    if queued:
        return
    got = d.read_date(text, value)
    if got == "none":
        p["no_date"] = True
        d.say(
            f"Saved “{p.get('description', '')}” without a date for now; the plan will flag "
            "it until it has one.",
            "warning",
        )
        save_pending(d)
        return
    if not isinstance(got, dt.date) or d.past(got):
        d.state.redirects += 0 if d.clarifying else 1
        if d.state.redirects >= pb.MAX_REDIRECTS:
            p["no_date"] = True
            d.say("I'll save it without a date; add one when you know it.", "warning")
            save_pending(d)
        else:
            d.ask()
        return
    p["due"] = got.isoformat()
    continue_pending(d)


def _day_off(d: Dialog, iso: str) -> str | None:
    return day_off(dt.date.fromisoformat(iso), d.holiday_country)


def day_off_of(d: Dialog, day: dt.date | None) -> str | None:
    """What `day` is when it is no working day for the rep ("Christmas Day", "a Saturday")."""
    return day_off(day, d.holiday_country) if day is not None else None


def ask_step_day_off(d: Dialog) -> None:
    """ "Fri Dec 25 is Christmas Day — keep it or pick another date?", with the working days
    either side of it as choices."""
    day_off_question(d, dt.date.fromisoformat((d.state.pending or {})["due"]), _origin(d))


def day_off_question(d: Dialog, due: dt.date, parent: Stage | None) -> None:
    """Ask whether to keep `due`, a day off, or take a working day either side of it (the
    answers `day:keep` and `date:<ISO>`); for a new step's date and a step moved to one."""
    why = _day_off(d, due.isoformat()) or "no working day"
    off = holiday_dates(d.holiday_country, due.year - 1, due.year + 1)
    around = [next_working_day(due, off, -1), next_working_day(due, off)]
    d.question(
        f"{fmt_date(due, d.today)} is {why} — keep it or pick another date?",
        (Choice(f"Keep {fmt_date(due, d.today)}", "day:keep", "primary"),)
        + tuple(
            Choice(fmt_date(day, d.today), f"date:{day.isoformat()}")
            for day in around
            if day >= d.today
        ),
        date_input=True,
        initial=around[1],
        parent=parent,
    )


def _near(d: Dialog, text: str, questioned: dt.date) -> dt.date | None:
    """A date typed at "Fri Dec 25 is Christmas Day — keep it or pick another?" is read
    around the day questioned, not from today: "monday" is Mon Dec 28, "thursday" Thu Dec
    24, "the 28th" Dec 28 (the nearest such day from three days before it on)."""
    if pb.is_keep(text):
        return None
    day = parse_date_answer(text, max(d.today, questioned - dt.timedelta(days=3)), conv=d.dates)
    return day if day is not None and day >= d.today else None


def on_step_day_off(d: Dialog, text: str | None, value: str | None) -> None:
    p = d.state.pending
    assert p is not None
    if text and not value and moves_on(d, text):
        carry_on(d, text, "Keep the date, or pick another?")
        return
    got = keep_or_near(d, text, value, dt.date.fromisoformat(str(p["due"])))
    if isinstance(got, dt.date):
        p["due"] = got.isoformat()
    if got is not None:
        continue_pending(d)


def keep_or_near(
    d: Dialog, text: str | None, value: str | None, questioned: dt.date
) -> dt.date | str | None:
    """The answer to "<day> is <a day off> — keep it or pick another date?": "keep", a date
    (typed ones read around the day questioned, `_near`), or None after asking again."""
    near = _near(d, text, questioned) if text and not value else None
    return near or d.keep_or_date(text, value)


#: First words of a step-like answer that still only changes the date ("move it to Monday").
_DATE_CHANGES = frozenset(
    {
        "move",
        "moving",
        "push",
        "make",
        "keep",
        "change",
        "shift",
        "then",
        "instead",
        "do",
        "let's",
        "lets",
        "go",
        "put",
    }
)


#: Words that say nothing of what a step is: subject pronouns, auxiliaries, determiners and
#: the verbs of "who does it" ("Priya will do it", "we handle the demo", "Raj owns that").
_NO_CONTENT_WORDS = """i i'll we we'll they they'll he she you will shall should must can
    could would is are am be to needs need has have had the a an our their my his her do does
    did doing handle handles handling own owns take takes"""
_NO_CONTENT = frozenset(_NO_CONTENT_WORDS.split())
#: Words that point back at the step asked about: "Jen from procurement will handle it".
_BACK_REFERENCES = frozenset({"it", "this", "that", "one"})
#: First words of a condition rather than a step: "Friday, after their board meets".
_CONDITIONS = frozenset({"after", "once", "when", "since", "because", "as", "if", "until"})


def _content(action: str, owner: str | None = None) -> list[str]:
    """What a step's words say is done, plural s off: "I send the revised quote" ->
    [send, revised, quote]; "Priya will do it" (owner Priya) -> []."""
    words = [w.strip(".,;:!?()\"'").lower() for w in action.split()]
    named = {w.lower() for w in (owner or "").split()}
    return [
        w.removesuffix("s") if len(w) > 3 else w
        for w in words
        if w and w not in named and w not in _NO_CONTENT
    ]


def own_step(step: ReadStep, doer: bool = True) -> bool:
    """Whether a step steering read is one of its own ("I send the revised quote tmrw",
    "send revised quote friday"), not an answer about the step being completed: not a bare
    name or role ("procurement by Friday"), not "who does it" ("Priya will do it"), not a
    date change ("move it to Monday") or a condition ("after their board meets"). Its
    action must keep two words that say what is done; `doer`: its doer must be said too (a
    name, or a side steering is sure of)."""
    words = [w.strip(".,;:!?()\"'").lower() for w in step.action.split()]
    words = [w for w in words if w]
    if not words or words[0] in _DATE_CHANGES or words[0] in _CONDITIONS:
        return False
    raw = [w.strip(".,;:!?()\"'") for w in step.action.split()]
    if _BACK_REFERENCES.intersection(w.lower() for w in raw[1:] if w != "IT"):
        return False  # "they send it back" is about the step asked; "Lucius from IT runs ..." isn't
    if len(_content(step.action, step.owner)) < 2:
        return False
    # a dated deliverable says its doer by which way it travels: "revised quote goes out
    # tmrw" is ours, "signed DPA back to us by Friday" theirs
    travels = step.due is not None and step.side_confidence >= SURE and travels_from(step.action) is not None
    return not doer or bool(step.owner) or step.side_confidence >= 0.95 or travels


def _about(step: ReadStep, asked: str) -> bool:
    """Whether `step` is about the step asked: the same step ("they send it back"), or one
    sharing more than its verb with it ("they'll have the PO to us" of "They send the PO";
    "I send the revised quote" shares only "send" with "They send the questionnaire", nor
    "we send the SOW" more with "Their procurement sends the PO")."""
    if same_step(step.action, asked):
        return True
    said, theirs = _content(step.action, step.owner), _content(asked)
    shared = set(said) & set(theirs)
    verb_first = said and theirs and (said[0] == theirs[0] or is_step_verb(said[0]))
    verbs = {said[0]} if verb_first else set()
    return bool(shared - verbs)


def new_steps(d: Dialog, text: str, doer: bool = True) -> list[ReadStep]:
    """The steps of their own (`own_step`) in `text`, typed at a question about the pending
    step: those about the pending step (`_about`: "they send it back by Friday") left out."""
    reading = read_answer(text, d.today, d.colleagues, conventions=d.dates)
    asked = str((d.state.pending or {}).get("description", ""))
    return [s for s in reading.steps if own_step(s, doer) and not (asked and _about(s, asked))]


def moves_on(d: Dialog, text: str) -> bool:
    """Whether `text`, typed at a step's optional question (who owns it, a day off), is no
    answer to it but the rep's next step ("I send the proposal by Friday"): a step with its
    doer said (a name, or a sure side) and an action that is not a date change."""
    return bool(new_steps(d, text))


def carry_on(d: Dialog, text: str, again: str, skip_owners: bool = False) -> None:
    """The rep went on instead of answering an optional question: the pending step is saved
    as it stands, and `text` answers the question that comes next. While another step of
    the same answer is still being completed, the question is asked again (`again`), unless
    `skip_owners` (a step of its own typed at "who owns this?"): then those steps are not
    asked who owns them either, and `text` waits (`ReviewState.waiting`) until they are
    saved."""
    if d.state.queued and not skip_owners:
        d.say(again, "warning")
        d.ask()
        return
    for q in d.state.queued:
        q["owner_asked"] = True
    d.state.waiting = text
    save_pending(d)
    if d.state.pending is None:  # a corrected step's question: answered here, not on save
        _answer_waiting(d)


def _answer_waiting(d: Dialog) -> None:
    """After the steps of one answer are saved: the answer typed meanwhile (`carry_on`) is
    taken as the answer to the question just asked, in place of asking it."""
    text, d.state.waiting = d.state.waiting, None
    if text is None or d.stage is None:
        return
    d.out = [r for r in d.out if not isinstance(r, Question)]  # answered below instead
    from bot.review import undo

    if not undo.correction(d, text):  # "no, the 20th": of the step just saved
        d.answer(text, None)


def _note_waiting(d: Dialog) -> None:
    """A step of the same answer still asks something: say the typed step is not lost."""
    text = d.state.waiting
    if not text or d.state.pending is None:
        return
    note = Text(f"I'll take “{text[:80]}” after this one.", "coach")
    if note in d.out:  # said once however deep the steps of the answer are saved
        return
    at = max((i for i, r in enumerate(d.out) if isinstance(r, Question)), default=len(d.out))
    d.out.insert(at, note)


def ask_step_late(d: Dialog) -> None:
    pending = d.state.pending or {}
    due = dt.date.fromisoformat(pending["due"])
    decision = d.deal.decision_date if d.deal else None
    assert decision is not None
    d.question(
        f"{fmt_date(due, d.today)} is after the decision date ({fmt_date(decision, d.today)}): a step that "
        "lands after the decision can't help them decide. Pick an earlier date, or keep it?",
        (Choice(f"Keep {pb.short_date(due, d.today)}", "late:keep"),),
        date_input=True,
        initial=decision,
        parent=_origin(d),
    )


def on_step_late(d: Dialog, text: str | None, value: str | None) -> None:
    p = d.state.pending
    assert p is not None
    if text and not value and not pb.is_keep(text) and _queue_new_steps(d, text, sure=True):
        return  # a new step typed at "keep it?": kept for after this one, not its date
    got = d.keep_or_date(text, value)
    if got == "keep":
        p["keep_late"] = True
        save_pending(d)
    elif isinstance(got, dt.date):
        p["due"] = got.isoformat()
        continue_pending(d)
