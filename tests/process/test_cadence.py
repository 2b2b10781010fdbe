"""The cadence: slots in the user's zone across DST, weekends, pause, month ends; each
reminder on exactly one day; a missed weekly slot caught up once, an old one never."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from process import cadence as c
from process.plan import Plan, Step

CAD = c.Cadence()
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Los_Angeles",
    "UTC",
    "Pacific/Kiritimati",
]


def at(zone: str, y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    """A local wall time as aware UTC."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def rep(tz: str = "Europe/Berlin", **kw: object) -> c.Rep:
    return c.Rep(1, "console:local", "ana", "Ana", tz, **kw)  # type: ignore[arg-type]


def deal(*steps: Step, decision: dt.date | None = None) -> c.DealPlan:
    return c.DealPlan(7, 1, "Acme", Plan(decision, tuple(steps)))


def step(due: dt.date, side: str = "customer", sid: int = 1) -> Step:
    return Step(sid, "Legal review", side, due)  # type: ignore[arg-type]


# --- weekly slots ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "monday"),
    [
        ("Europe/Berlin", dt.date(2026, 3, 23)),  # the week before summer time (Mar 29)
        ("Europe/Berlin", dt.date(2026, 3, 30)),  # the first week of summer time
        ("Europe/Berlin", dt.date(2026, 10, 26)),  # the first week after it (Oct 25)
        ("America/New_York", dt.date(2026, 3, 9)),  # DST began Sun Mar 8
        ("America/New_York", dt.date(2026, 11, 2)),  # DST ended Sun Nov 1
    ],
)
def test_monday_nudge_stays_at_nine_local_across_dst(zone: str, monday: dt.date) -> None:
    r = rep(zone)
    assert c.nudge_slot(r, at(zone, monday.year, monday.month, monday.day, 8, 59), CAD) is None
    slot = c.nudge_slot(r, at(zone, monday.year, monday.month, monday.day, 9, 0), CAD)
    assert slot is not None and slot.local_date == monday
    local = slot.at.astimezone(ZoneInfo(zone))
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)


def test_dst_moves_the_utc_time_not_the_local_time() -> None:
    before = c.nudge_slot(rep(), at("Europe/Berlin", 2026, 3, 23, 10), CAD)
    after = c.nudge_slot(rep(), at("Europe/Berlin", 2026, 3, 30, 10), CAD)
    assert before and after
    assert before.at.hour == 8 and after.at.hour == 7  # UTC shifts by an hour, 09:00 local stays


def test_server_down_at_nine_up_at_eleven_sends_mondays_nudge() -> None:
    slot = c.nudge_slot(rep(), at("Europe/Berlin", 2026, 11, 30, 11), CAD)
    assert slot is not None and slot.local_date == dt.date(2026, 11, 30)


def test_monday_nudge_caught_up_later_that_week_but_never_on_the_weekend_or_next_week() -> None:
    r = rep()
    tue = c.nudge_slot(r, at("Europe/Berlin", 2026, 12, 1, 9, 30), CAD)
    fri = c.nudge_slot(r, at("Europe/Berlin", 2026, 12, 4, 19, 0), CAD)
    assert tue and fri and tue.local_date == fri.local_date == dt.date(2026, 11, 30)
    assert c.nudge_slot(r, at("Europe/Berlin", 2026, 12, 5, 10), CAD) is None  # Saturday
    assert c.nudge_slot(r, at("Europe/Berlin", 2026, 12, 4, 20, 0), CAD) is None  # quiet hour
    assert c.nudge_slot(r, at("Europe/Berlin", 2026, 12, 1, 3, 0), CAD) is None  # 3 a.m.
    # a week later, before 09:00 on Monday: the old week is over and the new one not begun
    assert c.nudge_slot(r, at("Europe/Berlin", 2026, 12, 7, 8, 0), CAD) is None


def test_down_for_a_week_plans_only_the_newest_week() -> None:
    slot = c.nudge_slot(rep(), at("Europe/Berlin", 2026, 12, 9, 12), CAD)
    assert slot is not None and slot.local_date == dt.date(2026, 12, 7)


def test_personal_nudge_day_and_time() -> None:
    r = rep("America/New_York", nudge_weekday=3, nudge_time=dt.time(14, 30))
    assert c.nudge_slot(r, at("America/New_York", 2026, 11, 26, 14, 29), CAD) is None
    slot = c.nudge_slot(r, at("America/New_York", 2026, 11, 26, 14, 30), CAD)
    assert slot and slot.local_date == dt.date(2026, 11, 26)


def test_pause_silences_until_the_day_back() -> None:
    r = rep(paused_until=dt.date(2026, 12, 2))
    assert c.nudge_slot(r, at("Europe/Berlin", 2026, 12, 1, 10), CAD) is None
    assert c.reminder_slot(r, at("Europe/Berlin", 2026, 12, 1, 10), CAD) is None
    assert c.reminder_slot(r, at("Europe/Berlin", 2026, 12, 2, 10), CAD) is not None


def test_no_reminders_on_weekends_or_at_night() -> None:
    r = rep("Asia/Kolkata")
    assert c.reminder_slot(r, at("Asia/Kolkata", 2026, 11, 28, 10), CAD) is None  # Saturday
    assert c.reminder_slot(r, at("Asia/Kolkata", 2026, 11, 29, 10), CAD) is None  # Sunday
    assert c.reminder_slot(r, at("Asia/Kolkata", 2026, 11, 30, 8, 59), CAD) is None
    assert c.reminder_slot(r, at("Asia/Kolkata", 2026, 11, 30, 21), CAD) is None
    # Monday 09:30 in Auckland is still Sunday evening in UTC: the rep's zone decides
    now = at("Pacific/Auckland", 2026, 11, 30, 9, 30)
    assert now.weekday() == 6
    slot = c.reminder_slot(rep("Pacific/Auckland"), now, CAD)
    assert slot and slot.local_date == dt.date(2026, 11, 30)


# --- reminders ------------------------------------------------------------------------


def reasons(d: c.DealPlan, today: dt.date) -> list[str]:
    return [i.reason for i in c.reminder_items([d], today, CAD)]


def test_step_due_monday_reminds_thursday_monday_and_tuesday() -> None:
    d = deal(step(dt.date(2026, 11, 30)))
    assert reasons(d, dt.date(2026, 11, 26)) == ["due_soon"]  # 2 working days before
    assert reasons(d, dt.date(2026, 11, 27)) == []
    assert reasons(d, dt.date(2026, 11, 30)) == ["due_today"]
    assert reasons(d, dt.date(2026, 12, 1)) == ["overdue"]
    assert reasons(d, dt.date(2026, 12, 2)) == []  # overdue once


def test_step_due_on_saturday_is_due_friday_and_overdue_monday() -> None:
    d = deal(step(dt.date(2026, 11, 28)))
    assert reasons(d, dt.date(2026, 11, 25)) == ["due_soon"]  # 2 working days before Friday
    assert reasons(d, dt.date(2026, 11, 27)) == ["due_today"]
    assert reasons(d, dt.date(2026, 11, 30)) == ["overdue"]


@pytest.mark.parametrize(
    ("due", "soon"),
    [
        (dt.date(2026, 12, 1), dt.date(2026, 11, 27)),  # over a month end and a weekend
        (dt.date(2027, 1, 1), dt.date(2026, 12, 30)),  # over a year end
        (dt.date(2028, 3, 1), dt.date(2028, 2, 28)),  # leap February
        (dt.date(2026, 3, 2), dt.date(2026, 2, 26)),
    ],
)
def test_due_soon_across_month_ends(due: dt.date, soon: dt.date) -> None:
    assert reasons(deal(step(due)), soon) == ["due_soon"]


def test_decision_date_week_ahead_only_with_open_customer_steps() -> None:
    with_customer = deal(step(dt.date(2026, 12, 20)), decision=dt.date(2026, 12, 7))
    only_us = deal(step(dt.date(2026, 12, 20), "us"), decision=dt.date(2026, 12, 7))
    assert reasons(with_customer, dt.date(2026, 11, 30)) == ["decision_near"]
    assert reasons(only_us, dt.date(2026, 11, 30)) == []
    assert reasons(with_customer, dt.date(2026, 12, 1)) == []


def test_everything_due_is_bundled_in_one_ordered_list() -> None:
    d = deal(
        step(dt.date(2026, 11, 30), sid=1),
        step(dt.date(2026, 11, 27), sid=2),
        step(dt.date(2026, 12, 2), "us", sid=3),
        decision=dt.date(2026, 12, 7),
    )
    assert reasons(d, dt.date(2026, 11, 30)) == [
        "overdue",
        "due_today",
        "due_soon",
        "decision_near",
    ]


def test_done_and_undated_steps_never_remind() -> None:
    done = Step(1, "x", "customer", dt.date(2026, 11, 30), status="done")
    undated = Step(2, "y", "customer", None)
    assert reasons(deal(done, undated), dt.date(2026, 11, 30)) == []


# --- weekly nudge ---------------------------------------------------------------------


def test_nudge_groups_and_nothing_to_say_means_none() -> None:
    today = dt.date(2026, 11, 30)
    busy = c.DealPlan(
        1,
        1,
        "Acme",
        Plan(
            None,
            (step(dt.date(2026, 11, 25), sid=1), step(dt.date(2026, 12, 4), "us", sid=2)),
            last_reviewed=today - dt.timedelta(days=20),
        ),
    )
    quiet = c.DealPlan(
        2, 1, "Globex", Plan(None, (step(dt.date(2026, 12, 20)),), last_reviewed=today)
    )
    n = c.nudge([busy, quiet], today, CAD)
    assert n is not None
    assert [r.step.id for r in n.overdue] == [1]
    assert [r.step.id for r in n.due_this_week] == [2]
    assert n.no_customer_step == ()
    assert n.not_reviewed == ((1, "Acme", 20),)
    assert c.nudge([quiet], today, CAD) is None


# --- digest ---------------------------------------------------------------------------


def test_digest_ratio_and_most_at_risk() -> None:
    today = dt.date(2026, 11, 30)
    ana, bob = c.Rep(1, "w", "a", "Ana"), c.Rep(2, "w", "b", "Bob")
    deals = [
        c.DealPlan(
            1,
            1,
            "Healthy",
            Plan(
                dt.date(2026, 12, 10),
                (step(dt.date(2026, 12, 8)), Step(9, "x", "us", dt.date(2026, 12, 9))),
            ),
        ),
        c.DealPlan(2, 1, "Drifting", Plan(dt.date(2026, 12, 10), (step(dt.date(2026, 11, 20)),))),
        c.DealPlan(3, 2, "Lost cause", Plan(None)),
    ]
    d = c.digest(
        "team", [bob, ana], deals, today, today - dt.timedelta(days=7), answer_counts={1: (3, 4)}
    )
    assert [r.rep.name for r in d.reps] == ["Ana", "Bob"]
    assert d.reps[0].forward_ratio == 0.75 and d.reps[1].forward_ratio is None
    assert [dd.title for _, dd in d.at_risk] == ["Lost cause", "Drifting"]
    assert d.reps[0].deals[0].overdue[0].due == dt.date(2026, 11, 20)


# --- properties -----------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2028, 12, 31)).map(
    lambda d: d.replace(tzinfo=dt.UTC)
)
times = st.builds(dt.time, st.integers(6, 19), st.sampled_from([0, 15, 30, 45]))


@settings(max_examples=300, deadline=None)
@given(now=moments, zone=st.sampled_from(ZONES), weekday=st.integers(0, 4), t=times)
def test_a_weekly_slot_is_always_its_own_weekday_and_wall_time(
    now: dt.datetime, zone: str, weekday: int, t: dt.time
) -> None:
    slot = c.weekly_slot(zone, weekday, t, now, CAD)
    if slot is None:
        return
    z = ZoneInfo(zone)
    local_slot, local_now = slot.at.astimezone(z), now.astimezone(z)
    assert (local_slot.weekday(), local_slot.time()) == (weekday, t)
    assert slot.local_date == local_slot.date()
    assert local_now.weekday() < 5  # never sent on a weekend
    assert 0 <= (local_now.date() - slot.local_date).days <= 4  # only its own working week
    assert slot.at <= now < slot.expires


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 1)),
    zone=st.sampled_from(ZONES),
    weekday=st.integers(0, 4),
    t=times,
    first_up=st.integers(0, 24 * 6),
)
def test_one_nudge_per_week_whenever_the_server_comes_back(
    start: dt.date, zone: str, weekday: int, t: dt.time, first_up: int
) -> None:
    """Passes every 30 minutes for three weeks from a random outage end: each week's slot
    is seen on one local date only, weeks never repeat, and none is seen before its time."""
    z = ZoneInfo(zone)
    begin = dt.datetime.combine(start, dt.time(0), tzinfo=z).astimezone(dt.UTC)
    now = begin + dt.timedelta(hours=first_up)
    seen: dict[dt.date, dt.datetime] = {}
    while now < begin + dt.timedelta(days=21):
        slot = c.weekly_slot(zone, weekday, t, now, CAD)
        if slot is not None:
            assert slot.at <= now
            seen.setdefault(slot.local_date, now)
        now += dt.timedelta(minutes=30)
    dates = sorted(seen)
    assert all((b - a).days == 7 for a, b in zip(dates, dates[1:], strict=False))
    assert all(d.weekday() == weekday for d in dates)


@settings(max_examples=150, deadline=None)
@given(
    due=st.dates(dt.date(2026, 1, 5), dt.date(2028, 12, 20)),
    zone=st.sampled_from(ZONES),
    pause_from=st.integers(-20, 20),
    pause_len=st.integers(0, 10),
    lead=st.integers(1, 4),
)
def test_each_reminder_reason_fires_at_most_once_never_on_weekends_or_paused(
    due: dt.date, zone: str, pause_from: int, pause_len: int, lead: int
) -> None:
    cad = c.Cadence(lead_working_days=lead)
    paused = due + dt.timedelta(days=pause_from) if pause_len else None
    r = rep(zone, paused_until=paused)
    d = deal(step(due))
    fired: dict[str, dt.date] = {}
    for offset in range(-15, 15):
        day = due + dt.timedelta(days=offset)
        now = at(zone, day.year, day.month, day.day, 10)
        slot = c.reminder_slot(r, now, cad)
        if slot is None:
            continue
        assert slot.local_date.weekday() < 5
        assert paused is None or slot.local_date >= paused
        for item in c.reminder_items([d], slot.local_date, cad):
            assert item.reason not in fired, f"{item.reason} twice"
            fired[item.reason] = slot.local_date
    if paused is None:
        assert set(fired) == {"due_soon", "due_today", "overdue"}
        assert fired["due_soon"] < fired["due_today"] <= due < fired["overdue"]
