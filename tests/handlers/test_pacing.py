"""The pacer: evenly spaced calls, and the short burst Teams allows in one conversation."""

from __future__ import annotations

import asyncio

from handlers.pacing import Pacer, WindowPacer
from handlers.teams.delivery import CONVERSATION_BURST, PER_CONVERSATION, PER_TENANT

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


async def test_a_tenant_pacer_stays_under_50_a_second_and_makes_up_a_late_caller() -> None:
    """Microsoft: 50 requests a second per app per tenant, counted over any second. A
    caller that comes late (as a busy event loop wakes one) is made up by the next ones,
    and no second ever holds more than 48 (time runs 4x faster here, the limit alike)."""
    speed = 4.0
    most, seconds = PER_TENANT
    pacer = WindowPacer(most, seconds / speed)
    loop = asyncio.get_running_loop()
    times = []
    for i in range(150):
        if i == 40:
            await asyncio.sleep(0.06)  # 60 ms late: ~11 turns of this pacer
        if i == 100:
            await asyncio.sleep(0.5)  # idle, not late: no catching up beyond `catch_up`
        await pacer.wait()
        times.append(loop.time() * speed)
    for i, start in enumerate(times):
        inside = [t for t in times[i:] if t - start < seconds]
        assert len(inside) <= most - 2, (i, len(inside))
    late = (times[99] - times[0]) / speed
    # the 60 ms were made up (a pacer that cannot catch up ends 60 ms later: ~0.57 s)
    assert late < 99 * pacer.interval + 0.03, late
