"""The pacer: evenly spaced calls, and the short burst Teams allows in one conversation."""

from __future__ import annotations

import asyncio

from handlers.pacing import Pacer
from handlers.teams.delivery import CONVERSATION_BURST, PER_CONVERSATION, PER_TENANT, TENANT_BURST

#: Microsoft's per bot per conversation limits: (seconds, messages).
TEAMS_CONVERSATION = ((1.0, 7), (2.0, 8), (30.0, 60))


async def test_a_conversation_pacer_lets_a_nudge_leave_at_once_within_microsofts_windows() -> None:
    """Time runs 20x faster here (the limits scaled alike): a nudge's text and cards go
    together, and no window of Microsoft's limits is ever exceeded."""
    speed = 20.0
    pacer = Pacer(PER_CONVERSATION * speed, CONVERSATION_BURST)
    loop = asyncio.get_running_loop()
    times = []
    for _ in range(30):
        await pacer.wait()
        times.append(loop.time() * speed)
    assert times[CONVERSATION_BURST - 1] - times[0] < 0.5  # the burst, at once
    for window, most in TEAMS_CONVERSATION:
        for i, start in enumerate(times):
            inside = [t for t in times[i:] if t - start < window * 0.98]
            assert len(inside) <= most, (window, most, len(inside))


async def test_a_pacer_without_burst_spaces_every_call() -> None:
    pacer = Pacer(6000)  # 10 ms apart
    loop = asyncio.get_running_loop()
    times = []
    for _ in range(4):
        await pacer.wait()
        times.append(loop.time())
    assert all(b - a >= pacer.interval * 0.9 for a, b in zip(times, times[1:], strict=False))


async def test_a_tenant_pacer_stays_under_50_a_second_with_its_burst() -> None:
    """Microsoft: 50 requests a second per app per tenant, counted over any second. The
    tenant pacer's burst (a late wake-up is made up, not added to every later turn) never
    lets more than that leave in a second (time runs 2x faster here, the limit alike)."""
    speed = 2.0
    pacer = Pacer(PER_TENANT * speed, TENANT_BURST)
    loop = asyncio.get_running_loop()
    times = []
    for i in range(120):
        await pacer.wait()
        times.append(loop.time() * speed)
        if i % 30 == 29:
            await asyncio.sleep(0.2)  # a quiet spell: the burst is allowed again
    for i, start in enumerate(times):
        inside = [t for t in times[i:] if t - start < 1.0 * 0.98]
        assert len(inside) <= 50, (i, len(inside))
