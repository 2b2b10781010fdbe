"""The neutral message model: what comes in from any platform, and what the coach says back.

Handlers turn a Slack event, a Teams activity or a terminal line into a `Turn`, and render
each `Reply` as Block Kit, an Adaptive Card or plain text. Nothing here knows a platform.

Text conventions: `*word*` marks emphasis (Slack mrkdwn renders it as is; Teams and the
terminal convert it); "\n" separates lines; "• " starts a bullet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from process.plan import Health, Side
from process.playbook import days as days  # re-exported: "1 day", "3 days" everywhere
from process.playbook import fmt_date as fmt_date  # re-exported: one date format everywhere

Tone = Literal["info", "coach", "warning", "error", "success"]


@dataclass(frozen=True)
class UserRef:
    """Who is speaking. `workspace_id` is "<platform>:<native id>", e.g. "slack:T0123"."""

    workspace_id: str
    user_id: str
    display_name: str = ""
    timezone: str | None = None
    #: The platform's workspace admin/owner flag when it was just looked up; None when not
    #: looked up this turn (the stored flag then counts). See bot/access.py.
    is_admin: bool | None = None

    @property
    def platform(self) -> str:
        return self.workspace_id.split(":", 1)[0]


@dataclass(frozen=True)
class Mention:
    """A colleague the user named with the platform's mention (Slack `<@U…>`, Teams `<at>`).

    The text of the turn already carries `name` in place of the mention; `user_id` is the
    platform's id of that person in the same workspace.
    """

    user_id: str
    name: str


@dataclass(frozen=True)
class Turn:
    """One inbound event, already stripped of its platform.

    Exactly one of `text` (typed answer), `value` (a button or choice value), `command`
    (an explicit command such as a slash command: review, list, plan, help, settings,
    cancel) or `form` (a submitted form) is normally set. `event_id` is the delivery's
    idempotency key: the same key twice takes effect once.
    """

    user: UserRef
    text: str | None = None
    value: str | None = None
    command: str | None = None
    args: str = ""
    form: dict[str, str] | None = None
    #: Which form `form` fills: "settings", "step:<id>" (edit a step), "close:<deal id>".
    form_id: str = "settings"
    event_id: str | None = None
    #: Colleagues named in `text`/`args`, in order (decoded by the handler).
    mentions: tuple[Mention, ...] = ()
    #: The speaker owns the team whose channel this turn names (Teams roster `userRole`).
    channel_owner: bool = False
    #: The conversation the turn came from when it is not the user's DM with us (a channel
    #: or group chat): where `share` posts, and which shared plan a buyer's click belongs to.
    channel: str | None = None
    #: The speaker is from outside the installing workspace or tenant (Slack Connect user,
    #: Teams guest or external user): a buyer, who may act on a shared plan's customer
    #: steps and nothing else (bot/share.py).
    external: bool = False


@dataclass(frozen=True)
class Choice:
    """A quick answer: `label` is shown, `value` comes back in `Turn.value` when picked."""

    label: str
    value: str
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True)
class Text:
    """A statement from the coach."""

    text: str
    tone: Tone = "info"


@dataclass(frozen=True)
class Question:
    """A question the user answers by typing, picking a choice, or picking a date."""

    text: str
    choices: tuple[Choice, ...] = ()
    date_input: bool = False
    initial_date: dt.date | None = None
    hint: str | None = None
    stage: str = ""
    progress: str = ""  # e.g. "Step 4 of 8", shown small beside the question


def side_label(side: str | None) -> str:
    """How a step's side reads: "Customer", "Us", or "Unassigned" when nobody said."""
    return {"customer": "Customer", "us": "Us"}.get(side or "", "Unassigned")


def owner_note(owner: str | None, description: str) -> str:
    """ " (Maria)" when the owner adds something the description doesn't already say."""
    if not owner or owner.lower() in description.lower():
        return ""
    return f" ({owner})"


@dataclass(frozen=True)
class StepView:
    """One plan step as shown on a card, with its per-step buttons (Done / Reschedule / Drop)."""

    id: int
    description: str
    side: Side | None
    owner: str | None
    due: dt.date | None
    status: str
    overdue: bool = False
    after_decision: bool = False
    slips: int = 0
    actions: tuple[Choice, ...] = ()
    #: 1, 2, 3 within the deal: what the rep types in `edit #3` (the id is for buttons).
    number: int = 0

    @property
    def who(self) -> str:
        return side_label(self.side)

    @property
    def owner_note(self) -> str:
        """ " (Maria)" when the owner adds something the description doesn't already say."""
        if not self.owner or self.owner.lower() in self.description.lower():
            return ""
        return f" ({self.owner})"

    @property
    def flags(self) -> tuple[str, ...]:
        """What deserves attention, in words every renderer styles its own way."""
        out = [self.status] if self.status != "open" else []
        if self.overdue:
            out.append("overdue")
        if self.after_decision:
            out.append("after the decision date")
        if self.slips:
            out.append(f"slipped {self.slips}x")
        return tuple(out)


#: What a plan card says when `PlanCard.gaps` is empty: what `process.plan.assess` checks
#: (whose each step is and its date, not a named owner: "we" and "their team" name no one).
NO_GAPS = "No gaps: every step is ours or theirs and has a date, and the plan reaches the decision."


@dataclass(frozen=True)
class PlanCard:
    """A deal's action plan: decision date, steps, health with its reasons."""

    deal_id: int
    title: str
    decision_date: dt.date | None
    days_left: int | None
    health: Health
    steps: tuple[StepView, ...] = ()
    context: str = ""
    risk: str | None = None
    gaps: tuple[str, ...] = ()
    #: Buttons for the whole deal (Close deal).
    actions: tuple[Choice, ...] = ()
    #: The rep's today, so renderers show a date's year only when it is not this one.
    today: dt.date | None = None
    #: "2 of 4 customer steps confirmed by Acme" once the plan was shared, else "".
    confirmed: str = ""
    #: The deal's stage in the sales process (its name), and the work-back check's reason
    #: when the plan cannot make its decision date (also among the health reasons).
    stage: str | None = None
    cannot_make: str = ""


@dataclass(frozen=True)
class DealLine:
    deal_id: int
    title: str
    decision_date: dt.date | None
    health: Health
    next_customer_step: str | None
    next_customer_due: dt.date | None
    due_this_week: int = 0
    today: dt.date | None = None  # the rep's today: see PlanCard.today
    confirmed: str = ""  # see PlanCard.confirmed

    @property
    def confirmed_note(self) -> str:
        return f" · {self.confirmed}" if self.confirmed else ""

    @property
    def next_note(self) -> str:
        """What the customer does next, or that nothing is planned: the line a deal lives by."""
        if not self.next_customer_step:
            return "no customer step"
        due = fmt_date(self.next_customer_due, self.today)
        return f"next customer step: {self.next_customer_step} ({due})"

    @property
    def week_note(self) -> str:
        return f" · {self.due_this_week} due this week" if self.due_this_week else ""


@dataclass(frozen=True)
class DealList:
    """A user's open deals: what App Home, `list` and the console's `deals` show."""

    deals: tuple[DealLine, ...]
    title: str = "Your deals"


@dataclass(frozen=True)
class Home:
    """What a home tab (Slack App Home) shows: the user's deals, whether a review is under
    way, and a manager's team's deals (None for a non-manager)."""

    deals: DealList
    in_review: bool
    team: DealList | None


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: Literal["text", "date", "time", "weekday", "timezone", "choice"] = "text"
    initial: str | None = None
    options: tuple[Choice, ...] = ()
    optional: bool = True
    hint: str | None = None


@dataclass(frozen=True)
class Form:
    """A small form (a Slack modal, an Adaptive Card); comes back as `Turn.form`."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Save"

    @property
    def open_value(self) -> str:
        """The button value that asks for this form again (where a modal can't open at once)."""
        kind, _, ident = self.form_id.partition(":")
        if kind == "step":
            return f"step:{ident}:edit"
        if kind == "close":
            return f"close:{ident}"
        return f"cmd:{self.form_id}"


@dataclass(frozen=True)
class Section:
    """A titled block of lines with optional buttons: reminders, nudges, digest parts.

    Renderers show `title` as a header, each line as a line (they may contain *emphasis*),
    `choices` as buttons and `footer` small. Long content is split into several Sections by
    the producer, never by the renderer.
    """

    title: str
    lines: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    footer: str | None = None


@dataclass(frozen=True)
class File:
    """A file for the user (the customer-facing plan export): uploaded where the platform
    can, else shown as text when `content` is text."""

    filename: str
    content: bytes
    title: str = ""


Reply = Text | Question | PlanCard | DealList | Form | Section | File


@dataclass(frozen=True)
class Notice:
    """A message for someone other than the speaker (a manager whose digest was moved)."""

    user_id: str  # platform user id in the speaker's workspace
    replies: tuple[Reply, ...]


@dataclass
class Outcome:
    """The coach's answer to one turn: replies in order, and whether it was a duplicate."""

    replies: list[Reply] = field(default_factory=list)
    duplicate: bool = False
    review_finished: bool = False
    #: A submitted form's rejected fields (field name -> what to fix), for a platform that
    #: shows errors next to the inputs (a Slack modal); the replies say the same in words.
    form_errors: dict[str, str] = field(default_factory=dict)
    #: Messages the handler delivers to other people of the workspace (best effort).
    notices: list[Notice] = field(default_factory=list)
    #: A digest was just pointed at this channel: the handler checks it can post there.
    digest_channel: str | None = None
    #: Shared plans to post (no `message_id` yet) or update in place (bot/share.py); the
    #: handler reports each posted message back with `Coach.shared_posted`.
    shares: list[SharedPost] = field(default_factory=list)
    #: The step a step button (`step:<id>:done|drop|reschedule:<date>`) closed or moved,
    #: once the engine found it among the acting user's own deals; None when the click
    #: changed nothing (someone else's step, one already closed, a date in the past). A
    #: platform may then update the card the button was on in place (handlers/slack).
    changed_step: int | None = None


@dataclass(frozen=True)
class SharedPost:
    """A deal's plan as both sides see it, for conversation `channel` (Sections only: the
    decision date, customer steps with the buyer's buttons, our steps read-only)."""

    share_id: int
    channel: str
    message_id: str | None
    replies: tuple[Reply, ...]
    reference: dict[str, object] = field(default_factory=dict)
    #: Digest of `replies`, handed back to `Coach.shared_posted` once the post succeeded.
    rendered: str = ""
