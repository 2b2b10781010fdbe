"""The review dialog's core: one turn in, replies out, for every platform.

A `Dialog` lives for one turn inside one database transaction: it reads the user's saved
`ReviewState`, applies the turn using the playbook in `process/`, writes what the user
told it, and leaves the new state for `Coach` to save in the same transaction. The
sales-process decisions (questions, steering, health) are made in `process/`; the modules
of this package only sequence them and speak. Which module asks and answers each question
is listed in one place, `bot/review/flow.py`.

This class holds what every part of the review shares: the state, the deal and review
being worked on, saying things, asking the current question, reading a date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from bot import views
from bot.messages import Choice, DealList, Notice, PlanCard, Question, Reply, Text, Turn
from bot.review import commands
from bot.review.flow import STAGES
from bot.state import UNDO_DEPTH, ReviewState
from process import playbook as pb
from process.dates import DateConventions, parse_date_answer, parse_due
from process.playbook import Stage, fmt_date
from process.sales_process import SalesProcess, process_from
from storage import crud
from storage.models import Deal, PlanStep, Review, User

log = logging.getLogger(__name__)

#: Questions that complete another one (a step's side or date, a move's reason): `back`
#: skips them and returns to the question they belong to.
SUB_QUESTIONS = frozenset(
    {
        Stage.STEP_SIDE,
        Stage.STEP_DUE,
        Stage.STEP_LATE,
        Stage.STEP_DAY_OFF,
        Stage.DECISION_REASON,
        Stage.RESCHEDULE,
        Stage.RESCHEDULE_LATE,
        Stage.RESCHEDULE_DAY_OFF,
        Stage.SUGGEST,
        Stage.STEP_OWNER,
        Stage.RISK_STEP,
        # a side task's questions (close, rename a deal) are no review question to go back to
        Stage.CLOSE_OUTCOME,
        Stage.CLOSE_REASON,
        Stage.RENAME,
    }
)
MAX_TRAIL = 60
#: A typed date that passed this recently is asked about (next year's?), see `Dialog.past`.
RECENTLY_PASSED_DAYS = 42
#: A date question's answer of up to this many words may hold its date inside a sentence.
SENTENCE_WORDS = 25
#: "No, another date" / "Type another date": ask the question again, nothing recorded.
RETYPE = "date:retype"
_YEAR = re.compile(r"\b(?:19|20)\d\d\b|\d/\d{1,2}/\d{2}\b|\bFY\s?\d", re.I)
#: A typed day and month ("Nov 20", "20 November", "11/20"): only these can have just passed.
_DAY_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:the\s+)?\d"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"|\b\d{1,2}/\d{1,2}\b",
    re.I,
)
#: "Feb 29" typed in a year without one: read as a leap year's, which may be years away.
_LEAP_DAY = re.compile(
    r"\bfeb[a-z]*\.?\s+(?:the\s+)?29|\b29(?:th)?\s+(?:of\s+)?feb|\b2/29\b|\b29/0?2\b", re.I
)
_DATE_VALUE = re.compile(r"^date:(\d{4}-\d{2}-\d{2}|none)$")


def zone(name: str | None, default: str) -> ZoneInfo:
    """The user's zone, else the workspace default, else UTC (a bad name never fails a turn)."""
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
        admins: frozenset[str] = frozenset(),
        sales_process: str | None = None,
    ) -> None:
        self.s = session
        self._configured_process = sales_process
        self._process: SalesProcess | None = None
        #: The workspace or the settings name a process (not the default): see `process`.
        self._process_is_set = False
        #: The ADMINS setting (bot/access.py); the turn, for its mentions and channel role.
        self.admins = admins
        self.turn: Turn | None = None
        #: Messages for other people, and a digest channel just set (see `Outcome`).
        self.notices: list[Notice] = []
        self.digest_channel: str | None = None
        #: The step a step button closed or moved this turn (see `Outcome.changed_step`).
        self.changed_step: int | None = None
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
        #: `past` just asked about a passed date in place of the current question.
        self._asked_past = False

    # --- entry ------------------------------------------------------------------------

    def run(self, turn: Turn) -> list[Reply]:
        """Apply one turn: a settings form, a command, a button value or free text."""
        self.turn = turn
        if turn.form is not None:
            commands.form(self, turn.form_id, turn.form)
        elif turn.command:
            commands.command(self, turn.command.strip().lower(), turn.args.strip())
        elif turn.value:
            commands.value(self, turn.value.strip())
        else:
            commands.text(self, turn.text or "")
        return self.out

    @property
    def colleagues(self) -> tuple[str, ...]:
        """Names of the workspace members this turn's text mentioned (their steps are ours)."""
        return tuple(m.name for m in self.turn.mentions) if self.turn else ()

    def say(self, text: str, tone: str = "info") -> None:
        self.out.append(Text(text, tone))  # type: ignore[arg-type]

    # --- where the review stands --------------------------------------------------------

    @property
    def stage(self) -> Stage | None:
        return Stage(self.state.stage) if self.state.stage else None

    def goto(self, stage: Stage) -> None:
        """Move to `stage` and ask its question; main questions are kept for `back`."""
        self.state.stage = stage.value
        self.state.reset_question()
        self._asked_past = False  # a new question is asked whatever `past` said
        if stage not in SUB_QUESTIONS:
            self.state.trail = [*self.state.trail[-(MAX_TRAIL - 1) :], stage.value]
        self.ask()

    def remember(self, kind: str, **restore: Any) -> None:
        """Note what was just recorded and what restores it, for `undo` and `back`."""
        entry = {
            "kind": kind,
            "review_id": self.state.review_id,
            "trail_len": len(self.state.trail),
            **restore,
        }
        self.state.undo = [*self.state.undo[-(UNDO_DEPTH - 1) :], entry]

    @property
    def deal(self) -> Deal | None:
        if self._deal is None and self.state.deal_id is not None:
            self._deal = crud.get_deal(self.s, self.user, self.state.deal_id)
        return self._deal

    @deal.setter
    def deal(self, deal: Deal | None) -> None:
        self._deal = deal

    @property
    def review(self) -> Review | None:
        if self._review is None and self.state.review_id is not None:
            self._review = self.s.get(Review, self.state.review_id)
        return self._review

    @review.setter
    def review(self, review: Review | None) -> None:
        self._review = review

    @property
    def process(self) -> SalesProcess:
        """The sales process in force: the workspace's own, else the configured, else the default."""
        if self._process is None:
            own = crud.workspace_process_text(self.s, self.user.workspace_id)
            self._process_is_set = bool(own or self._configured_process)
            self._process = process_from(own or self._configured_process)
        return self._process

    @property
    def dates(self) -> DateConventions:
        """How this rep writes dates: the process file's `date_order` and `fiscal_year_start`
        where it sets them, else defaults from the rep's zone (DD/MM outside North America;
        the zone's country names the holidays in "after Thanksgiving")."""
        proc = self.process
        conv = DateConventions.for_timezone(self.tz.key, proc.fiscal_year_start)
        if proc.date_order != "auto":
            conv = dataclasses.replace(conv, day_first=proc.date_order == "DMY")
        return conv

    @property
    def holiday_country(self) -> str | None:
        """Whose public holidays a due date is checked against: the `holidays` of the
        workspace's own sales process (or the configured SALES_PROCESS) when it has one,
        else the country of the rep's time zone (`DateConventions.for_timezone`)."""
        process = self.process  # also learns whether a process was set (one query a turn)
        if self._process_is_set:
            return process.holidays
        return self.dates.holiday_country

    def reask(self) -> None:
        """After an aside (help, list, a button on an old card), repeat where the review is."""
        if self.state.active:
            self.ask()

    # --- asking and answering -----------------------------------------------------------

    def ask(self) -> None:
        """Ask the current stage's question (the asker is listed in `flow.STAGES`); not
        again right after `past` asked about a passed date in its stead."""
        if self._asked_past:
            self._asked_past = False
            return
        stage = self.stage
        if stage is not None:
            STAGES[stage].ask(self)

    def answer(self, text: str | None, value: str | None) -> None:
        """Hand a free-text answer or a button value to the current stage's answerer."""
        stage = self.stage
        if stage is None:
            return
        if STAGES[stage].in_review and (self.deal is None or self.review is None):
            self.state = self.state.idle()
            self.say(
                "I lost track of that deal (was it removed?). Type *review* to start again.",
                "warning",
            )
            return
        STAGES[stage].answer(self, text, value)

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

    def record(
        self,
        text: str,
        orientation: str | None = None,
        side: str | None = None,
        due: dt.date | None = None,
    ) -> None:
        """Keep the rep's answer to the current question with the review (the transcript)."""
        if self.review is not None and self.stage is not None:
            crud.record_answer(
                self.s, self.review, self.stage.value, text, self.now, orientation, side, due
            )

    # --- dates ------------------------------------------------------------------------

    def read_date(self, text: str | None, value: str | None) -> dt.date | None | str:
        """A picked or typed date; "none" for "no date yet"; None if it isn't a date (said why)."""
        if value:
            m = _DATE_VALUE.match(value)
            if m:
                return "none" if m.group(1) == "none" else dt.date.fromisoformat(m.group(1))
            return None
        if text and pb.is_skip(text):
            return "none"
        parsed = parse_date_answer(text or "", self.today, conv=self.dates)
        if self.leap_day(parsed, text or ""):
            return None
        passed = self.just_passed(parsed, text or "")
        if passed is not None:
            self.past(passed)
            return None
        if parsed is None:
            before = parse_date_answer(text or "", self.today, allow_past=True, conv=self.dates)
            if before is not None:
                self.past(before)
                return None
            found = parse_due(text or "", self.today, self.dates) if _short(text) else None
            if found is not None:  # "CFO cancelled, moving it to next Thursday"
                return found[0]
            self.say(
                f"I couldn't read a date in “{(text or '')[:60]}”. Try "
                f"{pb.date_examples(self.today)}, or pick one below.",
                "warning",
            )
        return parsed

    def leaves(self, text: str | None) -> bool:
        """Whether `text` leaves a date question unchanged ("skip", "that's all")."""
        return bool(text) and _leave(text or "")

    def keep_or_date(self, text: str | None, value: str | None) -> dt.date | str | None:
        """At "that's after the decision date (or a holiday): keep it or pick another?":
        "keep", a date from today on, or None after asking again."""
        if value in ("late:keep", "day:keep") or (text and (pb.is_keep(text) or _leave(text))):
            return "keep"
        got = self.read_date(text, value)
        if not isinstance(got, dt.date) or self.past(got):
            self.ask()
            return None
        return got

    @property
    def clarifying(self) -> bool:
        """Whether this turn's answer was a passed date asked about ("did you mean …?") or
        the rep's "No, another date": a clarification, not a missed answer to count."""
        return self._asked_past or (self.turn is not None and self.turn.value == RETYPE)

    def leap_day(self, day: dt.date | None, typed: str) -> bool:
        """ "Feb 29" with no year, read as the next leap year's more than a year away: ask
        (Feb 28 or Mar 1 of the coming February, or that leap day) rather than take it. True
        when asked, in place of the current question (its answer is a `date:` value)."""
        if day is None or _YEAR.search(typed) or not _LEAP_DAY.search(typed):
            return False
        if (day - self.today).days <= 366:
            return False
        year = day.year - 4 if day.year - 4 > self.today.year else self.today.year + 1
        while (dt.date(year, 3, 1) - self.today).days <= 0:
            year += 1
        options = [dt.date(year, 2, 28), dt.date(year, 3, 1), day]
        self.out.append(
            Question(
                f"There is no Feb 29 in {year}: did you mean one of these?",
                choices=tuple(
                    Choice(fmt_date(o, self.today), f"date:{o.isoformat()}") for o in options
                ),
                hint="Or type a date.",
                stage=self.state.stage,
                progress=pb.progress(self.stage) if self.stage else "",
            )
        )
        self._asked_past = True  # this is the current question's re-ask
        return True

    def just_passed(self, day: dt.date | None, typed: str) -> dt.date | None:
        """The date a year before `day` when that one passed in the last six weeks and `typed`
        named no year: "Nov 1" typed on Nov 24 reads as next Nov 1, but more likely it is a
        slip or a late answer, so it is asked about (`past`) rather than jumped a year."""
        if day is None or _YEAR.search(typed) or not _DAY_MONTH.search(typed):
            return None  # "end of year" on Jan 5 means this Dec 31, no question
        try:
            before = day.replace(year=day.year - 1)
        except ValueError:  # Feb 29
            return None
        return before if 0 < (self.today - before).days <= RECENTLY_PASSED_DAYS else None

    def past(self, d: dt.date, retry: str | None = None, ask: bool = True) -> bool:
        """Whether `d` is before today (and if so, say so).

        A date that passed in the last six weeks was most likely meant for next year or
        mistyped: ask "did you mean …, next year?" with that date as a choice, rather than
        jumping a year silently. The choice's value is `date:<ISO>` for the current question,
        or `retry` with "{date}" replaced (a command, e.g. `cmd:edit:Acme #2 due {date}`).
        `ask=False` (where the current question takes no date) only says it has passed."""
        if d >= self.today:
            return False
        later = _next_year(d)
        if ask and (self.today - d).days <= RECENTLY_PASSED_DAYS and later is not None:
            again = (retry or "date:{date}").format(date=later.isoformat())
            self.out.append(
                Question(
                    f"{pb.short_date(d, self.today)} has already passed: did you mean "
                    f"{fmt_date(later, self.today)}?",
                    choices=(
                        Choice(f"Yes, {pb.short_date(later, self.today)}", again, "primary"),
                        *((Choice("No, another date", RETYPE),) if retry is None else ()),
                    ),
                    hint="Or type a date from today on.",
                    stage=self.state.stage,
                    progress=pb.progress(self.stage) if self.stage and retry is None else "",
                )
            )
            self._asked_past = retry is None  # this is the current question's re-ask
            return True
        self.say(
            f"{fmt_date(d, self.today)} has already passed. Pick a date from today on.",
            "warning",
        )
        return True

    # --- plan cards and lists -----------------------------------------------------------

    def plan_card(
        self, deal: Deal, steps: list[PlanStep] | None = None, undo: bool = False
    ) -> PlanCard:
        """The deal's plan card; `undo` adds an Undo button (shown right after a change)."""
        review = self.review if self.state.deal_id == deal.id else None
        context = review.context if review else ""
        card = views.plan_card(self.s, deal, self.today, self.now, self.tz, context, steps, self.process)
        if undo:
            card = dataclasses.replace(card, actions=(*card.actions, Choice("Undo", "cmd:undo")))
        return card

    def show_plan(self, args: str, start: str = "Type *review* to start one.") -> bool:
        """One deal's plan card (True), or which deals match when `args` is ambiguous or
        empty, or that none does (False). `start` says how to start a review where this
        is shown (chat, or the `dealcoach plan` command line)."""
        deals = (
            crud.find_deal(self.s, self.user, args) if args else crud.open_deals(self.s, self.user)
        )
        if not deals:
            which = f" matching “{args}”" if args else ""
            self.say(f"You have no open deals{which}. {start}")
            return False
        if len(deals) > 1:
            self.say(
                "Which deal? "
                + ", ".join(d.title for d in deals[:12])
                + ". Type *plan* and its name."
            )
            return False
        self.state.last_deal_id = deals[0].id
        self.out.append(self.plan_card(deals[0]))
        return True

    def deal_list(self) -> DealList:
        return views.deal_list(self.s, self.user, self.today, self.tz, self.process)


def _leave(text: str) -> bool:
    """"skip", "that's all", "no change": leave a date question without changing anything."""
    return pb.is_skip(text) or pb.is_done(text)


def _short(text: str | None) -> bool:
    """A short sentence, whose one date is the answer (as the steering reads a step's date)."""
    return bool(text) and len((text or "").split()) <= SENTENCE_WORDS


def _next_year(d: dt.date) -> dt.date | None:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # Feb 29
        return None
