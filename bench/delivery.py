"""Benchmark: Monday morning for a big team, delivered to a fake Slack (or Bot Framework
connector) that enforces the platform's rate limits.

    .venv/bin/python bench/delivery.py                        # 500 reps in one workspace
    .venv/bin/python bench/delivery.py --reps 5000 --workspaces 10
    .venv/bin/python bench/delivery.py --reps 100 --post-rate 120   # a quick look
    .venv/bin/python bench/delivery.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/delivery.py --platform teams --reps 5000 --workspaces 10
    .venv/bin/python bench/delivery.py --platform teams --reps 5000 --workspaces 10 --processes 2

Every rep has an overdue customer step, so each is due one weekly nudge at 09:05 New York
time. The fake Slack Web API runs in its own process (so its cost is not counted as
ours) and enforces, per workspace (bot token): chat.postMessage at `--post-rate` a minute
(the issue takes 600; Slack does not publish the workspace-wide figure) and one message a
second per channel, conversations.open at `--open-rate` a minute (Tier 3, taken as 100),
each call answered after `--latency` seconds, and 429 with Retry-After beyond the limits.

Printed: the planning time (deciding and writing the outbox rows), the delivery wall time
against the floor the limits allow (the busiest workspace's posts at its post rate, plus
one round trip), posts, 429s, duplicates (a channel posted to more than once) and reps
left without their nudge. Goal: delivery within 1.2x of the floor, 0 duplicates, every rep
served in the pass. Not part of the test suite.

`--platform teams`: the reps are Teams users (one tenant per workspace) whose 1:1
conversation references are stored, delivered by the real `TeamsDelivery` (the Bot
Connector REST call with the SDK's credentials) to a fake connector that enforces Microsoft's published limits ("Rate
limiting for bots", learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit):
per bot per conversation 7 in 1 s, 8 in 2 s, 60 in 30 s and 1,800 in an hour, and 50
requests a second per app per tenant, each counted over a sliding window, with 429 and
Retry-After beyond. The floor is the busiest tenant's messages at 50 a second.

`--processes N` delivers in N processes, each a shard of the workspaces, as N
`dealcoach run-due --shard I/N` would (planned once, here, before they start).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import multiprocessing as mp
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.schedule import PassReport, Schedule  # noqa: E402
from handlers.slack.client import retry_handlers, web_client  # noqa: E402
from handlers.slack.delivery import SlackDelivery  # noqa: E402
from process.cadence import Cadence  # noqa: E402
from storage import crud  # noqa: E402
from storage.db import Database  # noqa: E402

#: Monday 2026-11-30 09:05 in New York: every rep's weekly nudge is due.
NOW = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)
BURST = 3  # calls a bucket may take at once after being idle ("short bursts" are allowed)


# --- the fake Slack, in its own process ------------------------------------------------


class Bucket:
    """A token bucket: `per_minute` calls a minute, at most BURST at once."""

    def __init__(self, per_minute: float) -> None:
        self.rate = per_minute / 60.0
        self.tokens = float(BURST)
        self.at = time.monotonic()

    def take(self) -> float:
        """0 if a call may go now, else the seconds until it may."""
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate



async def _serve_forever(app: Any, port_out: Any) -> None:
    """Serve a fake (an aiohttp `web.Application`) on a free loopback port, say which on
    `port_out`, and never return (the bench kills the fake's process)."""
    from aiohttp import web

    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port_out.put(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
    await asyncio.Event().wait()

def serve_fake(port_out: Any, latency: float, post_rate: float, open_rate: float) -> None:
    from aiohttp import web

    buckets: dict[tuple[str, str], Bucket] = {}
    posts: dict[str, int] = {}
    stats = {"posts": 0, "ratelimited": 0, "opens": 0}

    def bucket(key: tuple[str, str], per_minute: float) -> Bucket:
        if key not in buckets:
            buckets[key] = Bucket(per_minute)
        return buckets[key]

    def limited(wait: float) -> web.Response:
        stats["ratelimited"] += 1
        return web.json_response(
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.headers.get("Authorization", "")
        if request.content_type == "application/json":
            form = await request.json()
        else:
            form = dict(await request.post()) if request.can_read_body else {}
        if method == "chat.postMessage":
            channel = str(form.get("channel", ""))
            wait = max(
                bucket((token, "post"), post_rate).take(),
                bucket((token, channel), 60.0).take(),
            )
            if wait:
                return limited(wait)
            await asyncio.sleep(latency)
            stats["posts"] += 1
            dm = "D" + channel if channel.startswith("U") else channel
            posts[f"{token}:{dm}"] = posts.get(f"{token}:{dm}", 0) + 1
            ts = f"{time.time():.6f}"
            return web.json_response({"ok": True, "channel": dm, "ts": ts})
        if method == "conversations.open":
            wait = bucket((token, "open"), open_rate).take()
            if wait:
                return limited(wait)
            await asyncio.sleep(latency)
            stats["opens"] += 1
            return web.json_response({"ok": True, "channel": {"id": "D" + str(form["users"])}})
        await asyncio.sleep(latency)
        return web.json_response({"ok": True, "messages": []})

    async def report(_request: web.Request) -> web.Response:
        dupes = sum(1 for n in posts.values() if n > 1)
        return web.json_response({**stats, "channels": len(posts), "duplicates": dupes})

    app = web.Application()
    app.router.add_post("/api/{method}", api)
    app.router.add_get("/stats", report)
    asyncio.run(_serve_forever(app, port_out))


# --- our side ---------------------------------------------------------------------------


def seed(
    db: Database, reps: int, workspaces: int, platform: str = "slack", service_url: str = ""
) -> None:
    """`reps` reps over `workspaces` workspaces, each with an overdue customer step; on
    Teams each with the reference of their 1:1 conversation (`service_url`: the fake)."""
    t0 = NOW - dt.timedelta(days=30)

    def work(s: Any) -> None:
        for i in range(reps):
            tenant = f"TW{i % workspaces:03d}"
            ws = f"{platform}:{tenant}"
            rep = crud.ensure_user(s, ws, f"U{i:05d}", t0, f"Rep {i}", "America/New_York")
            if platform == "teams":
                reference = {
                    "bot": {"id": "28:bot", "name": "dealcoach"},
                    "user": {"id": f"29:U{i:05d}", "aadObjectId": f"U{i:05d}"},
                    "conversation": {
                        "id": f"a:1chat-{tenant}-U{i:05d}",
                        "conversationType": "personal",
                        "tenantId": tenant,
                    },
                    "channelId": "msteams",
                    "serviceUrl": service_url,
                    "locale": "en-US",
                }
                crud.save_conversation_ref(s, ws, f"user:U{i:05d}", reference, t0)
            deal = crud.create_deal(s, rep, f"Account {i}", "renewal", t0)
            crud.set_decision_date(s, deal, dt.date(2026, 12, 18), t0)
            deal.last_reviewed_at = NOW - dt.timedelta(days=2)
            crud.add_step(
                s, deal, "Their CFO signs the order form", "customer", dt.date(2026, 11, 25), t0
            )

    db.run(work)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), in seconds."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: Microsoft's per bot per conversation limits (seconds, messages) and per app per tenant.
TEAMS_CONVERSATION = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
TEAMS_TENANT_PER_SECOND = 50


def serve_fake_connector(port_out: Any, latency: float) -> None:
    """The Bot Framework connector a `serviceUrl` points at, with Microsoft's rate limits."""
    from collections import deque

    from aiohttp import web

    sent: dict[str, deque[float]] = {}  # conversation -> send times (within the hour)
    tenant_sent: dict[str, deque[float]] = {}
    posts: dict[str, int] = {}  # (conversation, what was sent) -> times: >1 is a duplicate
    per_tenant_posts: dict[str, int] = {}
    stats = {"posts": 0, "ratelimited": 0, "opens": 0}

    def wait_for(times: deque[float], windows: tuple[tuple[float, int], ...], now: float) -> float:
        """0 if one more send fits every window, else the seconds until it does."""
        longest = max(w for w, _ in windows)
        while times and now - times[0] >= longest:
            times.popleft()
        wait = 0.0
        for window, most in windows:
            inside = [t for t in times if now - t < window]
            if len(inside) >= most:
                wait = max(wait, inside[-most] + window - now)
        return wait

    async def activities(request: web.Request) -> web.Response:
        conversation = request.match_info["conversation_id"]
        body = await request.json()
        # The service knows each conversation's tenant (the SDK sends none); the bench
        # names them "a:1chat-<tenant>-<user>".
        tenant = conversation.split("-")[1] if conversation.count("-") >= 2 else "?"
        now = time.monotonic()
        times = sent.setdefault(conversation, deque())
        per_tenant = tenant_sent.setdefault(tenant, deque())
        wait = max(
            wait_for(times, TEAMS_CONVERSATION, now),
            wait_for(per_tenant, ((1.0, TEAMS_TENANT_PER_SECOND),), now),
        )
        if wait:
            stats["ratelimited"] += 1
            return web.json_response(
                {"error": {"code": "Throttled", "message": "fake"}},
                status=429,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        times.append(now)
        per_tenant.append(now)
        await asyncio.sleep(latency)
        stats["posts"] += 1
        # A nudge is several activities (its text, its cards): the same one twice is a duplicate.
        what = f"{conversation}:{json.dumps(body.get('attachments') or body.get('text'))}"
        posts[what] = posts.get(what, 0) + 1
        per_tenant_posts[tenant] = per_tenant_posts.get(tenant, 0) + 1
        return web.json_response({"id": f"{conversation}:{stats['posts']}"})

    async def report(_request: web.Request) -> web.Response:
        dupes = sum(1 for n in posts.values() if n > 1)
        busiest = max(per_tenant_posts.values(), default=0)
        return web.json_response({**stats, "duplicates": dupes, "busiest": busiest})

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation_id}/activities", activities)
    app.router.add_get("/stats", report)
    asyncio.run(_serve_forever(app, port_out))


def teams_delivery(db: Database) -> Any:
    """The real TeamsDelivery, Bot Framework authentication off (the fake wants no token)."""
    from bot.references import References
    from config import Settings
    from handlers.teams.adapter import build_adapter
    from handlers.teams.delivery import TeamsDelivery

    settings = Settings(_env_file=None, teams_emulator=True)  # type: ignore[call-arg]
    return TeamsDelivery(build_adapter(settings), References(db, clock=lambda: NOW))


async def deliver(
    db: Database,
    url: str,
    profile: str | None = None,
    platform: str = "slack",
    shard: tuple[int, int] = (0, 1),
    go: Any = None,
) -> tuple[float, float, Any, float, float]:
    """Plan (unless sharded: the parent planned) and deliver; (planning s, delivery s,
    report, CPU s, event-loop CPU s). A shard, once built, says so on `go[0]` (a queue)
    and waits for `go[1]` (an event), so every shard starts delivering at one moment."""

    async def client_for(team: str) -> Any:
        return web_client(f"xoxb-{team}", url, retry_handlers())

    delivery = SlackDelivery(client_for) if platform == "slack" else teams_delivery(db)
    schedule = Schedule(
        db,
        {platform: delivery},
        Cadence(default_timezone="America/New_York"),
        clock=lambda: NOW,
        shard=shard,
    )
    t0 = time.perf_counter()
    report = await asyncio.to_thread(schedule.plan, NOW) if go is None else PassReport(NOW)
    planned = time.perf_counter() - t0
    if go is not None:
        go[0].put(shard)
        await asyncio.to_thread(go[1].wait)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0, cpu0, loop0 = time.perf_counter(), time.process_time(), time.thread_time()
    try:
        await schedule.deliver(NOW, report)
    finally:
        close = getattr(schedule.deliveries[platform], "aclose", None)
        if close is not None:  # (absent before issue 13: run the bench against old code too)
            await close()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    loop_cpu = time.thread_time() - loop0  # the event loop's thread; the rest ran in threads
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    return planned, wall, report, cpu, loop_cpu


def deliver_shard(
    db_url: str, url: str, platform: str, shard: tuple[int, int], go: Any, out: Any
) -> None:
    """One `run-due --shard I/N` process: delivers its share, puts (sent keys, CPU s,
    event-loop CPU s) on `out`."""
    db = Database(db_url)
    _, _, report, cpu, loop_cpu = asyncio.run(deliver(db, url, None, platform, shard, go))
    db.dispose()
    out.put((report.sent, cpu, loop_cpu))


def deliver_sharded(
    db: Database, url: str, platform: str, processes: int
) -> tuple[float, float, Any, float, float]:
    """Plan here, then deliver in `processes` shard processes started together; the
    delivery time runs from their common start to the last one's end."""
    schedule = Schedule(
        db, {}, Cadence(default_timezone="America/New_York"), clock=lambda: NOW
    )
    t0 = time.perf_counter()
    report = schedule.plan(NOW)
    planned = time.perf_counter() - t0
    ctx = mp.get_context("spawn")
    ready, go, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    shards = [
        ctx.Process(
            target=deliver_shard,
            args=(db.url, url, platform, (i, processes), (ready, go), out),
            daemon=True,
        )
        for i in range(processes)
    ]
    for p in shards:
        p.start()
    for _ in shards:
        ready.get(timeout=300)  # each imports the SDK and builds its delivery first
    t0 = time.perf_counter()
    go.set()
    cpu = loop_cpu = 0.0
    for _ in shards:
        sent, shard_cpu, shard_loop = out.get(timeout=3600)
        report.sent.extend(sent)
        cpu, loop_cpu = cpu + shard_cpu, loop_cpu + shard_loop
    wall = time.perf_counter() - t0
    for p in shards:
        p.join()
    return planned, wall, report, cpu, loop_cpu


@contextlib.contextmanager
def database(url: str | None, tmp: str) -> Iterator[Database]:
    """A fresh SQLite file, or a schema of its own in the PostgreSQL database at `url`."""
    if not url:
        db = Database(f"sqlite:///{tmp}/bench.db")
        yield db
        db.dispose()
        return
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(url).set(drivername="postgresql")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    db = Database(f"{url}?options=-csearch_path%3D{schema}")
    try:
        yield db
    finally:
        db.dispose()
        with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--reps", type=int, default=500)
    p.add_argument("--workspaces", type=int, default=1)
    p.add_argument("--latency", type=float, default=0.1, help="seconds per Web API call")
    p.add_argument(
        "--post-rate", type=float, default=600.0, help="chat.postMessage a minute, per workspace"
    )
    p.add_argument("--open-rate", type=float, default=100.0, help="conversations.open a minute")
    p.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    p.add_argument("--profile", help="write cProfile stats of our side's delivery to this file")
    p.add_argument("--platform", choices=("slack", "teams"), default="slack")
    p.add_argument(
        "--processes",
        type=int,
        default=1,
        help="deliver in this many processes, as `run-due --shard I/N` does (CPU summed)",
    )
    args = p.parse_args()

    ctx = mp.get_context("spawn")
    port: Any = ctx.Queue()
    if args.platform == "slack":
        fake = ctx.Process(
            target=serve_fake,
            args=(port, args.latency, args.post_rate, args.open_rate),
            daemon=True,
        )
    else:
        fake = ctx.Process(target=serve_fake_connector, args=(port, args.latency), daemon=True)
    fake.start()
    url = f"http://127.0.0.1:{port.get(timeout=30)}/api/"
    try:
        with tempfile.TemporaryDirectory() as tmp, database(args.db, tmp) as db:
            db.migrate()
            t0 = time.perf_counter()
            seed(db, args.reps, args.workspaces, args.platform, url.replace("/api/", "/"))
            seeded = time.perf_counter() - t0
            fake_cpu0 = cpu_seconds(fake.pid)
            if args.processes > 1:
                planned, wall, report, cpu, loop_cpu = deliver_sharded(
                    db, url, args.platform, args.processes
                )
            else:
                planned, wall, report, cpu, loop_cpu = asyncio.run(
                    deliver(db, url, args.profile, args.platform)
                )
            fake_cpu = cpu_seconds(fake.pid) - fake_cpu0
        import urllib.request

        with urllib.request.urlopen(url.replace("/api/", "/stats")) as r:
            stats = json.load(r)
    finally:
        fake.kill()
    busiest = math.ceil(args.reps / args.workspaces)
    if args.platform == "slack":
        floor = (busiest - BURST) / (args.post_rate / 60.0) + args.latency
        limits = f"posts {args.post_rate:.0f}/min per workspace, 1/s per channel"
    else:
        # the busiest tenant's activities (a nudge is a text and a card) at 50 a second
        floor = stats["busiest"] / TEAMS_TENANT_PER_SECOND + args.latency
        limits = (
            f"Teams: {TEAMS_TENANT_PER_SECOND}/s per tenant; per conversation 7/1 s, 8/2 s, "
            "60/30 s, 1,800/h"
        )
    unserved = args.reps - len(report.sent)
    print(
        f"{args.reps:,} reps over {args.workspaces} workspace(s); "
        f"latency {args.latency * 1000:.0f} ms, {limits}"
        + (f"; delivered by {args.processes} processes (shards)" if args.processes > 1 else "")
    )
    print(f"seeded in {seeded:.1f} s; planned {len(report.added):,} nudges in {planned:.2f} s")
    print(
        f"delivery: {wall:.1f} s against a floor of {floor:.1f} s = {wall / floor:.2f}x "
        f"(goal <= 1.2x)"
    )
    print(
        f"CPU during delivery: ours {cpu:.1f} s ({cpu / wall:.0%} of one core; event loop "
        f"{loop_cpu:.1f} s, threads {cpu - loop_cpu:.1f} s), "
        f"fake {args.platform} {fake_cpu:.1f} s ({fake_cpu / wall:.0%}); {mp.cpu_count()} cores"
    )
    print(
        f"posts {stats['posts']:,}, conversations.open {stats['opens']}, 429s {stats['ratelimited']}, "
        f"duplicates {stats['duplicates']}, reps not served in the pass {unserved} "
        f"({report.summary()})"
    )


if __name__ == "__main__":
    main()
