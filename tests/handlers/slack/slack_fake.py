"""A fake Slack: the Web API on loopback that records every call, plus a signed-request client.

The Web API half answers like Slack does (ok/error JSON, 429 with Retry-After, 5xx) and
can be told to fail a method a number of times. It keeps every conversation's messages
(the bot's posts, and what users typed in the DM), so `chat.update` answers as Slack does:
`message_not_found` for a ts that is not in the channel, `cant_update_message` for a
message the bot did not post, and the block limits of slack_limits.py. The client half sends slash commands,
Events API callbacks and interactive payloads to our server exactly as Slack signs them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.engine import Coach
from config import Settings
from handlers.web import build_app
from storage.db import Database
from storage.inbox import Inbox
from tests.handlers.slack.slack_limits import message_error, view_error

SECRET = "test-signing-secret"
TEAM = "T0TEAM"
BOT_USER = "UBOT"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    times: int = 1
    #: Slack did the work and then answered with the error (a 5xx after the post was taken)
    after_taking: bool = False
    #: calls of the method answered normally before this failure starts
    after: int = 0


@dataclass
class FakeSlack:
    """The Web API (`/api/<method>`), response URLs (`/response/<id>`), and a Socket Mode URL."""

    calls: list[Call] = field(default_factory=list)
    #: calls refused for breaking a published limit: (method, what broke)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    #: channel -> posted messages (ts, text, metadata), oldest first: conversations.history
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Channels the bot was not invited to: chat.postMessage there answers not_in_channel.
    outside: set[str] = field(default_factory=set)
    #: Socket Mode: envelopes to push once a client connects, and the acks it sent back.
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    #: method -> calls that arrived while it was held (see `hold`)
    held: dict[str, int] = field(default_factory=dict)
    #: held methods Slack carries out before it hangs (see `hold(..., taken=True)`)
    taken: set[str] = field(default_factory=set)
    #: False: the app is not Slack Marketplace-approved, so conversations.history and
    #: .replies allow 1 call a minute and at most 15 messages (the 2025-05-29 changelog)
    marketplace: bool = True
    #: method -> when (time.monotonic) it was last answered, for the 1-a-minute limit
    _last_read: dict[str, float] = field(default_factory=dict)
    #: method -> something to do when it is called, before answering (see `on_call`)
    hooks: dict[str, Callable[[], object]] = field(default_factory=dict)
    url: str = ""
    #: files.getUploadURLExternal ids -> the bytes POSTed to their upload URL.
    uploads: dict[str, bytes] = field(default_factory=dict)
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _last_ts: float = 0.0
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_post("/response/{id}", self.response_url)
        app.router.add_post("/upload/{file_id}", self.upload)
        app.router.add_get("/socket", self.socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # --- scripting ----------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        after_taking: bool = False,
        after: int = 0,
    ) -> None:
        self.failures.setdefault(method, []).append(
            Failure(status, error, retry_after, times, after_taking, after)
        )

    def hold(self, *methods: str, taken: bool = False) -> None:
        """Calls of these methods hang unanswered and unrecorded (as if they never reached
        Slack) until `release()`, so a test can kill the server while they wait. `taken`:
        Slack does what they ask first (the message is posted and in the history) and then
        hangs, as if the answer were lost on its way back: a kill then lands after the
        post, before the caller knows of it."""
        self._release.clear()
        self.held.update({m: 0 for m in methods})
        if taken:
            self.taken.update(methods)

    def on_call(self, method: str, do: Callable[[], object]) -> None:
        """Run `do()` when `method` is next called, before it is answered (e.g. cut the
        database while Slack answers `oauth.v2.access`)."""
        self.hooks[method] = do

    def release(self) -> None:
        self.held.clear()
        self.taken.clear()
        self._release.set()

    def person(
        self,
        uid: str,
        name: str,
        is_admin: bool = False,
        is_owner: bool = False,
        team_id: str = TEAM,
    ) -> None:
        """A workspace member as users.info describes them (admin and owner flags included);
        `team_id` another workspace's id makes them a Slack Connect (external) user."""
        self.users[uid] = {
            "id": uid,
            "team_id": team_id,
            "name": name.lower(),
            "real_name": name,
            "tz": "Europe/Berlin",
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "profile": {"display_name": name},
        }

    def to(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    async def wait_for(self, method: str, n: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
        """Poll until `n` calls of `method` arrived (the listeners run after the ack)."""
        deadline = time.monotonic() + timeout
        while len(self.to(method)) < n:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {n} {method} calls, got {len(self.to(method))}: "
                    f"{[c.method for c in self.calls]}"
                )
            await asyncio.sleep(0.01)
        return self.to(method)

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until no new call arrived for `quiet` seconds (to assert that nothing more came)."""
        seen = -1
        while seen != len(self.calls):
            seen = len(self.calls)
            await asyncio.sleep(quiet)

    def posted_texts(self) -> list[str]:
        """Every text the rep saw in the DM, block by block, in order (the transcript)."""
        out = []
        for args in self.to("chat.postMessage"):
            for b in args.get("blocks") or []:
                if b.get("type") in ("section", "header"):
                    out.append(b["text"]["text"])
                elif b.get("type") == "context":
                    out.append(" ".join(e.get("text", "") for e in b["elements"]))
                elif b.get("type") == "actions":
                    labels = [
                        e["text"]["text"] if e["type"] == "button" else f"[{e['type']}]"
                        for e in b["elements"]
                    ]
                    out.append("  " + " | ".join(labels))
            if not args.get("blocks"):
                out.append(args.get("text", ""))
        return out

    # --- the Web API --------------------------------------------------------------------

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method in self.held and method not in self.taken:
            self.held[method] += 1
            await self._release.wait()
            return web.json_response({"ok": False, "error": "fatal_error"}, status=500)
        args: dict[str, Any] = dict(request.query)
        body = await request.read()
        if body:
            if request.content_type == "application/json":
                args.update(json.loads(body))
            else:
                args.update(dict(urllib.parse.parse_qsl(body.decode())))
        for key in ("blocks", "view", "metadata"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        self.calls.append(Call(method, args, dict(request.headers)))
        if method in self.held:  # taken: posted, and then the answer never comes back
            if not self.breach(method, args):
                self.take(method, args)
            self.held[method] += 1
            await self._release.wait()
            return web.json_response({"ok": False, "error": "fatal_error"}, status=500)
        if method in self.hooks:
            self.hooks.pop(method)()
        queue = self.failures.get(method) or []
        failure = queue[0] if queue else None
        if failure is not None and failure.after > 0:
            failure.after -= 1
            failure = None
        if failure is not None:
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            if failure.after_taking:
                self.take(method, args)
            headers = (
                {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            )
            return web.json_response(
                {"ok": False, "error": failure.error or "ratelimited"},
                status=failure.status,
                headers=headers,
            )
        refused = self.breach(method, args)
        if refused:
            error, detail = refused
            self.rejected.append((method, detail))
            args["refused"] = error
            return web.json_response({"ok": False, "error": error, "detail": detail})
        if method in ("conversations.history", "conversations.replies"):
            wait = self.read_too_soon(method)
            if wait:
                args["refused"] = "ratelimited"
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(wait)},
                )
        if method == "chat.postMessage" and str(args.get("channel")) in self.outside:
            return web.json_response({"ok": False, "error": "not_in_channel"})
        if method == "chat.update":
            target = self.message(str(args.get("channel")), str(args.get("ts")))
            if target is None:
                args["refused"] = "message_not_found"
                return web.json_response({"ok": False, "error": "message_not_found"})
            if target.get("user"):  # someone else's message: a bot edits only its own
                args["refused"] = "cant_update_message"
                return web.json_response({"ok": False, "error": "cant_update_message"})
        return web.json_response(self.take(method, args))

    def read_too_soon(self, method: str) -> int:
        """Seconds to wait before the next conversations.history/.replies call of an app
        outside the Marketplace (1 a minute), 0 if it may go now (always, in the Marketplace)."""
        if self.marketplace:
            return 0
        now = time.monotonic()
        last = self._last_read.get(method)
        if last is not None and now - last < 60:
            return max(1, round(60 - (now - last)))
        self._last_read[method] = now
        return 0

    def breach(self, method: str, args: dict[str, Any]) -> tuple[str, str] | None:
        """(error code, the published limit a call breaks; see slack_limits.py), or None."""
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            return message_error(args)
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            detail = view_error(args.get("view") or {})
            return ("invalid_arguments", detail) if detail else None
        return None

    def take(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Do what the method does and return Slack's answer."""
        answer = self.answer(method, args)
        if method == "chat.postMessage":
            args["ts"] = answer["ts"]  # so a test can click on what was posted
            args["posted_to"] = answer["channel"]
            self.history.setdefault(str(answer["channel"]), []).append(
                {
                    "ts": answer["ts"],
                    "bot_id": "BBOT",
                    "text": args.get("text"),
                    "blocks": args.get("blocks"),
                    "metadata": args.get("metadata"),
                    "thread_ts": args.get("thread_ts"),
                }
            )
        if method == "chat.update":
            target = self.message(str(args.get("channel")), str(args.get("ts")))
            assert target is not None
            target.update(text=args.get("text"), blocks=args.get("blocks"), edited=True)
        return answer

    def next_ts(self) -> str:
        """A new message's ts: Slack's clock (the time, as users' messages have it), unique
        and increasing, so `oldest` and the order of a conversation mean what they do."""
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message `ts` of `channel` as it stands now (a user id names its DM)."""
        if channel.startswith(("U", "W")):
            channel = "D" + channel
        return next((m for m in self.history.get(channel, []) if m["ts"] == ts), None)

    def said(
        self, channel: str, user: str, text: str, ts: str, thread_ts: str | None = None
    ) -> None:
        """A user's own message in a conversation (what they typed; the bot cannot edit it)."""
        self.history.setdefault(channel, []).append(
            {"ts": ts, "user": user, "text": text, "thread_ts": thread_ts}
        )

    def posted(self) -> list[dict[str, Any]]:
        """chat.postMessage calls Slack took (not refused, not failed), oldest first."""
        return [a for a in self.to("chat.postMessage") if "ts" in a]

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER,
                "bot_id": "BBOT",
                "team_id": TEAM,
                "team": "Team",
            }
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "X"))}}
        if method in ("chat.postMessage", "chat.update"):
            ts = args.get("ts") or self.next_ts()
            channel = str(args.get("channel"))
            if channel.startswith(("U", "W")):
                channel = "D" + channel  # a user id posts to the app's DM with that user
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"text": args.get("text"), "blocks": args.get("blocks")},
            }
        if method == "files.getUploadURLExternal":
            if not args.get("filename") or int(args.get("length") or 0) <= 0:
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._ts):06d}"
            self.uploads[file_id] = b""
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = args.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            if not files or any(not self.uploads.get(f.get("id", "")) for f in files):
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method in ("conversations.history", "conversations.replies"):
            # history: top-level messages only, newest first; replies: a thread, oldest first
            channel = self.history.get(str(args.get("channel")), [])
            if method == "conversations.history":
                found = [
                    m
                    for m in reversed(channel)
                    if not m.get("thread_ts") or m.get("thread_ts") == m["ts"]
                ]
            else:
                parent = str(args.get("ts"))
                found = [m for m in channel if m["ts"] == parent or m.get("thread_ts") == parent]
            # Published: default 100, at most 999 (fewer may come back); outside the
            # Marketplace both are 15. `oldest`: only later messages (`inclusive`: and it).
            most = 999 if self.marketplace else 15
            limit = min(int(args.get("limit") or (100 if self.marketplace else 15)), most)
            if args.get("oldest"):
                oldest = float(args["oldest"])
                inclusive = str(args.get("inclusive")).lower() in ("1", "true")
                found = [
                    m
                    for m in found
                    if float(m["ts"]) > oldest or (inclusive and float(m["ts"]) == oldest)
                ]
            with_meta = str(args.get("include_all_metadata")).lower() in ("1", "true")
            return {
                "ok": True,
                "messages": [
                    {k: v for k, v in m.items() if k != "metadata" or (with_meta and v)}
                    for m in found[:limit]
                ],
            }
        if method == "users.info":
            uid = args.get("user", "")
            user = self.users.get(uid) or {
                "id": uid,
                "name": uid.lower(),
                "real_name": f"Rep {uid}",
                "tz": "Europe/Berlin",
                "is_admin": False,
                "is_owner": False,
                "profile": {"display_name": f"rep-{uid.lower()}"},
            }
            return {"ok": True, "user": user}
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": "V" + str(next(self._ts)), "hash": "h1"}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws", 1) + "/socket"}
        if method == "oauth.v2.access":
            return {
                "ok": True,
                "app_id": "A1",
                "access_token": "xoxb-installed",
                "token_type": "bot",
                "scope": "commands,chat:write",
                "bot_user_id": BOT_USER,
                "team": {"id": "T0OTHER", "name": "Other"},
                "enterprise": None,
                "is_enterprise_install": False,
                "authed_user": {"id": "U0ADMIN"},
            }
        return {"ok": True}

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, push the queued envelopes, record the acks."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.calls.append(Call("socket.connect", {}, dict(request.headers)))
        await ws.send_json({"type": "hello", "num_connections": 1})
        for envelope in self.envelopes:
            await ws.send_json(envelope)
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(msg.data))
        return ws

    async def upload(self, request: web.Request) -> web.Response:
        """Step 2 of a file upload: the bytes, to the URL files.getUploadURLExternal gave."""
        file_id = request.match_info["file_id"]
        if file_id not in self.uploads:
            return web.Response(status=404, text="unknown upload")
        self.uploads[file_id] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    async def response_url(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json(), dict(request.headers)))
        return web.Response(text="ok")


# --- signed requests to our server -----------------------------------------------------


def sign(body: str, secret: str = SECRET, ts: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    mac = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={mac}"}


class SlackClient:
    """Sends what Slack would send, signed (or deliberately not)."""

    def __init__(self, base: str, fake: FakeSlack) -> None:
        self.base = base
        self.fake = fake
        self.session = aiohttp.ClientSession()
        self._n = itertools.count(1)

    async def close(self) -> None:
        await self.session.close()

    async def raw(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> aiohttp.ClientResponse:
        h = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        resp = await self.session.post(f"{self.base}/slack/events", data=body.encode(), headers=h)
        await resp.read()
        return resp

    async def command(
        self,
        text: str = "",
        user: str = "U1",
        channel: str = "C0GENERAL",
        shared: bool = False,
        **headers: str,
    ) -> aiohttp.ClientResponse:
        """`/dealreview text` with the fields Slack documents for a slash command (docs.slack.dev
        "Implementing slash commands"; docs/sharing.md). `shared` (a Slack Connect channel)
        changes nothing in the payload: Slack sends no `is_ext_shared_channel` and no user
        team with a command, so a buyer there looks like anyone else; users.info tells."""
        n = next(self._n)
        del shared  # kept for the callers' readability: Slack's payload does not say
        form = {
            "token": "x",
            "team_id": TEAM,
            "team_domain": "t",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/dealreview",
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": f"{self.fake.url}/response/{n}",
            "trigger_id": f"trig.{n}",
        }
        return await self.raw(
            urllib.parse.urlencode(form), "application/x-www-form-urlencoded", headers
        )

    async def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> aiohttp.ClientResponse:
        body = {
            "token": "x",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event": event,
            "event_id": event_id or f"Ev{next(self._n):06d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
        return await self.raw(json.dumps(body), "application/json", headers)

    async def dm(
        self,
        text: str,
        user: str = "U1",
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
        **kw: Any,
    ) -> aiohttp.ClientResponse:
        """The user writes in their DM with the bot: at the top level, or in the thread of
        `thread_ts`; with `files` it is a `file_share` message (the text is the comment)."""
        ts = f"{time.time():.6f}"
        self.fake.said(f"D{user}", user, text, ts, thread_ts)
        event: dict[str, Any] = {
            "type": "message",
            "channel": f"D{user}",
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        if files is not None:
            event.update(subtype="file_share", files=files, upload=True)
        return await self.event(event, **kw)

    async def interactive(self, payload: dict[str, Any]) -> aiohttp.ClientResponse:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.raw(body, "application/x-www-form-urlencoded")

    async def click(
        self,
        message: dict[str, Any],
        pick: Callable[[dict[str, Any]], bool],
        user: str = "U1",
        selected_date: str | None = None,
        user_team: str = TEAM,
    ) -> aiohttp.ClientResponse:
        """Click the first element of a posted message for which `pick(element)` is true.

        `user_team` other than TEAM is a Slack Connect user: `user.team_id` differs from
        `team.id` and the channel is externally shared (`is_ext_shared_channel`)."""
        # where Slack shows it: a post to a user id is in the DM with them
        channel = message.get("posted_to") or message["channel"]
        for block in message.get("blocks") or []:
            if block.get("type") != "actions":
                continue
            for el in block["elements"]:
                if pick(el):
                    action = {
                        "action_id": el["action_id"],
                        "block_id": block["block_id"],
                        "type": el["type"],
                        "action_ts": "1",
                    }
                    if el["type"] == "button":
                        action.update(value=el["value"], text=el["text"])
                    else:
                        action["selected_date"] = selected_date
                    return await self.interactive(
                        {
                            "type": "block_actions",
                            "user": {"id": user, "team_id": user_team},
                            "team": {"id": TEAM},
                            "is_ext_shared_channel": user_team != TEAM,
                            "api_app_id": "A1",
                            "trigger_id": "trig.click",
                            "container": {
                                "type": "message",
                                "message_ts": message["ts"],
                                "channel_id": channel,
                                "is_ephemeral": False,
                            },
                            "channel": {"id": channel},
                            "message": {
                                "ts": message["ts"],
                                "text": message.get("text", ""),
                                "blocks": message["blocks"],
                            },
                            "actions": [action],
                        }
                    )
        raise AssertionError(f"no such element in {json.dumps(message.get('blocks'))[:800]}")


def button(label: str) -> Callable[[dict[str, Any]], bool]:
    return lambda el: el["type"] == "button" and el["text"]["text"].startswith(label)


def datepicker(el: dict[str, Any]) -> bool:
    return el["type"] == "datepicker"


# --- our real server on loopback ----------------------------------------------------


@dataclass
class Harness:
    """Our server, the fake Slack it calls, and a client that signs like Slack."""

    fake: FakeSlack
    db: Database
    coach: Coach
    settings: Settings
    runner: web.AppRunner | None = None
    app: web.Application | None = None
    slack: SlackClient | None = None
    #: the journal of acked turns (storage/inbox.py), replayed when the app starts
    inbox: Inbox | None = None

    async def start(self) -> None:
        self.app = build_app(self.settings, self.db, self.coach, self.inbox)
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.slack = SlackClient(f"http://127.0.0.1:{port}", self.fake)

    async def stop(self) -> None:
        if self.slack:
            await self.slack.close()
        if self.runner:
            await self.runner.cleanup()

    async def restart(self) -> None:
        """A new process in all but name: new app, new caches, same database."""
        await self.stop()
        self.coach = Coach(self.db, clock=self.coach.clock, default_timezone="America/New_York")
        await self.start()


def slack_settings(fake: FakeSlack, **extra: object) -> Settings:
    values: dict[str, object] = {
        "slack_signing_secret": SECRET,
        "slack_bot_token": "xoxb-test",
        "slack_api_url": f"{fake.url}/api/",
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]
