"""Random but well-signed traffic for `/slack/events` and `/api/messages`, and a live server.

Shared by the sampling test (tests/handlers/test_fuzz.py, every `make test`) and the full
run (bench/fuzz.py, 20,000 per endpoint). The payloads keep the envelope a platform
really sends often enough to reach our listeners (a slash command, an event callback, a
block action, a view submission; a message or card submit activity), and put anything
in its fields: nulls, wrong types, deep nesting, huge and odd text. Slack bodies are
signed with the right secret, so they get past verification; Teams runs in Emulator mode
(no token), so they reach the bot. A 4xx is a fine answer; a 500 never is.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import urllib.parse
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from bot.engine import Coach
from config import Settings
from handlers.web import build_app
from storage.db import Database
from tests.conftest import T0, FakeClock
from tests.handlers.slack.slack_fake import TEAM, FakeSlack, sign, slack_settings
from tests.handlers.teams.fake_bot_connector import FakeConnector

# --- values -------------------------------------------------------------------------------

TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", "review", "help", "list", "settings", "digest #c", "cancel", "1", "<@U1>"]
    ),
    st.text(alphabet="<>&|*_~`:#@!\\\"'\x00\u202e\ufeff", max_size=20),
)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    TEXT,
)
JSON = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` about 3 times in 4. (`one_of` with a branch repeated does not weigh it: the
    engine favours whichever branch is simpler to draw.)"""
    return st.integers(0, 3).flatmap(lambda i: odd if i == 3 else usual)


@st.composite
def deep(draw: st.DrawFn) -> Any:
    """Nesting far past what a recursive parser or renderer survives."""
    depth = draw(st.sampled_from([50, 500, 3000]))
    value: Any = draw(SCALAR)
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


ANY = mostly(JSON, deep())


def maybe(plausible: st.SearchStrategy[Any], odds: int = 2) -> st.SearchStrategy[Any]:
    """Mostly (`odds` to 1) what the platform sends, sometimes any JSON value at all (deep
    nesting comes as whole payloads, where it cannot hide what else is wrong)."""
    return st.one_of(*[plausible] * odds, JSON)


USER = maybe(st.sampled_from(["U1", "U2", "UFUZZ"]))
TEAM_ID = maybe(st.just(TEAM))

# --- Slack ----------------------------------------------------------------------------------

BLOCK_ACTION = st.fixed_dictionaries(
    {
        "action_id": maybe(st.sampled_from(["dc:choice", "dc:date", "dc:step:done", "x"])),
        "block_id": maybe(st.sampled_from(["q:deal", "step:1", "b"])),
        "type": maybe(st.sampled_from(["button", "datepicker", "static_select", "timepicker"])),
        "value": maybe(st.sampled_from(["cmd:review", "cmd:list", "choice:done", "step:1:done"])),
        "selected_date": maybe(st.sampled_from(["2027-01-29", "1999-13-40", ""])),
    }
)
INTERACTIVE = st.fixed_dictionaries(
    {
        "type": maybe(
            st.sampled_from(["block_actions", "view_submission", "view_closed", "shortcut"])
        ),
        "user": maybe(st.fixed_dictionaries({"id": USER, "team_id": TEAM_ID})),
        "team": maybe(st.fixed_dictionaries({"id": TEAM_ID})),
        "api_app_id": maybe(st.just("A1")),
        "trigger_id": maybe(st.just("trig.fuzz")),
        "actions": maybe(st.lists(BLOCK_ACTION, max_size=2)),
        "container": maybe(
            st.fixed_dictionaries(
                {"type": maybe(st.sampled_from(["message", "view"])), "channel_id": USER}
            )
        ),
        "message": ANY,
        "view": maybe(
            st.fixed_dictionaries(
                {
                    "id": maybe(st.just("V1")),
                    "callback_id": maybe(st.sampled_from(["dc:settings", "other"])),
                    "state": maybe(
                        st.fixed_dictionaries({"values": st.dictionaries(TEXT, ANY, max_size=3)})
                    ),
                }
            )
        ),
    }
)
EVENT = st.fixed_dictionaries(
    {
        "type": maybe(st.sampled_from(["message", "app_home_opened", "app_mention", "x"])),
        "channel_type": maybe(st.sampled_from(["im", "channel"])),
        "user": USER,
        "text": maybe(TEXT),
        "channel": maybe(st.just("DU1")),
        "tab": maybe(st.sampled_from(["home", "messages"])),
        "subtype": maybe(st.none()),
    }
)
EVENT_CALLBACK = st.fixed_dictionaries(
    {
        "type": maybe(st.sampled_from(["event_callback", "url_verification", "app_rate_limited"])),
        "team_id": TEAM_ID,
        "api_app_id": maybe(st.just("A1")),
        "event": maybe(EVENT),
        "event_id": maybe(st.text(min_size=1, max_size=12)),
        "challenge": maybe(TEXT),
        "authorizations": ANY,
    }
)
COMMAND = st.fixed_dictionaries(
    {
        "command": st.sampled_from(["/dealreview", "/dealreview", "/other", ""]),
        "text": TEXT,
        "team_id": st.sampled_from([TEAM, "", "T?"]),
        "user_id": st.sampled_from(["U1", "U2", "", "UFUZZ"]),
        "channel_id": st.sampled_from(["C1", "DU1", ""]),
        "trigger_id": st.text(max_size=12),
        "response_url": st.sampled_from(["", "not a url"]),
    }
)


def _form(fields: dict[str, Any]) -> str:
    return urllib.parse.urlencode(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    )


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value)
    except RecursionError:  # json cannot write it either: send the nesting as text
        return "[" * 100_000 + "]" * 100_000


SLACK_BODY = mostly(
    st.one_of(
        COMMAND.map(lambda c: (_form(c), "application/x-www-form-urlencoded")),
        INTERACTIVE.map(
            lambda p: (_form({"payload": _dumps(p)}), "application/x-www-form-urlencoded")
        ),
        EVENT_CALLBACK.map(lambda e: (_dumps(e), "application/json")),
    ),
    st.one_of(
        ANY.map(lambda v: (_dumps(v), "application/json")),
        st.tuples(st.text(max_size=200), st.sampled_from(["text/plain", "application/json", ""])),
        st.just(("payload=%7Bnot+json", "application/x-www-form-urlencoded")),
    ),
)

# --- Teams ----------------------------------------------------------------------------------


def activity(service_url: str) -> st.SearchStrategy[str]:
    """An activity body: mostly one that names type, serviceUrl (ours, so replies land in the
    fake connector), conversation and sender the way Teams does, with anything in the rest;
    sometimes anything at all."""

    def account(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.fixed_dictionaries(
            {"id": plausible},
            optional={"name": maybe(TEXT, 8), "aadObjectId": USER},
        )

    conversation = st.fixed_dictionaries(
        {"id": st.sampled_from(["a:fuzz", "19:chan;messageid=1"])},
        optional={
            "conversationType": maybe(st.sampled_from(["personal", "channel", "groupChat"])),
            "tenantId": maybe(st.just("tenant-fuzz")),
            "isGroup": JSON,
        },
    )
    kind = st.sampled_from(
        ["message", "message", "conversationUpdate", "installationUpdate", "invoke"]
    )
    rest = {  # one wrong type anywhere is a 400 from the SDK, so wrong types are rarer here
        "id": maybe(st.text(min_size=1, max_size=10), 8),
        "channelId": maybe(st.just("msteams"), 8),
        "text": maybe(TEXT, 8),
        "value": JSON,  # deep nesting comes whole, below: here it would hide the rest
        "replyToId": maybe(st.text(max_size=10), 8),
        "membersAdded": maybe(
            st.lists(account(st.sampled_from(["28:bot", "29:x"])), max_size=2), 8
        ),
        "localTimezone": maybe(st.sampled_from(["Europe/Berlin", "Mars/Olympus"]), 8),
        "channelData": JSON,
        "action": maybe(st.sampled_from(["add", "remove"]), 8),
        "name": maybe(st.sampled_from(["adaptiveCard/action", "task/fetch"]), 8),
    }
    shaped = st.fixed_dictionaries(
        {
            "type": kind,
            "serviceUrl": st.just(service_url),
            "conversation": conversation,
            "from": account(st.sampled_from(["29:fuzz", "29:other"])),
            "recipient": account(st.just("28:bot")),
        },
        optional=rest,
    )
    loose = st.fixed_dictionaries(
        {},
        optional={
            "type": maybe(kind),
            "serviceUrl": st.one_of(st.just(service_url), st.none(), st.text("abc:/", max_size=8)),
            "conversation": maybe(conversation),
            "from": maybe(account(USER)),
            **rest,
        },
    )
    junk = st.one_of(
        loose.map(_dumps),
        ANY.map(_dumps),
        st.sampled_from(["null", "", "[]", "{", '"text"', "1e999", "[" * 5000]),
    )
    return mostly(shaped.map(_dumps), junk)


# --- the server under test ------------------------------------------------------------------


class LiveServer:
    """Our web app (Slack and Teams mounted), a fake Slack and a fake connector, on loopback,
    served from a thread of their own so a synchronous test (hypothesis) can call them."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.connector_url = ""
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._conn: http.client.HTTPConnection | None = None

    def __enter__(self) -> LiveServer:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the server did not start")
        return self

    def __exit__(self, *_exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self._ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        from aiohttp import web

        fake = FakeSlack()
        await fake.start()
        connector = await FakeConnector().start()
        self.connector_url = connector.url
        db = Database(f"sqlite:///{self.db_path}")
        db.migrate()
        settings: Settings = slack_settings(fake, teams_emulator=True)
        coach = Coach(db, clock=FakeClock(T0))
        runner = web.AppRunner(build_app(settings, db, coach), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def post(self, path: str, body: str, content_type: str, headers: dict[str, str]) -> int:
        """One POST on a kept-alive connection; the HTTP status."""
        data = body.encode("utf-8", "surrogatepass")
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self._conn.request(
                    "POST", path, body=data, headers={"Content-Type": content_type, **headers}
                )
                response = self._conn.getresponse()
                response.read()
                return response.status
            except (ConnectionError, http.client.HTTPException):
                self._conn.close()
                self._conn = None  # the server closed a kept-alive connection: open another
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def slack(self, body: str, content_type: str) -> int:
        return self.post("/slack/events", body, content_type, sign(body))

    def teams(self, body: str) -> int:
        return self.post("/api/messages", body, "application/json", {})
