"""Seeding helpers for the schedule tests: reps, deals and plan steps through storage.crud."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from storage import crud
from storage.db import Database
from storage.models import Deal, User

WS = "console:local"


def add_rep(
    db: Database,
    name: str,
    tz: str,
    now: dt.datetime,
    workspace: str = WS,
    nudge_weekday: int | None = None,
    nudge_time: str | None = None,
    paused_until: dt.date | None = None,
) -> int:
    def work(s: Session) -> int:
        u = crud.ensure_user(s, workspace, name.lower(), now, name, tz)
        u.nudge_weekday, u.nudge_time, u.paused_until = nudge_weekday, nudge_time, paused_until
        s.add(u)
        s.flush()
        return u.id or 0

    return db.run(work)


def add_deal(
    db: Database,
    user_id: int,
    account: str,
    decision: dt.date | None,
    steps: list[tuple[str, str | None, dt.date | None]],
    now: dt.datetime,
    reviewed: dt.datetime | None = None,
) -> tuple[int, list[int]]:
    """A deal with steps (description, side, due); returns (deal id, step ids)."""

    def work(s: Session) -> tuple[int, list[int]]:
        user = s.get(User, user_id)
        assert user is not None
        deal = crud.create_deal(s, user, account, "", now)
        if decision:
            crud.set_decision_date(s, deal, decision, now)
        deal.last_reviewed_at = reviewed or now
        s.add(deal)
        ids = [crud.add_step(s, deal, d, side, due, now).id or 0 for d, side, due in steps]  # type: ignore[arg-type]
        return deal.id or 0, ids

    return db.run(work)


def set_digest(
    db: Database, manager_id: int, channel: str, tz: str, members: list[int] | None = None
) -> int:
    """The manager's team digest in `channel`; `members` (default: every other user of the
    workspace) are put in the team, since a rep in no team is in no digest."""

    def work(s: Session) -> int:
        user = s.get(User, manager_id)
        assert user is not None
        team = crud.set_digest_channel(s, crud.ensure_team(s, user, tz), channel, tz)
        reps = (
            [s.get(User, i) for i in members]
            if members is not None
            else s.exec(select(User).where(User.workspace_id == user.workspace_id)).all()
        )
        for rep in reps:
            if rep is not None and rep.id != manager_id:
                rep.team_id = team.id
                s.add(rep)
        return team.id or 0

    return db.run(work)


def deal(db: Database, deal_id: int) -> Deal:
    return db.run(lambda s: s.get(Deal, deal_id))
