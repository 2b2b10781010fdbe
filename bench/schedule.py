"""Benchmark: the due-message sweep and the manager digest at scale, on SQLite and PostgreSQL.

    .venv/bin/python bench/schedule.py                       # SQLite, full size
    .venv/bin/python bench/schedule.py --db postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/schedule.py --reps 500            # a tenth of the size

Full size: 5,000 reps x 20 deals x 10 steps = 1,000,000 plan steps, bulk-loaded with
executemany (SQLite) or COPY (PostgreSQL). Figures are printed in seconds and as a ratio
to a baseline measured in the same run on the same data: `SELECT count(*) FROM planstep`.
Queries are counted with a SQLAlchemy `before_cursor_execute` listener.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bot.schedule import Schedule  # noqa: E402
from bot.scheduled import build_digest, plan_due  # noqa: E402
from process.cadence import Cadence  # noqa: E402
from storage import schedule as q  # noqa: E402
from storage.db import Database  # noqa: E402

#: Monday 2026-11-30 10:00 UTC: morning-to-evening for about 5 of the 8 zones below.
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
ZONES = [
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
]
WS = "slack:TBENCH"
TEAM_ID = 1


class Counter:
    def __init__(self, db: Database) -> None:
        self.n = 0
        event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_a: Any) -> None:
        self.n += 1


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Median wall time of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


# --- data -----------------------------------------------------------------------------


def rows(
    reps: int, deals_per_rep: int, steps_per_deal: int, digest_reps: int
) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    rnd = random.Random(42)
    now = NOW
    today = now.date()
    created = now - dt.timedelta(days=90)
    out: dict[str, list[tuple]] = {
        k: []
        for k in (
            "workspace",
            "team",
            "user",
            "deal",
            "review",
            "answer",
            "planstep",
            "stepslip",
            "decisiondatechange",
        )
    }  # type: ignore[type-arg]
    out["workspace"].append((WS, "slack", "Bench", created))
    out["team"].append(
        (TEAM_ID, WS, "bench-digest", None, "C0DIGEST", "Europe/Berlin", 2, "10:00", None)
    )
    deal_id = step_id = review_id = answer_id = 0
    for u in range(1, reps + 1):
        out["user"].append(
            (
                u,
                WS,
                f"U{u:06d}",
                f"Rep {u}",
                ZONES[u % len(ZONES)],
                None,
                TEAM_ID if u <= digest_reps else None,
                None,
                None,
                None,
                None,
                created,
            )
        )
        for _ in range(deals_per_rep):
            deal_id += 1
            decision = today + dt.timedelta(days=rnd.randint(-10, 120))
            reviewed = now - dt.timedelta(days=rnd.randint(0, 30))
            out["deal"].append(
                (
                    deal_id,
                    WS,
                    u,
                    f"Account {deal_id}",
                    "renewal",
                    decision,
                    "open",
                    None,
                    reviewed,
                    created,
                )
            )
            if u <= digest_reps:
                review_id += 1
                out["review"].append((review_id, WS, deal_id, u, "", reviewed, reviewed))
                for stage in ("customer_next", "us_next"):
                    answer_id += 1
                    orient = rnd.choice(["next_step", "next_step", "history", "vague"])
                    out["answer"].append(
                        (answer_id, WS, review_id, u, stage, "answer", orient, None, None, reviewed)
                    )
                if rnd.random() < 0.2:
                    out["decisiondatechange"].append(
                        (
                            len(out["decisiondatechange"]) + 1,
                            WS,
                            deal_id,
                            None,
                            decision - dt.timedelta(days=14),
                            decision,
                            "customer asked",
                            now - dt.timedelta(days=rnd.randint(0, 10)),
                        )
                    )
            for k in range(steps_per_deal):
                step_id += 1
                due = today + dt.timedelta(days=rnd.randint(-60, 60))
                status = "done" if due < today and rnd.random() < 0.85 else "open"
                closed = now - dt.timedelta(days=rnd.randint(0, 20)) if status == "done" else None
                side = "customer" if k % 2 == 0 else "us"
                out["planstep"].append(
                    (
                        step_id,
                        WS,
                        deal_id,
                        None,
                        f"Step {k} of deal {deal_id}",
                        side,
                        None,
                        due,
                        due,
                        status,
                        0,
                        created,
                        closed,
                    )
                )
                if u <= digest_reps and rnd.random() < 0.05:
                    out["stepslip"].append(
                        (
                            len(out["stepslip"]) + 1,
                            WS,
                            step_id,
                            due - dt.timedelta(days=7),
                            due,
                            now - dt.timedelta(days=rnd.randint(0, 10)),
                        )
                    )
    return out


COLUMNS = {
    "workspace": "id, platform, name, created_at",
    "team": "id, workspace_id, name, manager_user_id, digest_channel, timezone, digest_weekday, digest_time, last_digest_at",
    "user": "id, workspace_id, platform_user_id, display_name, timezone, timezone_override, team_id, nudge_weekday, nudge_time, paused_until, profile_checked_at, created_at",
    "deal": "id, workspace_id, owner_id, account, name, decision_date, status, risk, last_reviewed_at, created_at",
    "review": "id, workspace_id, deal_id, user_id, context, started_at, completed_at",
    "answer": "id, workspace_id, review_id, user_id, stage, text, orientation, side, due, created_at",
    "planstep": "id, workspace_id, deal_id, review_id, description, side, owner, due, original_due, status, slips, created_at, closed_at",
    "stepslip": "id, workspace_id, step_id, old_due, new_due, changed_at",
    "decisiondatechange": "id, workspace_id, deal_id, review_id, old_date, new_date, reason, changed_at",
}


def _sqlite_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def load(db: Database, data: dict[str, list[tuple]]) -> None:  # type: ignore[type-arg]
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for table, cols in COLUMNS.items():
            quoted = f'"{table}"'
            if db.is_sqlite:
                marks = ", ".join("?" for _ in cols.split(","))
                cur.executemany(
                    f"INSERT INTO {quoted} ({cols}) VALUES ({marks})",
                    ([_sqlite_value(v) for v in r] for r in data[table]),
                )
            else:
                with cur.copy(f"COPY {quoted} ({cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for r in data[table]:
                        copy.write_row(r)
        raw.commit()
        if not db.is_sqlite:
            for table in (t for t in COLUMNS if t != "workspace"):  # text ids have no sequence
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
                )
            cur.execute("ANALYZE")
            raw.commit()
        else:
            cur.execute("ANALYZE")
            raw.commit()
    finally:
        raw.close()


class NullDelivery:
    platform = "slack"

    async def to_user(self, workspace_id: str, user_id: str, replies: list, key=None) -> str:  # type: ignore[type-arg]
        return "m"

    async def to_channel(self, workspace_id: str, channel: str, replies: list, key=None) -> str:  # type: ignore[type-arg]
        return "m"


# --- measurements ---------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--reps", type=int, default=5000)
    ap.add_argument("--deals", type=int, default=20, help="deals per rep")
    ap.add_argument("--steps", type=int, default=10, help="steps per deal")
    ap.add_argument("--digest-reps", type=int, default=500)
    args = ap.parse_args()

    schema = None
    if args.db and args.db.startswith("postgres"):
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        base = args.db.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(base, autocommit=True) as c:
            c.execute(f'CREATE SCHEMA "{schema}"')
        db = Database(f"{args.db}{'&' if '?' in args.db else '?'}options=-csearch_path%3D{schema}")
    else:
        path = Path(tempfile.mkdtemp()) / "bench.db"
        db = Database(args.db or f"sqlite:///{path}")
    try:
        run(db, args)
    finally:
        db.dispose()
        if schema:
            import psycopg

            with psycopg.connect(base, autocommit=True) as c:
                c.execute(f'DROP SCHEMA "{schema}" CASCADE')


def run(db: Database, args: argparse.Namespace) -> None:
    backend = "SQLite" if db.is_sqlite else "PostgreSQL"
    db.migrate()
    t0 = time.perf_counter()
    data = rows(args.reps, args.deals, args.steps, min(args.digest_reps, args.reps))
    load(db, data)
    setup = time.perf_counter() - t0
    n_steps, n_deals = len(data["planstep"]), len(data["deal"])
    del data
    counter = Counter(db)
    cad = Cadence()

    def baseline() -> int:
        with db.engine.connect() as c:
            return c.execute(text("SELECT count(*) FROM planstep")).scalar_one()

    base, _ = timed(baseline, 5)

    def naive() -> int:
        with db.engine.connect() as c:
            return len(c.execute(text("SELECT id, deal_id, due, status FROM planstep")).all())

    load_all, _ = timed(naive, 3)

    def sweep(at: dt.datetime = NOW) -> int:
        with Session(db.engine) as s:
            try:
                return len(plan_due(s, at, cad).messages)
            finally:
                s.rollback()

    counter.n = 0
    cold, planned = timed(sweep, 3)
    cold_queries = counter.n // 3

    schedule = Schedule(db, {"slack": NullDelivery()}, cad, clock=lambda: NOW, worker="bench")

    # The busiest regular pass: one zone's Monday morning (Berlin, 625 reps at full size)
    # after the zones already in their day were decided by earlier passes.
    early = NOW.replace(hour=7, minute=55)
    asyncio.run(schedule.run_pass(early))
    zone_decide, zone_planned = timed(lambda: sweep(early + dt.timedelta(minutes=10)), 3)
    counter.n = 0
    t1 = time.perf_counter()
    zone_pass = asyncio.run(schedule.run_pass(early + dt.timedelta(minutes=10)))
    zone_time = time.perf_counter() - t1
    zone_queries = counter.n
    with db.engine.begin() as c:  # back to a clean outbox for the cold measurements
        c.execute(text("DELETE FROM outbox"))
    t1 = time.perf_counter()
    counter.n = 0
    report = asyncio.run(schedule.run_pass(NOW))
    full_pass = time.perf_counter() - t1
    full_queries = counter.n

    counter.n = 0
    steady, _ = timed(lambda: asyncio.run(schedule.run_pass(NOW + dt.timedelta(minutes=5))), 3)
    steady_queries = counter.n // 3

    def digest() -> int:
        with Session(db.engine) as s:
            reps = q.load_reps(s)
            team = q.load_teams(s, "bench-digest")[0]  # measured on its own (due Wednesdays)
            replies, _ = build_digest(s, team, reps, NOW, cad)
            s.rollback()
            return len(replies)

    counter.n = 0
    dig, sections = timed(digest, 3)
    dig_queries = counter.n // 3

    print(
        f"## {backend}: {n_steps:,} steps, {n_deals:,} deals, {args.reps:,} reps (setup {setup:.1f} s)"
    )
    print(f"baseline A  SELECT count(*) FROM planstep: {base * 1000:.1f} ms")
    print(
        f"baseline B  fetch (id, deal_id, due, status) of every step into Python: {load_all:.3f} s"
    )
    print(
        f"sweep, cold (decide only, {planned:,} messages due): {cold:.3f} s = {cold / base:.0f}x A = {cold / load_all:.2f}x B, {cold_queries} queries"
    )
    print(
        f"first pass (decide + write + deliver {len(report.sent):,} to a null delivery): {full_pass:.2f} s, "
        f"{full_queries:,} queries ({(full_queries - cold_queries) / max(1, len(report.sent)):.1f} per message delivered)"
        f", {report.summary()}"
    )
    print(
        f"sweep at a zone's morning (decide only, {zone_planned:,} messages due): {zone_decide:.3f} s = "
        f"{zone_decide / load_all:.2f}x B"
    )
    print(
        f"pass at a zone's morning (decide + write + deliver {len(zone_pass.sent):,}): {zone_time:.3f} s = "
        f"{zone_time / load_all:.2f}x B, {zone_queries:,} queries ({zone_queries - len(zone_pass.sent)} + 1 per message)"
    )
    print(
        f"pass, steady state (all decided, nothing new): {steady:.3f} s = {steady / base:.0f}x A = {steady / load_all:.2f}x B, {steady_queries} queries"
    )
    print(
        f"digest, {min(args.digest_reps, args.reps)} reps x {args.deals} deals ({sections} sections): {dig:.3f} s = {dig / base:.0f}x A = {dig / load_all:.2f}x B, {dig_queries} queries"
    )


if __name__ == "__main__":
    main()
