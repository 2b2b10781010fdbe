"""The outbox: every scheduled message is a row first, and is sent from the row.

Lifecycle of a row (status): pending -> sent | failed | skipped | stale.
- `enqueue` writes due messages with INSERT ... ON CONFLICT (key) DO NOTHING in the
  caller's transaction, the same one that decided them: a second pass, a restart or a
  second replica deciding the same message adds nothing.
- `claim` leases pending rows to one worker with a single UPDATE whose row choice uses
  `FOR UPDATE SKIP LOCKED` on PostgreSQL (replicas never wait on or take each other's
  rows); on SQLite the UPDATE itself is the compare-and-set, as writers are serialised.
  A lease older than `lease` (a worker that died between claim and mark) is claimable
  again, so a crash never loses a message.
- `mark_*` finish a row only while the caller still holds its lease (claimed_by matches).
- `attempts` counts tries as they start (at claim), so a row claimed with attempts > 1 may
  already have reached the platform on an earlier try that died before `mark_sent`; the
  pass asks the platform before sending it again (see `bot.delivery.Recallable`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from storage.models import Outbox

#: How long a claim protects a row; longer than any single send can take.
LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
#: Backoff after the n-th failed try (seconds): 30 s, 2 min, 8 min, 32 min ...
BACKOFF_BASE = 30.0
BACKOFF_MAX = 6 * 3600.0

TABLE = Outbox.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NewMessage:
    key: str
    workspace_id: str
    kind: str
    recipient: str
    subject: str
    local_date: dt.date
    not_before: dt.datetime
    payload: dict[str, Any]
    #: "pending" to send; "skipped" records a decision that was folded into another message
    status: str = "pending"
    note: str | None = None


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    workspace_id: str
    kind: str
    recipient: str
    local_date: dt.date
    payload: dict[str, Any]
    attempts: int


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(TABLE)


def enqueue(session: Session, messages: list[NewMessage], now: dt.datetime) -> list[str]:
    """Write messages that are not in the outbox yet; return the keys actually added."""
    if not messages:
        return []
    stmt = _insert(session).on_conflict_do_nothing(index_elements=["key"]).returning(TABLE.c.key)
    rows = [
        {
            "key": m.key,
            "workspace_id": m.workspace_id,
            "kind": m.kind,
            "recipient": m.recipient,
            "subject": m.subject,
            "local_date": m.local_date,
            "payload": m.payload,
            "status": m.status,
            "last_error": m.note,
            "attempts": 0,
            "not_before": m.not_before,
            "created_at": now,
        }
        for m in messages
    ]
    added: list[str] = []
    for i in range(0, len(rows), 500):
        added += list(session.execute(stmt.values(rows[i : i + 500])).scalars())
    return added


def supersede(session: Session, now: dt.datetime) -> int:
    """Mark pending weekly and daily messages stale when a newer one for the same recipient
    and kind exists (a server down for a week sends only the newest nudge), or when their
    moment has passed (`payload.expires`, checked again at claim time)."""
    newer = aliased(Outbox)
    result = session.execute(
        update(Outbox)
        .where(
            Outbox.status == "pending",
            exists().where(
                newer.kind == Outbox.kind,
                newer.workspace_id == Outbox.workspace_id,
                newer.recipient == Outbox.recipient,
                newer.subject == Outbox.subject,
                newer.local_date > Outbox.local_date,
            ),
        )
        .values(status="stale", last_error="superseded by a newer message", claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def claim(
    session: Session,
    worker: str,
    now: dt.datetime,
    limit: int = 200,
    lease: dt.timedelta = LEASE,
    workspace_ids: list[str] | None = None,
) -> list[Claimed]:
    """Lease up to `limit` due rows to `worker` (see module docstring); one statement.

    `workspace_ids` limits the claim to workspaces this worker has a delivery for.
    """
    free = or_(col(Outbox.claimed_at).is_(None), col(Outbox.claimed_at) < now - lease)
    mine = col(Outbox.workspace_id).in_(workspace_ids) if workspace_ids is not None else true()
    pick = (
        select(Outbox.id)
        .where(Outbox.status == "pending", col(Outbox.not_before) <= now, free, mine)
        .order_by(Outbox.not_before, Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(pick.scalar_subquery()), Outbox.status == "pending", free)
        .values(claimed_by=worker, claimed_at=now, attempts=Outbox.attempts + 1)
        .returning(
            Outbox.id,
            Outbox.key,
            Outbox.workspace_id,
            Outbox.kind,
            Outbox.recipient,
            Outbox.local_date,
            Outbox.payload,
            Outbox.attempts,
        )
        .execution_options(synchronize_session=False)
    ).all()
    return sorted((Claimed(*r) for r in rows), key=lambda c: c.id)


def due_workspaces(
    session: Session, now: dt.datetime, workspace_ids: list[str] | None = None
) -> list[str]:
    """Workspaces with pending rows due by `now` (among `workspace_ids`), most overdue first."""
    stmt = (
        select(Outbox.workspace_id)
        .where(Outbox.status == "pending", col(Outbox.not_before) <= now)
        .group_by(Outbox.workspace_id)
        .order_by(func.min(Outbox.not_before))
    )
    if workspace_ids is not None:
        stmt = stmt.where(col(Outbox.workspace_id).in_(workspace_ids))
    return [str(w) for w in session.execute(stmt).scalars()]


def _finish(session: Session, row_id: int, worker: str, **values: Any) -> bool:
    result = session.execute(
        update(Outbox)
        .where(and_(Outbox.id == row_id, Outbox.claimed_by == worker, Outbox.status == "pending"))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_sent(
    session: Session, row_id: int, worker: str, message_id: str, now: dt.datetime
) -> bool:
    return _finish(
        session,
        row_id,
        worker,
        status="sent",
        platform_message_id=message_id[:200],
        sent_at=now,
        last_error=None,
    )


def mark_final(session: Session, row_id: int, worker: str, status: str, reason: str) -> bool:
    """skipped (permanent error), stale (too late to be useful) or failed (out of tries)."""
    return _finish(session, row_id, worker, status=status, last_error=reason[:2000])


def backoff(attempt: int, retry_after: float | None) -> float:
    """Seconds before the next try: the platform's Retry-After if longer than our backoff."""
    ours = min(BACKOFF_MAX, BACKOFF_BASE * 4 ** max(0, attempt - 1))
    return max(ours, retry_after or 0.0)


def mark_retry(
    session: Session,
    row: Claimed,
    worker: str,
    error: str,
    now: dt.datetime,
    retry_after: float | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> str:
    """Record a transient failure: back off and release the lease, or give up as failed."""
    attempt = row.attempts  # this try, counted when it was claimed
    if attempt >= max_attempts:
        _finish(
            session,
            row.id,
            worker,
            status="failed",
            last_error=f"gave up after {attempt} tries: {error}"[:2000],
        )
        return "failed"
    _finish(
        session,
        row.id,
        worker,
        last_error=error[:2000],
        not_before=now + dt.timedelta(seconds=backoff(attempt, retry_after)),
        claimed_by=None,
        claimed_at=None,
    )
    return "retry"


def pending(session: Session, now: dt.datetime) -> list[tuple[str, str, str, dt.datetime]]:
    """Pending rows due by `now` (key, kind, recipient, not_before): for the dry run."""
    return [
        tuple(r)  # type: ignore[misc]
        for r in session.execute(
            select(Outbox.key, Outbox.kind, Outbox.recipient, Outbox.not_before)
            .where(Outbox.status == "pending", col(Outbox.not_before) <= now)
            .order_by(Outbox.not_before, Outbox.id)
        )
    ]
