"""Fuzz both endpoints with signed random payloads and count the answers by status.

The full run of what tests/handlers/test_fuzz.py samples on every `make test`: N random
payloads (tests/fuzz.py) to `/slack/events` and N random activities to `/api/messages`
of the real web app on loopback. Prints the count per status and the time; the goal is
0 x 500. Exits 1 if any request got a 500. (A 501 is the Bot Framework SDK's answer to
an `invoke` activity nobody handles, as its protocol prescribes.)

    .venv/bin/python bench/fuzz.py [-n 20000] [--seed 1]
"""

from __future__ import annotations

import argparse
import collections
import logging
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzz import SLACK_BODY, LiveServer, activity  # noqa: E402


def run(server: LiveServer, n: int, rng_seed: int) -> bool:
    cfg = settings(
        max_examples=n,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    statuses: dict[str, collections.Counter[int]] = {
        "/slack/events": collections.Counter(),
        "/api/messages": collections.Counter(),
    }

    @seed(rng_seed)
    @cfg
    @given(SLACK_BODY)
    def slack(body: tuple[str, str]) -> None:
        statuses["/slack/events"][server.slack(*body)] += 1

    @seed(rng_seed)
    @cfg
    @given(activity(server.connector_url))
    def teams(body: str) -> None:
        statuses["/api/messages"][server.teams(body)] += 1

    ok = True
    for path, test in (("/slack/events", slack), ("/api/messages", teams)):
        start = time.perf_counter()
        test()
        took = time.perf_counter() - start
        counts = statuses[path]
        total = sum(counts.values())
        ok = ok and not counts[500]
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        print(f"{path:<15} {total:>6} requests in {took:6.1f} s  500: {counts[500]}  ({shown})")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=20_000, help="payloads per endpoint (default 20000)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    logging.basicConfig(level=logging.CRITICAL)  # malformed payloads are logged as warnings
    with tempfile.TemporaryDirectory() as tmp, LiveServer(Path(tmp) / "fuzz.db") as server:
        ok = run(server, args.n, args.seed)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
