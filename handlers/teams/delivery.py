"""Proactive Teams messages (reminders, nudges, digests) through stored references.

Teams lets a bot message someone only in a conversation that already exists, so the bot
remembers a ConversationReference when a user first talks to it or installs it, and a
channel's when a manager types `digest here`. `TeamsDelivery` implements the neutral
`bot.delivery.Delivery` with those and sorts failures into retry-later and give-up.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ResourceResponse
from msrest.exceptions import HttpOperationError

from bot.delivery import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from bot.messages import Reply
from bot.references import References
from handlers.pacing import Pacer, WindowPacer
from handlers.teams import cards
from handlers.teams.connector import ConnectorPool, reference_json
from handlers.teams.retry import (
    TOO_BIG,
    RetryPolicy,
    is_transient,
    retry_after,
    send_activities,
    status_of,
    with_retry,
)

log = logging.getLogger(__name__)

#: Microsoft's limits for a bot sending into one conversation (7 a second, 60 in 30 seconds),
#: as calls a minute, and per app per tenant (50 requests a second); "Rate limiting for
#: bots", learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit.
PER_CONVERSATION = 120.0
PER_TENANT = (50, 1.0)
#: Messages that may go to one conversation at once: a nudge's text and cards leave
#: together. 3, and then 2 a second, stays under 7 in 1 s, 8 in 2 s and 60 in 30 s.
CONVERSATION_BURST = 3


def classify(exc: BaseException, target: str) -> DeliveryError:
    """403/404: the bot was removed or the user blocked it; 429/5xx/network: try later;
    413: a message too big even after splitting (a fault of ours, not an uninstall)."""
    if is_transient(exc):
        return TransientDeliveryError(f"Teams connector busy for {target}: {exc}", retry_after(exc))
    if isinstance(exc, HttpOperationError) and status_of(exc) == TOO_BIG:
        return PermanentDeliveryError(
            f"Teams refused the message to {target} as too big (HTTP 413 MessageSizeTooBig) "
            "even after splitting it"
        )
    if isinstance(exc, HttpOperationError):
        return PermanentDeliveryError(
            f"Teams refused the message to {target} (HTTP {status_of(exc)}): "
            "the app may have been uninstalled or blocked"
        )
    return TransientDeliveryError(f"Teams delivery to {target} failed: {exc!r}")


class TeamsDelivery:
    """`bot.delivery.Delivery` for Teams; returns the first sent activity's id."""

    platform = "teams"
    #: Recipients of one tenant in flight during a pass (`bot.schedule.Schedule`): a nudge
    #: is two sends one after the other, each a round trip of 100 ms or more, so keeping
    #: 50 sends a second going takes more than the scheduler's default 16 once the
    #: connector (or our loaded event loop) answers slower (bench/delivery.py).
    per_workspace = 48

    def __init__(
        self,
        adapter: CloudAdapter,
        references: References,
        app_id: str = "",
        retry: RetryPolicy | None = None,
    ) -> None:
        self.adapter = adapter
        self.references = references
        self.app_id = app_id
        self.retry = retry or RetryPolicy()
        #: outbox key -> (activities already sent, the first one's id): a retry of a message
        #: that failed half-way in this process sends only the rest. (Teams gives bots no
        #: history to look in, so after a restart the message is sent whole again.)
        self._progress: dict[str, tuple[int, str]] = {}
        self._pacers: dict[str, Pacer] = {}
        self._windows: dict[str, WindowPacer] = {}
        #: (workspace, target) -> stored reference, loaded by `prefetch`, used once
        self._prefetched: dict[tuple[str, str], dict[str, Any]] = {}
        #: proactive sends: the adapter's credentials per service URL, one HTTP session
        self.pool = ConnectorPool(adapter)

    async def aclose(self) -> None:
        """End of a pass: close the HTTP session of proactive sends (reopened on next use)."""
        self._prefetched.clear()
        await self.pool.aclose()

    def _pacer(self, key: str, per_minute: float, burst: int = 1) -> Pacer:
        if key not in self._pacers:
            self._pacers[key] = Pacer(per_minute, burst)
        return self._pacers[key]

    def _tenant(self, workspace_id: str) -> WindowPacer:
        """The tenant's sliding window (50 a second): a send a busy event loop woke late is
        made up (a `Pacer` with a burst of 2 made up one turn at most: bench/delivery.py
        --platform teams lost ~3 s per 1,000 sends to late wake-ups on a loaded machine)."""
        if workspace_id not in self._windows:
            self._windows[workspace_id] = WindowPacer(*PER_TENANT)
        return self._windows[workspace_id]

    async def to_user(
        self, workspace_id: str, user_id: str, replies: list[Reply], key: str | None = None
    ) -> str:
        return await self._send(workspace_id, f"user:{user_id}", replies, key)

    async def to_channel(
        self, workspace_id: str, channel: str, replies: list[Reply], key: str | None = None
    ) -> str:
        target = channel if channel.startswith("channel:") else f"channel:{channel}"
        return await self._send(workspace_id, target, replies, key)

    async def shared_plan(
        self, workspace_id: str, channel: str, message_id: str | None, replies: tuple[Reply, ...]
    ) -> str:
        """Post a shared plan in its conversation as one card, or update the posted card in
        place (PUT .../activities/{id}); returns the card's activity id."""
        reference = await self._reference(workspace_id, f"channel:{channel}")
        activity = cards.shared_card(replies)
        try:
            if message_id:
                await with_retry(
                    lambda: self.pool.update(reference, activity, message_id, self.app_id),
                    self.retry,
                    "update",
                )
                return message_id
            response = await with_retry(
                lambda: self.pool.send(reference, activity, self.app_id), self.retry, "send"
            )
        except Exception as exc:
            raise classify(exc, channel) from exc
        return response.id or ""

    async def prefetch(self, workspace_id: str, recipients: list[str]) -> None:
        """Load the references of recipients the scheduler just claimed, in one query
        (`bot.delivery.Prefetching`): a query and a thread hop per message were a third of
        a big pass's CPU. Each is used once, by the next send to that recipient, so none is
        older than the claim it came with."""
        found = await asyncio.to_thread(self.references.lookup_many, workspace_id, recipients)
        for target, stored in found.items():
            self._prefetched[(workspace_id, target)] = stored

    async def _reference(self, workspace_id: str, target: str) -> dict[str, Any]:
        """The stored conversation reference of `target`, as the SDK reads it."""
        stored = self._prefetched.pop((workspace_id, target), None)
        if stored is None:
            stored = await asyncio.to_thread(self.references.lookup, workspace_id, target)
        if stored is None:
            raise PermanentDeliveryError(
                f"No Teams conversation for {target} in {workspace_id}: they have not "
                "talked to the bot or installed it yet"
            )
        reference = reference_json(stored)
        if not reference.get("serviceUrl") or not (reference.get("conversation") or {}).get("id"):
            raise PermanentDeliveryError(
                f"The stored Teams conversation for {target} in {workspace_id} has no "
                "service URL or conversation id"
            )
        return reference

    async def _send(
        self, workspace_id: str, target: str, replies: list[Reply], key: str | None = None
    ) -> str:
        reference = await self._reference(workspace_id, target)
        conversation = reference["conversation"]["id"]
        activities = cards.render(replies, files=not target.startswith("channel:"))
        done, first = self._progress.get(key, (0, "")) if key else (0, "")
        ids: list[str] = [first] if first else []

        in_conversation = self._pacer(
            f"conversation:{conversation}", PER_CONVERSATION, CONVERSATION_BURST
        )
        in_tenant = self._tenant(workspace_id)

        async def send(activity: Activity) -> ResourceResponse:
            # Every attempt takes its turn, a retry after a 429 or the halves after a 413
            # too: each is a request Microsoft counts against the limits.
            await in_conversation.wait()
            await in_tenant.wait()
            return await self.pool.send(reference, activity, self.app_id)

        try:
            for n in range(done, len(activities)):
                ids.extend(
                    await send_activities(send, [activities[n]], self.retry, "proactive send")
                )
                if key:
                    self._progress[key] = (n + 1, ids[0] if ids else "")
        except Exception as exc:
            log.warning("Teams delivery to %s/%s failed", workspace_id, target, exc_info=exc)
            raise classify(exc, target) from exc
        if key:
            self._progress.pop(key, None)
        return ids[0] if ids else ""
