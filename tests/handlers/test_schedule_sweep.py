"""The schedule at every sweep instant (tests/conftest.py SWEEP): a rep's Monday nudge and a
step's due-day reminder arrive at 09:00 *local* on the right calendar day, exactly once,
whatever the instant the week starts from (year end, quarter end, leap day, DST changes).
(On Monday the step is "due soon", which rides inside the nudge: one DM, not two.)
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import Schedule
from process.cadence import Cadence
from storage.db import Database
from tests.expected_dates import coming_weekday, local_today
from tests.schedule_seed import add_deal, add_rep


class Keep:
    """A delivery that keeps what it was given: (kind of message, recipient)."""

    platform = "console"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def to_user(self, workspace_id: str, user_id: str, replies: list, key=None) -> str:  # type: ignore[no-untyped-def]
        self.sent.append(((key or "?").split("|", 1)[0], user_id))
        return f"m{len(self.sent)}"

    async def to_channel(self, workspace_id: str, channel: str, replies: list, key=None) -> str:  # type: ignore[no-untyped-def]
        self.sent.append(((key or "?").split("|", 1)[0], channel))
        return f"m{len(self.sent)}"


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Asia/Kolkata"])
def test_monday_nudge_and_due_day_reminder_once_at_nine_local(
    tmp_path: Path, instant: dt.datetime, zone: str
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'sweep.db'}")
    db.migrate()
    tz = ZoneInfo(zone)
    today = local_today(instant, zone)
    monday = coming_weekday(today, 0)
    wednesday = monday + dt.timedelta(days=2)
    rep = add_rep(db, "Ana", zone, instant)
    add_deal(
        db,
        rep,
        "Acme",
        monday + dt.timedelta(days=60),
        [("Their legal team returns the redlines", "customer", wednesday)],
        instant,
    )
    keep = Keep()

    def run_at(day: dt.date, hour: int, minute: int) -> list[tuple[str, str]]:
        local = dt.datetime.combine(day, dt.time(hour, minute), tz)
        moment = local.astimezone(dt.UTC)
        schedule = Schedule(db, {"console": keep}, Cadence(), clock=lambda: moment)
        before = len(keep.sent)
        asyncio.run(schedule.run_pass(moment))
        return keep.sent[before:]

    assert run_at(monday, 8, 59) == []  # not before nine, in the rep's own zone
    assert run_at(monday, 9, 0) == [("nudge", "ana")]
    assert run_at(monday, 9, 5) == [] and run_at(monday, 11, 0) == []  # exactly once
    assert run_at(wednesday, 8, 59) == []
    assert run_at(wednesday, 9, 0) == [("reminder", "ana")]  # due today
    assert run_at(wednesday, 17, 0) == []
    db.dispose()
