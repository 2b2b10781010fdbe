"""Queries that answer whole questions, each in a constant number of round trips.

Every function takes the session of the caller's unit of work and filters by workspace.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from process.plan import Plan, Side, Step
from storage.models import (
    Answer,
    Conversation,
    ConversationRef,
    Deal,
    DealStageChange,
    DecisionDateChange,
    PlanStep,
    ProcessedEvent,
    Review,
    SalesProcessFile,
    SharedPlan,
    StepSlip,
    Team,
    User,
    Workspace,
)

# --- workspaces and users -------------------------------------------------------------


def ensure_user(
    session: Session,
    workspace_id: str,
    platform_user_id: str,
    now: dt.datetime,
    display_name: str = "",
    timezone: str | None = None,
    is_admin: bool | None = None,
) -> User:
    """The user row for a platform user, created on first contact, refreshed when told more.

    `is_admin` is the platform's admin/owner flag when it was just looked up (None: not
    looked up this time, keep what is stored).
    """
    if session.get(Workspace, workspace_id) is None:
        session.add(
            Workspace(id=workspace_id, platform=workspace_id.split(":", 1)[0], created_at=now)
        )
        session.flush()
    user = session.exec(
        select(User).where(
            User.workspace_id == workspace_id, User.platform_user_id == platform_user_id
        )
    ).first()
    if user is None:
        user = User(
            workspace_id=workspace_id,
            platform_user_id=platform_user_id,
            display_name=display_name or platform_user_id,
            timezone=timezone,
            is_admin=bool(is_admin),
            created_at=now,
        )
        session.add(user)
        session.flush()
        return user
    if display_name and user.display_name != display_name:
        user.display_name = display_name
    if timezone and user.timezone != timezone:
        user.timezone = timezone
    if is_admin is not None and user.is_admin != is_admin:
        user.is_admin = is_admin
    return user


# --- idempotency ----------------------------------------------------------------------


def claim_event(session: Session, key: str, now: dt.datetime) -> bool:
    """Record an inbound delivery key; False when it was already processed.

    The row is written inside the caller's transaction, so the key and the work it guards
    commit (or vanish) together. Two concurrent deliveries of one key: the second insert
    fails with IntegrityError when the first commits, and `Coach.handle` runs the turn again,
    which then finds the key here.
    """
    if session.get(ProcessedEvent, key) is not None:
        return False
    session.add(ProcessedEvent(key=key, processed_at=now))
    session.flush()
    return True


#: Platforms retry a delivery within minutes; a week of keys is plenty to catch them.
KEEP_EVENT_KEYS = dt.timedelta(days=7)


def prune_events(session: Session, now: dt.datetime, keep: dt.timedelta = KEEP_EVENT_KEYS) -> int:
    """Forget idempotency keys too old to be retried, so the table stays small."""
    result = session.execute(
        delete(ProcessedEvent).where(col(ProcessedEvent.processed_at) < now - keep)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


# --- conversations --------------------------------------------------------------------


def load_conversation(session: Session, user: User, now: dt.datetime) -> Conversation:
    """The user's conversation row, locked for this turn (PostgreSQL) so turns never interleave."""
    stmt = (
        select(Conversation)
        .where(Conversation.workspace_id == user.workspace_id, Conversation.user_id == user.id)
        .with_for_update()
    )
    conv = session.exec(stmt).first()
    if conv is None:
        conv = Conversation(
            workspace_id=user.workspace_id, user_id=user.id, state={}, updated_at=now
        )
        session.add(conv)
        session.flush()
    return conv


def save_conversation(
    session: Session, conv: Conversation, state: dict[str, Any], now: dt.datetime
) -> None:
    conv.state = dict(state)
    conv.updated_at = now
    session.add(conv)


# --- deals ----------------------------------------------------------------------------


def open_deals(session: Session, user: User) -> list[Deal]:
    return user_deals(session, user)


def find_deal(
    session: Session, user: User, text: str, include_closed: bool = False
) -> list[Deal]:
    """The user's open deals (or also closed ones, never archived) whose title matches
    `text` (exact first, else contains), case-blind."""
    # quotes typed around a name (`plan "Acme - renewal"`) are not part of it
    text = text.strip().strip("\"'“”‘’«»").strip()
    needle = " ".join(text.lower().replace("—", " ").replace("-", " ").split())
    deals = user_deals(session, user, include_closed)

    def norm(d: Deal) -> str:
        return " ".join(d.title.lower().replace("—", " ").replace("-", " ").split())

    exact = [d for d in deals if norm(d) == needle or d.account.lower() == needle and not d.name]
    if exact:
        return exact
    return [d for d in deals if needle and needle in norm(d)] if len(needle) >= 3 else []


def get_deal(session: Session, user: User, deal_id: int) -> Deal | None:
    deal = session.get(Deal, deal_id)
    if deal is None or deal.workspace_id != user.workspace_id or deal.owner_id != user.id:
        return None
    return deal


def create_deal(session: Session, user: User, account: str, name: str, now: dt.datetime) -> Deal:
    deal = Deal(
        workspace_id=user.workspace_id, owner_id=user.id, account=account, name=name, created_at=now
    )
    session.add(deal)
    session.flush()
    return deal


def set_decision_date(
    session: Session,
    deal: Deal,
    new_date: dt.date,
    now: dt.datetime,
    reason: str = "",
    review_id: int | None = None,
) -> DecisionDateChange:
    """Set or move the target decision date; every change is recorded, never silent.

    Returns the recorded change (flushed, so it has its id: undo and corrections find it).
    """
    change = DecisionDateChange(
        workspace_id=deal.workspace_id,
        deal_id=deal.id,
        review_id=review_id,
        old_date=deal.decision_date,
        new_date=new_date,
        reason=reason,
        changed_at=now,
    )
    session.add(change)
    deal.decision_date = new_date
    session.add(deal)
    session.flush()
    return change


def correct_decision_date(
    session: Session, deal: Deal, change_id: int, new_date: dt.date | None
) -> DecisionDateChange | None:
    """Amend (or with `new_date` None, take back) a decision-date change of this deal.

    A date mistyped and fixed in the same review is a correction, not a move: the change
    row is rewritten or deleted instead of a second one being added. None if the change is
    not this deal's.
    """
    change = session.get(DecisionDateChange, change_id)
    if change is None or change.deal_id != deal.id:
        return None
    if new_date is None:
        deal.decision_date = change.old_date
        session.delete(change)
    else:
        change.new_date = new_date
        deal.decision_date = new_date
        session.add(change)
    session.add(deal)
    return change


def set_stage(
    session: Session,
    deal: Deal,
    new_stage: str,
    now: dt.datetime,
    reason: str = "",
    review_id: int | None = None,
) -> None:
    """Set or move the deal's sales-process stage, recorded like decision-date changes."""
    if deal.stage == new_stage:
        return
    session.add(
        DealStageChange(
            workspace_id=deal.workspace_id,
            deal_id=deal.id,
            review_id=review_id,
            old_stage=deal.stage,
            new_stage=new_stage,
            reason=reason,
            changed_at=now,
        )
    )
    deal.stage = new_stage
    session.add(deal)


def stage_since_for(session: Session, deal_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """When each deal entered its current stage (its latest stage change), in one query."""
    ids = list(deal_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(DealStageChange.deal_id, func.max(DealStageChange.changed_at))
        .where(col(DealStageChange.deal_id).in_(ids))
        .group_by(DealStageChange.deal_id)
    ).all()
    # max() keeps the column's type, so the values come back aware UTC like the column's.
    return {deal_id: at for deal_id, at in rows if at is not None}


# --- the sales process ----------------------------------------------------------------


def workspace_process_text(session: Session, workspace_id: str) -> str | None:
    """The YAML of the workspace's own sales process, or None (the configured default applies)."""
    row = session.get(SalesProcessFile, workspace_id)
    return row.text if row else None


def save_workspace_process(
    session: Session, workspace_id: str, name: str, text: str, now: dt.datetime
) -> None:
    """Store an already validated process file as the workspace's own (replacing any)."""
    ensure_workspace(session, workspace_id, now)
    row = session.get(SalesProcessFile, workspace_id)
    if row is None:
        row = SalesProcessFile(workspace_id=workspace_id, name=name, text=text, loaded_at=now)
    row.name, row.text, row.loaded_at = name, text, now
    session.add(row)


# --- reviews and answers --------------------------------------------------------------


def start_review(session: Session, deal: Deal, user: User, now: dt.datetime) -> Review:
    review = Review(
        workspace_id=deal.workspace_id, deal_id=deal.id, user_id=user.id, started_at=now
    )
    session.add(review)
    session.flush()
    return review


def record_answer(
    session: Session,
    review: Review,
    stage: str,
    text: str,
    now: dt.datetime,
    orientation: str | None = None,
    side: str | None = None,
    due: dt.date | None = None,
) -> None:
    session.add(
        Answer(
            workspace_id=review.workspace_id,
            review_id=review.id,
            user_id=review.user_id,
            stage=stage,
            text=text[:4000],
            orientation=orientation,
            side=side,
            due=due,
            created_at=now,
        )
    )


def previous_reviews(session: Session, deal: Deal) -> int:
    return session.exec(
        select(func.count())
        .select_from(Review)
        .where(Review.deal_id == deal.id, col(Review.completed_at).is_not(None))
    ).one()


# --- plan steps -----------------------------------------------------------------------


def add_step(
    session: Session,
    deal: Deal,
    description: str,
    side: Side | None,
    due: dt.date | None,
    now: dt.datetime,
    owner: str | None = None,
    review_id: int | None = None,
    shared_text: str | None = None,
) -> PlanStep:
    """A new open step numbered after the deal's last; `shared_text` is the customer-facing
    wording of a step the coach proposed (`PlanStep.shared_text`)."""
    last = session.exec(
        select(func.max(PlanStep.number)).where(PlanStep.deal_id == deal.id)
    ).one()
    step = PlanStep(
        workspace_id=deal.workspace_id,
        deal_id=deal.id,
        number=(last or 0) + 1,
        review_id=review_id,
        description=description[:1000],
        side=side,
        owner=owner,
        due=due,
        original_due=due,
        created_at=now,
        shared_text=shared_text[:300] if shared_text else None,
    )
    session.add(step)
    session.flush()
    return step


def get_step(session: Session, user: User, step_id: int) -> tuple[PlanStep, Deal] | None:
    """A step of one of the user's own deals (tenancy and ownership checked in one query)."""
    row = session.exec(
        select(PlanStep, Deal)
        .join(Deal, col(Deal.id) == PlanStep.deal_id)
        .where(
            PlanStep.id == step_id,
            Deal.workspace_id == user.workspace_id,
            Deal.owner_id == user.id,
        )
    ).first()
    return (row[0], row[1]) if row else None


def step_by_number(session: Session, deal: Deal, number: int) -> PlanStep | None:
    """The deal's step `number` (1, 2, 3 within the deal, as shown on the plan)."""
    return session.exec(
        select(PlanStep).where(PlanStep.deal_id == deal.id, PlanStep.number == number)
    ).first()


def close_step(
    session: Session, step: PlanStep, status: str, now: dt.datetime, reason: str | None = None
) -> None:
    """Mark a step done or dropped (`reason`: why it was dropped, in the rep's words)."""
    step.status = status
    step.closed_at = now
    step.close_reason = reason[:1000] if reason else None
    session.add(step)


def reopen_step(session: Session, step: PlanStep) -> None:
    """Undo `close_step`: the step is open again, as if never closed."""
    step.status = "open"
    step.closed_at = None
    step.close_reason = None
    session.add(step)


def delete_step(session: Session, step: PlanStep) -> None:
    """Take back a step recorded by mistake (undo): it and its date history go."""
    for slip in session.exec(select(StepSlip).where(StepSlip.step_id == step.id)):
        session.delete(slip)
    session.flush()
    session.delete(step)
    session.flush()


def restore_due(
    session: Session, step: PlanStep, due: dt.date | None, slips: int, slip_id: int | None
) -> None:
    """Undo a reschedule: the old date and slip count come back, the slip record goes."""
    if slip_id is not None:
        slip = session.get(StepSlip, slip_id)
        if slip is not None and slip.step_id == step.id:
            session.delete(slip)
    step.due = due
    step.slips = slips
    session.add(step)


def close_deal(
    session: Session, deal: Deal, status: str, reason: str | None, now: dt.datetime
) -> None:
    """Won / lost / no decision / archived: the deal leaves lists, reminders and digests."""
    deal.status = status
    deal.close_reason = reason[:1000] if reason else None
    deal.closed_at = now
    session.add(deal)


def user_deals(session: Session, user: User, include_closed: bool = False) -> list[Deal]:
    """The user's deals by decision date (open ones only unless `include_closed`; archived
    ones never)."""
    which = Deal.status != "archived" if include_closed else Deal.status == "open"
    return list(
        session.exec(
            select(Deal)
            .where(Deal.workspace_id == user.workspace_id, Deal.owner_id == user.id, which)
            .order_by(col(Deal.decision_date).is_(None), Deal.decision_date, Deal.account)
        )
    )


def reschedule_step(
    session: Session, step: PlanStep, new_due: dt.date, now: dt.datetime
) -> StepSlip | None:
    """Move a step's date; a later date is a slip and is counted.

    Returns the recorded move (flushed, with its id, so an undo can take it back), or None
    when the step had no date yet: giving it one is not a move.
    """
    if step.due is None:
        step.due = new_due
        step.original_due = step.original_due or new_due
        session.add(step)
        return None
    if new_due > step.due:
        step.slips += 1
    slip = StepSlip(
        workspace_id=step.workspace_id,
        step_id=step.id,
        old_due=step.due,
        new_due=new_due,
        changed_at=now,
    )
    session.add(slip)
    step.due = new_due
    session.add(step)
    session.flush()
    return slip


def steps_for(session: Session, deal_ids: Iterable[int]) -> dict[int, list[PlanStep]]:
    """All steps of many deals in one query, grouped by deal."""
    ids = list(deal_ids)
    grouped: dict[int, list[PlanStep]] = defaultdict(list)
    if not ids:
        return grouped
    for step in session.exec(
        select(PlanStep)
        .where(col(PlanStep.deal_id).in_(ids))
        .order_by(col(PlanStep.due).is_(None), PlanStep.due, PlanStep.id)
    ):
        grouped[step.deal_id].append(step)
    return grouped


def decision_moves_for(session: Session, deal_ids: Iterable[int]) -> dict[int, int]:
    """How often each deal's decision date was moved (the first setting is not a move)."""
    ids = list(deal_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(DecisionDateChange.deal_id, func.count())
        .where(
            col(DecisionDateChange.deal_id).in_(ids), col(DecisionDateChange.old_date).is_not(None)
        )
        .group_by(DecisionDateChange.deal_id)
    ).all()
    return {deal_id: n for deal_id, n in rows}


def to_plan(
    deal: Deal, steps: Sequence[PlanStep], moves: int, tz: dt.tzinfo, shared: bool = False
) -> Plan:
    """The pure `process.plan.Plan` for a deal, so health is computed in one place."""
    last = deal.last_reviewed_at.astimezone(tz).date() if deal.last_reviewed_at else None
    return Plan(
        decision_date=deal.decision_date,
        steps=tuple(
            Step(
                id=s.id,
                description=s.description,
                side=s.side,  # type: ignore[arg-type]
                due=s.due,
                owner=s.owner,
                status=s.status,  # type: ignore[arg-type]
                slips=s.slips,
                confirmed_by=s.confirmed_by,
            )
            for s in steps
        ),
        decision_date_moves=moves,
        last_reviewed=last,
        shared=shared,
    )


def plans_for(
    session: Session, deals: Sequence[Deal], tz: dt.tzinfo
) -> dict[int, tuple[Plan, list[PlanStep]]]:
    """Plans of many deals in three queries (steps, moves, shares), never one per deal."""
    ids = [d.id for d in deals if d.id is not None]
    steps = steps_for(session, ids)
    moves = decision_moves_for(session, ids)
    shared = shared_deal_ids(session, ids)
    return {
        d.id: (
            to_plan(d, steps.get(d.id, []), moves.get(d.id, 0), tz, d.id in shared),
            steps.get(d.id, []),
        )
        for d in deals
        if d.id is not None
    }


# --- teams and digests ----------------------------------------------------------------


def team_of_manager(session: Session, manager: User) -> Team | None:
    """The team `manager` manages, if any (a manager has one team)."""
    return session.exec(
        select(Team).where(
            Team.workspace_id == manager.workspace_id, Team.manager_user_id == manager.id
        )
    ).first()


def ensure_team(session: Session, manager: User, timezone: str) -> Team:
    """The manager's team, created (named after them) the first time they get one."""
    team = team_of_manager(session, manager)
    if team is not None:
        return team
    name = manager.display_name or manager.platform_user_id
    taken = session.exec(
        select(Team).where(Team.workspace_id == manager.workspace_id, Team.name == name)
    ).first()
    if taken is not None:  # two managers with one display name: the id tells them apart
        name = f"{name} ({manager.platform_user_id})"
    team = Team(
        workspace_id=manager.workspace_id, name=name, manager_user_id=manager.id, timezone=timezone
    )
    session.add(team)
    session.flush()
    return team


def set_digest_channel(session: Session, team: Team, channel: str | None, timezone: str) -> Team:
    """Point a team's digest at a channel (None stops it); the day and time stay as they were."""
    team.digest_channel = channel
    if channel:
        team.timezone = timezone
    session.add(team)
    session.flush()
    return team


def teams_in(session: Session, workspace_id: str) -> list[Team]:
    return list(
        session.exec(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.name))
    )


def team_members(session: Session, team: Team) -> list[User]:
    return list(
        session.exec(
            select(User)
            .where(User.workspace_id == team.workspace_id, User.team_id == team.id)
            .order_by(User.display_name)
        )
    )


def reps_without_team(session: Session, workspace_id: str) -> list[User]:
    """Users in no team, managers left out: the reps no digest covers."""
    managers = select(Team.manager_user_id).where(
        Team.workspace_id == workspace_id, col(Team.manager_user_id).is_not(None)
    )
    return list(
        session.exec(
            select(User)
            .where(
                User.workspace_id == workspace_id,
                col(User.team_id).is_(None),
                col(User.id).not_in(managers),
            )
            .order_by(User.display_name)
        )
    )


def workspace_admins(session: Session, workspace_id: str, limit: int = 5) -> list[User]:
    """Users the platform flagged admin or owner (`User.is_admin`), a few by name."""
    return list(
        session.exec(
            select(User)
            .where(User.workspace_id == workspace_id, col(User.is_admin).is_(True))
            .order_by(User.display_name)
            .limit(limit)
        )
    )


def users_by_platform_id(
    session: Session, workspace_id: str, platform_ids: Iterable[str]
) -> dict[str, User]:
    ids = list(platform_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(User).where(User.workspace_id == workspace_id, col(User.platform_user_id).in_(ids))
    )
    return {u.platform_user_id: u for u in rows}


def team_deals(session: Session, team: Team) -> list[tuple[User, list[Deal]]]:
    """Each member's open deals (a manager's view of the team), in two queries."""
    members = team_members(session, team)
    ids = [m.id for m in members]
    by_owner: dict[int, list[Deal]] = defaultdict(list)
    if ids:
        for d in session.exec(
            select(Deal)
            .where(
                Deal.workspace_id == team.workspace_id,
                col(Deal.owner_id).in_(ids),
                Deal.status == "open",
            )
            .order_by(col(Deal.decision_date).is_(None), Deal.decision_date, Deal.account)
        ):
            by_owner[d.owner_id].append(d)
    return [(m, by_owner.get(m.id or 0, [])) for m in members]


# --- conversation references (proactive messages) -------------------------------------


def ensure_workspace(session: Session, workspace_id: str, now: dt.datetime) -> Workspace:
    """The workspace row, created on first contact (a bot can be installed before anyone talks)."""
    ws = session.get(Workspace, workspace_id)
    if ws is None:
        ws = Workspace(id=workspace_id, platform=workspace_id.split(":", 1)[0], created_at=now)
        session.add(ws)
        session.flush()
    return ws


def save_conversation_ref(
    session: Session, workspace_id: str, target: str, reference: dict[str, Any], now: dt.datetime
) -> bool:
    """Insert or refresh how to reach `target` ("user:<id>" / "channel:<id>") later.

    Returns True when the target was new (a handler may greet a first contact once).
    """
    ensure_workspace(session, workspace_id, now)
    row = session.exec(
        select(ConversationRef).where(
            ConversationRef.workspace_id == workspace_id, ConversationRef.target == target
        )
    ).first()
    created = row is None
    if row is None:
        row = ConversationRef(workspace_id=workspace_id, target=target, updated_at=now)
    elif row.reference == reference:
        return False  # unchanged: no write on every message
    row.reference = dict(reference)
    row.updated_at = now
    session.add(row)
    session.flush()
    return created


def get_conversation_ref(session: Session, workspace_id: str, target: str) -> dict[str, Any] | None:
    row = session.exec(
        select(ConversationRef).where(
            ConversationRef.workspace_id == workspace_id, ConversationRef.target == target
        )
    ).first()
    return dict(row.reference) if row else None


def get_conversation_refs(
    session: Session, workspace_id: str, targets: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """How to reach each of `targets` in one query: target -> reference (unknown ones absent)."""
    wanted = list(dict.fromkeys(targets))
    if not wanted:
        return {}
    rows = session.exec(
        select(ConversationRef).where(
            ConversationRef.workspace_id == workspace_id, col(ConversationRef.target).in_(wanted)
        )
    ).all()
    return {row.target: dict(row.reference) for row in rows}


# --- plans shared with the customer (issue 16) ----------------------------------------


def shared_deal_ids(session: Session, deal_ids: Iterable[int]) -> set[int]:
    """Which of these deals were shared in some conversation (one query)."""
    ids = list(deal_ids)
    if not ids:
        return set()
    return set(
        session.exec(select(SharedPlan.deal_id).where(col(SharedPlan.deal_id).in_(ids))).all()
    )


def ensure_share(
    session: Session, deal: Deal, channel: str, user: User, now: dt.datetime
) -> SharedPlan:
    """The deal's share in `channel`, created on first `share` (one post per channel)."""
    share = session.exec(
        select(SharedPlan).where(
            SharedPlan.workspace_id == deal.workspace_id,
            SharedPlan.channel == channel,
            SharedPlan.deal_id == deal.id,
        )
    ).first()
    if share is None:
        share = SharedPlan(
            workspace_id=deal.workspace_id,
            deal_id=deal.id or 0,
            channel=channel,
            shared_by=user.id or 0,
            created_at=now,
        )
        session.add(share)
        session.flush()
    return share


def share_in(session: Session, workspace_id: str, channel: str, share_id: int) -> SharedPlan | None:
    """Share `share_id` only if it was posted in `channel` of this workspace: a buyer's
    click names a share, and only the conversation it came from may act on it."""
    return session.exec(
        select(SharedPlan).where(
            SharedPlan.id == share_id,
            SharedPlan.workspace_id == workspace_id,
            SharedPlan.channel == channel,
        )
    ).first()


def shares_of_owner(session: Session, user: User) -> list[tuple[SharedPlan, Deal]]:
    """Every share of the user's own deals (what may need updating after their turn)."""
    rows = session.exec(
        select(SharedPlan, Deal)
        .join(Deal, col(Deal.id) == SharedPlan.deal_id)
        .where(Deal.workspace_id == user.workspace_id, Deal.owner_id == user.id)
    ).all()
    return [(r[0], r[1]) for r in rows]
