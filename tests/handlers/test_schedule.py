"""End to end: `dealcoach run-due` and `digest --preview` as real processes over a seeded
SQLite file, the console delivery carrying the messages, the reminder's buttons working in
the engine, and APScheduler running passes inside the aiohttp app.

The Slack and Teams halves of this (through their fake servers) follow with those
handlers' issues; the terminal proves the pipeline meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.engine import Coach
from bot.messages import Section, Turn, UserRef
from bot.notices import from_json
from bot.schedule import Schedule
from handlers.schedule import SCHEDULER, attach_schedules
from process.cadence import Cadence
from storage.db import Database
from storage.models import Outbox, PlanStep
from tests.schedule_seed import WS, add_deal, add_rep, set_digest

DEALCOACH = str(Path(sys.executable).parent / "dealcoach")
MON_0905_BERLIN = "2026-11-30T09:05:00+01:00"
TUE_BERLIN = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
WED_BERLIN = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[str, Database, dict[str, int]]:
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    db = Database(url)
    db.migrate()
    t = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)
    ana = add_rep(db, "Ana", "Europe/Berlin", t)
    bob = add_rep(db, "Bob", "America/New_York", t)
    mia = add_rep(db, "Mia", "Europe/Berlin", t)
    _, (legal, _pricing) = add_deal(
        db,
        ana,
        "Acme",
        dt.date(2026, 12, 18),
        [
            ("Legal review of the MSA", "customer", dt.date(2026, 12, 2)),
            ("Send pricing", "us", dt.date(2026, 11, 30)),
        ],
        t,
    )
    add_deal(
        db, ana, "Globex", dt.date(2027, 1, 29), [("Send proposal", "us", dt.date(2026, 12, 9))], t
    )
    add_deal(
        db,
        bob,
        "Initech",
        dt.date(2026, 12, 4),
        [("Security review", "customer", dt.date(2026, 11, 27))],
        t,
    )
    set_digest(db, mia, "#sales-leads", "Europe/Berlin")
    yield url, db, {"ana": ana, "bob": bob, "legal": legal}
    db.dispose()


def dealcoach(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DEALCOACH, "--db", url, *args], capture_output=True, text=True, timeout=60, check=False
    )


def outbox_rows(db: Database) -> int:
    return db.run(lambda s: s.exec(select(func.count()).select_from(Outbox)).one()[0])  # type: ignore[call-overload]


def test_dry_run_lists_what_would_go_to_whom_and_writes_nothing(seeded) -> None:  # type: ignore[no-untyped-def]
    url, db, _ = seeded
    run = dealcoach(url, "run-due", "--now", MON_0905_BERLIN, "--dry-run")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Dry run at 2026-11-30 08:05 UTC: nothing is written or sent." in out
    assert "nudge    → user:ana" in out and "Send pricing" in out
    assert "user:bob" not in out  # 03:05 in New York: Bob's Monday has not begun
    assert "[Done]  [Reschedule]  [Start a review]" in out
    assert outbox_rows(db) == 0


def test_run_due_delivers_through_the_console_once(seeded) -> None:  # type: ignore[no-untyped-def]
    url, db, _ = seeded
    first = dealcoach(url, "run-due", "--now", MON_0905_BERLIN)
    assert first.returncode == 0, first.stderr
    assert "── DM to ana" in first.stdout
    assert "Good morning, Ana! Your deals this week:" in first.stdout
    assert "Send pricing" in first.stdout and "1 new, 1 sent" in first.stdout
    again = dealcoach(url, "run-due", "--now", "2026-11-30T09:55:00+01:00")
    assert "DM to ana" not in again.stdout and "0 new, 0 sent" in again.stdout
    # New York's morning and Berlin's digest hour: Bob's nudge and the team digest
    later = dealcoach(url, "run-due", "--now", "2026-11-30T09:10:00-05:00")
    assert "── DM to bob" in later.stdout and "── to channel #sales-leads" in later.stdout
    assert "Team digest · Mia" in later.stdout and "Most at risk of no decision" in later.stdout
    assert "2 new, 2 sent" in later.stdout


def test_digest_preview_prints_per_rep_sections(seeded) -> None:  # type: ignore[no-untyped-def]
    url, db, _ = seeded
    run = dealcoach(url, "digest", "--preview", "--now", "2026-11-30T10:00:00+01:00")
    assert run.returncode == 0, run.stderr
    assert "▍ Ana: 2 deals" in run.stdout and "▍ Bob: 1 deal" in run.stdout
    assert "next customer step: Legal review of the MSA" in run.stdout
    assert outbox_rows(db) == 0
    missing = dealcoach(url, "digest", "--preview", "--team", "emea")
    assert missing.returncode == 1 and "No team named 'emea' has a digest yet" in missing.stdout


def test_reminder_buttons_are_understood_by_the_engine(seeded) -> None:  # type: ignore[no-untyped-def]
    url, db, ids = seeded
    replies: list = []

    class Keep:
        platform = "console"

        async def to_user(self, workspace_id: str, user_id: str, r: list, key=None) -> str:  # type: ignore[no-untyped-def]
            replies.extend(r)
            return "m1"

        async def to_channel(self, workspace_id: str, channel: str, r: list, key=None) -> str:  # type: ignore[no-untyped-def]
            return "m2"

    schedule = Schedule(db, {"console": Keep()}, Cadence(), clock=lambda: TUE_BERLIN)
    asyncio.run(schedule.run_pass(TUE_BERLIN))  # Monday's nudge, caught up
    replies.clear()
    asyncio.run(schedule.run_pass(WED_BERLIN))  # the legal review is due today
    card = next(
        r for r in replies if isinstance(r, Section) and r.title == "Legal review of the MSA"
    )
    done = next(c for c in card.choices if c.label == "Done")
    assert done.value == f"step:{ids['legal']}:done"
    coach = Coach(db, clock=lambda: WED_BERLIN)
    outcome = coach.handle(Turn(UserRef(WS, "ana", "Ana"), value=done.value, event_id="click-1"))
    assert any("Marked done" in getattr(r, "text", "") for r in outcome.replies)
    assert db.run(lambda s: s.get(PlanStep, ids["legal"]).status) == "done"  # type: ignore[union-attr]
    # the stored payload is what was sent, button values included
    stored = db.run(
        lambda s: s.exec(
            select(Outbox.payload).where(Outbox.kind == "reminder", Outbox.status == "sent")
        ).one()
    )
    sections = [r for r in from_json(stored[0]["replies"]) if isinstance(r, Section)]
    assert done in sections[0].choices


async def test_serve_runs_passes_with_apscheduler(seeded) -> None:  # type: ignore[no-untyped-def]
    _url, db, _ = seeded
    sent: list[str] = []

    class Rec:
        platform = "console"

        async def to_user(self, workspace_id: str, user_id: str, r: list, key=None) -> str:  # type: ignore[no-untyped-def]
            sent.append(user_id)
            return "m"

        async def to_channel(self, workspace_id: str, channel: str, r: list, key=None) -> str:  # type: ignore[no-untyped-def]
            sent.append(channel)
            return "m"

    app = web.Application()
    schedule = Schedule(db, {"console": Rec()}, Cadence(), clock=lambda: TUE_BERLIN)
    attach_schedules(app, schedule, every_minutes=5)
    server = TestServer(app)
    await server.start_server()
    try:
        for _ in range(200):  # the first pass runs at start-up; poll for its side effect
            if len(sent) >= 2:
                break
            await asyncio.sleep(0.02)
        assert sorted(sent) == ["#sales-leads", "ana"]
        job = app[SCHEDULER].get_job("run-due")
        assert job.coalesce and job.max_instances == 1
    finally:
        await server.close()
    for _ in range(100):  # AsyncIOScheduler finishes its shutdown on the loop
        if not app[SCHEDULER].running:
            break
        await asyncio.sleep(0.01)
    assert not app[SCHEDULER].running
