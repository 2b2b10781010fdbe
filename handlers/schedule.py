"""The clock as a handler: one pass plans what is due and delivers what is pending.

`bot.schedule.Schedule.run_pass(now)` is all there is; `dealcoach run-due` calls it once (for cron or a
Kubernetes CronJob), `dealcoach serve` calls it every few minutes with APScheduler. Both
are safe to run at the same time as any number of replicas: the outbox decides (see
storage/outbox.py). Deliveries are looked up by the workspace's platform, so Slack, Teams
and the terminal carry the same neutral messages.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
import uuid
from typing import TextIO

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import notices
from bot.delivery import Delivery
from bot.engine import Clock, Coach
from bot.messages import Reply, Section, fmt_date
from bot.schedule import Schedule
from config import Settings, configured_process
from handlers.console import ConsoleRenderer, safe_reply, terminal_safe
from handlers.web import DELIVERIES, build_app
from process.cadence import Cadence, parse_hhmm
from storage.db import Database

log = logging.getLogger(__name__)


def cadence_from(settings: Settings) -> Cadence:
    """The workspace defaults from settings (users and teams override day and time)."""
    return Cadence(
        reminder_time=parse_hhmm(settings.reminder_time, dt.time(9, 0)),
        lead_working_days=settings.reminder_lead_days,
        decision_warn_days=settings.decision_warn_days,
        stale_review_days=settings.stale_review_days,
        nudge_weekday=settings.nudge_weekday,
        nudge_time=parse_hhmm(settings.nudge_time, dt.time(9, 0)),
        digest_weekday=settings.digest_weekday,
        digest_time=parse_hhmm(settings.digest_time, dt.time(10, 0)),
        default_timezone=settings.default_timezone,
        sales_process=configured_process(settings),
    )


# --- the terminal as a delivery -------------------------------------------------------


def render_text(replies: list[Reply], renderer: ConsoleRenderer | None = None) -> str:
    """Plain text for notices: Sections as a header, lines, [buttons] and a small footer."""
    r = renderer or ConsoleRenderer()
    out: list[str] = []
    for reply in map(safe_reply, replies):
        if isinstance(reply, Section):
            out.append(r.emph(f"▍ *{reply.title}*"))
            out += [f"  {r.emph(line)}" for line in reply.lines]
            if reply.choices:
                out.append("  " + "  ".join(f"[{c.label}]" for c in reply.choices))
            if reply.footer:
                out.append(f"  ({r.emph(reply.footer)})")
        else:
            out.append(r.render(reply))
    return "\n".join(out)


class ConsoleDelivery:
    """Prints messages to the terminal; the delivery for the `console:` workspace."""

    platform = "console"

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out
        self.count = 0

    def _print(self, header: str, replies: list[Reply]) -> str:
        self.count += 1
        stream = self.out or sys.stdout
        print(f"── {header} " + "─" * max(3, 60 - len(header)), file=stream)
        print(render_text(replies), file=stream, flush=True)
        return f"console-{uuid.uuid4().hex[:12]}"

    async def to_user(
        self, workspace_id: str, user_id: str, replies: list[Reply], key: str | None = None
    ) -> str:
        return self._print(f"DM to {user_id}", replies)

    async def to_channel(
        self, workspace_id: str, channel: str, replies: list[Reply], key: str | None = None
    ) -> str:
        return self._print(f"to channel {channel}", replies)


def build_deliveries(settings: Settings, db: Database, coach: Coach) -> dict[str, Delivery]:
    """Deliveries for every configured platform, for a pass outside `serve` (`run-due`).

    The platform adapters are built exactly as the server builds them (not started), with
    the coach the composition root built, so a cron job reaches Slack and Teams users with
    the same credentials and retry policies.
    """
    app = build_app(settings, db, coach)
    return {"console": ConsoleDelivery(), **app[DELIVERIES]}


# --- in-process scheduling (`dealcoach serve`) -----------------------------------------


SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)


def attach_schedules(app: web.Application, schedule: Schedule, every_minutes: int = 5) -> None:
    """Run a pass every few minutes while the web app runs; one at a time, missed runs merged."""

    async def start(app: web.Application) -> None:
        scheduler = AsyncIOScheduler(timezone=dt.UTC)
        scheduler.add_job(
            _safe_pass,
            "interval",
            args=[schedule],
            minutes=every_minutes,
            coalesce=True,
            max_instances=1,
            next_run_time=dt.datetime.now(dt.UTC),  # the scheduler's own clock: run now
            id="run-due",
        )
        scheduler.start()
        app[SCHEDULER] = scheduler
        log.info("schedules running every %s minutes (worker %s)", every_minutes, schedule.worker)

    async def stop(app: web.Application) -> None:
        scheduler = app.get(SCHEDULER)
        if scheduler is not None:
            scheduler.shutdown(wait=False)

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


async def _safe_pass(schedule: Schedule) -> None:
    try:
        await schedule.run_pass()
    except Exception:
        log.exception("scheduled pass failed; the next pass retries it")


# --- command line (`dealcoach run-due`, `dealcoach digest --preview`) -------------------


def run_due_command(
    settings: Settings,
    db: Database,
    coach: Coach,
    dry_run: bool,
    out: TextIO | None = None,
    shard: tuple[int, int] = (0, 1),
) -> int:
    """One pass at `coach.clock()`; exit status 1 when a message failed for good, so cron
    can alert. `shard` (i, n): deliver only that share of the workspaces (`Schedule`)."""
    out = out or sys.stdout
    now = coach.clock()
    schedule = Schedule(
        db,
        build_deliveries(settings, db, coach),
        cadence_from(settings),
        clock=coach.clock,
        shard=shard,
    )
    if dry_run:
        planned, waiting = schedule.preview(now)
        print(f"Dry run at {now:%Y-%m-%d %H:%M} UTC: nothing is written or sent.", file=out)
        if not planned and not waiting:
            print("Nothing is due.", file=out)
        for m in planned:
            if m.status != "pending":
                continue
            print(
                f"• {m.kind:<8} → {m.recipient} ({m.workspace_id}) for {fmt_date(m.local_date, now.date())}: "
                + terminal_safe(str(m.payload.get("summary", ""))),
                file=out,
            )
            print(
                "    "
                + render_text(notices.from_json(m.payload["replies"])).replace("\n", "\n    "),
                file=out,
            )
        for key, kind, recipient, not_before in waiting:
            print(
                f"• {kind:<8} → {recipient}: already queued since {not_before:%Y-%m-%d %H:%M} ({key})",
                file=out,
            )
        return 0
    report = asyncio.run(schedule.run_pass(now))
    print(report.summary(), file=out)
    for key, error in report.failed:
        print(f"  FAILED {key}: {error}", file=out)
    for key, error in report.skipped:
        print(f"  skipped {key}: {error}", file=out)
    for key, error in report.retrying:
        print(f"  will retry {key}: {error}", file=out)
    return 1 if report.failed else 0


def digest_preview_command(
    settings: Settings, db: Database, clock: Clock, team: str | None, out: TextIO | None = None
) -> int:
    """Print each team's digest as of `clock()`; exit status 1 when no team has a digest."""
    out = out or sys.stdout
    previews = Schedule(db, {}, cadence_from(settings), clock=clock).digest_preview(clock(), team)
    if not previews:
        which = f" named {team!r}" if team else ""
        print(
            f"No team{which} has a digest yet. A manager sets one up with "
            "`/dealreview digest #channel` (Slack), `digest here` (Teams) or `dealcoach digest --set CHANNEL` in the terminal.",
            file=out,
        )
        return 1
    for _name, replies in previews:
        print(render_text(replies), file=out)
        print(file=out)
    return 0
