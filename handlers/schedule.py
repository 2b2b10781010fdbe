"""The clock as a handler: one pass plans what is due and delivers what is pending.

`Schedule.run_pass(now)` is all there is; `dealcoach run-due` calls it once (for cron or a
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import Session

from bot import notices
from bot.delivery import Delivery, PermanentDeliveryError, TransientDeliveryError
from bot.messages import Reply, Section
from bot.scheduled import plan_due, record_digests
from config import Settings
from handlers.console import ConsoleRenderer
from process.cadence import Cadence, parse_hhmm
from storage import outbox
from storage import schedule as q
from storage.db import Database
from storage.outbox import Claimed, NewMessage

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
    )


# --- the terminal as a delivery -------------------------------------------------------


def render_text(replies: list[Reply], renderer: ConsoleRenderer | None = None) -> str:
    """Plain text for notices: Sections as a header, lines, [buttons] and a small footer."""
    r = renderer or ConsoleRenderer()
    out: list[str] = []
    for reply in replies:
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

    async def to_user(self, workspace_id: str, user_id: str, replies: list[Reply]) -> str:
        return self._print(f"DM to {user_id}", replies)

    async def to_channel(self, workspace_id: str, channel: str, replies: list[Reply]) -> str:
        return self._print(f"to channel {channel}", replies)


def build_deliveries(settings: Settings, db: Database) -> dict[str, Delivery]:
    """Deliveries for every configured platform, for a pass outside `serve` (`run-due`).

    The platform adapters are built exactly as the server builds them (not started), so a
    cron job reaches Slack and Teams users with the same credentials and retry policies.
    """
    from bot.engine import Coach
    from handlers.web import DELIVERIES, build_app

    app = build_app(settings, db, Coach(db, default_timezone=settings.default_timezone))
    return {"console": ConsoleDelivery(), **app[DELIVERIES]}


# --- one pass -------------------------------------------------------------------------


@dataclass
class PassReport:
    """What one pass did, for the log and for `run-due`."""

    now: dt.datetime
    planned: list[NewMessage] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    retrying: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    superseded: int = 0
    undeliverable: list[str] = field(default_factory=list)  # platforms with no delivery here

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} new",
            f"{len(self.sent)} sent",
            f"{len(self.retrying)} to retry",
            f"{len(self.failed)} failed",
            f"{len(self.skipped)} skipped",
            f"{len(self.stale) + self.superseded} stale",
        ]
        return f"run-due at {self.now:%Y-%m-%d %H:%M} UTC: " + ", ".join(parts)


class Schedule:
    """Plans due messages into the outbox and delivers pending rows. Share one per process."""

    def __init__(
        self,
        db: Database,
        deliveries: Mapping[str, Delivery],
        cadence: Cadence | None = None,
        clock: Clock = utc_now,
        worker: str | None = None,
        lease: dt.timedelta = outbox.LEASE,
        max_attempts: int = outbox.MAX_ATTEMPTS,
        batch: int = 200,
    ) -> None:
        self.db = db
        self.deliveries = dict(deliveries)
        self.cadence = cadence or Cadence()
        self.clock = clock
        self.worker = worker or f"w-{uuid.uuid4().hex[:10]}"
        self.lease = lease
        self.max_attempts = max_attempts
        self.batch = batch

    # planning ---------------------------------------------------------------------

    def plan(self, now: dt.datetime, report: PassReport | None = None) -> PassReport:
        """Decide and record, in one transaction (see bot/scheduled.py)."""
        report = report or PassReport(now)

        def work(session: Session) -> None:
            plan = plan_due(session, now, self.cadence)
            report.planned = plan.messages
            added = set(outbox.enqueue(session, plan.messages, now))
            report.added = [
                m.key for m in plan.messages if m.key in added and m.status == "pending"
            ]
            record_digests(
                session,
                [
                    t
                    for t, m in zip(
                        plan.digested_teams,
                        [m for m in plan.messages if m.kind == "digest"],
                        strict=True,
                    )
                    if m.key in added
                ],
                now,
            )

        self.db.run(work)
        return report

    def preview(self, now: dt.datetime) -> tuple[list[NewMessage], list[tuple]]:  # type: ignore[type-arg]
        """What a pass would plan and which pending rows it would deliver; writes nothing."""
        with Session(self.db.engine) as session:
            try:
                plan = plan_due(session, now, self.cadence)
                known = q.known_keys(session, now.date() - dt.timedelta(days=9))
                waiting = outbox.pending(session, now)
            finally:
                session.rollback()
        return [m for m in plan.messages if m.key not in known], waiting

    # delivering -------------------------------------------------------------------

    async def deliver(self, now: dt.datetime, report: PassReport | None = None) -> PassReport:
        report = report or PassReport(now)

        def prepare(session: Session) -> dict[str, str]:
            report.superseded += outbox.supersede(session, now)
            return q.platforms(session)

        platforms = await asyncio.to_thread(self.db.run, prepare)
        # Only rows this process can deliver: a cron job without Slack credentials leaves
        # Slack rows to the server that has them, instead of burning their tries.
        mine = [ws for ws, p in platforms.items() if p in self.deliveries]
        for _ in range(10_000):  # bounded: each round finishes or defers every row it claims
            rows = await asyncio.to_thread(
                self.db.run,
                lambda s: outbox.claim(s, self.worker, now, self.batch, self.lease, mine),
            )
            if not rows:
                break
            for row in rows:
                await self._deliver_one(row, platforms, now, report)
        return report

    async def _deliver_one(
        self, row: Claimed, platforms: dict[str, str], now: dt.datetime, report: PassReport
    ) -> None:
        def finish(status: str, reason: str) -> None:
            self.db.run(lambda s: outbox.mark_final(s, row.id, self.worker, status, reason))

        expires = row.payload.get("expires")
        if expires and now >= dt.datetime.fromisoformat(expires):
            await asyncio.to_thread(finish, "stale", f"too late to be useful (after {expires})")
            report.stale.append(row.key)
            return
        platform = platforms.get(row.workspace_id, row.workspace_id.split(":", 1)[0])
        delivery = self.deliveries.get(platform)
        if delivery is None:
            reason = f"no delivery for platform {platform!r} in this process"
            await asyncio.to_thread(
                lambda: self.db.run(
                    lambda s: outbox.mark_retry(
                        s, row, self.worker, reason, now, None, self.max_attempts
                    )
                )
            )
            report.undeliverable.append(row.key)
            log.warning("outbox %s: %s", row.key, reason)
            return
        replies = notices.from_json(row.payload.get("replies", []))
        kind, _, target = row.recipient.partition(":")
        try:
            if kind == "channel":
                message_id = await delivery.to_channel(row.workspace_id, target, replies)
            else:
                message_id = await delivery.to_user(row.workspace_id, target, replies)
        except PermanentDeliveryError as e:
            await asyncio.to_thread(finish, "skipped", str(e) or type(e).__name__)
            report.skipped.append((row.key, str(e)))
            log.warning("outbox %s skipped: %s", row.key, e)
            return
        except Exception as e:  # noqa: BLE001 - transient or unknown: retried, then failed
            retry_after = e.retry_after if isinstance(e, TransientDeliveryError) else None
            if not isinstance(e, TransientDeliveryError):
                log.exception("outbox %s: delivery raised unexpectedly", row.key)
            error = f"{type(e).__name__}: {e}"
            outcome = await asyncio.to_thread(
                lambda: self.db.run(
                    lambda s: outbox.mark_retry(
                        s, row, self.worker, error, self.clock(), retry_after, self.max_attempts
                    )
                )
            )
            (report.failed if outcome == "failed" else report.retrying).append((row.key, error))
            if outcome == "failed":
                log.error("outbox %s failed after %s tries: %s", row.key, row.attempts + 1, error)
            return
        ok = await asyncio.to_thread(
            lambda: self.db.run(
                lambda s: outbox.mark_sent(s, row.id, self.worker, message_id, self.clock())
            )
        )
        if not ok:
            log.error("outbox %s: sent as %s but the lease was lost", row.key, message_id)
        report.sent.append(row.key)

    async def run_pass(self, now: dt.datetime | None = None) -> PassReport:
        """Plan everything due at `now`, then deliver everything pending. Never raises for
        a single bad message; a database that stays down raises after `Database.run`'s tries."""
        now = now or self.clock()
        report = PassReport(now)
        await asyncio.to_thread(self.plan, now, report)
        await self.deliver(now, report)
        log.info("%s", report.summary())
        return report


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
    settings: Settings, db: Database, now: dt.datetime, dry_run: bool, out: TextIO | None = None
) -> int:
    """One pass; exit status 1 when a message failed for good, so cron can alert."""
    out = out or sys.stdout
    schedule = Schedule(
        db, build_deliveries(settings, db), cadence_from(settings), clock=lambda: now
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
                f"• {m.kind:<8} → {m.recipient} ({m.workspace_id}) for {m.local_date:%a %b %d}: "
                f"{m.payload.get('summary', '')}",
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
    settings: Settings, db: Database, now: dt.datetime, team: str | None, out: TextIO | None = None
) -> int:
    from bot.scheduled import digest_preview

    out = out or sys.stdout
    with Session(db.engine) as session:
        previews = digest_preview(session, now, cadence_from(settings), team)
    if not previews:
        which = f" named {team!r}" if team else ""
        print(
            f"No team{which} has a digest yet. A manager sets one up with "
            "`/dealreview digest #channel` (Slack), `digest here` (Teams) or `digest CHANNEL` in chat.",
            file=out,
        )
        return 1
    for _name, replies in previews:
        print(render_text(replies), file=out)
        print(file=out)
    return 0
