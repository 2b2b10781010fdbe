"""Pacing Web API calls under Slack's rate limits, per workspace and method.

Slack's published limits (docs.slack.dev/apis/web-api/rate-limits): `chat.postMessage`
allows about one message per second per channel, with a workspace-wide limit Slack does
not publish (we take 600 a minute); `conversations.open`, `.history` and `.replies` are in
Tier 3 (50+ a minute), except for apps outside the Slack Marketplace, which since 2025
may call `.history` and `.replies` once a minute for at most 15 messages (the tier3 pacer
does not assume that; slack_sdk waits out the 429s). Beyond them Slack answers 429 with
`Retry-After`.

A `Pacer` (handlers/pacing.py) spaces calls evenly at its rate; a 429 pauses it for
`Retry-After`, so the other calls to that workspace wait instead of being refused too, and
other workspaces, which have pacers of their own, are not held up.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.pacing import Pacer


@dataclass(frozen=True)
class Limits:
    """Calls per minute we allow ourselves, per workspace (and per channel for posts)."""

    post_per_workspace: float = 600.0
    post_per_channel: float = 60.0
    tier3: float = 50.0


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
