"""Running the schedule: plan what is due into the outbox, then deliver it, exactly once.

The clock is just another entry point (handlers/schedule.py starts it from APScheduler, cron
or the CLI); this module does the work with the store, so no handler touches storage.
Deciding is in `bot/scheduled.py` and `process/cadence.py`; the outbox in `storage/outbox.py`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

from bot import notices
from bot.delivery import (
    Delivery,
    PermanentDeliveryError,
    Prefetching,
    Recallable,
    TransientDeliveryError,
)
from bot.engine import Clock
from bot.messages import Reply
from bot.scheduled import digest_preview, is_first_post, plan_due, record_digests
from process.cadence import Cadence
from storage import crud, outbox
from storage import schedule as q
from storage.db import Database
from storage.outbox import Claimed, NewMessage

log = logging.getLogger(__name__)


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


#: How often delivered rows are marked sent (one transaction for all of them), in seconds.
MARK_EVERY = 0.25
#: ... or as soon as this many wait.
MARK_BATCH = 50


class SentMarks:
    """Rows delivered and waiting to be marked sent, written together in one transaction.

    A transaction per message was most of a pass's own cost at a few hundred messages a
    second. Until a row is marked it keeps its lease, so a crash in between leaves it to be
    retried after the lease, and the retry asks the platform first (`Recallable`): the
    same window as before, up to MARK_EVERY longer.
    """

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.pending: list[tuple[Claimed, str]] = []

    async def add(self, row: Claimed, message_id: str) -> None:
        self.pending.append((row, message_id))
        if len(self.pending) >= MARK_BATCH:
            await self.flush()

    async def every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self.flush()

    async def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        s = self.schedule

        def mark(session: Session) -> list[tuple[Claimed, str]]:
            at = s.clock()
            return [
                (row, mid)
                for row, mid in batch
                if not outbox.mark_sent(session, row.id, s.worker, mid, at)
            ]

        for row, message_id in await asyncio.to_thread(s.db.run, mark):
            log.error("outbox %s: sent as %s but the lease was lost", row.key, message_id)


class Schedule:
    """Plans due messages into the outbox and delivers pending rows. Share one per process."""

    def __init__(
        self,
        db: Database,
        deliveries: Mapping[str, Delivery],
        cadence: Cadence | None = None,
        *,
        clock: Clock,
        worker: str | None = None,
        lease: dt.timedelta = outbox.LEASE,
        max_attempts: int = outbox.MAX_ATTEMPTS,
        batch: int = 200,
        per_workspace: int = 16,
        shard: tuple[int, int] = (0, 1),
    ) -> None:
        """`shard` (i, n): deliver only the workspaces `owns` gives shard i of n, so n
        processes share a big pass (one core each) while each workspace, and the pacing
        under its platform's limits, stays in one of them. Planning is not sharded (it is
        idempotent: every process may plan, each message is written once)."""
        index, count = shard
        if count < 1 or not 0 <= index < count:
            raise ValueError(f"shard {index}/{count}: want 0 <= i < n")
        self.shard = (index, count)
        self.db = db
        self.deliveries = dict(deliveries)
        self.cadence = cadence or Cadence()
        self.clock = clock
        self.worker = worker or f"w-{uuid.uuid4().hex[:10]}"
        self.lease = lease
        self.max_attempts = max_attempts
        self.batch = batch
        #: Recipients of one workspace delivered at the same time (the platform paces them).
        self.per_workspace = per_workspace
        self._marks = SentMarks(self)

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
                        [m for m in plan.messages if is_first_post(m)],
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
            crud.prune_events(session, now)  # housekeeping rides on the clock
            return q.platforms(session)

        platforms = await asyncio.to_thread(self.db.run, prepare)
        # Only rows this process can deliver: a cron job without Slack credentials leaves
        # Slack rows to the server that has them, instead of burning their tries.
        mine = [ws for ws, p in platforms.items() if p in self.deliveries and self.owns(ws)]
        due = await asyncio.to_thread(self.db.run, lambda s: outbox.due_workspaces(s, now, mine))
        # Workspaces deliver side by side: each paces itself under its own platform limits
        # (see the platform deliveries), so a Retry-After in one never idles the others.
        ticker = asyncio.create_task(self._marks.every(MARK_EVERY))
        try:
            await asyncio.gather(
                *(self._deliver_workspace(ws, platforms, now, report) for ws in due)
            )
        finally:
            ticker.cancel()
            await self._marks.flush()
        return report

    def owns(self, workspace_id: str) -> bool:
        """Whether this process's shard delivers `workspace_id` (a stable hash: every
        process and every pass agree)."""
        index, count = self.shard
        return count == 1 or zlib.crc32(workspace_id.encode()) % count == index

    async def _deliver_workspace(
        self, workspace_id: str, platforms: dict[str, str], now: dt.datetime, report: PassReport
    ) -> None:
        """Claim and deliver one workspace's due rows: recipients concurrently (up to
        `per_workspace` at a time, or the delivery's own `per_workspace`), each
        recipient's rows in order (a digest's posts).

        The next batch is claimed as soon as every recipient of the claimed ones has
        started, not when the last has finished, so the platform's pacer is not left idle
        at each batch's tail (one or two round trips a batch; on Teams, where a nudge is
        two sends, that was ~8 % of a 1,000-rep pass). A recipient whose rows span two
        batches gets the later ones queued behind the earlier, in order.
        """
        ahead = self.deliveries.get(
            platforms.get(workspace_id, workspace_id.split(":", 1)[0])
        )  # the delivery `_deliver_one` will use, told what is coming (`Prefetching`)
        # A platform that allows many sends a second may want more recipients in flight
        # (Teams: 50 a second per tenant, each send ~100 ms or more: `TeamsDelivery`).
        slots = asyncio.Semaphore(getattr(ahead, "per_workspace", None) or self.per_workspace)
        queues: dict[str, list[Claimed]] = {}  # recipient -> rows claimed, not yet started
        waiting = 0  # recipients with rows that have no slot yet
        started = asyncio.Event()  # a recipient got a slot
        tasks: list[asyncio.Task[None]] = []

        async def recipient(key: str) -> None:
            nonlocal waiting
            async with slots:
                waiting -= 1
                started.set()
                while queues[key]:
                    await self._deliver_one(queues[key].pop(0), platforms, now, report)
                del queues[key]  # no await since the loop's test: nothing was appended

        async def reraise() -> None:
            """A recipient that raised (the database gone for good) stops the workspace."""
            for task in tasks:
                if task.done() and not task.cancelled() and task.exception() is not None:
                    await task

        try:
            for _ in range(10_000):  # bounded: each round finishes or defers what it claims
                await reraise()
                rows = await asyncio.to_thread(
                    self.db.run,
                    lambda s: outbox.claim(
                        s, self.worker, now, self.batch, self.lease, [workspace_id]
                    ),
                )
                if rows and isinstance(ahead, Prefetching):
                    await ahead.prefetch(workspace_id, [row.recipient for row in rows])
                if not rows:
                    busy = [t for t in tasks if not t.done()]
                    if not busy:
                        break
                    # Rows still in flight may be due again when they finish (a retry
                    # with no wait): claim once more after them, as before.
                    await asyncio.wait(busy)
                    continue
                for row in rows:
                    if row.recipient in queues:
                        queues[row.recipient].append(row)
                        continue
                    queues[row.recipient] = [row]
                    waiting += 1
                    tasks.append(asyncio.create_task(recipient(row.recipient)))
                while waiting:  # every recipient gets a slot: the others finish or raise
                    started.clear()
                    await started.wait()
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()

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
        if row.attempts > 1 and isinstance(delivery, Recallable):
            found = await self._already_sent(delivery, row)
            if found:
                await asyncio.to_thread(
                    lambda: self.db.run(
                        lambda s: outbox.mark_sent(s, row.id, self.worker, found, self.clock())
                    )
                )
                log.info("outbox %s was already delivered as %s: not sent again", row.key, found)
                report.sent.append(row.key)
                return
        replies = notices.from_json(row.payload.get("replies", []))
        kind, _, target = row.recipient.partition(":")
        try:
            if kind == "channel":
                message_id = await delivery.to_channel(row.workspace_id, target, replies, row.key)
            else:
                message_id = await delivery.to_user(row.workspace_id, target, replies, row.key)
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
                log.error("outbox %s failed after %s tries: %s", row.key, row.attempts, error)
            return
        await self._marks.add(row, message_id)
        report.sent.append(row.key)

    async def _already_sent(self, delivery: Recallable, row: Claimed) -> str | None:
        """Ask the platform whether an earlier try got through; unsure means send again."""
        try:
            return await delivery.find_sent(row.workspace_id, row.recipient, row.key)
        except Exception:  # noqa: BLE001 - a failed look-up must not block the message
            log.warning(
                "outbox %s: could not check for an earlier delivery", row.key, exc_info=True
            )
            return None

    async def run_pass(self, now: dt.datetime | None = None) -> PassReport:
        """Plan everything due at `now`, then deliver everything pending. Never raises for
        a single bad message; a database that stays down raises after `Database.run`'s tries."""
        now = now or self.clock()
        report = PassReport(now)
        await asyncio.to_thread(self.plan, now, report)
        try:
            await self.deliver(now, report)
        finally:
            for delivery in self.deliveries.values():
                close = getattr(delivery, "aclose", None)
                if close is not None:
                    await close()  # one HTTP session per pass
        log.info("%s", report.summary())
        return report

    def digest_preview(self, now: dt.datetime, team: str | None) -> list[tuple[str, list[Reply]]]:
        """The digests teams would get at `now` (read only), for `dealcoach digest --preview`."""
        with Session(self.db.engine) as session:
            try:
                return digest_preview(session, now, self.cadence, team)
            finally:
                session.rollback()
