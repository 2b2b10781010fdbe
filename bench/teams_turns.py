"""What the Teams front end costs per turn, against the engine alone, in the same run.

Baseline: `Coach.handle` called directly for a scripted review (the engine and SQLite).
Measured: the same review posted as Activity JSON to `/api/messages` on loopback, with the
replies rendered as cards and sent to the fake connector from the tests. Prints per-turn
medians and the ratio; never part of the test suite's pass/fail.

    .venv/bin/python bench/teams_turns.py [--reviews 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "handlers" / "teams")]

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from fake_bot_connector import FakeConnector  # noqa: E402

from app import system_now  # noqa: E402
from bot.engine import Coach  # noqa: E402
from bot.messages import Turn, UserRef  # noqa: E402
from config import Settings  # noqa: E402
from handlers.web import build_app  # noqa: E402
from storage.db import Database  # noqa: E402

SCRIPT = (
    "dealreview",
    "Acme {n} - renewal",
    "end of january",
    "They liked the demo, pricing is open",
    "Their CFO signs off the budget by Dec 12",
    "We send the security review by Friday",
    "that's all",
    "skip",
    "looks good",
)


def direct(coach: Coach, reviews: int) -> list[float]:
    times = []
    for n in range(reviews):
        user = UserRef("teams:bench-direct", f"user-{n}", timezone="UTC")
        for i, line in enumerate(SCRIPT):
            kw = {"command": "review"} if i == 0 else {"text": line.format(n=n)}
            t = time.perf_counter()
            coach.handle(Turn(user=user, event_id=f"direct-{n}-{i}", **kw))  # type: ignore[arg-type]
            times.append(time.perf_counter() - t)
    return times


async def over_http(db: Database, coach: Coach, reviews: int) -> list[float]:
    connector = await FakeConnector().start()
    settings = Settings(_env_file=None, database_url=db.url, teams_emulator=True)  # type: ignore[call-arg]
    runner = web.AppRunner(build_app(settings, db, coach))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/api/messages"  # type: ignore[union-attr]
    times = []
    async with aiohttp.ClientSession() as http:
        for n in range(reviews):
            for i, line in enumerate(SCRIPT):
                activity = {
                    "type": "message",
                    "id": f"http-{n}-{i}",
                    "serviceUrl": connector.url,
                    "channelId": "msteams",
                    "from": {"id": f"29:u{n}", "aadObjectId": f"user-{n}", "name": "Bench"},
                    "conversation": {
                        "conversationType": "personal",
                        "tenantId": "bench",
                        "id": f"a:{n}",
                    },
                    "recipient": {"id": "28:bot", "name": "dealcoach"},
                    "text": line.format(n=n),
                    "localTimezone": "UTC",
                }
                t = time.perf_counter()
                async with http.post(url, json=activity) as resp:
                    assert resp.status in (200, 201), resp.status
                times.append(time.perf_counter() - t)
    await runner.cleanup()
    await connector.stop()
    return times


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--reviews", type=int, default=20)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        db.migrate()
        coach = Coach(db, clock=system_now)
        base = direct(coach, args.reviews)
        teams = asyncio.run(over_http(db, coach, args.reviews))
        db.dispose()
    b, m = statistics.median(base), statistics.median(teams)
    p95 = statistics.quantiles(teams, n=20)[-1]
    print(f"turns per run: {len(base)} (engine) / {len(teams)} (Teams over HTTP)")
    print(f"engine alone      median {b * 1000:6.2f} ms/turn")
    print(f"Teams end to end  median {m * 1000:6.2f} ms/turn   p95 {p95 * 1000:6.2f} ms")
    print(f"ratio Teams / engine: {m / b:.2f}x")


if __name__ == "__main__":
    main()
