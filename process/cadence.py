"""The cadence: which reminder, weekly nudge or manager digest is due now, for whom.

Pure: every function takes `now` (aware UTC) and the settings it needs and returns values;
nothing here reads a clock or a database. Local wall time is computed with `zoneinfo` on
each calendar date, so a 09:00 nudge stays at 09:00 local across daylight-saving changes
and never lands on another day.

Restraint rules, because a coach that pings too often gets muted:
- reminders and nudges go out on working days (Mon-Fri in the recipient's zone) between
  their start time and the quiet hour (20:00 local), never while the rep is paused
  (`paused_until` is the day they are back);
- a rep gets at most one reminder message a day: everything due is bundled into it;
- each reminder fires on exactly one day (due today: the last working day on or before the
  due date; due soon: `lead` working days before that; overdue: the first working day after);
- a weekly slot missed because the server was down is caught up later the same working
  week, once; older slots are never planned (the outbox marks leftovers stale).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from process.plan import Health, Plan, Step
from process.sales_process import SalesProcess
from process.workback import assess_with

ReminderReason = Literal["due_soon", "due_today", "overdue", "decision_near"]
Kind = Literal["reminder", "nudge", "digest"]

UTC = dt.UTC


@dataclass(frozen=True)
class Cadence:
    """Workspace-wide defaults; users and teams override the weekly day and time."""

    reminder_time: dt.time = dt.time(9, 0)
    lead_working_days: int = 2
    decision_warn_days: int = 7
    stale_review_days: int = 14
    quiet_after: dt.time = dt.time(20, 0)
    nudge_weekday: int = 0
    nudge_time: dt.time = dt.time(9, 0)
    digest_weekday: int = 0
    digest_time: dt.time = dt.time(10, 0)
    #: How far back the forward-looking ratio looks.
    ratio_days: int = 28
    #: The zone of a user whose platform told us none.
    default_timezone: str = "UTC"
    #: The configured sales process (YAML, validated; None: the default), for the digest's
    #: work-back check where a workspace has not loaded its own.
    sales_process: str | None = None


@dataclass(frozen=True)
class Rep:
    """A user as the cadence needs them: where to reach them, their zone and settings."""

    user_id: int
    workspace_id: str
    platform_user_id: str
    name: str
    timezone: str = "UTC"
    nudge_weekday: int | None = None
    nudge_time: dt.time | None = None
    paused_until: dt.date | None = None

    @property
    def recipient(self) -> str:
        return f"user:{self.platform_user_id}"


@dataclass(frozen=True)
class DealPlan:
    """A deal with its plan; `created` stands in for "last reviewed" on never-reviewed deals."""

    deal_id: int
    owner_id: int
    title: str
    plan: Plan
    created: dt.date | None = None
    risk: str | None = None
    #: Set by storage when it knows without loading every step (None: read the plan).
    open_customer: bool | None = None
    #: Set by storage when it knows the deal was reviewed recently without loading when.
    recently_reviewed: bool = False
    #: The customer's name, for "2 of 4 customer steps confirmed by Acme".
    account: str = ""
    #: The deal's sales-process stage (id) and the day it entered it (None: never set).
    stage: str | None = None
    stage_since: dt.date | None = None

    @property
    def has_open_customer_step(self) -> bool:
        if self.open_customer is not None:
            return self.open_customer
        return any(s.side == "customer" for s in self.plan.open_steps)


@dataclass(frozen=True)
class Slot:
    """One occurrence of a scheduled message: its local date (part of the outbox key),
    when it became due, and when it stops being worth sending (both UTC)."""

    local_date: dt.date
    at: dt.datetime
    expires: dt.datetime


# --- time -----------------------------------------------------------------------------


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone, or UTC for a missing or unknown name (a typo must not stop delivery)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_hhmm(text: str | None, default: dt.time) -> dt.time:
    try:
        hh, mm = (text or "").split(":")
        return dt.time(int(hh), int(mm))
    except ValueError:
        return default


def wall(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """`at` o'clock local on `day`, as UTC (a time in a DST gap resolves forward by zoneinfo)."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def working_day_on_or_before(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def next_working_day_after(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The working day `n` working days before `day` (Mon due, n=2 -> the Thursday before)."""
    while n > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def week_end(day: dt.date) -> dt.date:
    """The Sunday closing `day`'s week."""
    return day + dt.timedelta(days=6 - day.weekday())


def is_paused(paused_until: dt.date | None, today: dt.date) -> bool:
    """Paused until DATE: silent before that date, back on it."""
    return paused_until is not None and today < paused_until


def _quiet(start: dt.time, cad: Cadence) -> dt.time:
    """The end of a sending window: the quiet hour, or an hour after a late start time."""
    late = (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(hours=1)).time()
    if start >= dt.time(23, 0):
        late = dt.time(23, 59)
    return max(cad.quiet_after, late)


def reminder_slot(rep: Rep, now: dt.datetime, cad: Cadence) -> Slot | None:
    """Today's reminder slot for a rep if reminders may go out right now, else None."""
    tz = zone(rep.timezone)
    today = now.astimezone(tz).date()
    if not is_working_day(today) or is_paused(rep.paused_until, today):
        return None
    start = wall(today, cad.reminder_time, tz)
    end = wall(today, _quiet(cad.reminder_time, cad), tz)
    if not start <= now < end:
        return None
    return Slot(today, start, end)


def weekly_slot(
    tz_name: str,
    weekday: int,
    at: dt.time,
    now: dt.datetime,
    cad: Cadence,
    paused_until: dt.date | None = None,
) -> Slot | None:
    """The newest weekly occurrence (weekday, at local) if it may go out right now.

    It may go out on its own day from `at` until the quiet hour, or later the same working
    week in that daily window (a server down at 09:00 sends at 11:00; one down on Monday
    sends on Tuesday). Never on a weekend, never while paused, never for an older week.
    """
    tz = zone(tz_name)
    local = now.astimezone(tz)
    today = local.date()
    day = today - dt.timedelta(days=(today.weekday() - weekday) % 7)
    if now < wall(day, at, tz):
        day -= dt.timedelta(days=7)
    if not is_working_day(today) or is_paused(paused_until, today):
        return None
    last = working_day_on_or_before(week_end(day)) if is_working_day(day) else week_end(day)
    if today > last:
        return None
    quiet = _quiet(at, cad)
    if not wall(today, at, tz) <= now < wall(today, quiet, tz):
        return None
    return Slot(day, wall(day, at, tz), wall(last, quiet, tz))


def nudge_slot(rep: Rep, now: dt.datetime, cad: Cadence) -> Slot | None:
    weekday = cad.nudge_weekday if rep.nudge_weekday is None else rep.nudge_weekday
    return weekly_slot(
        rep.timezone, weekday, rep.nudge_time or cad.nudge_time, now, cad, rep.paused_until
    )


# --- reminders ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderItem:
    """One thing a reminder is about: a step (due soon / today / overdue) or a decision date."""

    reason: ReminderReason
    deal_id: int
    deal_title: str
    due: dt.date
    step: Step | None = None


def reminder_items(deals: Iterable[DealPlan], today: dt.date, cad: Cadence) -> list[ReminderItem]:
    """Everything that reminds a rep today; each step and reason fires on exactly one day."""
    items: list[ReminderItem] = []
    for d in deals:
        for s in d.plan.open_steps:
            if s.due is None:
                continue
            reason: ReminderReason | None = None
            if s.due >= today and today == working_day_on_or_before(s.due):
                reason = "due_today"
            elif s.due > today and today == working_days_before(
                working_day_on_or_before(s.due), cad.lead_working_days
            ):
                reason = "due_soon"
            elif s.due < today and today == next_working_day_after(s.due):
                reason = "overdue"
            if reason:
                items.append(ReminderItem(reason, d.deal_id, d.title, s.due, s))
        decision = d.plan.decision_date
        if (
            decision is not None
            and decision >= today
            and today
            == working_day_on_or_before(decision - dt.timedelta(days=cad.decision_warn_days))
            and d.has_open_customer_step
        ):
            items.append(ReminderItem("decision_near", d.deal_id, d.title, decision))
    order = {"overdue": 0, "due_today": 1, "due_soon": 2, "decision_near": 3}
    items.sort(key=lambda i: (order[i.reason], i.due, i.deal_title, i.step.id if i.step else 0))
    return items


def reminder_window(now: dt.datetime, cad: Cadence) -> tuple[dt.date, dt.date]:
    """Every step due date that can produce a reminder anywhere on Earth right now.

    Local dates are within a day of the UTC date; overdue looks back over a weekend, due
    soon looks ahead `lead` working days plus a weekend. Storage loads only this window.
    """
    today = now.astimezone(UTC).date()
    return (
        today - dt.timedelta(days=5),
        today + dt.timedelta(days=cad.lead_working_days + 2 * (cad.lead_working_days // 5 + 1) + 3),
    )


def decision_window(now: dt.datetime, cad: Cadence) -> tuple[dt.date, dt.date]:
    today = now.astimezone(UTC).date()
    return (
        today + dt.timedelta(days=cad.decision_warn_days - 2),
        today + dt.timedelta(days=cad.decision_warn_days + 4),
    )


# --- weekly nudge ---------------------------------------------------------------------


@dataclass(frozen=True)
class StepRef:
    deal_id: int
    deal_title: str
    step: Step


@dataclass(frozen=True)
class Nudge:
    """What the Monday nudge says; built only when there is something to say."""

    today: dt.date
    due_this_week: tuple[StepRef, ...] = ()
    overdue: tuple[StepRef, ...] = ()
    no_customer_step: tuple[tuple[int, str], ...] = ()
    not_reviewed: tuple[tuple[int, str, int | None], ...] = ()  # deal id, title, days

    def __bool__(self) -> bool:
        return bool(
            self.due_this_week or self.overdue or self.no_customer_step or self.not_reviewed
        )


def nudge(deals: Sequence[DealPlan], today: dt.date, cad: Cadence) -> Nudge | None:
    """The weekly nudge for one rep's open deals, or None when there is nothing to say."""
    end = week_end(today)
    due_week: list[StepRef] = []
    overdue: list[StepRef] = []
    no_customer: list[tuple[int, str]] = []
    stale: list[tuple[int, str, int | None]] = []
    for d in deals:
        for s in d.plan.open_steps:
            if s.due is None:
                continue
            if s.due < today:
                overdue.append(StepRef(d.deal_id, d.title, s))
            elif s.due <= end:
                due_week.append(StepRef(d.deal_id, d.title, s))
        if not d.has_open_customer_step:
            no_customer.append((d.deal_id, d.title))
        seen = d.plan.last_reviewed or d.created
        if d.recently_reviewed:
            continue
        if seen is None or (today - seen).days >= cad.stale_review_days:
            stale.append((d.deal_id, d.title, (today - seen).days if seen else None))
    key = lambda r: (r.step.due or dt.date.max, r.deal_title, r.step.id or 0)  # noqa: E731
    result = Nudge(
        today,
        tuple(sorted(due_week, key=key)),
        tuple(sorted(overdue, key=key)),
        tuple(sorted(no_customer, key=lambda x: x[1])),
        tuple(sorted(stale, key=lambda x: (-(x[2] or 10**6), x[1]))),
    )
    return result if result else None


# --- manager digest -------------------------------------------------------------------


@dataclass(frozen=True)
class DealDigest:
    deal_id: int
    title: str
    decision_date: dt.date | None
    health: Health
    next_customer: Step | None
    overdue: tuple[Step, ...]
    risk: str | None = None
    #: "2 of 4 customer steps confirmed by Acme" for a shared plan (Plan.confirmed_note).
    confirmed: str | None = None
    #: The stage's name, how long the deal has been in it, and the work-back check's reason
    #: when the plan cannot make its decision date ('' when it can).
    stage: str | None = None
    stage_days: int | None = None
    cannot_make: str = ""


@dataclass(frozen=True)
class RepDigest:
    rep: Rep
    deals: tuple[DealDigest, ...]
    #: share of step answers that were next steps; None when the rep gave none in the window
    forward_ratio: float | None
    answers: int


@dataclass(frozen=True)
class Change:
    """Something that moved since the last digest, in words a manager reads in a glance."""

    rep_id: int
    deal_title: str
    what: Literal["done", "slip", "decision_moved"]
    text: str
    old: dt.date | None = None
    new: dt.date | None = None
    reason: str = ""


@dataclass(frozen=True)
class Digest:
    team: str
    today: dt.date
    since: dt.date
    reps: tuple[RepDigest, ...]
    changes: tuple[Change, ...] = ()
    at_risk: tuple[tuple[str, DealDigest], ...] = field(default_factory=tuple)  # (rep, deal)
    #: (rep, deal) whose plan can no longer make its decision date, and those in one stage
    #: for `STUCK_DAYS` or more.
    cannot_make: tuple[tuple[str, DealDigest], ...] = ()
    stuck: tuple[tuple[str, DealDigest], ...] = ()


#: A deal in the same stage this long is "stuck" in the digest (3 weeks).
STUCK_DAYS = 21


def digest(
    team: str,
    reps: Sequence[Rep],
    deals: Sequence[DealPlan],
    today: dt.date,
    since: dt.date,
    changes: Sequence[Change] = (),
    answer_counts: Mapping[int, tuple[int, int]] | None = None,
    at_risk_count: int = 3,
    process: SalesProcess | None = None,
) -> Digest:
    """The manager digest: per rep, each open deal's health and next customer step.

    `answer_counts` maps a rep to (next-step answers, all classified step answers) in the
    ratio window. The deals most at risk of ending in no decision are the lowest health
    scores among those not healthy, nearest decision date first on a tie. With a sales
    `process`, health includes its work-back check, and the digest lists the plans that can
    no longer make their decision date and the deals stuck in a stage for 3+ weeks.
    """
    counts = answer_counts or {}
    by_owner: dict[int, list[DealDigest]] = {r.user_id: [] for r in reps}
    for d in deals:
        if d.owner_id not in by_owner:
            continue
        plan = d.plan
        health, late = assess_with(process, d.stage, plan, today)
        stage = process.stage(d.stage) if process else None
        by_owner[d.owner_id].append(
            DealDigest(
                d.deal_id,
                d.title,
                plan.decision_date,
                health,
                plan.next_step("customer", today),
                tuple(s for s in plan.open_steps if s.is_overdue(today)),
                d.risk,
                plan.confirmed_note(d.account or d.title),
                stage.name if stage else None,
                (today - d.stage_since).days if stage and d.stage_since else None,
                late,
            )
        )
    rep_digests = []
    for r in sorted(reps, key=lambda r: r.name.lower()):
        mine = sorted(by_owner[r.user_id], key=lambda x: (x.decision_date or dt.date.max, x.title))
        fwd, total = counts.get(r.user_id, (0, 0))
        rep_digests.append(RepDigest(r, tuple(mine), fwd / total if total else None, total))
    names = {r.user_id: r.name for r in reps}
    risky = [
        (names[owner], dd)
        for owner, lst in by_owner.items()
        for dd in lst
        if dd.health.label != "healthy"
    ]
    risky.sort(key=lambda x: (x[1].health.score, x[1].decision_date or dt.date.max, x[1].title))
    every = [(names[owner], dd) for owner, lst in by_owner.items() for dd in lst]
    late = sorted(
        (x for x in every if x[1].cannot_make),
        key=lambda x: (x[1].decision_date or dt.date.max, x[1].title),
    )
    stuck = sorted(
        (x for x in every if (x[1].stage_days or 0) >= STUCK_DAYS),
        key=lambda x: (-(x[1].stage_days or 0), x[1].title),
    )
    return Digest(
        team,
        today,
        since,
        tuple(rep_digests),
        tuple(changes),
        tuple(risky[:at_risk_count]),
        tuple(late),
        tuple(stuck),
    )


def digest_slot(
    tz_name: str, weekday: int | None, at: str | None, now: dt.datetime, cad: Cadence
) -> Slot | None:
    return weekly_slot(
        tz_name,
        cad.digest_weekday if weekday is None else weekday,
        parse_hhmm(at, cad.digest_time),
        now,
        cad,
    )


# --- outbox keys ----------------------------------------------------------------------


def outbox_key(
    kind: Kind, workspace_id: str, recipient: str, subject: str, local_date: dt.date
) -> str:
    """(kind, recipient, subject, local date): one message of a kind per recipient per day."""
    return f"{kind}|{workspace_id}|{recipient}|{subject}|{local_date.isoformat()}"
