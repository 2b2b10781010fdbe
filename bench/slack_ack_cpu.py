"""CPU per `/dealreview` ack in the web process: ours against a bare bolt app, same process.

`slack_ack.py` measures latency, which on a shared machine moves with everyone else's load;
this measures what the acking process itself spends per request (`time.process_time` of
the server process around each round, divided by its requests), which moves much less. Our
server runs as in `BENCH_TURNS=none` (journal and ack, no turn workers), beside the same
bare bolt app and the same fake Web API as `slack_ack.py`. With `--profile OUT`, each
server's rounds are also profiled (CPU time) into `OUT.ours` and `OUT.bare` (pstats).

    .venv/bin/python bench/slack_ack_cpu.py [-n 3000] [-c 20] [--rounds 6] [--profile /tmp/ack]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import slack_ack  # noqa: E402  (the same fake Slack, bare app, signing and client)


async def serve(conn: mp.connection.Connection, db_path: str, fake_port: int, profile: str) -> None:
    import logging

    from app import build_database, system_now
    from bot.engine import Coach
    from config import Settings
    from handlers.web import build_app
    from storage.inbox import Inbox

    logging.basicConfig(level=logging.ERROR)
    settings = Settings(
        database_url=f"sqlite:///{db_path}",
        slack_signing_secret=slack_ack.SECRET,
        slack_bot_token="xoxb-bench",
        slack_api_url=f"http://127.0.0.1:{fake_port}/api/",
    )
    db = build_database(settings)
    coach = Coach(db, clock=system_now)
    app = build_app(settings, db, coach, Inbox(Path(db_path + ".inbox")), worker_fed=True)
    ours = await slack_ack.listen(app)
    bare = await slack_ack.listen(slack_ack.bare_bolt_app(settings.slack_api_url))
    conn.send((ours, bare))
    loop = asyncio.get_running_loop()
    prof: cProfile.Profile | None = None
    while True:  # ("start", name) / "cpu" / "stop" from the parent
        msg = await loop.run_in_executor(None, conn.recv)
        if msg == "stop":
            break
        if isinstance(msg, tuple):
            name = msg[1]
            if profile:
                prof = cProfile.Profile(time.process_time)
                prof.enable()
        elif prof is not None:
            prof.disable()
            prof.dump_stats(f"{profile}.{name}")
            prof = None
        conn.send(time.process_time())
    for runner in slack_ack.RUNNERS:
        await runner.cleanup()


def child(conn: mp.connection.Connection, db_path: str, fake_port: int, profile: str) -> None:
    asyncio.run(serve(conn, db_path, fake_port, profile))


async def measure(
    conn: mp.connection.Connection, ours: int, bare: int, fake: int, n: int, c: int, rounds: int
) -> None:
    slack_ack.FAKE_PORT[0] = fake
    seq = itertools.count()
    for port in (ours, bare, ours, bare):  # warm-up: connections, auth.test, admission
        await slack_ack.hammer(port, 300, c, "warm", seq)
    cpu = {"ours": 0.0, "bare": 0.0}
    times: dict[str, list[float]] = {"ours": [], "bare": []}
    order = (("bare", bare), ("ours", ours))
    for r in range(rounds):
        for name, port in order if r % 2 == 0 else order[::-1]:
            conn.send(("start", name))
            before = conn.recv()
            times[name] += await slack_ack.hammer(port, n // rounds, c, name, seq)
            conn.send("cpu")
            cpu[name] += conn.recv() - before
    print(f"{n // rounds * rounds} signed /dealreview requests per server, concurrency {c}")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min)")
    for name in ("bare", "ours"):
        xs = times[name]
        print(
            f"{name}: server CPU {cpu[name] / len(xs) * 1e6:7.1f} us/request; "
            f"p50 {slack_ack.pct(xs, 50):6.2f} ms, p99 {slack_ack.pct(xs, 99):6.2f} ms"
        )
    print(f"CPU ratio ours/bare: {cpu['ours'] / cpu['bare']:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=3000, help="requests per server (default 3000)")
    ap.add_argument("-c", type=int, default=20, help="concurrency (default 20)")
    ap.add_argument("--rounds", type=int, default=6, help="interleaved rounds (default 6)")
    ap.add_argument("--profile", default="", help="write CPU profiles to PROFILE.ours/.bare")
    args = ap.parse_args()
    spawn = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        fparent, fkid = spawn.Pipe()
        fproc = spawn.Process(target=slack_ack.fake_child, args=(fkid,))
        fproc.start()
        fake = fparent.recv()
        parent, kid = spawn.Pipe()
        proc = spawn.Process(
            target=child, args=(kid, os.path.join(tmp, "b.db"), fake, args.profile)
        )
        proc.start()
        ours, bare = parent.recv()
        try:
            asyncio.run(measure(parent, ours, bare, fake, args.n, args.c, args.rounds))
        finally:
            for pipe, p in ((parent, proc), (fparent, fproc)):
                pipe.send("stop")
                p.join(timeout=10)
                if p.is_alive():
                    p.terminate()


if __name__ == "__main__":
    main()
