"""A fake Bot Framework connector (the service behind an activity's `serviceUrl`).

Records every call the bot makes (`POST /v3/conversations/{id}/activities`, replies to
`.../activities/{activityId}`, updates with PUT, and anything else as `unexpected`) and
answers like the real one: `{"id": "<new activity id>"}`. `fail_next` queues error
responses (e.g. a 429 with `Retry-After: 0`) to exercise the bot's retries.

It holds the bot to Microsoft's published message size limit ("Format your bot messages",
learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages): about
100 KB for the whole message encoded as UTF-16; beyond it the connector answers 413
(RequestEntityTooLarge) with the error code `MessageSizeTooBig` (the limit was 40 KB before).

It also plays the user's OneDrive behind a file consent card's `uploadInfo.uploadUrl`
(`PUT /upload/{name}`, see `upload_url`), as Microsoft Graph's upload sessions answer: the
URL is the credential, so a request with an Authorization header is refused (401); one
request carries at most `max_upload` bytes (Graph: under 60 MiB per request; a test sets
less) with a Content-Range that matches the body, else 413 / 400; and the file must be the
size the consent card showed the user (`sizeInBytes`). Accepted files land in `uploads`.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

#: Microsoft's limit: the message payload as UTF-16, in bytes (about 100 KB).
MAX_MESSAGE_UTF16 = 100 * 1024
#: Microsoft Graph upload sessions: each request's bytes must be under 60 MiB.
MAX_UPLOAD = 60 * 1024 * 1024
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"


def utf16_size(text: str) -> int:
    """Bytes of `text` in UTF-16 (two per BMP character, four per emoji): Microsoft's count."""
    return len(text.encode("utf-16-le"))


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str
    reply_to: str | None
    body: dict[str, Any]
    headers: dict[str, str]
    status: int
    response_id: str = ""

    @property
    def text(self) -> str:
        return self.body.get("text") or ""

    @property
    def card(self) -> dict[str, Any] | None:
        for att in self.body.get("attachments") or []:
            if att.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return att["content"]
        return None


@dataclass
class FakeConnector:
    calls: list[Call] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    #: The roster: member id ("29:…") -> TeamsChannelAccount JSON (`userRole` "owner"/"user").
    roster: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Files PUT to an upload URL: name -> bytes; `max_upload` is the per-request limit.
    uploads: dict[str, bytes] = field(default_factory=dict)
    max_upload: int = MAX_UPLOAD
    #: Seconds each activity call takes (a real connector answers in ~100 ms, not at once).
    latency: float = 0.0
    #: TCP connections the bot opened ((host, port) of each peer) and the most activity
    #: calls in flight at once: how the bot uses HTTP, seen from the service.
    connections: set[tuple[str, int]] = field(default_factory=set)
    in_flight: int = 0
    max_in_flight: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    url: str = ""
    #: sends that arrived while held (see `hold`)
    held: int = 0
    holding: bool = False
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    def hold(self) -> None:
        """Message sends hang unanswered and unrecorded (as if they never reached the
        Bot Framework) until `release()`, so a test can kill the bot mid-turn."""
        self._release.clear()
        self.holding, self.held = True, 0

    def release(self) -> None:
        self.holding = False
        self._release.set()

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.failures.append((status, headers or {}))

    def fail_after(self, sends: int, status: int, times: int = 1) -> None:
        """Answer `sends` more calls normally, then fail `times` calls with `status`."""
        self.failures.extend([(200, {})] * sends + [(status, {"Retry-After": "0"})] * times)

    @property
    def sent(self) -> list[Call]:
        """Successful message sends (new messages and replies), in order."""
        return [c for c in self.calls if c.method == "POST" and c.status == 200]

    @property
    def updates(self) -> list[Call]:
        """Successful message updates (PUT), in order."""
        return [c for c in self.calls if c.method == "PUT" and c.status == 200]

    def clear(self) -> None:
        self.calls.clear()

    async def _activities(self, request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer:
            self.connections.add((peer[0], peer[1]))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await request.read()  # the service has the message before it answers (cached)
            if self.latency:
                await asyncio.sleep(self.latency)
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.Response:
        if self.holding:
            self.held += 1
            await self._release.wait()
            return web.json_response({"error": {"code": "ServiceError"}}, status=503)
        raw = await request.text()
        body = await request.json()
        call = Call(
            method=request.method,
            path=request.path,
            conversation_id=request.match_info["conversation_id"],
            reply_to=request.match_info.get("activity_id"),
            body=body,
            headers=dict(request.headers),
            status=200,
        )
        self.calls.append(call)
        if utf16_size(raw) > MAX_MESSAGE_UTF16:
            call.status = 413
            return web.json_response(
                {
                    "error": {
                        "code": "MessageSizeTooBig",
                        "message": f"{utf16_size(raw)} bytes as UTF-16 > {MAX_MESSAGE_UTF16}",
                    }
                },
                status=413,
            )
        if self.failures and self.failures[0][0] == 200:
            self.failures.pop(0)  # a call let through by fail_after
        elif self.failures:
            status, headers = self.failures.pop(0)
            call.status = status
            return web.json_response(
                {
                    "error": {
                        "code": "Throttled" if status == 429 else "ServiceError",
                        "message": "fake",
                    }
                },
                status=status,
                headers=headers,
            )
        new_id = request.match_info.get("activity_id") if request.method == "PUT" else None
        call.response_id = new_id or f"bot-msg-{next(self._ids)}"
        return web.json_response({"id": call.response_id})

    def member(self, aad: str, name: str, role: str = "user", tenant: str = "tenant-0001") -> None:
        """Put someone on the roster, as GET .../members/{id} returns them; `role` "guest"
        or another `tenant` is someone from outside (a buyer on a shared plan)."""
        self.roster[f"29:{aad}"] = {
            "id": f"29:{aad}",
            "name": name,
            "aadObjectId": aad,
            "userRole": role,
            "tenantId": tenant,
        }

    async def _member(self, request: web.Request) -> web.Response:
        """GET /v3/conversations/{id}/members/{memberId}: one roster entry, or 404."""
        self.calls.append(
            Call("GET", request.path, request.match_info["conversation_id"], None, {}, {}, 200)
        )
        found = self.roster.get(request.match_info["member_id"])
        if found is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "fake"}}, status=404
            )
        return web.json_response(found)

    def upload_url(self, name: str) -> str:
        return f"{self.url}upload/{name}"

    def consented_size(self, name: str) -> int | None:
        """`sizeInBytes` of the last consent card sent for `name`, if any."""
        for call in reversed(self.sent):
            for att in call.body.get("attachments") or []:
                if att.get("contentType") == FILE_CONSENT and att.get("name") == name:
                    return int(att["content"]["sizeInBytes"])
        return None

    async def _upload(self, request: web.Request) -> web.Response:
        """PUT /upload/{name}: the user's OneDrive taking a consented file."""
        name = request.match_info["name"]
        data = await request.read()
        self.calls.append(
            Call("PUT", request.path, "", None, {"bytes": len(data)}, dict(request.headers), 0)
        )
        call = self.calls[-1]

        def error(status: int, code: str, message: str) -> web.Response:
            call.status = status
            return web.json_response({"error": {"code": code, "message": message}}, status=status)

        if "Authorization" in request.headers:
            return error(401, "unauthenticated", "the upload URL needs no Authorization")
        if len(data) > self.max_upload:
            return error(413, "requestTooLarge", f"{len(data)} bytes > {self.max_upload}")
        total = len(data)
        if request.headers.get("Content-Range") != f"bytes 0-{total - 1}/{total}":
            return error(
                400, "invalidRange", f"Content-Range {request.headers.get('Content-Range')}"
            )
        if self.consented_size(name) != total:
            return error(400, "invalidRequest", f"{name}: not the size the user agreed to")
        self.uploads[name] = data
        call.status = 201
        return web.json_response({"id": f"item-{name}", "name": name, "size": total}, status=201)

    async def _other(self, request: web.Request) -> web.Response:
        self.unexpected.append(f"{request.method} {request.path}")
        return web.json_response({"error": {"code": "NotFound", "message": "fake"}}, status=404)

    async def start(self) -> FakeConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._activities)
        app.router.add_post(
            "/v3/conversations/{conversation_id}/activities/{activity_id}", self._activities
        )
        app.router.add_put(
            "/v3/conversations/{conversation_id}/activities/{activity_id}", self._activities
        )
        app.router.add_get("/v3/conversations/{conversation_id}/members/{member_id}", self._member)
        app.router.add_put("/upload/{name}", self._upload)
        app.router.add_route("*", "/{tail:.*}", self._other)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def wait_for(self, n: int, timeout: float = 5.0) -> list[Call]:
        """Poll (briefly) until `n` successful sends were recorded, for proactive paths."""
        async with asyncio.timeout(timeout):
            while len(self.sent) < n:
                await asyncio.sleep(0.01)
        return self.sent
