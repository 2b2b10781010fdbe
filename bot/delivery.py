"""Sending without being asked: the neutral interface scheduled messages go out through.

Each platform adapter (Slack, Teams, the terminal) implements `Delivery`; the scheduler
and the outbox only know this protocol. Errors are classified so the outbox knows whether
to retry (`TransientDeliveryError`) or record and stop (`PermanentDeliveryError`: the user
blocked or left the app, the channel is gone).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.messages import Reply


class DeliveryError(Exception):
    """A message could not be delivered."""


class TransientDeliveryError(DeliveryError):
    """Worth another try later (rate limit, 5xx, timeout); `retry_after` in seconds if known."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Retrying will not help (user left or blocked the app, channel archived, no reference)."""


class Delivery(Protocol):
    """Deliver neutral replies to a user (as a DM) or to a channel; return the message id.

    `key` is the outbox key of the message: a platform that can attach it to what it posts
    (and find it again, see `Recallable`) makes a retry after a crash harmless.
    """

    platform: str

    async def to_user(
        self, workspace_id: str, user_id: str, replies: list[Reply], key: str | None = None
    ) -> str: ...

    async def to_channel(
        self, workspace_id: str, channel: str, replies: list[Reply], key: str | None = None
    ) -> str: ...


@runtime_checkable
class Recallable(Protocol):
    """A delivery that can tell whether a message with this outbox key already went out.

    Asked before a retry of a try that may have reached the platform (the process died
    after posting, or the post timed out after the platform took it); returns the message
    id if the message is there, None if it is not or the platform cannot say.
    """

    async def find_sent(self, workspace_id: str, recipient: str, key: str) -> str | None: ...


@runtime_checkable
class Prefetching(Protocol):
    """A delivery that looks something up per recipient before it sends (Teams: the stored
    conversation reference) and can do it for many at once. The scheduler tells it which
    recipients (`"user:<id>"`, `"channel:<id>"`) it just claimed in `workspace_id`, before
    delivering to them: one query for a batch instead of one per message.
    """

    async def prefetch(self, workspace_id: str, recipients: list[str]) -> None: ...
