"""Spacing calls to a chat platform under its rate limits (used by the Slack and Teams adapters).

A `Pacer` lets calls go evenly spaced at its rate; `pause` (a 429's Retry-After) holds every
caller of that pacer, and only them: each workspace, method or conversation has its own.
"""

from __future__ import annotations

import asyncio

#: Share of a limit we use: calls leave evenly spaced but arrive with a few ms of jitter,
#: and a call that arrives early is refused with a Retry-After of a whole second.
HEADROOM = 0.95


class Pacer:
    """At most `per_minute` calls a minute (less HEADROOM), evenly spaced; `pause` holds
    every caller.

    `burst` calls may leave at once after a quiet spell (a token bucket of that size): for
    limits that allow a short burst, such as Teams' 7 messages a second in a conversation
    under its 60 in 30 seconds. 1 (the default) spaces every call.
    """

    def __init__(self, per_minute: float, burst: int = 1) -> None:
        self.interval = 60.0 / (per_minute * HEADROOM)
        self.burst = max(1, burst)
        self.next_at = 0.0
        self._turn = asyncio.Lock()

    async def wait(self) -> None:
        """Return when this caller's turn has come (callers are served in arrival order).

        The next turn is counted from when this one really started, so a busy event loop
        that wakes callers late spaces them out instead of letting them out in a burst.
        """
        loop = asyncio.get_running_loop()
        async with self._turn:
            delay = self.next_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            # After a quiet spell the schedule restarts `burst - 1` intervals in the past,
            # so that many calls go at once; a busy pacer keeps counting from its last turn.
            restart = loop.time() - (self.burst - 1) * self.interval
            self.next_at = max(self.next_at, restart) + self.interval

    def pause(self, seconds: float) -> None:
        """Nobody calls for `seconds` (Slack's Retry-After)."""
        resume = asyncio.get_running_loop().time() + seconds
        self.next_at = max(self.next_at, resume)
