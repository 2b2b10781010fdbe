"""Proactive Teams sends: the Bot Framework REST call itself, on one aiohttp session.

Reminders, nudges, digests and shared plans are sent as the connector's REST API has it
("Bot Connector API", learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference):

    POST {serviceUrl}/v3/conversations/{conversationId}/activities               a new message
    PUT  {serviceUrl}/v3/conversations/{conversationId}/activities/{activityId}  an update

with the activity as JSON (`activity_json`: the very body the SDK's serializer produces)
addressed from the stored conversation reference as `TurnContext.send_activity` would
address it, and `Authorization: Bearer <token>` from the SDK's own credentials.

Why not `CloudAdapter.continue_conversation` and `TurnContext.send_activity`: measured with
`bench/delivery.py --platform teams --reps 2000 --workspaces 4 --profile`, the SDK path
costs several ms of CPU per message on the event loop, which caps a pass at a few hundred
messages a second for every tenant together (5,000 reps over 10 tenants: 2.5-5x the floor
Microsoft's limits allow). Per proactive turn it builds a `UserTokenClient` whose msrest
`Configuration` builds a `ClientRetryPolicy` (a list of every HTTP status not in another
list: ~500,000 comparisons), deep-copies each activity, and msrest walks every value of
every card to serialize it, once for our size budget and again for the request body.
Here the card, already plain JSON, is serialized once, by `json.dumps`.

What stays the SDK's: which credentials (the configured `MicrosoftAppType`: a client
secret, a certificate or a managed identity) and for which audience, decided by the
adapter's `BotFrameworkAuthentication` connector factory once per (app id, service URL)
per pass, and the token, from those credentials' msal cache (`signed_session`). Replies
inside an incoming turn keep the SDK's own path.

Microsoft's own .NET `BotFrameworkAdapter` likewise keeps one connector client per
service URL and app id ("There is a significant boost in throughput if we reuse a
connectorClient") and caches app credentials so that "a token is not requested unless
is expired".
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import quote

import aiohttp
import requests
from botbuilder.core import CloudAdapterBase
from botbuilder.schema import Activity, ConversationReference, ResourceResponse
from msrest.exceptions import ClientRequestError, HttpOperationError
from msrest.serialization import Model

log = logging.getLogger(__name__)

#: The connector answers a send with one of these (Bot Connector API; the SDK's list too).
OK = frozenset({200, 201, 202})


# --- the body --------------------------------------------------------------------------


def activity_json(activity: Activity) -> dict[str, Any]:
    """`activity` as the JSON the SDK sends for it (msrest's `Serializer.body`), fast.

    msrest serializes a model by running a key transformer and a type dispatch for each of
    its attributes (an Activity has 50, nearly all None) and walks every key and value of
    an attachment's `content` (typed `object`) to rebuild the same JSON: about a
    millisecond for a plan card, twice per message (our size budget, then the body).
    Our activities are strings, bools, numbers, small models and cards that are plain JSON
    already, which `_plain` copies as they are (a card whole, not walked: it must hold
    JSON values only, as `cards` builds them); anything else in the activity (a date,
    bytes) is left to msrest for the whole activity. `tests/handlers/teams/test_teams_connector.py` checks
    the result against the SDK's for every kind of message we render.
    """
    try:
        return _plain(activity)  # type: ignore[no-any-return]
    except _NotPlain:
        return activity.serialize()  # type: ignore[no-any-return]


class _NotPlain(Exception):
    """A value msrest would transform (a date, bytes, a flattened key): not ours to copy."""


def _plain(value: Any) -> Any:
    """A model's attributes under their JSON keys, None left out (msrest's rule for models;
    inside an `object` value, such as a card, a None stays a null, as msrest keeps it)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Model):
        out: dict[str, Any] = {}
        for attr, desc in type(value)._attribute_map.items():
            v = getattr(value, attr, None)
            if v is None:
                continue
            key = desc["key"]
            kind = desc["type"]
            if not key or "." in key or kind not in _COPIED:
                raise _NotPlain(f"{type(value).__name__}.{attr}")
            if kind in _SCALARS and not isinstance(v, _SCALARS[kind]):  # msrest converts it
                raise _NotPlain(f"{type(value).__name__}.{attr}")
            # a card (an `object` that is a dict) is JSON already: copied whole, not walked
            out[key] = v if kind == "object" and isinstance(v, dict) else _plain(v)
        return out
    raise _NotPlain(type(value).__name__)


def _copied_types() -> frozenset[str]:
    """msrest types whose JSON is the value itself (a model's, recursively)."""
    from botbuilder import schema

    models = {name for name in dir(schema) if isinstance(getattr(schema, name), type)}
    plain = {"str", "bool", "int", "float", "object"} | models
    return frozenset(plain | {f"[{t}]" for t in plain} | {f"{{{t}}}" for t in plain})


_COPIED = _copied_types()
_SCALARS: dict[str, type] = {"str": str, "bool": bool, "int": int, "float": float}


def addressed(body: dict[str, Any], reference: dict[str, Any], new: bool = True) -> dict[str, Any]:
    """`body` sent into `reference`'s conversation (a `ConversationReference.serialize()`),
    addressed as the SDK addresses a proactive send: `apply_conversation_reference` from
    the continuation activity `continue_conversation` builds (bot to user; that activity
    has no locale and, being new, no reply-to id), then for a `new` message the defaults
    `TurnContext.send_activities` fills in (type, input hint, no id)."""
    out = {**body}
    out.pop("locale", None)
    for key, source in (
        ("channelId", "channelId"),
        ("serviceUrl", "serviceUrl"),
        ("conversation", "conversation"),
        ("from", "bot"),
        ("recipient", "user"),
    ):
        if reference.get(source) is None:
            out.pop(key, None)
        else:
            out[key] = reference[source]
    if new:
        out.pop("id", None)
        out.setdefault("type", "message")
        out.setdefault("inputHint", "acceptingInput")
    return out


# --- errors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectorReply:
    """What an error answer carried: what `retry.status_of` / `retry_after` read."""

    status_code: int
    reason: str
    headers: Any  # a CIMultiDictProxy: `Retry-After` read case-insensitively
    text: str


class ConnectorError(HttpOperationError):  # type: ignore[misc]
    """The connector refused a call (any status but 200/201/202), shaped like the SDK's
    `ErrorResponseException`: `response.status_code`, `response.headers`, and the message
    "(code) message" from the connector's `{"error": {"code", "message"}}`.

    msrest's own `__init__` wants its deserializer and response objects, which we do not
    build for a send; what callers read is set here instead.
    """

    def __init__(self, reply: ConnectorReply) -> None:
        self.response = reply
        self.error: Any = None
        self.message = f"Operation returned an invalid status code {reply.reason!r}"
        try:
            error = json.loads(reply.text).get("error") or {}
            if error.get("code") or error.get("message"):
                self.error = error
                self.message = f"({error.get('code')}) {error.get('message')}"
        except (ValueError, AttributeError):
            pass  # not the connector's JSON (a proxy's page): the status says enough
        Exception.__init__(self, self.message)


# --- authentication --------------------------------------------------------------------


class Bearer:
    """The `Authorization` header of one (app id, service URL): the SDK's credentials,
    for the token only.

    `AppCredentials.signed_session` sets `Bearer <token>` (from msal's cache, fetched when
    missing or expired). It may call Entra ID, so it runs in a thread, one at a time: the
    first sends of a pass wait for one token instead of each asking for their own. The
    header is then reused for REUSE seconds: msal only hands out tokens with more than
    5 minutes left, so a header younger than 4 minutes is still valid. Credentials
    without an app id (authentication off, the Emulator) sign nothing.
    """

    REUSE = 240.0

    def __init__(self, credentials: Any) -> None:
        self.credentials = credentials
        self._carrier = requests.Session()  # only carries the header signed_session sets
        self._lock = asyncio.Lock()
        self._header: str | None = None
        self._signed_at = -math.inf

    async def header(self) -> str | None:
        if self.credentials is None or not getattr(self.credentials, "microsoft_app_id", None):
            return None
        if time.monotonic() - self._signed_at < self.REUSE:
            return self._header
        async with self._lock:
            if time.monotonic() - self._signed_at >= self.REUSE:
                signed = await asyncio.to_thread(self.credentials.signed_session, self._carrier)
                self._header = signed.headers.get("Authorization")
                self._signed_at = time.monotonic()
            return self._header


@dataclass(frozen=True)
class _Channel:
    bearer: Bearer
    user_agent: str
    timeout: aiohttp.ClientTimeout


# --- the pool --------------------------------------------------------------------------


class ConnectorPool:
    """Proactive sends of one adapter: one aiohttp session, one `Bearer` per (app id,
    service URL), both for a pass.

    `aclose` ends a pass: it forgets the credentials (the next pass asks the SDK again)
    and closes the session once no request is using it. In `serve` a share or a `digest
    here` may be sending while a scheduled pass ends: its request finishes on the old
    session (closing it under the request would fail it, and a failed POST is retried,
    i.e. maybe posted twice). The session is opened on first use in the running loop.
    """

    def __init__(self, adapter: CloudAdapterBase) -> None:
        self.adapter = adapter
        self._channels: dict[tuple[str, str], _Channel] = {}
        self._building: dict[tuple[str, str], asyncio.Lock] = {}
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: requests in flight per session; sessions of ended passes still in use
        self._using: dict[aiohttp.ClientSession, int] = {}
        self._draining: set[aiohttp.ClientSession] = set()
        #: credentials asked of the SDK (one per key per pass); for tests of the pool itself
        self.built = 0

    def session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            # A new loop (a CLI command that runs several) needs its own session.
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
            self._loop = loop
        return self._session

    def enter(self) -> aiohttp.ClientSession:
        """The session for one request (pair with `leave`)."""
        session = self.session()
        self._using[session] = self._using.get(session, 0) + 1
        return session

    async def leave(self, session: aiohttp.ClientSession) -> None:
        left = self._using[session] = self._using.get(session, 1) - 1
        if left <= 0:
            del self._using[session]
            if session in self._draining:
                self._draining.discard(session)
                await session.close()

    async def _channel(self, app_id: str, service_url: str) -> _Channel:
        """The SDK's credentials for proactive sends to `service_url` as `app_id`: what
        `continue_conversation` asks its connector factory for (claims of the bot itself,
        the default audience), once per pass."""
        key = (app_id, service_url)
        found = self._channels.get(key)
        if found is not None:
            return found
        async with self._building.setdefault(key, asyncio.Lock()):
            if key not in self._channels:
                claims = self.adapter.create_claims_identity(app_id)
                factory = self.adapter.bot_framework_authentication.create_connector_factory(claims)
                client = await factory.create(service_url, None)
                config = client.config
                self._channels[key] = _Channel(
                    Bearer(config.credentials),
                    config.user_agent,
                    aiohttp.ClientTimeout(total=config.connection.timeout),
                )
                self.built += 1
                log.debug("Teams: credentials for %s (%s)", service_url, app_id or "no auth")
        return self._channels[key]

    async def send(
        self, reference: dict[str, Any], activity: Activity, app_id: str = ""
    ) -> ResourceResponse:
        """POST `activity` as a new message into `reference`'s conversation (a
        `ConversationReference.serialize()`); returns the connector's answer (`id`).

        Raises `ConnectorError` for any status but 200/201/202 and msrest's
        `ClientRequestError` when the connection fails or times out (as the SDK does, so
        `retry.is_transient` sorts both).
        """
        body = addressed(activity_json(activity), reference)
        return await self._call("POST", reference, body, None, app_id)

    async def update(
        self, reference: dict[str, Any], activity: Activity, activity_id: str, app_id: str = ""
    ) -> ResourceResponse:
        """PUT `activity` over the message `activity_id` in `reference`'s conversation."""
        body = addressed(activity_json(activity), reference, new=False)
        body["id"] = activity_id
        return await self._call("PUT", reference, body, activity_id, app_id)

    async def _call(
        self,
        method: str,
        reference: dict[str, Any],
        body: dict[str, Any],
        activity_id: str | None,
        app_id: str,
    ) -> ResourceResponse:
        service_url = reference.get("serviceUrl") or ""
        conversation = (reference.get("conversation") or {}).get("id") or ""
        if not service_url or not conversation:
            raise ValueError("a conversation reference without serviceUrl or conversation id")
        channel = await self._channel(app_id, service_url)
        # msrest quotes path arguments whole (`/` and `:` too) and joins them to the base URL
        url = (
            f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation, safe='')}/activities"
        )
        if activity_id:
            url += f"/{quote(activity_id, safe='')}"
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": channel.user_agent,
        }
        authorization = await channel.bearer.header()
        if authorization:
            headers["Authorization"] = authorization
        data = json.dumps(body).encode()  # ASCII (JSON escapes), as msrest sends it
        session = self.enter()
        try:
            async with session.request(
                method, url, headers=headers, data=data, timeout=channel.timeout
            ) as raw:
                answer = await raw.read()
                status, reason, raw_headers = raw.status, raw.reason or "", raw.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ClientRequestError(f"Error occurred in request: {exc!r}") from exc
        finally:
            await self.leave(session)
        if status not in OK:
            text = answer.decode("utf-8", "replace")
            raise ConnectorError(ConnectorReply(status, reason, raw_headers, text))
        try:
            found = json.loads(answer) if answer else {}
        except ValueError:
            found = {}
        new_id = found.get("id") if isinstance(found, dict) else None
        return ResourceResponse(id=new_id or activity_id or "")

    async def aclose(self) -> None:
        self._channels.clear()
        self._building.clear()
        old, self._session = self._session, None
        if old is None or old.closed:
            return
        if self._using.get(old):
            self._draining.add(old)  # the last request on it closes it
        else:
            await old.close()


def reference_json(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored reference as the SDK reads it (`ConversationReference().deserialize`, which
    drops what it does not know: a conversation's `tenantId`, for one) and writes it back:
    the `from`, `recipient` and `conversation` a send carries."""
    return _plain(ConversationReference().deserialize(stored))  # type: ignore[no-any-return]
