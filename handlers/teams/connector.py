"""Bot Framework connector clients for proactive sends: one per service URL, on aiohttp.

What the SDK does on its own (botframework-connector 4.17, measured with
`bench/delivery.py --platform teams`): every `CloudAdapter.continue_conversation` builds a
new `ConnectorClient` (~7.5 ms of event-loop CPU, most of it msrest's `ClientRetryPolicy`),
with new credentials (for a password or managed-identity bot a new msal application, so
an empty token cache: a token request to Entra ID per message, made from the event loop),
and sends with `requests` in the event loop's default thread pool (`min(32, cores + 4)`
threads: 6 on two cores, i.e. at most 6 sends in flight for every tenant together).

`ConnectorPool` keeps one client per (app id, service URL, audience), built once by the
SDK's own connector factory (so the SDK still decides the credentials and the audience)
and then given a pipeline that sends through one shared `aiohttp.ClientSession`
(`AiohttpSender`): sends run concurrently on the event loop, connections are kept alive,
and the client's credentials, with the token msal caches in them, serve the whole pass.
`PooledAuthentication` hands the pool to the adapter for proactive turns
(`continue_conversation`); replies inside an incoming turn keep the SDK's own path.

Microsoft's own SDKs do the same: the .NET `BotFrameworkAdapter`
(microsoft/botbuilder-dotnet, libraries/Microsoft.Bot.Builder/BotFrameworkAdapter.cs)
keeps `_connectorClients` keyed by service URL and app id ("There is a significant boost
in throughput if we reuse a connectorClient") and caches app credentials so that "a token
is not requested unless is expired"; the Python SDK's `CloudAdapter` does neither.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

import aiohttp
import requests
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ClaimsIdentity, ConnectorFactory
from msrest.exceptions import ClientRequestError
from msrest.pipeline import AsyncPipeline, Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncHTTPSender
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.async_abc import AsyncClientResponse

log = logging.getLogger(__name__)


class _Response(AsyncClientResponse):
    """An aiohttp response, read whole, as msrest's pipeline and the SDK read it.

    It is its own `internal_response`: msrest's `HttpOperationError.response` is that, and
    `retry.status_of` / `retry_after` read `status_code` and `headers` from it (with the
    SDK's sender it is a `requests.Response`, which has both).
    """

    def __init__(self, request: ClientRequest, raw: aiohttp.ClientResponse, body: bytes) -> None:
        super().__init__(request, None)
        self.internal_response = self
        self.status_code = raw.status
        self.headers = raw.headers  # a CIMultiDictProxy: `Retry-After` read case-insensitively
        self.reason = raw.reason
        self._body = body

    def body(self) -> bytes:
        return self._body


class AiohttpSender(AsyncHTTPSender):  # type: ignore[misc]
    """Sends msrest requests through the pool's aiohttp session (on the event loop).

    A connection that fails or times out raises msrest's `ClientRequestError`, as the
    SDK's `requests` sender does, so `retry.is_transient` retries it.
    """

    def __init__(self, pool: ConnectorPool, timeout: float) -> None:
        self.pool = pool
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def __aenter__(self) -> AiohttpSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def build_context(self) -> None:
        return None

    async def send(self, request: Request, **kwargs: Any) -> Response:
        http: ClientRequest = request.http_request
        if http.files:
            raise ClientRequestError("multipart uploads are not sent through the pool")
        session = self.pool.enter()
        try:
            async with session.request(
                http.method, http.url, headers=http.headers, data=http.data, timeout=self.timeout
            ) as raw:
                body = await raw.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ClientRequestError(f"Error occurred in request: {exc!r}") from exc
        finally:
            await self.pool.leave(session)
        return Response(request, _Response(http, raw, body))


class TokenPolicy(AsyncHTTPPolicy):  # type: ignore[misc]
    """Adds the credentials' `Authorization` header, as the SDK's credentials decide it.

    `AppCredentials.signed_session` sets `Bearer <token>` (from msal's cache, fetched when
    missing or expired) or removes the header when authentication is off. It may call
    Entra ID, so it runs in a thread, one at a time per client: the first sends of a pass
    wait for one token instead of each asking for their own. The header is then reused
    for REUSE seconds: msal only hands out tokens with more than 5 minutes left, so a
    header younger than 4 minutes is still valid, and sends do not queue on the lock.
    """

    REUSE = 240.0

    def __init__(self, credentials: Any) -> None:
        super().__init__()
        self.credentials = credentials
        self._carrier = requests.Session()  # only carries the header signed_session sets
        self._lock = asyncio.Lock()
        self._header: str | None = None
        self._signed_at = -math.inf

    async def _authorization(self) -> str | None:
        async with self._lock:
            if time.monotonic() - self._signed_at >= self.REUSE:
                signed = await asyncio.to_thread(self.credentials.signed_session, self._carrier)
                self._header = signed.headers.get("Authorization")
                self._signed_at = time.monotonic()
            return self._header

    async def send(self, request: Request, **kwargs: Any) -> Response:
        if self.credentials is not None and getattr(self.credentials, "microsoft_app_id", None):
            header = await self._authorization()
            if header:
                request.http_request.headers["Authorization"] = header
        return await self.next.send(request, **kwargs)


class ConnectorPool:
    """One `ConnectorClient` per (app id, service URL, audience) and one aiohttp session.

    `aclose` ends a pass: it forgets the clients (a later send builds them again) and
    closes the session once no request is using it. In `serve` a share or a `digest here`
    may be sending while a scheduled pass ends: its request finishes on the old session
    (closing it under the request would fail it, and a failed POST is retried, i.e. maybe
    posted twice). The session is opened on first use in the running event loop.
    """

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str, str], ConnectorClient] = {}
        self._building: dict[tuple[str, str, str], asyncio.Lock] = {}
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: requests in flight per session; sessions of ended passes still in use
        self._using: dict[aiohttp.ClientSession, int] = {}
        self._draining: set[aiohttp.ClientSession] = set()
        #: clients built (one per key per pass); for logs and tests of the pool itself
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

    async def client(
        self, inner: ConnectorFactory, app_id: str, service_url: str, audience: str | None
    ) -> ConnectorClient:
        key = (app_id, service_url, audience or "")
        if key in self._clients:
            return self._clients[key]
        async with self._building.setdefault(key, asyncio.Lock()):
            if key not in self._clients:
                made = await inner.create(service_url, audience)
                config = made.config
                config.sender = AiohttpSender(self, config.connection.timeout)
                config.pipeline = AsyncPipeline(
                    [
                        config.user_agent_policy,
                        TokenPolicy(config.credentials),
                        RawDeserializer(),
                        config.http_logger_policy,
                    ],
                    config.sender,
                )
                self._clients[key] = made
                self.built += 1
                log.debug("Teams: connector client for %s (%s)", service_url, app_id or "no auth")
        return self._clients[key]

    async def aclose(self) -> None:
        self._clients.clear()
        self._building.clear()
        old, self._session = self._session, None
        if old is None or old.closed:
            return
        if self._using.get(old):
            self._draining.add(old)  # the last request on it closes it
        else:
            await old.close()


class _PooledFactory(ConnectorFactory):  # type: ignore[misc]
    def __init__(self, pool: ConnectorPool, inner: ConnectorFactory, app_id: str) -> None:
        self.pool, self.inner, self.app_id = pool, inner, app_id

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        return await self.pool.client(self.inner, self.app_id, service_url, audience)


class PooledAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """The SDK's configuration-based authentication whose proactive connector clients
    come from `pool` (everything else, incoming-token checks included, is the SDK's)."""

    def __init__(self, configuration: Any, pool: ConnectorPool, **kwargs: Any) -> None:
        super().__init__(configuration, **kwargs)
        self.pool = pool

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        inner = super().create_connector_factory(claims_identity)
        app_id = (claims_identity.claims or {}).get("aud") or ""
        return _PooledFactory(self.pool, inner, str(app_id))
