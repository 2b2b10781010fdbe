"""Proactive Slack messages (reminders, nudges, digests) behind the neutral `Delivery`.

The outbox only needs to know whether to try again: after slack_sdk's own retries, a
429, a 5xx or a timeout is `TransientDeliveryError`; a user who left, a channel that is
gone or archived, or a bot that was removed is `PermanentDeliveryError`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.messages import Reply
from handlers.slack.render import Renderer

log = logging.getLogger(__name__)

ClientFor = Callable[[str], Awaitable[AsyncWebClient]]

#: Message metadata type that tags every scheduled message with its outbox key.
METADATA_EVENT = "dealcoach_outbox"
#: How many of the latest messages a retry looks through for an earlier delivery.
HISTORY_LOOKBACK = 50

PERMANENT = frozenset(
    {
        "account_inactive",
        "user_not_found",
        "users_not_found",
        "user_disabled",
        "user_is_bot",
        "cannot_dm_bot",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "restricted_action_read_only_channel",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "team_access_not_granted",
        "ekm_access_denied",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
    }
)
TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def classify(exc: Exception, what: str) -> Exception:
    """A Slack failure as the outbox's Transient/Permanent error, with Slack's reason."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        if status == 429 or error == "ratelimited":
            after = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                "retry-after"
            )
            try:
                wait = float(after[0] if isinstance(after, list) else after) if after else None
            except ValueError:
                wait = None
            return TransientDeliveryError(f"{what}: rate limited by Slack", retry_after=wait)
        if status >= 500 or error in TRANSIENT:
            return TransientDeliveryError(f"{what}: Slack answered {status} {error or ''}".strip())
        if error in PERMANENT:
            return PermanentDeliveryError(f"{what}: {error}")
        # An unknown error code will not go away by itself either.
        return PermanentDeliveryError(f"{what}: {error or status}")
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ClientError | SlackClientError):
        return TransientDeliveryError(f"{what}: {type(exc).__name__}: {exc}")
    return exc


def team_of(workspace_id: str) -> str:
    platform, _, team = workspace_id.partition(":")
    if platform != "slack" or not team:
        raise PermanentDeliveryError(f"not a Slack workspace: {workspace_id}")
    return team


class SlackDelivery:
    """`bot.delivery.Delivery` for Slack: DMs via conversations.open, channels directly."""

    platform = "slack"

    def __init__(self, client_for: ClientFor) -> None:
        self.client_for = client_for

    async def to_user(
        self, workspace_id: str, user_id: str, replies: list[Reply], key: str | None = None
    ) -> str:
        client = await self._client(workspace_id)
        return await self._post(client, await self._dm(client, user_id), replies, key)

    async def to_channel(
        self, workspace_id: str, channel: str, replies: list[Reply], key: str | None = None
    ) -> str:
        client = await self._client(workspace_id)
        return await self._post(client, channel, replies, key)

    async def find_sent(self, workspace_id: str, recipient: str, key: str) -> str | None:
        """Look for our message carrying `key` (message metadata) among the latest ones.

        DMs are readable with the manifest's `im:history`; a channel the bot cannot read
        answers with an error, which the outbox treats as "unknown" and sends again.
        """
        client = await self._client(workspace_id)
        kind, _, target = recipient.partition(":")
        channel = await self._dm(client, target) if kind == "user" else target
        history = await client.conversations_history(
            channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
        )
        for message in history.get("messages") or []:
            meta = message.get("metadata") or {}
            if (
                meta.get("event_type") == METADATA_EVENT
                and (meta.get("event_payload") or {}).get("key") == key
            ):
                return f"{channel}:{message['ts']}"
        return None

    async def _dm(self, client: AsyncWebClient, user_id: str) -> str:
        try:
            opened = await client.conversations_open(users=user_id)
        except Exception as exc:
            raise classify(exc, f"opening a DM with {user_id}") from exc
        return str(opened["channel"]["id"])

    async def _client(self, workspace_id: str) -> AsyncWebClient:
        try:
            return await self.client_for(team_of(workspace_id))
        except LookupError as exc:
            raise PermanentDeliveryError(f"no Slack installation for {workspace_id}") from exc

    async def _post(
        self, client: AsyncWebClient, channel: str, replies: list[Reply], key: str | None
    ) -> str:
        """Post every message; the first carries the outbox key and its ts identifies the delivery."""
        first = ""
        for msg in Renderer().messages(replies):
            meta = (
                {"event_type": METADATA_EVENT, "event_payload": {"key": key}}
                if key and not first
                else None
            )
            try:
                resp = await client.chat_postMessage(
                    channel=channel, text=msg.text, blocks=msg.blocks, metadata=meta
                )
            except Exception as exc:
                raise classify(exc, f"posting to {channel}") from exc
            first = first or f"{resp['channel']}:{resp['ts']}"
        if not first:
            raise PermanentDeliveryError("nothing to deliver")
        return first
