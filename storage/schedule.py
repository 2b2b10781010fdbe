"""Queries for the scheduled messages: whole questions, a constant number of round trips.

The due sweep must stay cheap over a million plan steps, so it never loads plans it does
not need: only reps whose slot is open now and not yet in the outbox, and for reminders
only steps whose due date falls in the window that can remind anyone today. Rows are read
as plain tuples (SQLAlchemy Core), not ORM objects, because the counts can be large.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from process.cadence import Change, DealPlan, Rep, parse_hhmm, zone
from process.plan import Plan, Step
from process.playbook import STEP_STAGES
from storage.models import (
    Answer,
    Deal,
    DealStageChange,
    DecisionDateChange,
    Outbox,
    PlanStep,
    SalesProcessFile,
    SharedPlan,
    StepSlip,
    Team,
    User,
    Workspace,
)

_STEP_COLS = (
    PlanStep.id,
    PlanStep.deal_id,
    PlanStep.description,
    PlanStep.side,
    PlanStep.owner,
    PlanStep.due,
    PlanStep.status,
    PlanStep.slips,
)
_DEAL_COLS = (
    Deal.id,
    Deal.owner_id,
    Deal.account,
    Deal.name,
    Deal.decision_date,
    Deal.last_reviewed_at,
    Deal.created_at,
    Deal.risk,
    Deal.stage,
)


def _step(row: tuple) -> Step:  # type: ignore[type-arg]
    # positional: this runs for every loaded step, and keyword passing is measurably slower
    return Step(row[0], row[2], row[3], row[5], row[4], row[6], row[7])


def _mark_confirmed(session: Session, steps: dict[int, list[Step]]) -> None:
    """Who confirmed which of these steps (shared plans, issue 16): one query, few rows."""
    ids = [st.id for lst in steps.values() for st in lst if st.side == "customer"]
    if not ids:
        return
    confirmed = dict(
        session.execute(  # type: ignore[arg-type]
            select(PlanStep.id, PlanStep.confirmed_by).where(
                col(PlanStep.id).in_(ids), col(PlanStep.confirmed_by).is_not(None)
            )
        ).all()
    )
    if confirmed:
        for deal_id, lst in steps.items():
            steps[deal_id] = [
                replace(st, confirmed_by=confirmed[st.id]) if st.id in confirmed else st
                for st in lst
            ]


def _title(account: str, name: str) -> str:
    return f"{account} — {name}" if name else account


def _local_date(ts: dt.datetime | None, tz: dt.tzinfo) -> dt.date | None:
    return ts.astimezone(tz).date() if ts else None


@dataclass(frozen=True)
class TeamRow:
    id: int
    workspace_id: str
    name: str
    channel: str
    timezone: str
    weekday: int
    time: str
    last_digest_at: dt.datetime | None


def load_reps(
    session: Session, workspace_id: str | None = None, default_timezone: str = "UTC"
) -> list[Rep]:
    """Every user with their cadence settings, in one query."""
    stmt = select(
        User.id,
        User.workspace_id,
        User.platform_user_id,
        User.display_name,
        User.timezone_override,
        User.timezone,
        User.nudge_weekday,
        User.nudge_time,
        User.paused_until,
    )
    stmt = stmt.join(Workspace, col(Workspace.id) == User.workspace_id).where(_installed())
    if workspace_id:
        stmt = stmt.where(User.workspace_id == workspace_id)
    return [
        Rep(
            user_id=r[0],
            workspace_id=r[1],
            platform_user_id=r[2],
            name=r[3] or r[2],
            timezone=r[4] or r[5] or default_timezone,
            nudge_weekday=r[6],
            nudge_time=parse_hhmm(r[7], dt.time(9, 0)) if r[7] else None,
            paused_until=r[8],
        )
        for r in session.execute(stmt)
    ]


def load_teams(session: Session, name: str | None = None) -> list[TeamRow]:
    """Teams with a digest channel (or the named team, for a preview)."""
    stmt = select(
        Team.id,
        Team.workspace_id,
        Team.name,
        Team.digest_channel,
        Team.timezone,
        Team.digest_weekday,
        Team.digest_time,
        Team.last_digest_at,
    )
    stmt = stmt.join(Workspace, col(Workspace.id) == Team.workspace_id).where(_installed())
    stmt = (
        stmt.where(Team.name == name) if name else stmt.where(col(Team.digest_channel).is_not(None))
    )
    return [TeamRow(*r[:3], r[3] or "", *r[4:]) for r in session.execute(stmt)]


def known_keys(session: Session, since: dt.date) -> set[str]:
    """Outbox keys from `since` on: what was already decided (sent or not) recently."""
    return set(session.execute(select(Outbox.key).where(Outbox.local_date >= since)).scalars())


def platforms(session: Session) -> dict[str, str]:
    """workspace id -> platform, for the workspaces that still have the app installed."""
    stmt = select(Workspace.id, Workspace.platform).where(_installed())
    return dict(session.execute(stmt).all())  # type: ignore[arg-type]


def _installed() -> Any:
    """Workspaces not uninstalled (Slack's app_uninstalled / tokens_revoked): see tenancy.py."""
    return col(Workspace.uninstalled_at).is_(None)


_BRIEF_DEAL = (Deal.id, Deal.owner_id, Deal.account, Deal.name, Deal.decision_date)


def _customer_open() -> Any:
    """EXISTS an open customer step for the deal: an index probe per deal
    (ix_planstep_deal_status), not a scan of every step."""
    step = aliased(PlanStep)
    return (
        select(step.id)
        .where(step.deal_id == Deal.id, step.status == "open", step.side == "customer")
        .exists()
    )


#: Open steps already loaded, by deal: (deal id, owner, account, name, decision date), steps.
Loaded = dict[int, tuple[tuple, list[Step]]]  # type: ignore[type-arg]


def reminder_plans(
    session: Session,
    reps: dict[int, Rep],
    step_window: tuple[dt.date, dt.date],
    decision_window: tuple[dt.date, dt.date],
    loaded: Loaded | None = None,
    loaded_owners: Collection[int] = (),
) -> dict[int, list[DealPlan]]:
    """Per rep, their open deals carrying only what can remind today: two queries.

    Steps whose due date falls in `step_window`, and deals whose decision date falls in
    `decision_window` while a customer step is open. Steps of `loaded_owners` come from
    `loaded` (the nudge already read them in this pass) instead of a second read.
    """
    if not reps:
        return {}
    owner_ids = list(reps)
    deals: dict[int, tuple] = {}  # type: ignore[type-arg]
    steps: dict[int, list[Step]] = defaultdict(list)
    lo, hi = step_window
    for deal_id, (brief, own) in (loaded or {}).items():
        if brief[1] in reps:
            inside = [s for s in own if s.due is not None and lo <= s.due <= hi]
            if inside:
                steps[deal_id] = inside
                deals[deal_id] = brief
    others = [o for o in owner_ids if o not in set(loaded_owners)]
    rows = (
        session.execute(
            select(*_STEP_COLS, *_BRIEF_DEAL)
            .join(Deal, col(Deal.id) == PlanStep.deal_id)
            .where(
                PlanStep.status == "open",
                col(PlanStep.due).between(lo, hi),
                Deal.status == "open",
                col(Deal.owner_id).in_(others),
            )
        )
        if others
        else []
    )
    for r in rows:
        steps[r[1]].append(_step(r))
        deals[r[1]] = r[8:]
    near_ids: set[int] = set()
    for d in session.execute(
        select(*_BRIEF_DEAL).where(
            _customer_open(),
            Deal.status == "open",
            col(Deal.decision_date).between(*decision_window),
            col(Deal.owner_id).in_(owner_ids),
        )
    ):
        deals.setdefault(d[0], tuple(d))
        near_ids.add(d[0])
    out: dict[int, list[DealPlan]] = defaultdict(list)
    for deal_id, d in deals.items():
        plan = Plan(decision_date=d[4], steps=tuple(steps.get(deal_id, ())))
        out[d[1]].append(
            DealPlan(
                deal_id, d[1], _title(d[2], d[3]), plan, open_customer=deal_id in near_ids or None
            )
        )
    return out


def nudge_plans(
    session: Session, reps: dict[int, Rep], due_until: dt.date, now: dt.datetime, stale_days: int
) -> tuple[dict[int, list[DealPlan]], Loaded]:
    """Per rep, what the weekly nudge lists, in three queries that return only those rows:
    open steps due by `due_until` (overdue included), deals with no open customer step, and
    deals not reviewed for `stale_days` (a day of slack; the pure nudge decides exactly).

    Deals outside those sets are known to be fine and are not loaded at all. Also returns
    the open steps it read, by deal, for the reminders of the same pass.
    """
    if not reps:
        return {}, {}
    owner_ids = list(reps)
    mine = and_(Deal.status == "open", col(Deal.owner_id).in_(owner_ids))
    titles: dict[int, tuple] = {}  # type: ignore[type-arg]
    steps: dict[int, list[Step]] = defaultdict(list)
    for r in session.execute(
        select(*_STEP_COLS, *_BRIEF_DEAL)
        .join(Deal, col(Deal.id) == PlanStep.deal_id)
        .where(mine, PlanStep.status == "open", col(PlanStep.due) <= due_until)
    ):
        steps[r[1]].append(_step(r))
        titles[r[1]] = r[8:]
    no_customer: set[int] = set()
    for d in session.execute(select(*_BRIEF_DEAL).where(mine, ~_customer_open())):
        titles.setdefault(d[0], tuple(d))
        no_customer.add(d[0])
    cutoff = now - dt.timedelta(days=stale_days - 1)
    seen: dict[int, tuple[dt.date | None, dt.date | None]] = {}
    for d in session.execute(
        select(*_BRIEF_DEAL, Deal.last_reviewed_at, Deal.created_at).where(
            mine,
            or_(
                col(Deal.last_reviewed_at) < cutoff,
                and_(col(Deal.last_reviewed_at).is_(None), col(Deal.created_at) < cutoff),
            ),
        )
    ):
        titles.setdefault(d[0], tuple(d[:5]))
        tz = zone(reps[d[1]].timezone)
        seen[d[0]] = (_local_date(d[5], tz), _local_date(d[6], tz))
    out: dict[int, list[DealPlan]] = defaultdict(list)
    for deal_id, d in titles.items():
        reviewed, created = seen.get(deal_id, (None, None))
        out[d[1]].append(
            DealPlan(
                deal_id,
                d[1],
                _title(d[2], d[3]),
                Plan(
                    decision_date=d[4], steps=tuple(steps.get(deal_id, ())), last_reviewed=reviewed
                ),
                created=created,
                open_customer=deal_id not in no_customer,
                recently_reviewed=deal_id not in seen,
            )
        )
    return out, {deal_id: (titles[deal_id], own) for deal_id, own in steps.items()}


@dataclass
class DigestData:
    reps: list[Rep]
    deals: list[DealPlan]
    changes: list[Change]
    answer_counts: dict[int, tuple[int, int]]
    #: The workspace's own sales process (YAML), or None when it loaded none.
    process_text: str | None = None


def team_members(session: Session, team: TeamRow, reps: Iterable[Rep]) -> list[Rep]:
    """Reps in the team: its members only (a rep in no team is in no digest)."""
    ids = set(
        session.execute(
            select(User.id).where(User.workspace_id == team.workspace_id, User.team_id == team.id)
        ).scalars()
    )
    return [r for r in reps if r.user_id in ids]


def digest_data(
    session: Session,
    team: TeamRow,
    members: list[Rep],
    since: dt.datetime,
    ratio_since: dt.datetime,
) -> DigestData:
    """Everything the digest says about a team: eight queries however big the team is."""
    tz = zone(team.timezone)
    by_id = {r.user_id: r for r in members}
    owner_ids: Collection[int] = list(by_id)
    deal_rows = session.execute(
        select(*_DEAL_COLS).where(
            Deal.workspace_id == team.workspace_id,
            Deal.status == "open",
            col(Deal.owner_id).in_(owner_ids),
        )
    ).all()
    owned = and_(
        col(Deal.id) == PlanStep.deal_id,
        Deal.workspace_id == team.workspace_id,
        col(Deal.owner_id).in_(owner_ids),
    )
    steps: dict[int, list[Step]] = defaultdict(list)
    for r in session.execute(
        select(*_STEP_COLS)
        .join(Deal, and_(owned, Deal.status == "open"))
        .where(PlanStep.status == "open")  # health, next step and overdue read open steps only
        .order_by(PlanStep.deal_id, col(PlanStep.due).is_(None), PlanStep.due, PlanStep.id)
    ):
        steps[r[1]].append(_step(r))
    _mark_confirmed(session, steps)
    ids = [d[0] for d in deal_rows]
    shared = set(
        session.execute(
            select(SharedPlan.deal_id).where(col(SharedPlan.deal_id).in_(ids))
        ).scalars()
    )
    moves = dict(
        session.execute(  # type: ignore[arg-type]
            select(DecisionDateChange.deal_id, func.count())
            .join(Deal, col(Deal.id) == DecisionDateChange.deal_id)
            .where(
                Deal.workspace_id == team.workspace_id,
                Deal.status == "open",
                col(Deal.owner_id).in_(owner_ids),
                col(DecisionDateChange.old_date).is_not(None),
            )
            .group_by(DecisionDateChange.deal_id)
        ).all()
    )
    stage_since = dict(
        session.execute(  # type: ignore[arg-type]
            select(DealStageChange.deal_id, func.max(DealStageChange.changed_at))
            .join(Deal, col(Deal.id) == DealStageChange.deal_id)
            .where(
                Deal.workspace_id == team.workspace_id,
                Deal.status == "open",
                col(Deal.owner_id).in_(owner_ids),
            )
            .group_by(DealStageChange.deal_id)
        ).all()
    )
    # Done steps meet exit criteria (the work-back check): only deals with a stage need them.
    for r in session.execute(
        select(*_STEP_COLS)
        .join(Deal, and_(owned, Deal.status == "open", col(Deal.stage).is_not(None)))
        .where(PlanStep.status == "done")
    ):
        steps[r[1]].append(_step(r))
    deals = [
        DealPlan(
            d[0],
            d[1],
            _title(d[2], d[3]),
            Plan(
                decision_date=d[4],
                steps=tuple(steps.get(d[0], ())),
                decision_date_moves=moves.get(d[0], 0),
                last_reviewed=_local_date(d[5], tz),
                shared=d[0] in shared,
            ),
            created=_local_date(d[6], tz),
            risk=d[7],
            account=d[2],
            stage=d[8],
            stage_since=_local_date(stage_since.get(d[0]), tz),
        )
        for d in deal_rows
    ]
    changes: list[Change] = []
    for desc, account, name, owner in session.execute(
        select(PlanStep.description, Deal.account, Deal.name, Deal.owner_id)
        .join(Deal, owned)
        .where(PlanStep.status == "done", col(PlanStep.closed_at) >= since)
        .order_by(PlanStep.closed_at)
    ):
        changes.append(Change(owner, _title(account, name), "done", desc))
    for desc, account, name, owner, old, new in session.execute(
        select(
            PlanStep.description,
            Deal.account,
            Deal.name,
            Deal.owner_id,
            StepSlip.old_due,
            StepSlip.new_due,
        )
        .join(PlanStep, col(PlanStep.id) == StepSlip.step_id)
        .join(Deal, owned)
        .where(col(StepSlip.changed_at) >= since)
        .order_by(StepSlip.changed_at)
    ):
        if old is not None and new is not None and new > old:
            changes.append(Change(owner, _title(account, name), "slip", desc, old, new))
    for account, name, owner, old, new, reason in session.execute(
        select(
            Deal.account,
            Deal.name,
            Deal.owner_id,
            DecisionDateChange.old_date,
            DecisionDateChange.new_date,
            DecisionDateChange.reason,
        )
        .join(Deal, col(Deal.id) == DecisionDateChange.deal_id)
        .where(
            Deal.workspace_id == team.workspace_id,
            col(Deal.owner_id).in_(owner_ids),
            col(DecisionDateChange.old_date).is_not(None),
            col(DecisionDateChange.changed_at) >= since,
        )
        .order_by(DecisionDateChange.changed_at)
    ):
        changes.append(
            Change(owner, _title(account, name), "decision_moved", "", old, new, reason or "")
        )
    counts: dict[int, tuple[int, int]] = {}
    for user_id, orientation, n in session.execute(
        select(Answer.user_id, Answer.orientation, func.count())
        .where(
            Answer.workspace_id == team.workspace_id,
            col(Answer.user_id).in_(owner_ids),
            col(Answer.stage).in_([s.value for s in STEP_STAGES]),
            col(Answer.orientation).in_(["next_step", "history", "vague"]),
            col(Answer.created_at) >= ratio_since,
        )
        .group_by(Answer.user_id, Answer.orientation)
    ):
        fwd, total = counts.get(user_id, (0, 0))
        counts[user_id] = (fwd + (n if orientation == "next_step" else 0), total + n)
    own = session.get(SalesProcessFile, team.workspace_id)
    return DigestData(members, deals, changes, counts, own.text if own else None)
