"""Deciding what is due: the cadence (`process/`) over what storage knows, into the outbox.

`plan_due` runs inside one transaction: it reads reps, teams and the outbox keys already
decided, asks `process.cadence` which slots are open now, loads only the plans those slots
need, builds the neutral replies (`bot.notices`) and returns the outbox rows. The caller
writes them with `storage.outbox.enqueue` in that same transaction, so a message is either
decided and recorded, or neither. The number of queries does not grow with deals or reps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlmodel import Session

from bot import notices
from bot.messages import Reply
from process import cadence as c
from process.sales_process import process_from
from storage import schedule as q
from storage.models import Team
from storage.outbox import NewMessage

#: Marks the subject of a digest's second and later posts ("team:7#post2").
POST = "#post"


def is_first_post(message: NewMessage) -> bool:
    """A digest's first post: the row that stands for the whole digest having been decided."""
    return message.kind == "digest" and POST not in message.subject


@dataclass(frozen=True)
class Plan:
    """One pass's decisions: the rows to write, and the teams whose digest went out."""

    messages: list[NewMessage]
    digested_teams: list[int]


def _message(
    kind: c.Kind,
    workspace_id: str,
    recipient: str,
    subject: str,
    slot: c.Slot,
    replies: list[Reply],
    summary: str,
    status: str = "pending",
    note: str | None = None,
) -> NewMessage:
    return NewMessage(
        key=c.outbox_key(kind, workspace_id, recipient, subject, slot.local_date),
        workspace_id=workspace_id,
        kind=kind,
        recipient=recipient,
        subject=subject,
        local_date=slot.local_date,
        not_before=slot.at,
        payload={
            "replies": notices.to_json(replies),
            "expires": slot.expires.isoformat(),
            "summary": summary,
        },
        status=status,
        note=note,
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a pass builds its many small objects.

    A cold pass creates hundreds of thousands of tuples and dataclasses that all live until
    the pass ends; the collector would walk them again and again for nothing (measured:
    about 40% of a cold sweep over a million steps). Reference counting still frees them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plan_due(session: Session, now: dt.datetime, cad: c.Cadence) -> Plan:
    """Every reminder, nudge and digest due at `now` that is not in the outbox yet."""
    with gc_paused():
        return _plan_due(session, now, cad)


def _plan_due(session: Session, now: dt.datetime, cad: c.Cadence) -> Plan:
    reps = q.load_reps(session, default_timezone=cad.default_timezone)
    keys = q.known_keys(session, now.date() - dt.timedelta(days=9))
    out: list[NewMessage] = []

    remind: dict[int, c.Rep] = {}
    remind_slots: dict[int, c.Slot] = {}
    nudge: dict[int, c.Rep] = {}
    nudge_slots: dict[int, c.Slot] = {}
    for r in reps:
        slot = c.reminder_slot(r, now, cad)
        if (
            slot
            and c.outbox_key("reminder", r.workspace_id, r.recipient, "", slot.local_date)
            not in keys
        ):
            remind[r.user_id], remind_slots[r.user_id] = r, slot
        slot = c.nudge_slot(r, now, cad)
        if (
            slot
            and c.outbox_key("nudge", r.workspace_id, r.recipient, "", slot.local_date) not in keys
        ):
            nudge[r.user_id], nudge_slots[r.user_id] = r, slot

    window = c.reminder_window(now, cad)
    nudges: dict[int, c.Nudge] = {}
    loaded: q.Loaded = {}
    if nudge:
        weekly, loaded = q.nudge_plans(
            session,
            nudge,
            max(now.date() + dt.timedelta(days=8), window[1]),
            now,
            cad.stale_review_days,
        )
        for uid, deals in weekly.items():
            n = c.nudge(deals, now.astimezone(c.zone(nudge[uid].timezone)).date(), cad)
            if n:
                nudges[uid] = n

    plans = q.reminder_plans(
        session, remind, window, c.decision_window(now, cad), loaded, loaded_owners=nudge
    )
    reminders: dict[int, list[c.ReminderItem]] = {}
    for uid, deals in plans.items():
        items = c.reminder_items(deals, remind_slots[uid].local_date, cad)
        if items:
            reminders[uid] = items

    for uid, n in nudges.items():
        rep, slot = nudge[uid], nudge_slots[uid]
        items = reminders.pop(uid, None) if uid in remind else None
        carded = {i.step.id for i in items or () if i.step is not None}
        # a step with today's reminder card (buttons) is not listed again in the nudge
        shown = dataclasses.replace(
            n,
            overdue=tuple(r for r in n.overdue if r.step.id not in carded),
            due_this_week=tuple(r for r in n.due_this_week if r.step.id not in carded),
        )
        hour = now.astimezone(c.zone(rep.timezone)).hour
        replies = notices.nudge(shown, rep.name, hour)
        if items:
            # One DM, not two: today's reminder cards go inside the weekly nudge, and the
            # reminder's key is recorded (as skipped) so no later pass sends it separately.
            today = remind_slots[uid].local_date
            replies = replies[:1] + notices.reminder(items, today)[1:] + replies[1:]
            out.append(
                _message(
                    "reminder",
                    rep.workspace_id,
                    rep.recipient,
                    "",
                    remind_slots[uid],
                    [],
                    _summary(items),
                    status="skipped",
                    note="merged into the weekly nudge",
                )
            )
        out.append(
            _message(
                "nudge",
                rep.workspace_id,
                rep.recipient,
                "",
                slot,
                replies,
                f"{len(n.overdue)} overdue, {len(n.due_this_week)} due this week, "
                f"{len(n.no_customer_step)} without customer step, "
                f"{len(n.not_reviewed)} not reviewed" + (f"; {_summary(items)}" if items else ""),
            )
        )
    for uid, items in reminders.items():
        rep, slot = remind[uid], remind_slots[uid]
        out.append(
            _message(
                "reminder",
                rep.workspace_id,
                rep.recipient,
                "",
                slot,
                notices.reminder(items, slot.local_date),
                _summary(items),
            )
        )

    digested: list[int] = []
    for team in q.load_teams(session):
        slot = c.digest_slot(team.timezone, team.weekday, team.time, now, cad)
        if slot is None:
            continue
        recipient, subject = f"channel:{team.channel}", f"team:{team.id}"
        if c.outbox_key("digest", team.workspace_id, recipient, subject, slot.local_date) in keys:
            continue
        posts, summary = build_digest(session, team, reps, now, cad)
        for n, post in enumerate(posts, start=1):
            # One row per post, so a post that fails is the only one sent again.
            part = subject if n == 1 else f"{subject}{POST}{n}"
            note = summary if n == 1 else f"{summary}; post {n} of {len(posts)}"
            out.append(_message("digest", team.workspace_id, recipient, part, slot, post, note))
        digested.append(team.id)
    return Plan(out, digested)


def _summary(items: list[c.ReminderItem]) -> str:
    return f"{len(items)} due: " + "; ".join(_item(i) for i in items[:4])


def _item(i: c.ReminderItem) -> str:
    what = i.step.description if i.step else "decision date"
    return f"{i.reason.replace('_', ' ')} {what} ({i.deal_title})"


def build_digest(
    session: Session, team: q.TeamRow, reps: list[c.Rep], now: dt.datetime, cad: c.Cadence
) -> tuple[list[list[Reply]], str]:
    """The digest posts for a team as of `now`, covering changes since the last digest."""
    with gc_paused():
        return _build_digest(session, team, reps, now, cad)


def _build_digest(
    session: Session, team: q.TeamRow, reps: list[c.Rep], now: dt.datetime, cad: c.Cadence
) -> tuple[list[list[Reply]], str]:
    since = team.last_digest_at or now - dt.timedelta(days=7)
    members = q.team_members(session, team, reps)
    data = q.digest_data(session, team, members, since, now - dt.timedelta(days=cad.ratio_days))
    owners = {d.owner_id for d in data.deals}
    shown = [r for r in data.reps if r.user_id in owners]
    tz = c.zone(team.timezone)
    d = c.digest(
        team.name,
        shown,
        data.deals,
        now.astimezone(tz).date(),
        since.astimezone(tz).date(),
        [x for x in data.changes if x.rep_id in owners],
        data.answer_counts,
        process=process_from(data.process_text or cad.sales_process),
    )
    deals = sum(len(r.deals) for r in d.reps)
    return notices.digest_posts(d), (
        f"{len(d.reps)} rep{'s' if len(d.reps) != 1 else ''}, "
        f"{deals} deal{'s' if deals != 1 else ''}"
    )


def record_digests(session: Session, team_ids: list[int], now: dt.datetime) -> None:
    """Remember when each team's digest was decided: the next one reports changes since."""
    for team_id in team_ids:
        team = session.get(Team, team_id)
        if team is not None:
            team.last_digest_at = now
            session.add(team)


def digest_preview(
    session: Session, now: dt.datetime, cad: c.Cadence, team_name: str | None = None
) -> list[tuple[str, list[Reply]]]:
    """Each team's digest as it would look now (nothing written): `digest --preview`."""
    with gc_paused():
        reps = q.load_reps(session, default_timezone=cad.default_timezone)
        teams = q.load_teams(session, team_name)
        return [
            (t.name, [r for post in build_digest(session, t, reps, now, cad)[0] for r in post])
            for t in teams
        ]
