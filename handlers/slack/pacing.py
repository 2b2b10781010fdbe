"""Pacing Web API calls under Slack's rate limits, per workspace and method.

Slack's published limits (docs.slack.dev/apis/web-api/rate-limits): `chat.postMessage`
allows about one message per second per channel, with a workspace-wide limit Slack does
not publish (we take 600 a minute); `conversations.open`, `.history` and `.replies` are in
Tier 3 (50+ a minute). Beyond them Slack answers 429 with `Retry-After`.

A `Pacer` spaces calls evenly at its rate; a 429 pauses it for `Retry-After`, so the other
calls to that workspace wait instead of being refused too, and other workspaces, which
have pacers of their own, are not held up.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Calls per minute we allow ourselves, per workspace (and per channel for posts)."""

    post_per_workspace: float = 600.0
    post_per_channel: float = 60.0
    tier3: float = 50.0


#: Share of a limit we use: calls leave evenly spaced but arrive with a few ms of jitter,
#: and a call that arrives early is refused with a Retry-After of a whole second.
HEADROOM = 0.95


class Pacer:
    """At most `per_minute` calls a minute (less HEADROOM), evenly spaced; `pause` holds
    every caller."""

    def __init__(self, per_minute: float) -> None:
        self.interval = 60.0 / (per_minute * HEADROOM)
        self.next_at = 0.0

    async def wait(self) -> None:
        """Return when this caller's turn has come (callers are served in arrival order)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        at = max(now, self.next_at)
        self.next_at = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)

    def pause(self, seconds: float) -> None:
        """Nobody calls for `seconds` (Slack's Retry-After)."""
        resume = asyncio.get_running_loop().time() + seconds
        self.next_at = max(self.next_at, resume)


class Pacers:
    """One pacer per (workspace, method) and per (workspace, channel) for posts."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._pacers: dict[tuple[str, str], Pacer] = {}

    def _get(self, key: tuple[str, str], per_minute: float) -> Pacer:
        pacer = self._pacers.get(key)
        if pacer is None:
            pacer = self._pacers[key] = Pacer(per_minute)
        return pacer

    def posts(self, team: str) -> Pacer:
        return self._get((team, "chat.postMessage"), self.limits.post_per_workspace)

    def channel(self, team: str, channel: str) -> Pacer:
        return self._get((team, f"channel:{channel}"), self.limits.post_per_channel)

    def tier3(self, team: str, method: str) -> Pacer:
        return self._get((team, method), self.limits.tier3)
