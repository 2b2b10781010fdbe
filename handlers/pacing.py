"""Spacing calls to a chat platform under its rate limits (used by the Slack and Teams adapters).

A `Pacer` lets calls go evenly spaced at its rate; `pause` (a 429's Retry-After) holds every
caller of that pacer, and only them: each workspace, method or conversation has its own.
"""

from __future__ import annotations

import asyncio
from collections import deque

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


class WindowPacer:
    """At most `most` calls in any `seconds` (a sliding window, the way Microsoft counts
    Teams' 50 requests a second per tenant), evenly spaced while on time; a caller that a
    busy event loop woke late is made up instead of pushing every later call back.

    While on time, calls leave every `seconds / (most * HEADROOM)`. The schedule keeps
    counting from its own turns, not from when a late caller really left, so after a late
    wake-up the next callers leave faster (at least 3/4 of an interval apart) until it has
    caught up, by at most `catch_up` seconds of calls: with `Pacer`'s burst only one
    interval could be made up, and on a loaded machine wake-ups are often later than that
    (bench/delivery.py --platform teams: p99 60 ms against 21 ms turns, ~3 s lost per
    1,000 sends). The window itself is never exceeded: `most - 2` calls in any `seconds`
    as measured here, two left for jitter on the way to the service. (Catching up at
    twice the rate drew 40-90 429s in 10,000 sends; at 4/3 of it, none.)
    """

    def __init__(self, most: int, seconds: float, catch_up: float = 0.5) -> None:
        self.seconds = seconds
        self.allowed = max(1, most - 2)
        self.interval = seconds / (most * HEADROOM)
        self.spacing = self.interval * 0.75
        self.catch_up = catch_up
        self.next_at = 0.0
        self.sent: deque[float] = deque()
        self._turn = asyncio.Lock()

    async def wait(self) -> None:
        """Return when this caller's turn has come (callers are served in arrival order)."""
        loop = asyncio.get_running_loop()
        async with self._turn:
            now = loop.time()
            # an idle spell is not lateness: owe at most `catch_up` seconds of calls
            self.next_at = max(self.next_at, now - self.catch_up)
            at = self.next_at
            if self.sent:
                at = max(at, self.sent[-1] + self.spacing)
            if len(self.sent) >= self.allowed:
                at = max(at, self.sent[-self.allowed] + self.seconds)
            if at > now:
                await asyncio.sleep(at - now)
                now = loop.time()
            self.sent.append(now)
            while len(self.sent) > self.allowed:
                self.sent.popleft()
            self.next_at += self.interval

    def pause(self, seconds: float) -> None:
        """Nobody calls for `seconds` (a Retry-After)."""
        resume = asyncio.get_running_loop().time() + seconds
        self.next_at = max(self.next_at, resume)
