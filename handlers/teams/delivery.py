"""Proactive Teams messages (reminders, nudges, digests) through stored references.

Teams lets a bot message someone only in a conversation that already exists, so the bot
remembers a ConversationReference when a user first talks to it or installs it, and a
channel's when a manager types `digest here`. `TeamsDelivery` implements the neutral
`bot.delivery.Delivery` with those and sorts failures into retry-later and give-up.
"""

from __future__ import annotations

import asyncio
import logging

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference
from msrest.exceptions import HttpOperationError

from bot.delivery import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from bot.messages import Reply
from bot.references import References
from handlers.teams import cards
from handlers.teams.retry import RetryPolicy, is_transient, retry_after, status_of, with_retry

log = logging.getLogger(__name__)


def classify(exc: BaseException, target: str) -> DeliveryError:
    """403/404: the bot was removed or the user blocked it; 429/5xx/network: try later."""
    if is_transient(exc):
        return TransientDeliveryError(f"Teams connector busy for {target}: {exc}", retry_after(exc))
    if isinstance(exc, HttpOperationError):
        return PermanentDeliveryError(
            f"Teams refused the message to {target} (HTTP {status_of(exc)}): "
            "the app may have been uninstalled or blocked"
        )
    return TransientDeliveryError(f"Teams delivery to {target} failed: {exc!r}")


class TeamsDelivery:
    """`bot.delivery.Delivery` for Teams; returns the first sent activity's id."""

    platform = "teams"

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

    async def to_user(
        self, workspace_id: str, user_id: str, replies: list[Reply], key: str | None = None
    ) -> str:
        return await self._send(workspace_id, f"user:{user_id}", replies)

    async def to_channel(
        self, workspace_id: str, channel: str, replies: list[Reply], key: str | None = None
    ) -> str:
        target = channel if channel.startswith("channel:") else f"channel:{channel}"
        return await self._send(workspace_id, target, replies)

    async def shared_plan(
        self, workspace_id: str, channel: str, message_id: str | None, replies: tuple[Reply, ...]
    ) -> str:
        """Post a shared plan in its conversation as one card, or update the posted card in
        place (PUT .../activities/{id}); returns the card's activity id."""
        stored = await asyncio.to_thread(self.references.lookup, workspace_id, f"channel:{channel}")
        if stored is None:
            raise PermanentDeliveryError(f"No Teams conversation for {channel} in {workspace_id}")
        reference = ConversationReference().deserialize(stored)
        ids: list[str] = []

        async def logic(ctx: TurnContext) -> None:
            ctx.activity.id = None
            activity = cards.shared_card(replies)
            if message_id:
                activity.id = message_id
                await with_retry(lambda: ctx.update_activity(activity), self.retry, "update")
                ids.append(message_id)
                return
            response = await with_retry(lambda: ctx.send_activity(activity), self.retry, "send")
            ids.append(response.id if response and response.id else "")

        try:
            await self.adapter.continue_conversation(reference, logic, self.app_id or None)
        except Exception as exc:
            raise classify(exc, channel) from exc
        return ids[0] if ids else ""

    async def _send(self, workspace_id: str, target: str, replies: list[Reply]) -> str:
        stored = await asyncio.to_thread(self.references.lookup, workspace_id, target)
        if stored is None:
            raise PermanentDeliveryError(
                f"No Teams conversation for {target} in {workspace_id}: they have not "
                "talked to the bot or installed it yet"
            )
        reference = ConversationReference().deserialize(stored)
        ids: list[str] = []
        failures: list[BaseException] = []

        async def logic(ctx: TurnContext) -> None:
            # The continuation activity gets a made-up id; without it our sends are new
            # messages, not replies to a message that does not exist.
            ctx.activity.id = None
            try:
                for activity in cards.render(replies):
                    response = await with_retry(
                        lambda a=activity: ctx.send_activity(a), self.retry, "proactive send"
                    )
                    ids.append(response.id if response and response.id else "")
            except Exception as exc:  # kept from the adapter's on_turn_error, which would
                failures.append(exc)  # answer "something went wrong" into the chat

        try:
            await self.adapter.continue_conversation(reference, logic, self.app_id or None)
        except Exception as exc:
            failures.append(exc)
        if failures:
            log.warning(
                "Teams delivery to %s/%s failed", workspace_id, target, exc_info=failures[0]
            )
            raise classify(failures[0], target) from failures[0]
        return ids[0] if ids else ""
