"""Every table, in one module (SQLModel). Migrations are generated from these.

Tenancy: each row that belongs to a workspace carries `workspace_id`, and every query in
`crud.py` filters by it. Datetimes are aware UTC (`UTCDateTime`); plain dates are calendar
dates in the user's own time zone (a step "due Friday" is due on the rep's Friday).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def utc_field(nullable: bool = True, **kw: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, **kw))


class Workspace(SQLModel, table=True):
    """A Slack workspace, a Teams tenant, or the local console; id is "<platform>:<native id>"."""

    id: str = Field(primary_key=True, max_length=120)
    platform: str = Field(max_length=20)
    name: str = Field(default="", max_length=200)
    created_at: dt.datetime = utc_field(nullable=False)
    #: Slack Enterprise Grid: the org the workspace belongs to (installations are found by both)
    enterprise_id: str | None = Field(default=None, max_length=32)
    #: The app was uninstalled (or its bot token revoked): nothing is scheduled for it
    uninstalled_at: dt.datetime | None = utc_field()


class Team(SQLModel, table=True):
    """A manager's team: whose deals go into which digest, and where the digest is posted.

    A workspace has as many teams as it has managers (`manager_user_id`, one team each);
    a rep belongs to at most one (`user.team_id`). A rep in no team is in no digest.
    """

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    name: str = Field(max_length=200)
    manager_user_id: int | None = None  # no FK: user.team_id already points the other way
    digest_channel: str | None = Field(default=None, max_length=200)
    timezone: str = Field(default="UTC", max_length=128)
    digest_weekday: int = 0
    digest_time: str = Field(default="10:00", max_length=5)
    last_digest_at: dt.datetime | None = utc_field()
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        Index("ix_team_manager", "workspace_id", "manager_user_id", unique=True),
    )


class User(SQLModel, table=True):
    """A rep (or manager) as their platform knows them, with their personal cadence settings."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    platform_user_id: str = Field(max_length=120)
    display_name: str = Field(default="", max_length=256)
    timezone: str | None = Field(default=None, max_length=128)
    timezone_override: str | None = Field(default=None, max_length=128)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    #: A workspace admin or owner as the platform last said (Slack `users.info`
    #: `is_admin`/`is_owner`), refreshed with the profile; one of the roles that may set,
    #: move or stop a digest and appoint managers (bot/access.py).
    is_admin: bool = False
    nudge_weekday: int | None = None
    nudge_time: str | None = Field(default=None, max_length=5)
    paused_until: dt.date | None = None
    profile_checked_at: dt.datetime | None = utc_field()
    created_at: dt.datetime = utc_field(nullable=False)
    __table_args__ = (UniqueConstraint("workspace_id", "platform_user_id"),)

    @property
    def zone(self) -> str | None:
        return self.timezone_override or self.timezone


class Deal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    owner_id: int = Field(foreign_key="user.id")
    account: str = Field(max_length=200)
    name: str = Field(default="", max_length=200)
    decision_date: dt.date | None = None
    status: str = Field(default="open", max_length=10)  # open | won | lost | no_decision | archived
    risk: str | None = Field(default=None, max_length=1000)
    #: The deal's stage in the sales process in force (a stage id of process/*.yaml).
    stage: str | None = Field(default=None, max_length=60)
    close_reason: str | None = Field(default=None, max_length=1000)
    closed_at: dt.datetime | None = utc_field()
    last_reviewed_at: dt.datetime | None = utc_field()
    created_at: dt.datetime = utc_field(nullable=False)
    __table_args__ = (
        UniqueConstraint("workspace_id", "owner_id", "account", "name"),
        Index("ix_deal_owner", "workspace_id", "owner_id", "status"),
    )

    @property
    def title(self) -> str:
        return f"{self.account} — {self.name}" if self.name else self.account


class Review(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    context: str = Field(default="", max_length=2000)
    started_at: dt.datetime = utc_field(nullable=False)
    completed_at: dt.datetime | None = utc_field()


class Answer(SQLModel, table=True):
    """Every answer to a coach question, with how steering read it (the forward-looking ratio)."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    review_id: int = Field(foreign_key="review.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    stage: str = Field(max_length=40)
    text: str = Field(max_length=4000)
    orientation: str | None = Field(default=None, max_length=12)
    side: str | None = Field(default=None, max_length=10)
    due: dt.date | None = None
    created_at: dt.datetime = utc_field(nullable=False)


class PlanStep(SQLModel, table=True):
    """One step of a deal's plan. `number` is 1, 2, 3 within the deal (what `edit #3` names)."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    deal_id: int = Field(foreign_key="deal.id")
    number: int | None = None
    review_id: int | None = Field(default=None, foreign_key="review.id")
    description: str = Field(max_length=1000)
    side: str | None = Field(default=None, max_length=10)
    owner: str | None = Field(default=None, max_length=200)
    due: dt.date | None = None
    original_due: dt.date | None = None
    status: str = Field(default="open", max_length=10)  # open | done | dropped
    close_reason: str | None = Field(default=None, max_length=1000)
    slips: int = 0
    created_at: dt.datetime = utc_field(nullable=False)
    closed_at: dt.datetime | None = utc_field()
    #: A customer step the buyer confirmed in a shared plan (issue 16): their name, and when.
    #: Unset means the step is still the seller's assumption.
    confirmed_by: str | None = Field(default=None, max_length=200)
    confirmed_at: dt.datetime | None = utc_field()
    #: What the customer sees instead of `description` on a shared plan and in the exports,
    #: for a step the coach itself proposed (a de-risking step worded for the rep, e.g.
    #: "Send the two facts they still need to decide, and stop adding more"). Cleared when
    #: the rep rewords the step: their own words are then what both sides see.
    shared_text: str | None = Field(default=None, max_length=300)
    #: Bumped on every change of what the step says, when, who or its status (see
    #: `storage.db`'s flush hook), so a calendar export can raise SEQUENCE; `changed_at`
    #: is that change's time when the turn's clock is known (`session.info["now"]`).
    revision: int = 0
    changed_at: dt.datetime | None = utc_field()
    __table_args__ = (Index("ix_planstep_deal_status", "deal_id", "status"),)


class SharedPlan(SQLModel, table=True):
    """A deal's plan posted in a conversation with the customer (`share DEAL`).

    `channel` is the Slack channel id or the Teams conversation id; `message_id` the posted
    message (Slack `ts`, Teams activity id), so the post is updated in place when the plan
    changes; `rendered` is a digest of what was last posted, so an unchanged plan is not
    posted again. External users may act only on customer steps of `deal_id`, and only
    through the conversation it was shared in.
    """

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    channel: str = Field(max_length=200)
    message_id: str | None = Field(default=None, max_length=200)
    #: Platform data needed to update the post later (Teams service URL, conversation).
    reference: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rendered: str = Field(default="", max_length=64)
    shared_by: int = Field(foreign_key="user.id")
    created_at: dt.datetime = utc_field(nullable=False)
    __table_args__ = (UniqueConstraint("workspace_id", "channel", "deal_id"),)


class BuyerAction(SQLModel, table=True):
    """What a customer's person did on a shared plan: confirm, done or propose a date.

    Kept for the record (who, when) and, for a proposal, until the rep accepts or counters
    (`status` pending | accepted | countered).
    """

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    share_id: int = Field(foreign_key="sharedplan.id", index=True)
    step_id: int = Field(foreign_key="planstep.id")
    actor_id: str = Field(max_length=120)
    actor_name: str = Field(default="", max_length=200)
    kind: str = Field(max_length=10)  # confirm | done | propose
    proposed_due: dt.date | None = None
    status: str = Field(default="done", max_length=10)
    created_at: dt.datetime = utc_field(nullable=False)


class StepSlip(SQLModel, table=True):
    """A step's date moved: kept so digests can say what slipped since last week."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    step_id: int = Field(foreign_key="planstep.id", index=True)
    old_due: dt.date | None = None
    new_due: dt.date | None = None
    changed_at: dt.datetime = utc_field(nullable=False)


class DecisionDateChange(SQLModel, table=True):
    """The target decision date is set once and moves only with a recorded reason."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    review_id: int | None = Field(default=None, foreign_key="review.id")
    old_date: dt.date | None = None
    new_date: dt.date
    reason: str = Field(default="", max_length=1000)
    changed_at: dt.datetime = utc_field(nullable=False)


class DealStageChange(SQLModel, table=True):
    """A deal moved to another stage of the sales process: kept like decision-date moves,
    so the digest can tell how long a deal has been in its stage."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    review_id: int | None = Field(default=None, foreign_key="review.id")
    old_stage: str | None = Field(default=None, max_length=60)
    new_stage: str = Field(max_length=60)
    reason: str = Field(default="", max_length=1000)
    changed_at: dt.datetime = utc_field(nullable=False)


class SalesProcessFile(SQLModel, table=True):
    """A workspace's own sales process (`dealcoach process load`): the YAML text as loaded,
    validated before it is stored; without a row the configured or default process applies."""

    workspace_id: str = Field(foreign_key="workspace.id", primary_key=True, max_length=120)
    name: str = Field(max_length=100)
    text: str = Field(sa_column=Column(Text, nullable=False))
    loaded_at: dt.datetime = utc_field(nullable=False)


class Conversation(SQLModel, table=True):
    """Where a user's dialog stands; saved with every turn so a restart resumes it."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    user_id: int = Field(foreign_key="user.id")
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = utc_field(nullable=False)
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)


class ProcessedEvent(SQLModel, table=True):
    """Idempotency keys of inbound deliveries (Slack event ids, clicks, Teams activity ids)."""

    key: str = Field(primary_key=True, max_length=255)
    processed_at: dt.datetime = utc_field(nullable=False)


class ConversationRef(SQLModel, table=True):
    """How to reach a user or channel later (proactive messages): platform-specific JSON."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    target: str = Field(max_length=200)  # "user:<platform user id>" or "channel:<id>"
    reference: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = utc_field(nullable=False)
    __table_args__ = (UniqueConstraint("workspace_id", "target"),)


class Outbox(SQLModel, table=True):
    """Every scheduled message, written with the decision that made it due, sent at most once.

    `key` is (kind, recipient, subject, local date) joined; its uniqueness is what makes a
    second pass, a restart or a second replica harmless.
    """

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400, unique=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    kind: str = Field(max_length=20)  # reminder | nudge | digest
    recipient: str = Field(max_length=200)
    subject: str = Field(default="", max_length=200)
    local_date: dt.date
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(
        default="pending", max_length=12
    )  # pending | sent | failed | skipped | stale
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    platform_message_id: str | None = Field(default=None, max_length=200)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: dt.datetime | None = utc_field()
    not_before: dt.datetime = utc_field(nullable=False)
    created_at: dt.datetime = utc_field(nullable=False)
    sent_at: dt.datetime | None = utc_field()
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "not_before"),
        # supersede's "is there a newer one for this recipient?": a probe, not a scan
        Index(
            "ix_outbox_recipient_date", "workspace_id", "recipient", "kind", "subject", "local_date"
        ),
    )


#: The PlanStep columns whose change a calendar or a shared plan shows (`revision`).
REVISED = ("description", "shared_text", "side", "owner", "due", "status", "confirmed_by")


@event.listens_for(OrmSession, "before_flush")
def _bump_step_revisions(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Every flushed change to what a step says, when, who or its status bumps its
    `revision` (and `changed_at` to the turn's instant, when the caller put it in
    `session.info["now"]`): every path that edits a step (edit, move, close, undo, a
    buyer's confirm) counts, without each having to remember it. An iCalendar export uses
    it as SEQUENCE, so a re-import replaces the older copy (RFC 5545, 3.8.7.4)."""
    for obj in session.dirty:
        if not isinstance(obj, PlanStep) or obj.id is None:
            continue
        state = inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in REVISED):
            obj.revision = (obj.revision or 0) + 1
            now = session.info.get("now")
            if isinstance(now, dt.datetime):
                obj.changed_at = now
