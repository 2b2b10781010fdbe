"""The outbox on SQLite and PostgreSQL: decided once, sent once, nothing lost.

Crash points are injected for real: a worker that claims and then "dies" (its lease is
simply never finished), a delivery that dies after the platform accepted the message,
transient and permanent platform errors, and two replicas racing over the same rows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlmodel import Session

from bot.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.messages import Reply
from bot.schedule import PassReport, Schedule
from process.cadence import Cadence
from storage import outbox
from storage.db import Database
from storage.models import Outbox
from tests.schedule_seed import WS, add_deal, add_rep

# Monday 2026-11-30 10:00 in Berlin: reminders and the weekly nudge are due.
MON = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
CAD = Cadence()


class Killed(BaseException):
    """The process dies here (not an Exception: nothing in the pass may catch it)."""


class Recorder:
    """A Delivery that records what the platform would have shown; optionally misbehaves."""

    platform = "console"

    def __init__(self, fail: list[BaseException] | None = None, fail_after_send: bool = False):
        self.sent: list[tuple[str, str, list[Reply]]] = []
        self.fail = list(fail or [])
        self.fail_after_send = fail_after_send
        self.lock = threading.Lock()

    async def _send(self, target: str, replies: list[Reply], key: str | None = None) -> str:
        if self.fail and not self.fail_after_send:
            raise self.fail.pop(0)
        with self.lock:
            self.sent.append((key or "", target, replies))
            n = len(self.sent)
        if self.fail and self.fail_after_send:
            raise self.fail.pop(0)
        return f"msg-{n}"

    async def to_user(
        self, workspace_id: str, user_id: str, replies: list[Reply], key: str | None = None
    ) -> str:
        return await self._send(f"user:{user_id}", replies, key)

    async def to_channel(
        self, workspace_id: str, channel: str, replies: list[Reply], key: str | None = None
    ) -> str:
        return await self._send(f"channel:{channel}", replies, key)


def seed(db: Database, reps: int = 3) -> None:
    """Each rep (Berlin) has a step due today: one reminder each, folded into the nudge."""
    for i in range(reps):
        uid = add_rep(db, f"Rep{i}", "Europe/Berlin", MON - dt.timedelta(days=3))
        add_deal(
            db,
            uid,
            f"Account {i}",
            dt.date(2026, 12, 18),
            [
                ("Legal review", "customer", dt.date(2026, 11, 30)),
                ("Pricing", "us", dt.date(2026, 12, 2)),
            ],
            MON - dt.timedelta(days=3),
        )


def rows(db: Database) -> list[Outbox]:
    return db.run(lambda s: list(s.exec(select(Outbox).order_by(Outbox.id)).scalars()))  # type: ignore[call-overload]


def schedule(db: Database, delivery: Recorder, worker: str = "w1", **kw: object) -> Schedule:
    return Schedule(db, {"console": delivery}, CAD, clock=lambda: MON, worker=worker, **kw)  # type: ignore[arg-type]


def run(s: Schedule, now: dt.datetime) -> PassReport:
    s.clock = lambda: now
    return asyncio.run(s.run_pass(now))


def test_decided_once_however_many_passes(any_db: Database) -> None:
    seed(any_db)
    rec = Recorder()
    s = schedule(any_db, rec)
    first = run(s, MON)
    again = run(s, MON + dt.timedelta(minutes=5))
    later = run(s, MON + dt.timedelta(hours=3))
    assert len(first.added) == 3 and sorted(first.sent) == sorted(first.added)  # concurrent
    assert again.added == [] and again.sent == [] and later.sent == []
    assert len(rec.sent) == 3
    statuses = Counter((r.kind, r.status) for r in rows(any_db))
    # the day's reminder was folded into the Monday nudge: recorded, never sent separately
    assert statuses == {("nudge", "sent"): 3, ("reminder", "skipped"): 3}
    assert all(r.platform_message_id for r in rows(any_db) if r.status == "sent")


def test_enqueue_ignores_a_key_already_there(any_db: Database) -> None:
    add_rep(any_db, "Ana", "UTC", MON)
    msg = outbox.NewMessage("k1", WS, "nudge", "user:ana", "", MON.date(), MON, {"replies": []})
    assert any_db.run(lambda s: outbox.enqueue(s, [msg], MON)) == ["k1"]
    assert any_db.run(lambda s: outbox.enqueue(s, [msg, msg], MON)) == []
    assert len(rows(any_db)) == 1


def test_killed_between_claim_and_mark_is_sent_by_the_next_pass_after_the_lease(
    any_db: Database,
) -> None:
    seed(any_db, reps=2)
    rec = Recorder()
    died = Recorder(fail=[Killed()])
    dying = schedule(any_db, died, worker="dies")
    with pytest.raises(Killed):
        run(dying, MON)  # claimed both rows, died sending the first (the other may be out)
    survivor = schedule(any_db, rec, worker="survivor")
    assert run(survivor, MON + dt.timedelta(minutes=5)).sent == []  # the lease still holds
    late = run(survivor, MON + outbox.LEASE + dt.timedelta(minutes=1))
    assert len(late.sent) >= 1 and len(rec.sent) + len(died.sent) == 2  # each exactly once
    assert {r.status for r in rows(any_db) if r.kind == "nudge"} == {"sent"}


def test_killed_after_the_platform_accepted_is_delivered_again_not_lost(
    any_db: Database,
) -> None:
    """The one window no outbox can close without platform idempotency: the message is sent
    again after the lease (at least once), never lost. Documented in docs/schedules.md."""
    seed(any_db, reps=1)
    rec = Recorder(fail=[Killed()], fail_after_send=True)
    with pytest.raises(Killed):
        run(schedule(any_db, rec, worker="dies"), MON)
    assert len(rec.sent) == 1
    run(schedule(any_db, rec, worker="next"), MON + outbox.LEASE + dt.timedelta(seconds=1))
    assert len(rec.sent) == 2
    assert [r.status for r in rows(any_db) if r.kind == "nudge"] == ["sent"]


class RecallingRecorder(Recorder):
    """A platform that can find a message by its outbox key (as Slack can by metadata)."""

    async def find_sent(self, workspace_id: str, recipient: str, key: str) -> str | None:
        kind, _, target = recipient.partition(":")
        for i, (sent_key, sent_to, _r) in enumerate(self.sent, 1):
            if sent_key == key and sent_to == f"{kind}:{target}":
                return f"msg-{i}"
        return None


def test_killed_after_the_platform_accepted_is_not_sent_twice_where_the_platform_can_tell(
    any_db: Database,
) -> None:
    seed(any_db, reps=1)
    rec = RecallingRecorder(fail=[Killed()], fail_after_send=True)
    with pytest.raises(Killed):
        run(schedule(any_db, rec, worker="dies"), MON)
    assert len(rec.sent) == 1
    late = run(schedule(any_db, rec, worker="next"), MON + outbox.LEASE + dt.timedelta(seconds=1))
    assert len(rec.sent) == 1 and len(late.sent) == 1  # found, marked, not posted again
    nudge = next(r for r in rows(any_db) if r.kind == "nudge")
    assert (nudge.status, nudge.platform_message_id, nudge.attempts) == ("sent", "msg-1", 2)


def test_a_first_try_does_not_ask_the_platform(any_db: Database) -> None:
    """The look-up costs a platform call, so only a retry of an uncertain try makes it."""
    seed(any_db, reps=1)

    class Counting(RecallingRecorder):
        lookups = 0

        async def find_sent(self, workspace_id: str, recipient: str, key: str) -> str | None:
            Counting.lookups += 1
            return await super().find_sent(workspace_id, recipient, key)

    run(schedule(any_db, Counting()), MON)
    assert Counting.lookups == 0


def test_killed_after_mark_sends_nothing_again(any_db: Database) -> None:
    seed(any_db, reps=1)
    rec = Recorder()
    run(schedule(any_db, rec), MON)
    run(schedule(any_db, rec, worker="restarted"), MON + dt.timedelta(hours=1))
    assert len(rec.sent) == 1


def test_transient_errors_back_off_honour_retry_after_then_fail(any_db: Database) -> None:
    seed(any_db, reps=1)
    errors = [TransientDeliveryError("HTTP 429 ratelimited", retry_after=120)] + [
        TransientDeliveryError("HTTP 503") for _ in range(10)
    ]
    rec = Recorder(fail=errors)
    s = schedule(any_db, rec, max_attempts=3)
    r1 = run(s, MON)
    assert r1.retrying and not r1.sent
    row = next(r for r in rows(any_db) if r.kind == "nudge")
    assert row.status == "pending" and row.attempts == 1 and "429" in (row.last_error or "")
    assert row.not_before == MON + dt.timedelta(seconds=120)  # Retry-After beats our 30 s
    assert run(s, MON + dt.timedelta(seconds=119)).retrying == []  # not yet
    r2 = run(s, MON + dt.timedelta(seconds=121))
    assert len(r2.retrying) == 1
    r3 = run(s, MON + dt.timedelta(hours=1))
    assert len(r3.failed) == 1
    row = next(r for r in rows(any_db) if r.kind == "nudge")
    assert (
        row.status == "failed"
        and row.attempts == 3
        and "gave up after 3 tries" in (row.last_error or "")
    )
    assert run(s, MON + dt.timedelta(hours=5)).failed == []  # never retried again
    assert rec.sent == []


def test_a_user_who_left_is_skipped_with_a_record_not_retried(any_db: Database) -> None:
    seed(any_db, reps=1)
    rec = Recorder(fail=[PermanentDeliveryError("user_not_found: the user left the workspace")])
    s = schedule(any_db, rec)
    assert len(run(s, MON).skipped) == 1
    row = next(r for r in rows(any_db) if r.kind == "nudge")
    assert row.status == "skipped" and "left the workspace" in (row.last_error or "")
    assert run(s, MON + dt.timedelta(hours=2)).skipped == []


def test_down_for_a_week_only_the_newest_nudge_is_sent(any_db: Database) -> None:
    """Nudges decided on three Mondays but never delivered (the sender was down): when it is
    back, the two older ones go stale and only the newest is sent."""
    seed(any_db, reps=1)
    for week in range(3):
        schedule(any_db, Recorder()).plan(MON + dt.timedelta(weeks=week))
    pending = [r for r in rows(any_db) if r.kind == "nudge"]
    assert [r.status for r in pending] == ["pending", "pending", "pending"]
    rec = Recorder()
    report = run(schedule(any_db, rec, worker="back"), MON + dt.timedelta(weeks=2, hours=2))
    assert report.superseded == 2 and len(report.sent) == 1
    nudges = [r for r in rows(any_db) if r.kind == "nudge"]
    assert [r.status for r in nudges] == ["stale", "stale", "sent"]
    assert nudges[-1].local_date == (MON + dt.timedelta(weeks=2)).date()


def test_a_message_past_its_moment_is_stale_not_sent(any_db: Database) -> None:
    seed(any_db, reps=1)
    failing = Recorder(fail=[TransientDeliveryError("timeout")])
    run(schedule(any_db, failing), MON)
    # back on Saturday: Monday's nudge expired on Friday's quiet hour
    report = run(schedule(any_db, Recorder()), MON + dt.timedelta(days=5))
    assert len(report.stale) == 1 and report.sent == []


def _race(db_factory: list[Database], now: dt.datetime, passes: int) -> Recorder:
    rec = Recorder()
    barrier = threading.Barrier(len(db_factory))
    errors: list[BaseException] = []

    def replica(i: int, db: Database) -> None:
        s = Schedule(db, {"console": rec}, CAD, clock=lambda: now, worker=f"replica-{i}", batch=3)
        barrier.wait()
        try:
            for k in range(passes):
                asyncio.run(s.run_pass(now + dt.timedelta(seconds=k)))
        except BaseException as e:  # noqa: BLE001 - surfaced below
            errors.append(e)

    threads = [threading.Thread(target=replica, args=(i, d)) for i, d in enumerate(db_factory)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return rec


def test_replicas_on_postgresql_send_each_message_exactly_once() -> None:
    from tests.conftest import drop_pg_schema, make_pg_database, postgres_up

    if not postgres_up():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    db, schema = make_pg_database()
    replicas: list[Database] = []
    try:
        db.migrate()
        seed(db, reps=24)
        replicas = [Database(db.url) for _ in range(3)]
        rec = _race(replicas, MON, passes=4)
        counts = Counter(target for _, target, _ in rec.sent)
        assert len(counts) == 24 and set(counts.values()) == {1}
        assert Counter(r.status for r in rows(db) if r.kind == "nudge") == {"sent": 24}
    finally:
        for r in replicas:
            r.dispose()
        db.dispose()
        drop_pg_schema(schema)


def test_replicas_on_sqlite_send_each_message_exactly_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    db = Database(url)
    db.migrate()
    seed(db, reps=12)
    replicas = [Database(url) for _ in range(3)]
    rec = _race(replicas, MON, passes=3)
    counts = Counter(target for _, target, _ in rec.sent)
    assert len(counts) == 12 and set(counts.values()) == {1}
    for r in [db, *replicas]:
        r.dispose()


def count_queries(db: Database, work: object) -> int:
    n = 0

    def before(*_a: object) -> None:
        nonlocal n
        n += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        with Session(db.engine) as session:
            work(session)  # type: ignore[operator]
            session.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return n


def test_the_due_sweep_uses_the_same_number_of_queries_for_3_or_30_reps(
    tmp_path: Path,
) -> None:
    from bot.scheduled import plan_due

    counts = []
    for n in (3, 30):
        db = Database(f"sqlite:///{tmp_path / f'q{n}.db'}")
        db.migrate()
        seed(db, reps=n)
        counts.append(count_queries(db, lambda s: plan_due(s, MON, CAD)))
        db.dispose()
    assert counts[0] == counts[1] <= 8


def test_a_user_without_a_zone_gets_the_configured_default(db: Database) -> None:
    from bot.scheduled import plan_due

    uid = add_rep(db, "Zed", None, MON - dt.timedelta(days=3))  # type: ignore[arg-type]
    add_deal(db, uid, "Acme", None, [("Call", "customer", dt.date(2026, 11, 30))], MON)
    cad = Cadence(default_timezone="America/New_York")
    berlin_morning = dt.datetime(2026, 11, 30, 8, 5, tzinfo=dt.UTC)  # 03:05 in New York
    ny_morning = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)
    assert db.run(lambda s: plan_due(s, berlin_morning, cad)).messages == []
    assert [m.kind for m in db.run(lambda s: plan_due(s, ny_morning, cad)).messages] == [
        "reminder",
        "nudge",
    ]


def test_supersede_probes_an_index_instead_of_scanning_the_outbox_per_row(db: Database) -> None:
    """Whether a newer message exists is one index probe per pending row: without the
    index SQLite scanned the whole outbox for each one, 18.5 s for a Monday of 5,000
    nudges (bench/delivery.py), and the outbox only grows."""
    seen: list[tuple[str, object]] = []

    def grab(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        db.run(lambda s: outbox.supersede(s, MON))
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    ((statement, parameters),) = seen
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()  # type: ignore[arg-type]
    details = [str(row[-1]) for row in plan]
    assert any("ix_outbox_recipient_date" in d for d in details), details
    assert not any(d.startswith("SCAN") and "outbox_1" in d for d in details), details


class HoldsFirst(Recorder):
    """The first send waits until two others got through (or 3 s pass: then it fails)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.others = 0
        self.release: asyncio.Event | None = None

    async def to_user(
        self, workspace_id: str, user_id: str, replies: list[Reply], key: str | None = None
    ) -> str:
        self.release = self.release or asyncio.Event()
        self.calls.append(user_id)
        if len(self.calls) == 1:
            await asyncio.wait_for(self.release.wait(), 3.0)
        else:
            self.others += 1
            if self.others == 2:
                self.release.set()
        return await self._send(f"user:{user_id}", replies, key)


def test_a_slow_recipient_does_not_hold_back_the_next_batch(db: Database) -> None:
    """Batches of 2: while the first batch's first recipient is still being sent to, the
    second batch is claimed and delivered (a pacer never waits on a batch's tail)."""
    seed(db, reps=3)
    slow = HoldsFirst()
    report = run(schedule(db, slow, batch=2, per_workspace=2), MON)
    assert len(report.sent) == 3 and report.retrying == []
    assert [t for _, t, _ in slow.sent][-1] == f"user:{slow.calls[0]}"  # the slow one, last
    assert {r.status for r in rows(db) if r.kind == "nudge"} == {"sent"}


class Sleepy(Recorder):
    """Every send takes 20 ms, so later batches are claimed while earlier rows are out."""

    def __init__(self) -> None:
        super().__init__()
        self.at_once = self.most_at_once = 0

    async def _send(self, target: str, replies: list[Reply], key: str | None = None) -> str:
        self.at_once += 1
        self.most_at_once = max(self.most_at_once, self.at_once)
        try:
            await asyncio.sleep(0.02)
            return await super()._send(target, replies, key)
        finally:
            self.at_once -= 1


def test_a_recipients_rows_over_several_batches_go_in_order(db: Database) -> None:
    """A digest's posts are one row each: with batches of 2 claimed while earlier rows are
    still in flight, a channel's posts still go one after another, in their order."""
    add_rep(db, "Ana", "UTC", MON)
    posts = [
        outbox.NewMessage(
            f"digest|{i}", WS, "digest", "channel:C1", f"post {i}", MON.date(), MON, {"replies": []}
        )
        for i in range(7)
    ]
    posts.insert(
        3,
        outbox.NewMessage(
            "nudge|ana", WS, "nudge", "user:ana", "", MON.date(), MON, {"replies": []}
        ),
    )
    db.run(lambda s: outbox.enqueue(s, posts, MON))
    slow = Sleepy()
    report = asyncio.run(schedule(db, slow, batch=2, per_workspace=4).deliver(MON))
    assert len(report.sent) == 8
    assert [k for k, t, _ in slow.sent if t == "channel:C1"] == [f"digest|{i}" for i in range(7)]
    assert slow.most_at_once == 2  # the nudge went while the channel's posts were going
