"""A workspace's life as a tenant: its Enterprise Grid org, uninstalling, and purging it.

- `note_enterprise` records the Grid org of a Slack workspace as requests arrive, so
  proactive delivery can find the installation by (enterprise id, team id) like bolt does.
- `mark_uninstalled` is what Slack's `app_uninstalled` / `tokens_revoked` lead to: the
  workspace is flagged, its pending outbox rows are skipped, and the schedule plans nothing
  for it (storage/schedule.py leaves flagged workspaces out) until it talks to us again.
- `purge` deletes everything stored for a workspace, for good (`dealcoach purge`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlmodel import Session, col

from storage.models import (
    Answer,
    Conversation,
    ConversationRef,
    Deal,
    DecisionDateChange,
    Outbox,
    PlanStep,
    Review,
    StepSlip,
    Team,
    User,
    Workspace,
)

#: Tables holding a workspace's rows, children before parents (foreign keys).
PURGE_ORDER: tuple[Any, ...] = (
    StepSlip,
    Answer,
    DecisionDateChange,
    PlanStep,
    Review,
    Deal,
    Conversation,
    ConversationRef,
    Outbox,
    User,
    Team,
    Workspace,
)
#: slack_sdk's installation tables (migration 0002_slack), keyed by the Slack team id.
SLACK_TABLES = ("slack_bots", "slack_installations")


def note_enterprise(
    session: Session, workspace_id: str, enterprise_id: str | None, now: dt.datetime
) -> None:
    """Remember the Grid org of a workspace that is talking to us; it is installed again."""
    ws = session.get(Workspace, workspace_id)
    if ws is None:
        ws = Workspace(id=workspace_id, platform=workspace_id.split(":", 1)[0], created_at=now)
    if ws.enterprise_id == enterprise_id and ws.uninstalled_at is None and ws in session:
        return
    ws.enterprise_id = enterprise_id
    ws.uninstalled_at = None
    session.add(ws)


def enterprise_of(session: Session, workspace_id: str) -> str | None:
    ws = session.get(Workspace, workspace_id)
    return ws.enterprise_id if ws else None


def mark_uninstalled(session: Session, workspace_id: str, now: dt.datetime, why: str) -> int:
    """Flag the workspace and skip its pending messages; returns how many were skipped."""
    ws = session.get(Workspace, workspace_id)
    if ws is None:
        ws = Workspace(id=workspace_id, platform=workspace_id.split(":", 1)[0], created_at=now)
    ws.uninstalled_at = now
    session.add(ws)
    result = session.execute(
        update(Outbox)
        .where(Outbox.workspace_id == workspace_id, Outbox.status == "pending")
        .values(status="skipped", last_error=why[:2000], claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def purge(session: Session, workspace_id: str, dry_run: bool = False) -> dict[str, int]:
    """Delete every row stored for `workspace_id` (and its Slack installation); returns the
    rows per table, which a dry run only counts."""
    counts: dict[str, int] = {}
    for model in PURGE_ORDER:
        column = model.id if model is Workspace else model.workspace_id
        where = col(column) == workspace_id
        n = session.execute(select(func.count()).select_from(model).where(where)).scalar_one()
        counts[model.__tablename__] = int(n)
        if n and not dry_run:
            session.execute(delete(model).where(where))
    platform, _, team = workspace_id.partition(":")
    if platform == "slack" and team:
        for table in SLACK_TABLES:
            n = session.execute(
                text(f"SELECT count(*) FROM {table} WHERE team_id = :team"), {"team": team}
            ).scalar_one()
            counts[table] = int(n)
            if n and not dry_run:
                session.execute(text(f"DELETE FROM {table} WHERE team_id = :team"), {"team": team})
    return counts


def workspaces_of(session: Session, enterprise_id: str) -> list[str]:
    """The workspaces known to belong to a Grid org (an org-wide uninstall covers them all)."""
    stmt = select(Workspace.id).where(Workspace.enterprise_id == enterprise_id)
    return [str(w) for w in session.execute(stmt).scalars()]
