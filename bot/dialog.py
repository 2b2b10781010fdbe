"""The review dialog: one turn in, replies out, for every platform.

A `Dialog` lives for one turn inside one database transaction: it reads the user's saved
`ReviewState`, applies the turn using the playbook in `process/`, writes what the user
told it, and leaves the new state for `Coach` to save in the same transaction. The
sales-process decisions (questions, steering, health) are made in `process/`; this module
only sequences them and speaks.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from bot import settings, views
from bot.messages import (
    Choice,
    DealList,
    PlanCard,
    Question,
    Reply,
    Text,
    Turn,
    owner_note,
    side_label,
)
from bot.settings import WEEKDAYS
from bot.state import ReviewState
from process import playbook as pb
from process.dates import parse_date_answer
from process.plan import Side
from process.playbook import Stage, fmt_date
from process.steering import read_answer
from storage import crud
from storage.models import Deal, PlanStep, Review, User

log = logging.getLogger(__name__)

COMMANDS = ("review", "list", "plan", "help", "settings", "cancel", "digest")
_COMMAND_WORDS = {
    "help": "help",
    "?": "help",
    "list": "list",
    "deals": "list",
    "my deals": "list",
    "plan": "plan",
    "review": "review",
    "dealreview": "review",
    "start": "review",
    "start a review": "review",
    "new review": "review",
    "settings": "settings",
    "digest": "digest",
    "cancel": "cancel",
    "stop": "cancel",
    "quit": "cancel",
    "exit": "cancel",
}
_DATE_VALUE = re.compile(r"^date:(\d{4}-\d{2}-\d{2}|none)$")

HELP = (
    "*dealcoach* turns each deal review into a plan both sides can follow: what the "
    "customer does next, what we do to help, and by when, against a decision date that "
    "stays put.\n"
    "• *review* [deal]: start a guided review (about 3 minutes), or pick up where you left off\n"
    "• *list*: your deals with decision date, plan health and the next customer step\n"
    "• *plan* DEAL: one deal's action plan, with Done / Reschedule / Drop per step\n"
    "• *settings*: your time zone, weekly nudge day and time, pause for holidays\n"
    "• *cancel*: stop the current review (everything you answered is kept)\n"
    "• *digest* CHANNEL: (managers) send the weekly team digest to that channel\n"
    "• *help*: this message"
)


def zone(name: str | None, default: str) -> ZoneInfo:
    for candidate in (name, default, "UTC"):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


class Dialog:
    """One turn of one user's conversation (see module docstring)."""

    def __init__(
        self,
        session: Session,
        user: User,
        state: ReviewState,
        now: dt.datetime,
        default_timezone: str = "UTC",
    ) -> None:
        self.s = session
        self.user = user
        self.state = state
        self.now = now
        self.tz = zone(user.zone, default_timezone)
        self.today = now.astimezone(self.tz).date()
        self.out: list[Reply] = []
        self.finished = False
        self.form_errors: dict[str, str] = {}
        self._deal: Deal | None = None
        self._review: Review | None = None

    # --- entry ------------------------------------------------------------------------

    def run(self, turn: Turn) -> list[Reply]:
        if turn.form is not None:
            self.save_settings(turn.form)
        elif turn.command:
            self.command(turn.command.strip().lower(), turn.args.strip())
        elif turn.value:
            self.value(turn.value.strip())
        else:
            self.text(turn.text or "")
        return self.out

    def say(self, text: str, tone: str = "info") -> None:
        self.out.append(Text(text, tone))  # type: ignore[arg-type]

    # --- commands ---------------------------------------------------------------------

    def command(self, name: str, args: str) -> None:
        if name in ("", "review", "start"):
            self.start_review(args)
        elif name in ("list", "deals"):
            self.out.append(self.deal_list())
            self.reask()
        elif name == "plan":
            self.show_plan(args)
            self.reask()
        elif name == "help":
            self.say(HELP)
            self.reask()
        elif name == "settings":
            self.out.append(settings.settings_form(self.user))
        elif name in ("cancel", "stop"):
            self.cancel()
        elif name == "digest":
            self.set_digest(args)
        else:
            self.say(f"I don't know the command “{name}”. Here is what I can do:", "warning")
            self.say(HELP)
            self.reask()

    def set_digest(self, channel: str) -> None:
        """A manager names where the weekly digest goes; the platform resolved `channel`."""
        if not channel:
            self.say(
                "Tell me where the weekly manager digest should go: in Slack "
                "`/dealreview digest #channel`, in Teams type *digest here* in the team channel.",
                "warning",
            )
            return
        team = crud.set_digest_channel(self.s, self.user, channel, self.tz.key)
        day = WEEKDAYS[team.digest_weekday]
        self.say(
            f"The weekly deal digest will go to {channel} on {day}s at {team.digest_time} "
            f"({team.timezone}).",
            "success",
        )

    def cancel(self) -> None:
        if not self.state.active:
            self.say("There's no review in progress. Type *review* to start one.")
            return
        title = self.deal.title if self.deal else "the deal"
        self.state = ReviewState()
        self.say(
            f"Stopped the review of {title}. Everything you answered is saved; "
            "type *review* to start again."
        )

    def reask(self) -> None:
        """After an aside (help, list, a button on an old card), repeat where the review is."""
        if self.state.active:
            self.ask()

    # --- free text and button values -------------------------------------------------

    def text(self, raw: str) -> None:
        text, cut = pb.clean_answer(raw)
        word = _COMMAND_WORDS.get(text.lower().strip(" .!/"))
        if not self.state.active:
            if not text:
                self.say("Type *review* to start a deal review, or *help* to see what I do.")
                return
            first, _, rest = text.partition(" ")
            cmd = _COMMAND_WORDS.get(first.lower().strip(" ./!"))
            if word or cmd:
                self.command(word or cmd or "", "" if word else rest)
                return
            self.say(
                "Hi! I run short deal reviews that end in a plan: what the customer does "
                "next, what we do, and by when."
            )
            self.out.append(
                Question(
                    "Shall we review a deal?",
                    choices=(
                        Choice("Start a review", "cmd:review", "primary"),
                        Choice("My deals", "cmd:list"),
                        Choice("Help", "cmd:help"),
                    ),
                )
            )
            return
        if word in ("help", "cancel"):
            self.command(word, "")
            return
        if not text:
            self.say("I didn't catch anything there.", "warning")
            self.ask()
            return
        if cut:
            self.say(
                f"That was long, so I kept the first {pb.MAX_ANSWER_CHARS} characters.", "warning"
            )
        self.answer(text, None)

    def value(self, value: str) -> None:
        if value.startswith("cmd:"):
            name, _, args = value[4:].partition(":")
            self.command(name, args)
        elif value.startswith("step:"):
            self.step_action(value)
        elif value.startswith("review:"):
            self.start_review(value.split(":", 1)[1])
        elif not self.state.active:
            self.say(
                "That button belongs to a review that has ended. Type *review* to start a new one."
            )
        else:
            self.answer(None, value)

    # --- the review -------------------------------------------------------------------

    @property
    def stage(self) -> Stage | None:
        return Stage(self.state.stage) if self.state.stage else None

    def goto(self, stage: Stage) -> None:
        self.state.stage = stage.value
        self.state.reset_question()
        self.ask()

    @property
    def deal(self) -> Deal | None:
        if self._deal is None and self.state.deal_id is not None:
            self._deal = crud.get_deal(self.s, self.user, self.state.deal_id)
        return self._deal

    @property
    def review(self) -> Review | None:
        if self._review is None and self.state.review_id is not None:
            self._review = self.s.get(Review, self.state.review_id)
        return self._review

    def start_review(self, args: str) -> None:
        if self.state.active and not args:
            self.say("Picking up where we left off.")
            self.ask()
            return
        if self.state.active:
            self.state = ReviewState()
        if args.isdigit():
            deal = crud.get_deal(self.s, self.user, int(args))
            if deal:
                self.select_deal(deal)
                return
        if args and args != "new":
            matches = crud.find_deal(self.s, self.user, args)
            if len(matches) == 1:
                self.select_deal(matches[0])
                return
            if not matches:
                self.create_deal(args)
                return
            self.state.stage = Stage.PICK_DEAL.value
            self.say(f"More than one of your deals matches “{args}”.")
            self.ask(only=matches)
            return
        if args == "new":
            self.state.stage = Stage.NEW_DEAL.value
            self.ask()
            return
        self.goto(Stage.PICK_DEAL)

    def select_deal(self, deal: Deal) -> None:
        self._deal = deal
        self._review = crud.start_review(self.s, deal, self.user, self.now)
        self.state = ReviewState(deal_id=deal.id, review_id=self._review.id)
        steps = crud.steps_for(self.s, [deal.id or 0]).get(deal.id or 0, [])
        open_steps = [s for s in steps if s.status == "open"]
        if open_steps or deal.decision_date:
            self.say(f"Reviewing *{deal.title}*. Here's the plan as it stands:")
            self.out.append(self.plan_card(deal, steps))
        else:
            self.say(f"Reviewing *{deal.title}*.")
        self.state.due_queue = [
            s.id
            for s in open_steps
            if s.id is not None and s.due is not None and s.due <= self.today
        ]
        if self.state.due_queue:
            n = len(self.state.due_queue)
            self.say(
                f"First, {n} step{'s were' if n > 1 else ' was'} due by today. Let's close the loop."
            )
            self.goto(Stage.CONFIRM_DUE)
        else:
            self.to_decision()

    def create_deal(self, text: str) -> None:
        account, name = pb.split_deal_name(text)
        if not account:
            self.say(
                "A deal needs at least the account name, e.g. “Acme Corp - 2027 renewal”.",
                "warning",
            )
            self.state.stage = Stage.NEW_DEAL.value
            self.ask()
            return
        existing = [
            d
            for d in crud.open_deals(self.s, self.user)
            if d.account.lower() == account.lower() and d.name.lower() == name.lower()
        ]
        if existing:
            self.say(f"You already have *{existing[0].title}*; let's review that one.")
            self.select_deal(existing[0])
            return
        deal = crud.create_deal(self.s, self.user, account, name, self.now)
        self.say(f"New deal: *{deal.title}*.", "success")
        self.select_deal(deal)

    def to_decision(self) -> None:
        deal = self.deal
        if deal is None or deal.decision_date is None:
            self.goto(Stage.DECISION_DATE)
        elif deal.decision_date < self.today:
            self.say(
                f"The target decision date, {fmt_date(deal.decision_date, self.today)}, has passed without a decision.",
                "warning",
            )
            self.goto(Stage.DECISION_MOVE)
        else:
            self.goto(Stage.DECISION_CHECK)

    # --- asking -----------------------------------------------------------------------

    def question(
        self,
        text: str,
        choices: tuple[Choice, ...] = (),
        date_input: bool = False,
        initial: dt.date | None = None,
        hint: str | None = None,
        parent: Stage | None = None,
    ) -> None:
        stage = self.stage or Stage.PICK_DEAL
        self.out.append(
            Question(
                text,
                choices=choices,
                date_input=date_input,
                initial_date=initial,
                hint=hint,
                stage=stage.value,
                progress=pb.progress(stage, parent),
            )
        )

    def date_choices(self, options: list[tuple[str, dt.date]]) -> tuple[Choice, ...]:
        return tuple(
            Choice(f"{label} ({pb.short_date(d, self.today)})", f"date:{d.isoformat()}")
            for label, d in options
        )

    def ask(self, only: list[Deal] | None = None) -> None:
        stage = self.stage
        deal = self.deal
        account = deal.account if deal else "the customer"
        decision = deal.decision_date if deal else None
        pending = self.state.pending or {}
        if stage is Stage.PICK_DEAL:
            deals = only or crud.open_deals(self.s, self.user)
            if not deals:
                self.state.stage = Stage.NEW_DEAL.value
                self.ask()
                return
            choices = tuple(Choice(d.title, f"deal:{d.id}") for d in deals[:12])
            if only is None:
                choices += (Choice("New deal", "deal:new", "primary"),)
            self.question(
                "Which deal are we reviewing?",
                choices,
                hint="Pick one or type its name. For a new deal, type the account and deal name.",
            )
        elif stage is Stage.NEW_DEAL:
            self.question(
                "Which deal shall we review? Type the account and the deal name.",
                hint="e.g. “Acme Corp - 2027 renewal”; just the account is fine too",
            )
        elif stage is Stage.CONFIRM_DUE:
            step = self.queued_step()
            if step is None:
                self.to_decision()
                return
            owner = owner_note(step.owner, step.description)
            assert step.due is not None
            self.question(
                f"Due {fmt_date(step.due, self.today)} ({pb.days_between(self.today, step.due)}): "
                f"*{side_label(step.side)}*{owner}: {step.description}\nHow did it go?",
                (
                    Choice("Done", "due:done", "primary"),
                    Choice("Reschedule", "due:reschedule"),
                    Choice("Drop it", "due:drop", "danger"),
                ),
            )
        elif stage is Stage.RESCHEDULE:
            step = self.current_step()
            desc = step.description if step else "this step"
            self.question(
                f"New date for “{desc}”?",
                self.date_choices(pb.quick_step_dates(self.today, decision)),
                date_input=True,
                initial=step.due if step and step.due and step.due >= self.today else None,
                hint="Pick one or type a date (“Dec 12”, “next Friday”).",
            )
        elif stage is Stage.DECISION_DATE:
            self.question(
                f"When must *{account}* make their decision? That's the target decision date: "
                "we plan back from it, and it stays fixed.",
                self.date_choices(pb.quick_decision_dates(self.today)),
                date_input=True,
                hint="Pick one or type a date (“Jan 30”, “end of quarter”).",
            )
        elif stage is Stage.DECISION_CHECK:
            assert decision is not None
            self.question(
                f"The target decision date is *{fmt_date(decision, self.today)}* "
                f"({pb.days_between(self.today, decision)}). Still right?",
                (
                    Choice("Still right", "decision:keep", "primary"),
                    Choice("It moved", "decision:move"),
                ),
            )
        elif stage is Stage.DECISION_MOVE:
            self.question(
                "What's the new target decision date?",
                self.date_choices(pb.quick_decision_dates(self.today)),
                date_input=True,
            )
        elif stage is Stage.DECISION_REASON:
            self.question(
                "What moved it? One line is enough: moved dates are recorded and your manager sees them.",
            )
        elif stage is Stage.CONTEXT:
            title = deal.title if deal else "this deal"
            self.question(
                f"In one line: where are we with *{title}*?",
                hint="A sentence of history is fine here, once. Then we look forward.",
            )
        elif stage in pb.STEP_STAGES:
            choices = (Choice("That's all", "more:done", "primary"),) if stage is Stage.MORE else ()
            self.question(
                pb.step_question(stage, account, decision, self.today),
                choices,
                hint=pb.STEP_EXAMPLES[pb.STEP_STAGES[stage]],
            )
        elif stage is Stage.STEP_SIDE:
            self.question(
                f"Whose step is “{pending.get('description', '')}”?",
                (Choice(f"{account}'s", "side:customer"), Choice("Ours", "side:us")),
                parent=Stage(pending.get("origin", Stage.MORE.value)),
            )
        elif stage is Stage.STEP_DUE:
            self.question(
                f"By when? ({pending.get('description', '')})",
                self.date_choices(pb.quick_step_dates(self.today, decision))
                + (Choice("No date yet", "date:none"),),
                date_input=True,
                hint="Pick one or type a date (“Friday”, “Dec 12”, “in two weeks”).",
                parent=Stage(pending.get("origin", Stage.MORE.value)),
            )
        elif stage is Stage.STEP_LATE:
            due = dt.date.fromisoformat(pending["due"])
            assert decision is not None
            self.question(
                f"{fmt_date(due, self.today)} is after the decision date ({fmt_date(decision, self.today)}): a step that "
                "lands after the decision can't help them decide. Pick an earlier date, or keep it?",
                (Choice(f"Keep {due:%b} {due.day}", "late:keep"),),
                date_input=True,
                initial=decision,
                parent=Stage(pending.get("origin", Stage.MORE.value)),
            )
        elif stage is Stage.RISK:
            self.question(
                "Last one: what could make this end in *no decision*? A competing priority, a "
                "missing sponsor, budget timing…",
                (Choice("Skip", "risk:skip"),),
            )
        elif stage is Stage.SUMMARY:
            if deal is not None:
                self.out.append(self.plan_card(deal))
            self.question(
                "Does this plan look right?",
                (
                    Choice("Looks good", "summary:confirm", "primary"),
                    Choice("Add a step", "summary:add"),
                ),
            )

    # --- answering --------------------------------------------------------------------

    def answer(self, text: str | None, value: str | None) -> None:
        stage = self.stage
        if stage is None:
            return
        if (self.deal is None or self.review is None) and stage not in (
            Stage.PICK_DEAL,
            Stage.NEW_DEAL,
        ):
            self.state = ReviewState()
            self.say(
                "I lost track of that deal (was it removed?). Type *review* to start again.",
                "warning",
            )
            return
        handler = getattr(self, f"on_{stage.value}")
        handler(text, value)

    def record(
        self,
        text: str,
        orientation: str | None = None,
        side: str | None = None,
        due: dt.date | None = None,
    ) -> None:
        if self.review is not None and self.stage is not None:
            crud.record_answer(
                self.s, self.review, self.stage.value, text, self.now, orientation, side, due
            )

    def on_pick_deal(self, text: str | None, value: str | None) -> None:
        if value == "deal:new":
            self.goto(Stage.NEW_DEAL)
            return
        if value and value.startswith("deal:") and value[5:].isdigit():
            deal = crud.get_deal(self.s, self.user, int(value[5:]))
            if deal is None:
                self.say("I can't find that deal any more.", "warning")
                self.ask()
                return
            self.select_deal(deal)
            return
        if text:
            self.start_review(text)
            return
        self.ask()

    def on_new_deal(self, text: str | None, value: str | None) -> None:
        if not text:
            self.ask()
            return
        self.create_deal(text)

    def read_date(self, text: str | None, value: str | None) -> dt.date | None | str:
        """A picked or typed date; "none" for "no date yet"; None if it isn't a date (said why)."""
        if value:
            m = _DATE_VALUE.match(value)
            if m:
                return "none" if m.group(1) == "none" else dt.date.fromisoformat(m.group(1))
            return None
        if text and pb.is_skip(text):
            return "none"
        parsed = parse_date_answer(text or "", self.today)
        if parsed is None:
            before = parse_date_answer(text or "", self.today, allow_past=True)
            if before is not None:
                self.past(before)
                return None
            self.say(
                f"I couldn't read a date in “{(text or '')[:60]}”. Try "
                f"{pb.date_examples(self.today)}, or pick one below.",
                "warning",
            )
        return parsed

    def past(self, d: dt.date) -> bool:
        if d < self.today:
            self.say(f"{fmt_date(d, self.today)} has already passed. Pick a date from today on.", "warning")
            return True
        return False

    def on_confirm_due(self, text: str | None, value: str | None) -> None:
        step = self.queued_step()
        if step is None:
            self.to_decision()
            return
        choice = (value or "").removeprefix("due:") or (text or "").lower()
        if re.search(r"\b(done|did|yes|complete|finished|happened)\b", choice):
            crud.close_step(self.s, step, "done", self.now)
            self.say(f"Marked done: {step.description}", "success")
            self.next_due()
        elif re.search(r"\b(drop|no longer|cancel|remove|not needed)\b", choice):
            crud.close_step(self.s, step, "dropped", self.now)
            self.say(f"Dropped: {step.description}")
            self.next_due()
        else:
            typed = parse_date_answer(text or "", self.today) if text else None
            self.state.step_id = step.id
            if typed is not None and typed >= self.today:
                self.apply_reschedule(step, typed)
                self.next_due()
            elif re.search(r"\b(reschedul|move|later|slip|delay|postpone|push)", choice) or value:
                self.goto(Stage.RESCHEDULE)
            else:
                self.say(
                    "Was it done, should it move to a new date, or should we drop it?", "warning"
                )
                self.ask()

    def queued_step(self) -> PlanStep | None:
        while self.state.due_queue:
            found = crud.get_step(self.s, self.user, self.state.due_queue[0])
            if found and found[0].status == "open":
                return found[0]
            self.state.due_queue.pop(0)
        return None

    def current_step(self) -> PlanStep | None:
        if self.state.step_id is None:
            return None
        found = crud.get_step(self.s, self.user, self.state.step_id)
        return found[0] if found else None

    def next_due(self) -> None:
        if self.state.due_queue:
            self.state.due_queue.pop(0)
        if self.queued_step() is not None:
            self.goto(Stage.CONFIRM_DUE)
        else:
            self.to_decision()

    def apply_reschedule(self, step: PlanStep, new_due: dt.date) -> None:
        crud.reschedule_step(self.s, step, new_due, self.now)
        slip = f" That's slip {step.slips} for this step." if step.slips else ""
        self.say(f"Moved “{step.description}” to {fmt_date(new_due, self.today)}.{slip}")
        self.state.step_id = None

    def on_reschedule(self, text: str | None, value: str | None) -> None:
        step = self.current_step()
        got = self.read_date(text, value)
        if step is None:
            self.after_reschedule()
            return
        if got == "none" or got is None or (isinstance(got, dt.date) and self.past(got)):
            if got == "none":
                self.say("A rescheduled step needs a date.", "warning")
            self.ask()
            return
        assert isinstance(got, dt.date)
        self.apply_reschedule(step, got)
        self.after_reschedule()

    def after_reschedule(self) -> None:
        resume = self.state.resume
        self.state.resume = None
        self.state.step_id = None
        if resume:
            self.state.stage = resume
            self.ask()
        elif self.state.due_queue:
            self.next_due()
        else:
            self.state = ReviewState()

    def on_decision_date(self, text: str | None, value: str | None) -> None:
        got = self.read_date(text, value)
        deal = self.deal
        assert deal is not None
        if got == "none":
            self.state.redirects = pb.MAX_REDIRECTS
        if not isinstance(got, dt.date) or self.past(got):
            self.state.redirects += 1
            if self.state.redirects >= pb.MAX_REDIRECTS:
                self.say(
                    "Let's carry on without a decision date for now; the plan will flag it until you set one.",
                    "warning",
                )
                self.goto(Stage.CONTEXT)
            else:
                self.ask()
            return
        crud.set_decision_date(self.s, deal, got, self.now, "first set", self.state.review_id)
        self.say(
            f"Target decision date: *{fmt_date(got, self.today)}* ({pb.days_between(self.today, got)}). "
            "Every step we plan works back from it.",
            "success",
        )
        self.goto(Stage.CONTEXT)

    def on_decision_check(self, text: str | None, value: str | None) -> None:
        if value == "decision:keep" or (text and pb.is_yes(text)):
            self.goto(Stage.CONTEXT)
            return
        if value == "decision:move" or (
            text and re.search(r"\b(mov|slip|chang|no\b|push|later|delay)", text, re.I)
        ):
            typed = parse_date_answer(text or "", self.today) if text else None
            if typed is not None and not self.past(typed):
                self.propose_decision(typed)
            else:
                self.goto(Stage.DECISION_MOVE)
            return
        typed = parse_date_answer(text or "", self.today) if text else None
        if typed is not None and not self.past(typed):
            self.propose_decision(typed)
            return
        self.say("Is the decision date still right, or has it moved?", "warning")
        self.ask()

    def propose_decision(self, new: dt.date) -> None:
        deal = self.deal
        assert deal is not None
        if new == deal.decision_date:
            self.say(f"That's the same date; keeping {fmt_date(new, self.today)}.")
            self.goto(Stage.CONTEXT)
            return
        self.state.new_decision = new.isoformat()
        self.goto(Stage.DECISION_REASON)

    def on_decision_move(self, text: str | None, value: str | None) -> None:
        got = self.read_date(text, value)
        if not isinstance(got, dt.date) or self.past(got):
            if got == "none":
                self.say("The plan needs a decision date to work back from.", "warning")
            self.ask()
            return
        self.propose_decision(got)

    def on_decision_reason(self, text: str | None, value: str | None) -> None:
        deal = self.deal
        if not text or deal is None or self.state.new_decision is None:
            self.ask()
            return
        old = deal.decision_date
        new = dt.date.fromisoformat(self.state.new_decision)
        crud.set_decision_date(self.s, deal, new, self.now, text[:1000], self.state.review_id)
        self.record(text)
        self.state.new_decision = None
        moves = crud.decision_moves_for(self.s, [deal.id or 0]).get(deal.id or 0, 0)
        was = f" from {fmt_date(old, self.today)}" if old else ""
        times = "once" if moves == 1 else f"{moves} times"
        self.say(
            f"Recorded: the decision date moved{was} to *{fmt_date(new, self.today)}* (moved {times} so far).",
            "warning",
        )
        self.goto(Stage.CONTEXT)

    def on_context(self, text: str | None, value: str | None) -> None:
        if not text:
            self.ask()
            return
        reading = read_answer(text, self.today)
        self.record(text, reading.orientation, reading.side, reading.due)
        review = self.review
        if review is not None:
            review.context = pb.context_line(text)
            self.s.add(review)
        self.say("Noted.")
        self.goto(Stage.CUSTOMER_NEXT)

    # --- step questions ---------------------------------------------------------------

    def on_customer_next(self, text: str | None, value: str | None) -> None:
        self.step_answer(text, value)

    def on_us_next(self, text: str | None, value: str | None) -> None:
        self.step_answer(text, value)

    def on_more(self, text: str | None, value: str | None) -> None:
        if value == "more:done" or (text and pb.is_done(text)):
            self.goto(Stage.RISK)
            return
        self.step_answer(text, value)

    def step_answer(self, text: str | None, value: str | None) -> None:
        stage = self.stage
        assert stage is not None
        if not text:
            self.ask()
            return
        asked: Side | None = pb.STEP_STAGES[stage]
        deal = self.deal
        assert deal is not None
        reading = read_answer(text, self.today)
        self.record(text, reading.orientation, reading.side, reading.due)
        steer = pb.steer(
            reading, asked, self.state.redirects, self.state.history_streak, deal.account
        )
        if steer.keep_as_context and self.review is not None:
            line = pb.context_line(text)
            ctx = self.review.context
            if line not in ctx:
                self.review.context = (f"{ctx} / {line}" if ctx else line)[:2000]
                self.s.add(self.review)
        if steer.kind == "redirect":
            self.state.redirects += 1
            self.state.history_streak = (
                self.state.history_streak + 1 if reading.orientation == "history" else 0
            )
            self.say(steer.message, "coach")
            return
        if steer.kind == "give_up":
            self.say(steer.message, "coach")
            if asked:
                self.state.gave_up.append(asked)
            self.goto(self.next_step_stage(after=stage))
            return
        side = reading.side or asked
        if asked and reading.side and reading.side != asked:
            other = "ours" if reading.side == "us" else f"{deal.account}'s"
            self.say(f"That one is {other}; I'll put it in the plan as such.", "coach")
        self.state.pending = {
            "description": pb.step_description(reading, text),
            "side": side,
            "owner": reading.owner,
            "due": reading.due.isoformat() if reading.due else None,
            "origin": stage.value,
        }
        self.continue_pending()

    def continue_pending(self) -> None:
        p = self.state.pending
        assert p is not None
        deal = self.deal
        assert deal is not None
        if p.get("side") is None:
            self.goto(Stage.STEP_SIDE)
        elif p.get("due") is None and not p.get("no_date"):
            self.goto(Stage.STEP_DUE)
        elif (
            p.get("due")
            and deal.decision_date
            and dt.date.fromisoformat(p["due"]) > deal.decision_date
            and not p.get("keep_late")
        ):
            self.goto(Stage.STEP_LATE)
        else:
            self.save_pending()

    def save_pending(self) -> None:
        p = self.state.pending
        deal = self.deal
        assert p is not None and deal is not None
        due = dt.date.fromisoformat(p["due"]) if p.get("due") else None
        step = crud.add_step(
            self.s,
            deal,
            p["description"],
            p["side"],
            due,
            self.now,
            p.get("owner"),
            self.state.review_id,
        )
        self.state.pending = None
        self.state.steps_added += 1
        if step.side and step.side not in self.state.got:
            self.state.got.append(step.side)
        owner = owner_note(step.owner, step.description)
        when = f", due {fmt_date(due, self.today)}" if due else ", no date yet"
        self.say(
            f"Added to the plan: *{side_label(step.side)}*{owner}: {step.description}{when}",
            "success",
        )
        self.goto(self.next_step_stage(after=Stage(p.get("origin", Stage.MORE.value))))

    def next_step_stage(self, after: Stage) -> Stage:
        """Customer step first, then ours, then work back until 'that's all' or enough steps."""
        order = [Stage.CUSTOMER_NEXT, Stage.US_NEXT, Stage.MORE]
        if after is Stage.MORE:
            return (
                Stage.RISK
                if self.state.steps_added >= pb.MAX_STEPS_PER_REVIEW or "more" in self.state.gave_up
                else Stage.MORE
            )
        for stage in order[: order.index(after) + 1]:
            side = pb.STEP_STAGES[stage]
            if side and side not in self.state.got and side not in self.state.gave_up:
                return stage
        return order[order.index(after) + 1]

    def on_step_side(self, text: str | None, value: str | None) -> None:
        side = (value or "").removeprefix("side:") if value else pb.read_side(text or "")
        if side not in ("customer", "us"):
            self.say("Is it the customer's step or ours?", "warning")
            self.ask()
            return
        assert self.state.pending is not None
        self.state.pending["side"] = side
        self.continue_pending()

    def on_step_due(self, text: str | None, value: str | None) -> None:
        got = self.read_date(text, value)
        p = self.state.pending
        assert p is not None
        if got == "none":
            p["no_date"] = True
            self.say(
                "Saved without a date for now; the plan will flag it until it has one.", "warning"
            )
            self.save_pending()
            return
        if not isinstance(got, dt.date) or self.past(got):
            self.state.redirects += 1
            if self.state.redirects >= pb.MAX_REDIRECTS:
                p["no_date"] = True
                self.say("I'll save it without a date; add one when you know it.", "warning")
                self.save_pending()
            else:
                self.ask()
            return
        p["due"] = got.isoformat()
        self.continue_pending()

    def on_step_late(self, text: str | None, value: str | None) -> None:
        p = self.state.pending
        assert p is not None
        if value == "late:keep" or (text and pb.is_keep(text)):
            p["keep_late"] = True
            self.save_pending()
            return
        got = self.read_date(text, value)
        if not isinstance(got, dt.date) or self.past(got):
            self.ask()
            return
        p["due"] = got.isoformat()
        self.continue_pending()

    def on_risk(self, text: str | None, value: str | None) -> None:
        deal = self.deal
        assert deal is not None
        if value != "risk:skip" and text and not pb.is_skip(text):
            deal.risk = text[:1000]
            self.s.add(deal)
            self.record(text)
        self.goto(Stage.SUMMARY)

    def on_summary(self, text: str | None, value: str | None) -> None:
        if value == "summary:confirm" or (text and pb.is_yes(text)):
            self.finish()
        elif value == "summary:add" or (text and re.search(r"\badd\b", text, re.I)):
            if "more" in self.state.gave_up:
                self.state.gave_up.remove("more")
            self.goto(Stage.MORE)
        elif text and read_answer(text, self.today).orientation == "next_step":
            self.state.stage = Stage.MORE.value
            self.step_answer(text, None)
        else:
            self.say("Say *looks good* to save the plan, or *add* to add a step.", "warning")
            self.ask()

    def finish(self) -> None:
        deal, review = self.deal, self.review
        assert deal is not None and review is not None
        review.completed_at = self.now
        deal.last_reviewed_at = self.now
        self.s.add(review)
        self.s.add(deal)
        steps = crud.steps_for(self.s, [deal.id or 0]).get(deal.id or 0, [])
        plan = crud.to_plan(deal, steps, 0, self.tz)
        nxt = plan.next_step("customer", self.today)
        follow = (
            f" Next for {deal.account}: {nxt.description}"
            + (f", due {fmt_date(nxt.due, self.today)}" if nxt.due else "")
            + ". I'll remind you as dates come up."
            if nxt
            else " The plan still has no customer step: that's the first thing to find out."
        )
        self.say(f"Plan saved for *{deal.title}*.{follow}", "success")
        self.state = ReviewState()
        self.finished = True

    # --- plan cards and lists ---------------------------------------------------------

    def plan_card(self, deal: Deal, steps: list[PlanStep] | None = None) -> PlanCard:
        review = self.review if self.state.deal_id == deal.id else None
        context = review.context if review else ""
        return views.plan_card(self.s, deal, self.today, self.now, self.tz, context, steps)

    def show_plan(self, args: str) -> None:
        deals = (
            crud.find_deal(self.s, self.user, args) if args else crud.open_deals(self.s, self.user)
        )
        if not deals:
            which = f" matching “{args}”" if args else ""
            self.say(f"You have no open deals{which}. Type *review* to start one.")
            return
        if len(deals) > 1:
            self.say(
                "Which deal? "
                + ", ".join(d.title for d in deals[:12])
                + ". Type *plan* and its name."
            )
            return
        self.out.append(self.plan_card(deals[0]))

    def deal_list(self) -> DealList:
        return views.deal_list(self.s, self.user, self.today, self.tz)

    def step_action(self, value: str) -> None:
        parts = value.split(":")
        if len(parts) < 3 or not parts[1].isdigit():
            self.say(
                "That button didn't carry a step I know. Try *list* to see your deals.", "warning"
            )
            return
        found = crud.get_step(self.s, self.user, int(parts[1]))
        if found is None:
            self.say("I can't find that step (it may belong to someone else's deal).", "warning")
            self.reask()
            return
        step, deal = found
        action = parts[2]
        if step.status != "open":
            self.say(
                f"“{step.description}” is already {'done' if step.status == 'done' else 'dropped'}."
            )
            self.reask()
            return
        if action in ("done", "drop"):
            crud.close_step(self.s, step, "done" if action == "done" else "dropped", self.now)
            self.say(
                f"{'Marked done' if action == 'done' else 'Dropped'}: {step.description}",
                "success" if action == "done" else "info",
            )
            if self.state.active:
                self.reask()
            else:
                self.out.append(self.plan_card(deal))
        elif action == "reschedule":
            new = parts[3] if len(parts) > 3 else ""
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", new):
                d = dt.date.fromisoformat(new)
                if self.past(d):
                    return
                self.apply_reschedule(step, d)
                if self.state.active:
                    self.reask()
                else:
                    self.out.append(self.plan_card(deal))
                return
            if self.state.active and self.stage is not Stage.RESCHEDULE:
                self.state.resume = self.state.stage
            self.state.step_id = step.id
            self.state.stage = Stage.RESCHEDULE.value
            self.state.reset_question()
            if self.state.deal_id is None:
                self.state.deal_id = deal.id
                self._deal = deal
            self.ask()
        else:
            self.say("That button didn't carry an action I know.", "warning")

    # --- settings ---------------------------------------------------------------------

    def save_settings(self, form: dict[str, str]) -> None:
        errors = settings.apply_settings(self.user, form, self.today)
        self.form_errors = errors
        self.s.add(self.user)
        summary = settings.describe(self.user, self.tz.key, self.today)
        if errors:
            self.say("Not saved:\n• " + "\n• ".join(errors.values()), "error")
            self.say(f"Everything else is saved: {summary}.")
        else:
            self.say(f"Settings saved: {summary}.", "success")
        self.reask()
