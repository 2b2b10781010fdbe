"""Proactive Slack messages (reminders, nudges, digests) behind the neutral `Delivery`.

The outbox only needs to know whether to try again: a 429 (after slack_sdk's own waits),
a 5xx or a timeout is `TransientDeliveryError`; a user who left, a channel that is gone or
archived, or a bot that was removed is `PermanentDeliveryError`.

Never twice: a post answered with a 5xx may still have been taken, so posts are not retried
by the SDK (`client.never_twice`); the outbox retries the row, and before it does,
`find_sent` looks for every part already posted. Each part carries the outbox key and its
part label in message metadata, so a retry posts only the parts that are missing.

A DM goes to the user id as channel (Slack posts it in the app's DM with that user), so a
pass makes no `conversations.open` per message; only a retry's look-up opens the DM to read
its history. A delivery that needs more than one message posts the rest in the first one's
thread when it goes to a channel, and says so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.messages import Reply
from handlers.slack.budget import Message, halves
from handlers.slack.client import posting_client
from handlers.slack.pacing import Limits, Pacers
from handlers.slack.render import Renderer, context

log = logging.getLogger(__name__)

ClientFor = Callable[[str], Awaitable[AsyncWebClient]]

#: Message metadata type that tags every scheduled message with its outbox key, and every
#: answer to a turn with its reply key (handlers/slack/app.py).
METADATA_EVENT = "dealcoach_outbox"
#: How many of the latest messages a retry looks through for an earlier delivery.
HISTORY_LOOKBACK = 50
#: How many a replayed turn looks through for its answer (posted seconds before the
#: restart): 15 is both the default and the most conversations.history and .replies return
#: to apps outside the Slack Marketplace since 2025 (docs.slack.dev changelog, 2025-05-29).
TURN_LOOKBACK = 15

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
        "invalid_blocks",  # our renderer's fault: retrying the same blocks cannot help
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


Part = tuple[str, Message]
#: How deep a message Slack still finds too long is halved before giving up.
MAX_SPLITS = 3
#: Tries of one post answered 429 (paced by Retry-After) before the outbox takes over.
RATE_LIMIT_TRIES = 3


def rate_limited(exc: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait (429 / ratelimited), or None for any other error."""
    if exc.response.status_code != 429 and exc.response.get("error") != "ratelimited":
        return None
    headers = exc.response.headers or {}
    after = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return float(after[0] if isinstance(after, list) else after) if after else 1.0
    except ValueError:
        return 1.0


class SlackDelivery:
    """`bot.delivery.Delivery` for Slack: DMs to the user id, channels directly."""

    platform = "slack"

    def __init__(self, client_for: ClientFor, limits: Limits | None = None) -> None:
        self.client_for = client_for
        self.pacers = Pacers(limits)
        #: outbox key -> part label -> (channel, ts) seen by `find_sent`, for the retry after it
        self._found: dict[str, dict[str, tuple[str, str]]] = {}
        #: the HTTP session of a pass outside `serve` (which has its own), and its clients
        self._session: aiohttp.ClientSession | None = None
        self._lent: list[AsyncWebClient] = []

    async def aclose(self) -> None:
        """End of a pass: close the HTTP session this delivery opened, if it opened one."""
        for client in self._lent:
            client.session = None
        self._lent.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def to_user(
        self, workspace_id: str, user_id: str, replies: list[Reply], key: str | None = None
    ) -> str:
        client = await self._client(workspace_id)
        return await self._post(client, team_of(workspace_id), user_id, replies, key, False)

    async def to_channel(
        self, workspace_id: str, channel: str, replies: list[Reply], key: str | None = None
    ) -> str:
        client = await self._client(workspace_id)
        return await self._post(client, team_of(workspace_id), channel, replies, key, True)

    async def find_sent(self, workspace_id: str, recipient: str, key: str) -> str | None:
        """The first part's id if every part carrying `key` is already in Slack, else None.

        Parts found are remembered, so the delivery that follows posts only the missing
        ones. DMs are readable with the manifest's `im:history`; a channel the bot cannot
        read answers with an error, which the outbox treats as "unknown" and sends again.
        """
        client = await self._client(workspace_id)
        team = team_of(workspace_id)
        kind, _, target = recipient.partition(":")
        if kind == "user":
            await self.pacers.tier3(team, "conversations.open").wait()
        channel = await self._dm(client, target) if kind == "user" else target
        messages = await self.recent(client, team, channel, HISTORY_LOOKBACK)
        found: dict[str, tuple[str, str]] = {}
        total = 0
        for message in messages:
            part, parts = _tag(message, key)
            if part == "0":
                total = parts
                if parts > 1:
                    thread = await self.recent(
                        client, team, channel, HISTORY_LOOKBACK, thread_ts=message["ts"]
                    )
                    for reply in thread:
                        label, _ = _tag(reply, key)
                        if label is not None:
                            found[label] = (channel, reply["ts"])
            if part is not None:
                found[part] = (channel, message["ts"])
        self._found[key] = found
        if complete(found, total):
            return "{}:{}".format(*found["0"])
        return None

    async def recent(
        self,
        client: AsyncWebClient,
        team: str,
        channel: str,
        lookback: int,
        thread_ts: str | None = None,
        oldest: str | None = None,
    ) -> list[dict[str, Any]]:
        """The latest `lookback` messages of `channel` (conversations.history, newest first),
        or of the thread `thread_ts` (conversations.replies, oldest first, from `oldest`),
        with their metadata. Raises what the Web API raises."""
        method = "conversations.replies" if thread_ts else "conversations.history"
        await self.pacers.tier3(team, method).wait()
        if thread_ts:
            where = {"oldest": oldest} if oldest else {}
            answer = await client.conversations_replies(
                channel=channel, ts=thread_ts, limit=lookback, include_all_metadata=True, **where
            )
        else:
            answer = await client.conversations_history(
                channel=channel, limit=lookback, include_all_metadata=True
            )
        return list(answer.get("messages") or [])

    async def posted_under(
        self,
        client: AsyncWebClient,
        team: str,
        channel: str,
        keys: list[str],
        thread_ts: str | None = None,
        oldest: str | None = None,
    ) -> str | None:
        """The first of `keys` whose every part is among the latest TURN_LOOKBACK messages of
        `channel` (of the thread `thread_ts`, from `oldest`), else None: the same tags
        (`tag`) and the same "every part" rule as `find_sent`, for a message whose parts all
        went to one place (a turn's answer, handlers/slack/app.py). One Web API call.
        Raises what the Web API raises (a channel the bot cannot read: `missing_scope`)."""
        messages = await self.recent(client, team, channel, TURN_LOOKBACK, thread_ts, oldest)
        for key in keys:
            found: dict[str, tuple[str, str]] = {}
            total = 0
            for message in messages:
                part, parts = _tag(message, key)
                if part is not None:
                    found[part] = (channel, message["ts"])
                    total = max(total, parts)
            if complete(found, total):
                return key
        return None

    async def _dm(self, client: AsyncWebClient, user_id: str) -> str:
        try:
            opened = await client.conversations_open(users=user_id)
        except Exception as exc:
            raise classify(exc, f"opening a DM with {user_id}") from exc
        return str(opened["channel"]["id"])

    async def _client(self, workspace_id: str) -> AsyncWebClient:
        try:
            client = await self.client_for(team_of(workspace_id))
        except LookupError as exc:
            raise PermanentDeliveryError(f"no Slack installation for {workspace_id}") from exc
        if client.session is None:
            # One connection pool for the whole pass (slack_sdk opens one per call otherwise).
            if self._session is None:
                self._session = aiohttp.ClientSession()
            client.session = self._session
            self._lent.append(client)
        return client

    async def _post(
        self,
        client: AsyncWebClient,
        team: str,
        channel: str,
        replies: list[Reply],
        key: str | None,
        thread: bool,
    ) -> str:
        """Post every part not posted before; the first part's "channel:ts" is the delivery's id.

        Raises Transient/PermanentDeliveryError; a part Slack finds too long
        (`msg_blocks_too_long`) is split in two and posted again, down to MAX_SPLITS times.
        """
        messages = Renderer().messages(replies)
        if not messages:
            raise PermanentDeliveryError("nothing to deliver")
        if thread and len(messages) > 1:
            more = len(messages) - 1
            messages[0].blocks.append(
                context(f"_Continued in the thread: {more} more message{'s' * (more > 1)}._")
            )
        found = self._found.pop(key, {}) if key else {}
        poster = posting_client(client, sdk_rate_limits=False)
        first = found.get("0")
        pending: list[Part] = [(str(i), m) for i, m in enumerate(messages)]
        while pending:
            label, msg = pending.pop(0)
            if label in found:
                continue
            if not _covered(label, found) and any(k.startswith(label + ".") for k in found):
                pending[:0] = _halves(label, msg)  # split on an earlier try: finish the halves
                continue
            meta = None
            if key:
                meta = tag(key, label, len(messages))
            in_thread = first[1] if thread and first and label != "0" else None
            try:
                resp = await self._paced_post(
                    poster, team, channel, msg, metadata=meta, thread_ts=in_thread
                )
            except SlackApiError as exc:
                too_long = exc.response.get("error") == "msg_blocks_too_long"
                if too_long and len(msg.blocks) > 1 and label.count(".") < MAX_SPLITS:
                    log.info("Slack found part %s of %s too long: posting it in two", label, key)
                    pending[:0] = _halves(label, msg)
                    continue
                raise classify(exc, f"posting to {channel}") from exc
            except Exception as exc:
                raise classify(exc, f"posting to {channel}") from exc
            posted = (str(resp["channel"]), str(resp["ts"]))
            found[label] = posted
            first = first or posted
        assert first is not None
        return f"{first[0]}:{first[1]}"

    async def _paced_post(
        self, poster: AsyncWebClient, team: str, channel: str, msg: Message, **kw: Any
    ) -> Any:
        """chat.postMessage in its turn under the workspace's and the channel's pace; a 429
        pauses the whole workspace for Retry-After and tries again (Slack did nothing)."""
        for attempt in range(1, RATE_LIMIT_TRIES + 1):
            await self.pacers.channel(team, channel).wait()
            await self.pacers.posts(team).wait()
            try:
                return await poster.chat_postMessage(
                    channel=channel, text=msg.text, blocks=msg.blocks, **kw
                )
            except SlackApiError as exc:
                wait = rate_limited(exc)
                if wait is None or attempt == RATE_LIMIT_TRIES:
                    raise
                log.info("Slack %s: rate limited, every post waits %.1f s", team, wait)
                self.pacers.posts(team).pause(wait)
        raise AssertionError("unreachable")


def tag(key: str, part: str, parts: int) -> dict[str, Any]:
    """The message metadata of part `part` (a label: "0", "1", "1.0" for a half of "1")
    of the `parts` messages sent under `key`: what `find_sent` and `posted_under` look for."""
    return {
        "event_type": METADATA_EVENT,
        "event_payload": {"key": key, "part": part, "parts": parts},
    }


def complete(found: dict[str, tuple[str, str]], total: int) -> bool:
    """Whether every one of `total` parts was found (a part split in two: both halves)."""
    return "0" in found and all(_covered(str(i), found) for i in range(total))


def _halves(label: str, msg: Message) -> list[Part]:
    return [(f"{label}.{i}", part) for i, part in enumerate(halves(msg))]


def _covered(label: str, found: dict[str, tuple[str, str]], depth: int = 0) -> bool:
    """Whether part `label` is in Slack: itself, or both halves it was split into."""
    if label in found:
        return True
    return depth < MAX_SPLITS and all(_covered(f"{label}.{i}", found, depth + 1) for i in (0, 1))


def _tag(message: dict, key: str) -> tuple[str | None, int]:  # type: ignore[type-arg]
    """(part label, number of parts) of our message carrying `key`, or (None, 0)."""
    meta = message.get("metadata") or {}
    payload = meta.get("event_payload") or {}
    if meta.get("event_type") != METADATA_EVENT or payload.get("key") != key:
        return None, 0
    return str(payload.get("part", "0")), int(payload.get("parts", 1))
