"""The Slack front end: a bolt `AsyncApp` whose listeners turn Slack into neutral turns.

`/dealreview` is acknowledged at once and the review continues in the rep's DM with the
bot. Each listener writes its turn to the inbox journal (`Inbound`, storage/inbox.py),
acks, and hands the turn off (`hand_off`): under `serve` to the turn worker processes
that follow the journal (handlers/slack/worker.py), so the web process does nothing but
ack; otherwise (tests, ENGINE_PROCESSES=0) to a task of this event loop, with the
synchronous engine in a small thread pool. Either way `work` answers it.
Every delivery carries an idempotency key (event id, clicked block, submitted view), so
Slack's retries and double clicks take effect once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aiohttp
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.middleware import RequestVerification
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import extract_enterprise_id, extract_team_id, parse_body
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.signature import Clock as SignatureClock
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.access import STOP_WORDS
from bot.delivery import DeliveryError
from bot.engine import Coach
from bot.messages import File, Form, Mention, Outcome, Reply, Text, Turn, UserRef
from bot.tenants import Tenants
from config import Settings
from handlers.slack import text as slack_text
from handlers.slack import turns
from handlers.slack.budget import halves
from handlers.slack.client import (
    InstallationStore,
    StateStore,
    posting_client,
    retry_handlers,
    web_client,
)
from handlers.slack.delivery import SlackDelivery, tag
from handlers.slack.render import (
    FORM_CALLBACK,
    SETTINGS_CALLBACK,
    Message,
    Renderer,
    answered_card,
    chosen,
    form_view,
    home_away_view,
    home_view,
    open_form_button,
)
from storage.db import Database
from storage.inbox import Inbox

log = logging.getLogger(__name__)

COMMAND = "/dealreview"
UNINSTALL_EVENTS = ("app_uninstalled", "tokens_revoked")
BOT_SCOPES = ("commands", "chat:write", "im:history", "im:write", "users:read")
PROFILE_TTL = dt.timedelta(days=1)
ENGINE_THREADS = 2
ACKS_FIRST = 0.5  # seconds a turn may wait for a burst of acks to be answered
ACKED = "dealcoach_acked"  # context key: an asyncio.Event set once the HTTP ack is written
T = TypeVar("T")
_ANY = re.compile(r".*")

ON_IT = "On it: I've sent you a direct message."
SEND_FAILED = (
    "I couldn't send my last reply (Slack didn't accept it). Your answer is saved: "
    "type *review* to see where we are."
)
DM_FAILED = (
    "I couldn't open a direct message with you ({error}). Check that dealcoach is allowed "
    "to message you (Apps → dealcoach → Messages), then try `/dealreview` again."
)
DIGEST_HINT = (
    "Name the channel with its # so Slack links it, e.g. `/dealreview digest #sales-leads`, "
    "and invite me there first (`/invite @dealcoach`)."
)
CANT_POST = (
    "I can't post in {channel} yet ({error}): invite me there with `/invite @dealcoach`, "
    "otherwise the weekly digest will not arrive."
)
FILES_NOT_READ = (
    "I can't read files. Type your answer here instead (paste the few lines that matter "
    "if they are in a document); a comment you add to a file is read as your answer."
)
#: Message subtypes in the DM that are still the rep writing to us: a file with a comment,
#: a thread reply also sent to the conversation.
ANSWER_SUBTYPES = ("file_share", "thread_broadcast")
CHANNEL_HELLO = (
    "I'll post the weekly deal digest here. Managers: `/dealreview team` lists who is in it."
)


class _QuietTokenNotice(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN itself and warns that our client's token wins; it does
    (the client carries the same token plus our base URL and retries), so the warning only
    confuses whoever starts the server."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


BOLT_LOG = logging.getLogger("dealcoach.slack.bolt")
BOLT_LOG.addFilter(_QuietTokenNotice())


@dataclasses.dataclass
class Profile:
    ref: UserRef
    checked: dt.datetime


@dataclasses.dataclass
class Inbound:
    """One turn a listener acknowledges, as Slack sent it: what the inbox journal keeps
    until it is answered. `kind` is command (raw: name, args; `shared` outside our DM, where
    users.info decides whether the user is a Slack Connect buyer), message (raw: text, user_team) or click (raw: value), or a buyer's
    form (raw: form_id, values as JSON); decoding mentions and asking users.info whether
    a Slack Connect user is a buyer need the Web API, so they happen after the ack.

    `channel` is where the replies go (None: the user's DM); `conversation` is the
    conversation the turn came from when it is not the DM (`Turn.channel`: where
    `share DEAL` posts, where a buyer is answered); `external` marks a buyer known from
    the payload itself (`user.team_id` is another workspace's). `thread` is the thread the
    user wrote in (its `thread_ts`): the replies go there too."""

    team_id: str
    user_id: str
    kind: str
    raw: dict[str, str]
    key: str | None = None
    channel: str | None = None
    conversation: str | None = None
    external: bool = False
    thread: str | None = None
    #: what answering needs beyond the turn: a command's trigger id and response URL; a
    #: click's trigger id, container, action and the clicked message (to retire its question)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inbound:
        return cls(**data)


def reply_key(key: str, attempt: int) -> str:
    """What the answer to turn `key` is tagged with in Slack (message metadata, the
    outbox's tag, `delivery.tag`): opaque, as anyone who reads the message's metadata sees
    it; `attempt` counts the answers begun (a replay's is the second)."""
    return f"turn:{hashlib.sha256(key.encode()).hexdigest()[:24]}:{attempt}"


@dataclasses.dataclass(frozen=True)
class Tagged:
    """An answer that is posted tagged: the journal's key of the turn, and the reply key
    its parts carry (the journal notes the reply key before the first part leaves)."""

    key: str
    reply: str


class _ProductClock(SignatureClock):
    """slack_sdk's signature clock (epoch seconds) read from the product's clock."""

    def __init__(self, clock: Callable[[], dt.datetime]) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock().timestamp()


def _signature_verifier(bolt: AsyncApp) -> SignatureVerifier | None:
    """The verifier bolt's request verification uses (None: verification is off), so a
    request acked without bolt (`SlackFrontend.ack_directly`) is checked by the same one."""
    for middleware in bolt._async_middleware_list:
        if isinstance(middleware, RequestVerification):
            return middleware.verifier
    return None


def _check_signatures_with(bolt: AsyncApp, secret: str, clock: Callable[[], dt.datetime]) -> None:
    """Make bolt's own request verification (still first in its middleware, before any
    authorization) compare Slack's timestamps with `clock` instead of the system time.
    The window stays Slack's 5 minutes: only where "now" comes from changes."""
    found = [m for m in bolt._async_middleware_list if isinstance(m, RequestVerification)]
    if not found:
        if secret:  # verification is on: a bolt that moved it must fail here, not go unchecked
            raise RuntimeError("bolt's request verification middleware was not found")
        return
    for middleware in found:
        middleware._verifier = SignatureVerifier(secret, clock=_ProductClock(clock))


class SlackFrontend:
    """Owns the bolt app and what its listeners share: the coach, caches, the renderer."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        coach: Coach,
        handlers: list[AsyncRetryHandler] | None = None,
        inbox: Inbox | None = None,
        worker_fed: bool = False,
        signature_clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        """`inbox`: where turns are written down before they are acked (None: nowhere).
        `worker_fed`: turn worker processes answer what the journal receives
        (handlers/slack/worker.py); this process only acks (needs `inbox`).
        `signature_clock`: the clock Slack's signature timestamps are checked against (the
        5-minute window); `serve` passes the product clock, so `--now`/DEALCOACH_NOW moves
        it too. None: the system time, as bolt does."""
        self.settings = settings
        self.inbox = inbox
        self.worker_fed = worker_fed and inbox is not None
        self.coach = coach
        self.handlers = handlers if handlers is not None else retry_handlers()
        self.profiles: dict[tuple[str, str], Profile] = {}
        self.dm_channels: dict[tuple[str, str], str] = {}
        self.installations: InstallationStore | None = None
        oauth: AsyncOAuthSettings | None = None
        token = settings.slack_bot_token
        if settings.slack_oauth_enabled:
            assert settings.slack_client_id and settings.slack_client_secret
            self.installations = InstallationStore(settings.slack_client_id, db.engine)
            oauth = AsyncOAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                scopes=list(BOT_SCOPES),
                installation_store=self.installations,
                state_store=StateStore(db.engine),
                install_path="/slack/install",
                redirect_uri_path="/slack/oauth_redirect",
            )
            token = None
        self.client = web_client(token, settings.slack_api_url, self.handlers)
        self.bolt = AsyncApp(
            signing_secret=settings.slack_signing_secret or "",
            request_verification_enabled=bool(settings.slack_signing_secret),
            client=self.client,
            oauth_settings=oauth,
            # True: bolt answers as soon as a listener returns, where False polls every
            # 10 ms for the ack (most of a quiet ack's time); the slow part of each
            # listener runs as a task of its own (`later`).
            process_before_response=True,
            logger=BOLT_LOG,
        )
        if signature_clock is not None:
            _check_signatures_with(self.bolt, settings.slack_signing_secret or "", signature_clock)
        self.verifier = _signature_verifier(self.bolt) if settings.slack_signing_secret else None
        self.tenants = Tenants(db, clock=coach.clock)
        #: (org, team) of workspaces whose requests bolt has verified and authorized in this
        #: process, with their tenant noted: their signed /dealreview is acked without bolt
        self.admitted: set[tuple[str | None, str]] = set()
        self.delivery = SlackDelivery(self.client_for)
        self.inflight = 0
        #: shared memory the turn workers read (handlers/slack/worker.py): requests waiting
        #: for their ack in this process, so the workers start no turn mid-burst
        self.acks_pending: Any = None
        self.quiet = asyncio.Event()
        self.quiet.set()
        self.pool = ThreadPoolExecutor(max_workers=ENGINE_THREADS, thread_name_prefix="slack-turn")
        self.tasks: set[asyncio.Task[Any]] = set()
        #: (team, user) -> that user's newest turn task: their turns run in delivery order
        self.last_turn: dict[tuple[str, str], asyncio.Task[Any]] = {}
        self._register()

    async def after_ack(self, context: Any) -> None:
        """Acks first: start a turn only once Slack has its answer, and not mid-burst.

        Waits until our own HTTP ack is on the wire, then (at most ACKS_FIRST seconds) until
        no other request is waiting for its ack, so the turn's CPU time does not delay
        Slack's 3-second ack of the others. Outside bursts this returns at once; in Socket
        Mode there is no HTTP ack to wait for.
        """
        acked = context.get(ACKED) if context is not None else None
        if acked is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(acked.wait(), timeout=3)
        if self.inflight:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.quiet.wait(), ACKS_FIRST)

    def later(self, work: Coroutine[Any, Any, Any], inbound: Inbound | None = None) -> None:
        """Run the slow part of a listener after it returns, so bolt answers Slack at once.

        One user's turns run in the order Slack delivered them (a double click: the first
        click wins, as it did when turns ran before the ack); other users' run alongside.
        A task cut short by a shutdown or a kill is in the inbox journal and is answered
        by the next server; an error is logged here, since no one awaits the task.
        """
        who = (inbound.team_id, inbound.user_id) if inbound is not None else None
        before = self.last_turn.get(who) if who is not None else None

        async def in_order() -> Any:
            if before is not None:
                await asyncio.wait({before})  # its outcome is its own: never raises here
            return await work

        task = asyncio.create_task(in_order())
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        if who is not None:
            self.last_turn[who] = task
            task.add_done_callback(
                lambda t: self.last_turn.pop(who, None) if self.last_turn.get(who) is t else None
            )

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Slack listener failed after its ack", exc_info=task.exception())

    async def engine(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a synchronous call (the engine, the database) in our small thread pool."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    def request_started(self) -> None:
        self.inflight += 1
        self.quiet.clear()
        if self.acks_pending is not None:
            self.acks_pending.value = self.inflight

    def request_answered(self) -> None:
        self.inflight -= 1
        if not self.inflight:
            self.quiet.set()
        if self.acks_pending is not None:
            self.acks_pending.value = self.inflight

    # --- wiring -----------------------------------------------------------------------

    def _register(self) -> None:
        app = self.bolt
        app.command(COMMAND)(self.on_command)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)
        app.event("app_uninstalled")(self.on_uninstalled)
        app.event("tokens_revoked")(self.on_tokens_revoked)
        app.use(_NoteTenant(self))
        app.action(re.compile(r"^dc:"))(self.on_action)
        app.view(SETTINGS_CALLBACK)(self.on_settings_submit)
        app.view(FORM_CALLBACK)(self.on_settings_submit)
        app.view_closed(_ANY)(self.on_ignored)
        app.event(_ANY)(self.on_ignored)  # anything else we are subscribed to: ack, nothing
        app.error(self.on_error)

    async def client_for(self, team_id: str) -> AsyncWebClient:
        """The bot's client for a workspace (proactive delivery has no request to borrow one from).

        Found the way bolt's authorize finds it: by the workspace's Enterprise Grid org and
        team id, then the org-wide install (which has no team id); `note_tenant` records
        each workspace's org as its requests arrive.
        """
        if self.installations is None:
            return self.client
        org = await self.engine(self.tenants.enterprise_of, turns.workspace_id(team_id))
        bot = await self.installations.async_find_bot(
            enterprise_id=org, team_id=team_id, is_enterprise_install=False
        )
        if (bot is None or not bot.bot_token) and org:
            bot = await self.installations.async_find_bot(
                enterprise_id=org, team_id=None, is_enterprise_install=True
            )
        if bot is None or not bot.bot_token:
            raise LookupError(team_id)
        client = web_client(bot.bot_token, self.settings.slack_api_url, self.handlers)
        client.session = self.client.session
        return client

    async def note_tenant(self, context: Any, body: Any, next: Any) -> Any:  # noqa: A002
        """Middleware: remember each workspace's Grid org (and that it is installed)."""
        team = context.team_id if context is not None else None
        event = (body.get("event") or {}) if isinstance(body, dict) else {}
        if team and self.tenants.is_noted(turns.workspace_id(team), context.enterprise_id):
            # The usual case, on every request: nothing to write. Bolt's verification and
            # authorization passed to get here, so `ack_directly` may take this team's
            # next commands (bolt's single-team authorization never changes its mind).
            self.admitted.add((context.enterprise_id, team))
            return await next()
        if team and event.get("type") not in UNINSTALL_EVENTS:
            ws, org = turns.workspace_id(team), context.enterprise_id
            if not self.tenants.is_noted(ws, org):
                try:
                    await self.engine(self.tenants.note_enterprise, ws, org)
                except Exception:  # bookkeeping must not cost the user their request
                    log.warning("could not record the org of %s", ws, exc_info=True)
            if self.tenants.is_noted(ws, org):
                self.admitted.add((org, team))
        return await next()

    async def ack_directly(
        self, body: str, headers: Mapping[str, str], acked: asyncio.Event
    ) -> BoltResponse | None:
        """The ack of a signed `/dealreview` from an admitted workspace, given without bolt's
        dispatch; None: bolt answers the request (anything else, or anything in doubt).

        Bolt spends most of a command's ack on per-request machinery this ack does not need
        (a context and a Web API client per request, its middleware chain, listener
        matching, argument injection): with it our ack cost 1.3x the CPU of a bare bolt
        app's, which under load is the ratio of their latencies (bench/slack_ack.py). What
        the ack does need is kept, with bolt's own parts: the signature and its 5-minute
        window are checked by bolt's verifier (the product clock under `serve`), the body
        is parsed by bolt's parser, the workspace must have passed bolt's authorization and
        our tenant middleware in this process (`admitted`; the first command of each
        workspace goes through bolt), and the command is turned into a turn, journaled
        and acked by the same code as bolt's listener (`command_turn`). OAuth installs
        are left to bolt, which looks the installation up on every request.
        """
        if (
            self.verifier is None
            or self.installations is not None
            or "command=" not in body
            # only the form body Slack sends a command with: bolt's parser reads a JSON
            # body, or any form with "payload" in it, as something else
            or "payload" in body
            or body.startswith("{")
            or headers.get("Content-Type") == "application/json"
        ):
            return None
        timestamp = headers.get("X-Slack-Request-Timestamp")
        signature = headers.get("X-Slack-Signature")
        if not timestamp or not signature or not self.verifier.is_valid(body, timestamp, signature):
            return None  # bolt refuses it with its 401 (and logs why)
        payload = parse_body(body, None)  # a form: every value a string
        if payload.get("command") != COMMAND or "ssl_check" in payload:
            return None
        # as bolt's context holds them: an empty field is no org (a workspace not on Grid)
        team, org = extract_team_id(payload), extract_enterprise_id(payload) or None
        if not team or (org, team) not in self.admitted:
            return None
        inbound, reply = self.command_turn(payload)
        if inbound is None or inbound.key is None:
            return None
        self.received(inbound)
        ack = AsyncAck()
        response = await ack(**reply)
        # single-team: bolt's per-request client would be this one's copy (same token)
        self.hand_off(inbound, self.client, {ACKED: acked})
        return response

    async def on_uninstalled(self, context: Any) -> None:
        """app_uninstalled: forget the tokens (as bolt's own listener does), stop scheduling."""
        if self.installations is not None:
            await self.installations.async_delete_all(
                enterprise_id=context.enterprise_id, team_id=context.team_id
            )
        await self._stopped(context, "the app was uninstalled")

    async def on_tokens_revoked(self, event: dict[str, Any], context: Any) -> None:
        """tokens_revoked: users' tokens are forgotten; a revoked bot token stops scheduling."""
        tokens = event.get("tokens") or {}
        if self.installations is not None:
            for user_id in tokens.get("oauth") or []:
                await self.installations.async_delete_installation(
                    enterprise_id=context.enterprise_id, team_id=context.team_id, user_id=user_id
                )
            if tokens.get("bot"):
                await self.installations.async_delete_bot(
                    enterprise_id=context.enterprise_id, team_id=context.team_id
                )
        if tokens.get("bot"):
            await self._stopped(context, "the bot token was revoked")

    async def _stopped(self, context: Any, why: str) -> None:
        team = context.team_id
        ws = turns.workspace_id(team) if team else None
        flagged = await self.engine(self.tenants.uninstalled, ws, context.enterprise_id, why)
        # its next command goes through bolt again (so does one whose tenant is not noted)
        self.admitted = {a for a in self.admitted if turns.workspace_id(a[1]) not in flagged}
        log.warning(
            "Slack %s: %s; schedules stopped for %s", team or context.enterprise_id, why, flagged
        )

    async def on_ignored(self, ack: Any) -> None:
        await ack()

    async def on_error(self, error: Exception, body: Any) -> BoltResponse | None:
        """A payload missing what Slack always sends is a bad request (400), not our crash."""
        if isinstance(error, KeyError | TypeError | ValueError | AttributeError):
            log.warning("malformed Slack payload (%s: %s)", type(error).__name__, error)
            return BoltResponse(status=400, body="malformed payload")
        log.error("Slack listener failed: %r", error, exc_info=error)
        return None

    # --- who is speaking --------------------------------------------------------------

    async def who(self, client: AsyncWebClient, team_id: str, user_id: str) -> UserRef:
        """The user with name and time zone from users.info, looked up at most once a day."""
        key = (team_id, user_id)
        now = self.coach.clock()
        cached = self.profiles.get(key)
        if cached and now - cached.checked < PROFILE_TTL:
            return cached.ref
        bare = UserRef(turns.workspace_id(team_id), user_id)
        checked = await self.engine(self.coach.profile_checked_at, bare)
        if checked is not None and now - checked < PROFILE_TTL:
            self.profiles[key] = Profile(bare, checked)
            return bare
        try:
            info = (await client.users_info(user=user_id))["user"]
        except (TimeoutError, SlackApiError, SlackClientError) as exc:
            log.warning("users.info failed for %s/%s: %s", team_id, user_id, exc)
            return bare
        return await self.remember_profile(team_id, user_id, info)

    async def remember_profile(self, team_id: str, user_id: str, info: dict[str, Any]) -> UserRef:
        """Store and cache one of our users' profile from a users.info `user` object."""
        profile = info.get("profile") or {}
        bare = UserRef(turns.workspace_id(team_id), user_id)
        now = self.coach.clock()
        ref = UserRef(
            bare.workspace_id,
            user_id,
            display_name=profile.get("display_name")
            or info.get("real_name")
            or info.get("name")
            or "",
            timezone=info.get("tz") or None,
            is_admin=bool(
                info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner")
            ),
        )
        await self.engine(self.coach.save_profile, ref)
        self.profiles[(team_id, user_id)] = Profile(ref, now)
        return ref

    async def decode(
        self, client: AsyncWebClient, team_id: str, raw: str
    ) -> tuple[str, tuple[Mention, ...]]:
        """Slack text as plain text plus the colleagues it mentions (names from users.info)."""
        ids = slack_text.user_ids(raw)
        names: dict[str, str] = {}
        for uid in ids:
            ref = await self.who(client, team_id, uid)
            if ref.display_name:
                names[uid] = ref.display_name
        missing = [uid for uid in ids if uid not in names]
        if missing:
            stored = await self.engine(
                self.coach.display_names, turns.workspace_id(team_id), missing
            )
            names.update(stored)
        mentions = tuple(Mention(uid, names.get(uid, uid)) for uid in ids)
        return slack_text.decode(raw, names), mentions

    async def tell_others(self, team_id: str, outcome: Outcome, rename: dict[str, str]) -> None:
        """Deliver the outcome's notices (a moved digest, a rep added); failures only log."""
        for notice in outcome.notices:
            replies: list[Reply] = [
                Text(_renamed(r.text, rename), r.tone) if isinstance(r, Text) else r
                for r in notice.replies
            ]
            try:
                await self.delivery.to_user(turns.workspace_id(team_id), notice.user_id, replies)
            except (DeliveryError, SlackApiError, SlackClientError) as exc:
                log.warning("notice to %s/%s failed: %s", team_id, notice.user_id, exc)

    async def check_channel(
        self, client: AsyncWebClient, team_id: str, user_id: str, channel: str
    ) -> None:
        """Say hello in a new digest channel now, so a bot that isn't in it is told today."""
        try:
            await client.chat_postMessage(channel=channel, text=CHANNEL_HELLO)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response else str(exc)
            log.info("digest channel %s/%s not postable: %s", team_id, channel, error)
            await self.send(
                client,
                team_id,
                user_id,
                [Text(CANT_POST.format(channel=channel, error=error), "warning")],
                rewrite={channel: f"<#{channel}>"},
            )

    async def turn(self, client: AsyncWebClient, team_id: str, user_id: str, **kw: Any) -> Outcome:
        who = await self.who(client, team_id, user_id)
        return await self.engine(self.coach.handle, Turn(user=who, **kw))

    # --- buyers (Slack Connect users) on a shared plan: bot/share.py ----------------------

    async def is_external(
        self, client: AsyncWebClient, team_id: str, user_id: str, user_team: str | None
    ) -> bool:
        """Whether the user's own workspace is not the installing one (users.info `team_id`
        when the payload does not say). Someone whose profile we cached today is ours
        (only our users' profiles are cached); one found ours here has their profile
        cached, so the turn that follows asks users.info no second time."""
        if user_team:
            return user_team != team_id
        cached = self.profiles.get((team_id, user_id))
        if cached and self.coach.clock() - cached.checked < PROFILE_TTL:
            return False
        try:
            info = (await client.users_info(user=user_id))["user"]
        except (TimeoutError, SlackApiError, SlackClientError) as exc:
            log.warning("users.info failed for %s/%s: %s", team_id, user_id, exc)
            return True  # unknown in a channel: treat as a buyer, who can do least
        if (info.get("team_id") or team_id) != team_id:
            return True
        await self.remember_profile(team_id, user_id, info)
        return False

    async def is_buyer(self, client: AsyncWebClient, inbound: Inbound) -> bool:
        """Whether an acked turn is a buyer's: a click or modal from another workspace's user
        (known from the payload), or a command in a Slack Connect channel by a user who is
        not ours (users.info, asked after the ack)."""
        if inbound.external:
            return True
        if inbound.kind == "command" and inbound.raw.get("shared"):
            team = inbound.raw.get("user_team") or None
            return await self.is_external(client, inbound.team_id, inbound.user_id, team)
        return False

    async def as_buyer(
        self,
        client: AsyncWebClient,
        inbound: Inbound,
        replay: bool = False,
        trigger_id: str | None = None,
    ) -> Outcome:
        """A buyer's acked turn (a click, a modal, a command), answered where they are
        (`inbound.conversation`); the journal then marks it answered. Their profile is read
        for their name but never stored as one of our users. Replayed after a restart, a
        turn that already took effect is not answered again: a buyer has no review to
        resume, and an unsent update of the shared post goes out after the next turn."""
        team_id, user_id, raw = inbound.team_id, inbound.user_id, inbound.raw
        name = ""
        try:
            info = (await client.users_info(user=user_id))["user"]
            profile = info.get("profile") or {}
            name = profile.get("display_name") or info.get("real_name") or info.get("name") or ""
        except (TimeoutError, SlackApiError, SlackClientError) as exc:
            log.warning("users.info failed for buyer %s/%s: %s", team_id, user_id, exc)
        kw: dict[str, Any]
        if inbound.kind == "click":
            kw = {"value": raw["value"]}
        elif inbound.kind == "form":
            kw = {"form": json.loads(raw["values"]), "form_id": raw["form_id"]}
        else:  # a command, as typed: a buyer's commands are refused, so nothing is decoded
            kw = {"command": raw.get("name", ""), "args": raw.get("args", "")}
        who = UserRef(turns.workspace_id(team_id), user_id, display_name=name)
        channel = inbound.conversation
        turn = Turn(user=who, external=True, channel=channel, event_id=inbound.key, **kw)
        outcome = await self.engine(self.coach.handle, turn)
        if outcome.duplicate and not replay:
            return outcome  # the first delivery is answering it
        try:
            await self.buyer_after(client, team_id, user_id, channel, outcome, trigger_id)
        finally:
            self._answered(inbound)
        return outcome

    async def buyer_after(
        self,
        client: AsyncWebClient,
        team_id: str,
        user_id: str,
        channel: str | None,
        outcome: Outcome,
        trigger_id: str | None = None,
    ) -> None:
        """Answer a buyer only where they are (an ephemeral message, or the modal to propose
        a date), tell the rep, and update the shared plan."""
        if outcome.duplicate:
            return
        for form in [r for r in outcome.replies if isinstance(r, Form)]:
            if trigger_id:
                await self.open_form(client, trigger_id, form)
        messages = Renderer().messages(outcome.replies)
        if channel:
            for msg in messages:
                try:
                    await client.chat_postEphemeral(
                        channel=channel, user=user_id, text=msg.text, blocks=msg.blocks
                    )
                except SlackApiError as exc:
                    log.warning("ephemeral to buyer %s failed: %s", user_id, exc)
        await self.tell_others(team_id, outcome, {})
        await self.publish_shares(client, team_id, outcome)

    async def publish_shares(self, client: AsyncWebClient, team_id: str, outcome: Outcome) -> None:
        """Post a newly shared plan, or update the posted one in place (chat.update)."""
        for post in outcome.shares:
            messages = Renderer().messages(list(post.replies))
            if not messages:
                continue
            msg = messages[0]
            try:
                if post.message_id:
                    try:
                        await client.chat_update(
                            channel=post.channel,
                            ts=post.message_id,
                            text=msg.text,
                            blocks=msg.blocks,
                        )
                        await self.engine(
                            self.coach.shared_posted, post.share_id, post.message_id, post.rendered
                        )
                        continue
                    except SlackApiError as exc:
                        if not exc.response or exc.response.get("error") != "message_not_found":
                            raise
                sent = await client.chat_postMessage(
                    channel=post.channel, text=msg.text, blocks=msg.blocks
                )
                await self.engine(
                    self.coach.shared_posted, post.share_id, str(sent["ts"]), post.rendered
                )
            except SlackApiError as exc:
                log.warning(
                    "shared plan %s in %s/%s not posted: %s",
                    post.share_id,
                    team_id,
                    post.channel,
                    exc.response.get("error"),
                )

    # --- acked, then answered ---------------------------------------------------------

    def received(self, inbound: Inbound) -> None:
        """Write the turn down before its ack leaves, so a killed server still answers it."""
        if self.inbox is not None and inbound.key:
            # vars, not dataclasses.asdict: no deep copy on the ack's path (json copies it)
            self.inbox.received(inbound.key, dict(vars(inbound)), self.coach.clock())

    async def prepare(
        self,
        client: AsyncWebClient,
        inbound: Inbound,
        respond: Any = None,
        tagged: Tagged | None = None,
    ) -> tuple[dict[str, Any], dict[str, str], dict[str, str]] | None:
        """Turn fields, link rewrites and channel names for what Slack sent; None when a
        hint was the whole answer (a digest command naming no channel). `tagged`: the
        journal notes that the hint began to leave (Slack cannot show it to a replay)."""
        if inbound.kind == "click":
            return {"value": inbound.raw["value"]}, {}, {}
        raw = inbound.raw.get("args" if inbound.kind == "command" else "text", "")
        plain, mentions = await self.decode(client, inbound.team_id, raw)
        channel = None
        if inbound.kind == "command":
            fields: dict[str, Any] = {"command": inbound.raw["name"], "args": plain}
            if inbound.raw["name"] == "digest":
                channel = turns.digest_channel(raw)
                words = plain.split()
                if channel is not None:
                    fields["args"] = channel
                elif words and words[0].lower() in STOP_WORDS:
                    fields["args"] = "off"
                elif words:
                    if respond is not None:
                        if tagged is not None and self.inbox is not None:
                            self.inbox.posting(tagged.key, tagged.reply)
                        await respond(text=DIGEST_HINT, response_type="ephemeral")
                    return None
        else:
            fields = {"text": plain}
            channel = turns.digest_channel(raw) if plain.lower().startswith("digest ") else None
            if channel:  # typed "digest #sales" in the DM: the channel id, not its name
                fields = {"command": "digest", "args": channel}
        if inbound.conversation:
            fields["channel"] = inbound.conversation
        user_team = inbound.raw.get("user_team")
        if inbound.kind == "message" and user_team and user_team != inbound.team_id:
            fields["external"] = True  # a Slack Connect user writing to us: a buyer
        rewrite = {channel: f"<#{channel}>"} if channel else {}
        rename = turns.channel_names(raw) if channel or inbound.kind == "message" else {}
        return {**fields, "mentions": mentions}, rewrite, rename

    async def answer(
        self,
        client: AsyncWebClient,
        inbound: Inbound,
        replay: bool = False,
        applied: Callable[[Outcome], Awaitable[Outcome]] | None = None,
        respond: Any = None,
        replies: list[str] | None = None,
        **send: Any,
    ) -> Outcome | None:
        """Run an acked turn and send its replies; the journal then marks it answered.

        `applied` runs between the turn and its replies (a click retires its buttons or
        updates its card in place) and returns the outcome whose replies are still to be
        sent. A message that is only a file gets `FILES_NOT_READ`. On a
        replay at startup, a turn that took effect before the kill (its key is taken) but
        whose replies never left is answered with where the review now stands; if its
        answer had begun to leave (`replies`: the reply keys the journal noted) and Slack
        has every part of it (`reply_in_slack`), nothing more is posted.
        A buyer's turn is answered by `as_buyer`. Raises SlackApiError when the DM cannot
        be sent.
        """
        tagged = self.tagged(inbound, replies)
        if await self.is_buyer(client, inbound):
            return await self.as_buyer(client, inbound, replay, send.get("trigger_id"))
        if replay and respond is None and not replies and inbound.extra.get("response_url"):
            # No answer had begun: one that goes to the response URL (the digest hint, the
            # command's whole answer) may still go there, once (Slack keeps it 30 minutes).
            respond = AsyncRespond(response_url=str(inbound.extra["response_url"]))
        shared = inbound.raw.get("shared") and inbound.raw.get("name") != "settings"
        if shared and respond and not replay:  # "On it" is not worth a second one on a replay
            await respond(text=ON_IT, response_type="ephemeral")  # acked plainly: maybe a buyer
        if (
            inbound.kind == "message"
            and inbound.raw.get("files")
            and not inbound.raw["text"].strip()
        ):
            if replay and replies and await self.reply_in_slack(client, inbound, replies):
                self._answered(inbound)  # the note about files left before the kill
                return None
            try:  # a file alone: nothing for the engine to read
                await self.send(
                    client,
                    inbound.team_id,
                    inbound.user_id,
                    [Text(FILES_NOT_READ, "warning")],
                    channel=inbound.channel,
                    thread_ts=inbound.thread,
                    tagged=tagged,
                )
            finally:
                self._answered(inbound)
            return None
        prepared = await self.prepare(client, inbound, respond, tagged)
        if prepared is None:
            self._answered(inbound)
            return None
        fields, rewrite, rename = prepared
        outcome = await self.turn(
            client, inbound.team_id, inbound.user_id, event_id=inbound.key, **fields
        )
        if outcome.duplicate and not replay:
            return outcome  # the first delivery is answering it
        try:
            if (
                outcome.duplicate
                and replies
                and await self.reply_in_slack(client, inbound, replies)
            ):
                log.info("%s was answered before the restart: nothing more to post", inbound.key)
                return outcome
            if outcome.duplicate:
                outcome = await self.turn(
                    client,
                    inbound.team_id,
                    inbound.user_id,
                    command="review",
                    event_id=f"{inbound.key}:replayed",
                )
            if not outcome.duplicate:
                await self.tell_others(inbound.team_id, outcome, rename)
                await self.publish_shares(client, inbound.team_id, outcome)
                shown = outcome
                if applied is not None and not replay:
                    shown = await applied(outcome)
                await self.after(
                    client,
                    inbound.team_id,
                    inbound.user_id,
                    shown,
                    channel=inbound.channel,
                    rewrite=rewrite or None,
                    thread_ts=inbound.thread,
                    tagged=tagged,
                    **send,
                )
                if outcome.digest_channel:
                    await self.check_channel(
                        client, inbound.team_id, inbound.user_id, outcome.digest_channel
                    )
        finally:  # answered, or failed in a way the log and the user were told about
            self._answered(inbound)
        return outcome

    def _answered(self, inbound: Inbound) -> None:
        if self.inbox is not None and inbound.key:
            self.inbox.answered(inbound.key)

    def tagged(self, inbound: Inbound, replies: list[str] | None) -> Tagged | None:
        """How this answer is tagged in Slack: the next reply key of the turn (None without
        a journal to note it in)."""
        if self.inbox is None or not inbound.key:
            return None
        return Tagged(inbound.key, reply_key(inbound.key, len(replies or ()) + 1))

    async def reply_in_slack(
        self, client: AsyncWebClient, inbound: Inbound, replies: list[str]
    ) -> bool:
        """Whether an answer the journal says began to leave (`replies`) is in Slack, whole:
        every part tagged with one of those reply keys among the latest messages where it
        went (`SlackDelivery.posted_under`, the outbox's own check). False when Slack cannot
        say (a channel we cannot read, the Web API away): the turn is answered again then,
        as the outbox sends again."""
        try:
            channel = inbound.channel or await self.dm(client, inbound.team_id, inbound.user_id)
            found = await self.delivery.posted_under(
                client,
                inbound.team_id,
                channel,
                list(reversed(replies)),
                thread_ts=inbound.thread,
                oldest=inbound.raw.get("ts") if inbound.thread else None,
            )
        except (SlackApiError, SlackClientError, TimeoutError, aiohttp.ClientError) as exc:
            log.warning(
                "could not tell whether the answer to %s reached Slack before the restart "
                "(%s): answering it again",
                inbound.key,
                exc,
            )
            return False
        return found is not None

    async def replay(self) -> int:
        """Answer what a killed process acknowledged and never answered; returns how many."""
        if self.inbox is None:
            return 0
        pending = self.inbox.pending("slack:")
        for p in pending:
            log.info("answering %s, acknowledged before a restart", p.key)
            try:
                await self.work(Inbound.from_dict(p.turn), replay=True, replies=p.replies)
            except Exception:
                log.exception("could not answer %s after the restart", p.key)
        return len(pending)

    # --- sending ----------------------------------------------------------------------

    async def dm(self, client: AsyncWebClient, team_id: str, user_id: str) -> str:
        key = (team_id, user_id)
        if key not in self.dm_channels:
            opened = await client.conversations_open(users=user_id)
            self.dm_channels[key] = opened["channel"]["id"]
        return self.dm_channels[key]

    async def send(
        self,
        client: AsyncWebClient,
        team_id: str,
        user_id: str,
        replies: list[Reply],
        channel: str | None = None,
        trigger_id: str | None = None,
        rewrite: dict[str, str] | None = None,
        thread_ts: str | None = None,
        tagged: Tagged | None = None,
    ) -> None:
        """Post one turn's replies to the DM (in `thread_ts` when the user wrote in a thread);
        a Form opens as a modal when we have a trigger. `tagged`: see `post_messages`."""
        forms = [r for r in replies if isinstance(r, Form)]
        messages = Renderer().messages(replies)
        for form in forms:
            if trigger_id and await self.open_form(client, trigger_id, form):
                continue
            messages.append(Message(form.title, open_form_button(form)))
        if rewrite:
            messages = [_rewrite(m, rewrite) for m in messages]
        if not messages:
            return
        channel = channel or await self.dm(client, team_id, user_id)
        await self.post_messages(client, team_id, user_id, channel, messages, thread_ts, tagged)
        files = [r for r in replies if isinstance(r, File)]
        if files:
            await self.upload(client, channel, files)

    async def upload(self, client: AsyncWebClient, channel: str, files: list[File]) -> None:
        """Files (the plan export) through files.getUploadURLExternal, the upload URL and
        files.completeUploadExternal (slack_sdk's files_upload_v2)."""
        try:
            await client.files_upload_v2(
                channel=channel,
                file_uploads=[
                    {"content": f.content, "filename": f.filename, "title": f.title or f.filename}
                    for f in files
                ],
            )
        except (SlackApiError, SlackClientError) as exc:
            log.error("file upload to %s failed: %s", channel, exc)
            await self._tell_failure(client, channel)

    async def post_messages(
        self,
        client: AsyncWebClient,
        team_id: str,
        user_id: str,
        channel: str,
        messages: list[Message],
        thread_ts: str | None = None,
        tagged: Tagged | None = None,
    ) -> None:
        """Post `messages` in order. `tagged`: the journal first notes the reply key, and
        each part carries it in its metadata (as the outbox tags its parts), so a replay
        after a kill between the post and the journal's mark finds it (`reply_in_slack`)."""
        poster = posting_client(client)  # a 5xx may have posted it: tell the rep, not post twice
        where: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        parts = len(messages)
        pending = [(str(i), m) for i, m in enumerate(messages)]
        if tagged is not None and self.inbox is not None and pending:
            self.inbox.posting(tagged.key, tagged.reply)
        while pending:
            label, msg = pending.pop(0)
            if tagged is not None:
                where["metadata"] = tag(tagged.reply, label, parts)
            try:
                await poster.chat_postMessage(
                    channel=channel, text=msg.text, blocks=msg.blocks, **where
                )
            except SlackApiError as exc:
                split = halves(msg) if exc.response.get("error") == "msg_blocks_too_long" else []
                if len(split) > 1:  # Slack counts differently from our budget: split, retry
                    pending[:0] = [(f"{label}.{i}", half) for i, half in enumerate(split)]
                    continue
                log.error(
                    "chat.postMessage failed team=%s user=%s channel=%s: %s",
                    team_id,
                    user_id,
                    channel,
                    exc.response.get("error") if exc.response else exc,
                )
                await self._tell_failure(client, channel, thread_ts)
                return

    async def update_message(
        self, client: AsyncWebClient, channel: str, ts: str, msg: Message
    ) -> bool:
        """chat.update one of our messages; False (logged) when Slack refused it: the message
        is gone (message_not_found), not ours (cant_update_message), or too long."""
        try:
            await client.chat_update(channel=channel, ts=ts, text=msg.text, blocks=msg.blocks)
            return True
        except SlackApiError as exc:
            log.warning(
                "chat.update of %s in %s failed: %s", ts, channel, exc.response.get("error")
            )
            return False

    async def _tell_failure(
        self, client: AsyncWebClient, channel: str, thread_ts: str | None = None
    ) -> None:
        try:
            where = {"thread_ts": thread_ts} if thread_ts else {}
            await client.chat_postMessage(channel=channel, text=SEND_FAILED, **where)
        except (SlackApiError, SlackClientError) as exc:
            log.error("could not tell %s about a failed send either: %s", channel, exc)

    async def open_form(self, client: AsyncWebClient, trigger_id: str, form: Form) -> bool:
        try:
            await client.views_open(trigger_id=trigger_id, view=form_view(form))
            return True
        except SlackApiError as exc:
            # An expired trigger (slow engine, > 3 s) is not fatal: offer a button instead.
            log.warning("views.open failed: %s", exc.response.get("error"))
            return False

    async def publish_home(self, client: AsyncWebClient, team_id: str, user_id: str) -> None:
        """The App Home tab; while the database is away, a tab that says so (Slack keeps
        showing whatever was published last otherwise, or nothing to a new user)."""
        who = await self.who(client, team_id, user_id)
        home = await self.engine(self.coach.home, who)
        if home is None:
            view = home_away_view()
        else:
            view = home_view(home.deals, home.in_review, home.team)
        try:
            await client.views_publish(user_id=user_id, view=view)
        except SlackApiError as exc:
            log.warning("views.publish failed for %s/%s: %s", team_id, user_id, exc)

    async def after(
        self,
        client: AsyncWebClient,
        team_id: str,
        user_id: str,
        outcome: Outcome,
        **send: Any,
    ) -> None:
        await self.send(client, team_id, user_id, outcome.replies, **send)
        if outcome.review_finished:
            await self.publish_home(client, team_id, user_id)

    # --- where an acked turn is answered --------------------------------------------

    def hand_off(
        self, inbound: Inbound, client: AsyncWebClient, context: Any, respond: Any = None
    ) -> None:
        """After a listener wrote `inbound` down and acked it: with turn workers
        (`worker_fed`, handlers/slack/worker.py), a worker process reads it from the journal
        and answers it, so nothing of the turn runs in the process that acks; without
        them, a task of this event loop answers it once the ack has left."""
        if self.worker_fed and inbound.key:
            return

        async def run() -> None:
            await self.after_ack(context)
            await self.work(inbound, client, respond)

        self.later(run(), inbound)

    async def work(
        self,
        inbound: Inbound,
        client: AsyncWebClient | None = None,
        respond: Any = None,
        replay: bool = False,
        replies: list[str] | None = None,
    ) -> None:
        """Answer one acked turn from what the journal keeps of it (`Inbound`, with the
        trigger id, response URL and clicked message in `extra`). `replay`: it was acked
        by a server that was killed before answering; `replies`: the reply keys its answer
        began to leave under (see `answer`)."""
        if client is None:
            client = await self.client_for(inbound.team_id)
        extra = inbound.extra
        if inbound.kind == "home":
            try:
                await self.publish_home(client, inbound.team_id, inbound.user_id)
            finally:
                self._answered(inbound)
            return
        if replay:
            await self.answer(client, inbound, replay=True, replies=replies)
            return
        if respond is None and extra.get("response_url"):
            respond = AsyncRespond(response_url=str(extra["response_url"]))
        if inbound.kind == "command":
            try:
                await self.answer(
                    client, inbound, respond=respond, trigger_id=extra.get("trigger_id")
                )
            except SlackApiError as exc:
                error = exc.response.get("error") if exc.response else str(exc)
                log.error("could not DM %s/%s: %s", inbound.team_id, inbound.user_id, error)
                if respond is not None:
                    await respond(text=DM_FAILED.format(error=error), response_type="ephemeral")
            return
        if inbound.kind == "click":
            await self._after_click(client, inbound)
            return
        await self.answer(client, inbound)

    # --- listeners --------------------------------------------------------------------

    async def on_command(
        self, ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any, context: Any
    ) -> None:
        """Ack within Slack's 3 seconds first; the review itself continues in the DM.
        (Once a workspace is admitted, `ack_directly` acks its commands without bolt.)"""
        inbound, reply = self.command_turn(body)
        if inbound is None:
            await ack()
            return
        self.received(inbound)
        await ack(**reply)
        self.hand_off(inbound, client, context, respond)

    def command_turn(self, body: dict[str, Any]) -> tuple[Inbound | None, dict[str, str]]:
        """A `/dealreview` as the turn to journal and the ack's arguments (empty: a bare
        ack); None without a team or user, which is acked and otherwise ignored."""
        team_id, user_id = body.get("team_id", ""), body.get("user_id", "")
        if not team_id or not user_id:
            return None, {}
        name, args = turns.parse_command(body.get("text", ""))
        in_dm = body.get("channel_id") == self.dm_channels.get((team_id, user_id))
        key = f"slack:cmd:{body.get('trigger_id')}" if body.get("trigger_id") else None
        raw = {"name": name, "args": args}
        channel_id = str(body.get("channel_id") or "")
        if not in_dm and not channel_id.startswith("D"):
            # A slash command says nothing about the user's own workspace: Slack documents
            # token, command, text, response_url, trigger_id, user_id, user_name, team_id,
            # team_domain, enterprise_id, enterprise_name, is_enterprise_install, channel_id,
            # channel_name and api_app_id; no `is_ext_shared_channel`, no user team (see
            # docs/sharing.md). So outside our DM anyone may be a Slack Connect buyer, and
            # users.info says, after the ack.
            raw.update(shared="1")
        conversation = None if in_dm else channel_id or None
        inbound = Inbound(team_id, user_id, "command", raw, key, conversation=conversation)
        inbound.extra = {
            "trigger_id": body.get("trigger_id"),
            "response_url": body.get("response_url"),
        }
        if name == "settings" or in_dm or raw.get("shared"):
            return inbound, {}
        return inbound, {"text": ON_IT, "response_type": "ephemeral"}

    async def on_message(self, body: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        """A rep's typed answer in the bot's DM; everything else (channels, bots, edits) is ignored.

        Written down before this returns, which is before bolt acks the event."""
        inbound = dm_answer(body, context.get("bot_user_id"))
        if inbound is None:
            return
        self.received(inbound)
        self.dm_channels[(inbound.team_id, inbound.user_id)] = inbound.channel or ""
        self.hand_off(inbound, client, context)

    async def on_home_opened(
        self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        key = f"slack:home:{body['event_id']}" if body.get("event_id") else None
        inbound = Inbound(body.get("team_id", ""), event["user"], "home", {}, key)
        self.received(inbound)
        self.hand_off(inbound, client, context)

    async def on_action(
        self, ack: Any, body: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        """A click on a button or a date picker: one turn, then the clicked block is retired."""
        actions = body.get("actions") or []
        user_id = (body.get("user") or {}).get("id")
        team_id = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
        action = actions[0] if actions else {}
        value = turns.action_value(action) if action and user_id and team_id else None
        if value is None:
            await ack()
            return
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        outside = turns.from_outside(body, team_id)
        # ours on a shared plan ("buyer:" buttons) are answered in the DM, never in the channel
        in_message = container.get("type") == "message" and not value.startswith("buyer:")
        inbound = Inbound(
            team_id,
            user_id,
            "click",
            {"value": value},
            turns.action_key(body, action),
            channel=channel if in_message and not outside else None,
            conversation=channel if outside else None,
            external=outside,
        )
        message = body.get("message") or {}
        inbound.extra = {
            "trigger_id": body.get("trigger_id"),
            "container": {k: container.get(k) for k in ("type", "message_ts")},
            "action": action,
        }
        if container.get("type") == "message" and message.get("blocks"):
            # the clicked message, so its question can be retired after the turn
            inbound.extra["message"] = {k: message.get(k) for k in ("ts", "text", "blocks")}
        self.received(inbound)
        await ack()
        self.hand_off(inbound, client, context)

    async def _after_click(self, client: AsyncWebClient, inbound: Inbound) -> None:
        extra = inbound.extra
        container = extra.get("container") or {}
        message = extra.get("message") or {}
        action = extra.get("action") or {}
        value = inbound.raw["value"]
        channel = inbound.channel
        opens_form = value.endswith(":edit") or value.startswith(("close:", "proposal:", "export:"))

        ts = container.get("message_ts") or message.get("ts")
        block_id = action.get("block_id", "")
        note = turns.chosen_note(action, value)
        step = turns.step_change(value)

        async def update_clicked(outcome: Outcome) -> Outcome:
            """Retire the clicked buttons, or for a step the click changed, update its card
            in place; returns the outcome with the replies still to post."""
            if (
                container.get("type") != "message"
                or not message.get("blocks")
                or not channel
                or not ts
                or opens_form
            ):
                return outcome
            if step is not None and outcome.changed_step != step:
                # Nothing changed (not the actor's step, already closed, a passed date):
                # the card stays as it was; the replies say why.
                return outcome
            updated = (
                answered_card(message["blocks"], block_id, note, outcome.replies, step)
                if step is not None
                else None
            )
            if updated is None:
                await self.update_message(
                    client,
                    channel,
                    ts,
                    Message(
                        message.get("text") or "dealcoach",
                        chosen(message["blocks"], block_id, note),
                    ),
                )
                return outcome
            card, rest = updated
            if await self.update_message(client, channel, ts, card):
                return dataclasses.replace(outcome, replies=rest)
            return outcome  # not updatable: the whole answer as a new message, once

        outcome = await self.answer(
            client, inbound, applied=update_clicked, trigger_id=extra.get("trigger_id")
        )
        if outcome is None or outcome.duplicate:
            return
        if container.get("type") == "view" and not outcome.review_finished:
            await self.publish_home(client, inbound.team_id, inbound.user_id)

    async def on_settings_submit(
        self, ack: Any, body: dict[str, Any], client: AsyncWebClient, context: Any
    ) -> None:
        """Submits a modal (settings, a step's edit, a deal's close); a field the engine
        rejects is shown in the modal itself. `private_metadata` names the form."""
        view = body.get("view") or {}
        user_id = (body.get("user") or {}).get("id")
        team_id = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
        if not user_id or not team_id:
            await ack()
            return
        values = turns.form_values(view)
        form_id = str(view.get("private_metadata") or "settings")[:300]
        if turns.from_outside(body, team_id):  # a buyer's proposal: journaled, acked, answered
            channel = form_id.split(":", 4)[-1] if form_id.startswith("buyer:") else None
            raw = {"form_id": form_id, "values": json.dumps(values)}
            key = turns.view_key(view, values)
            inbound = Inbound(team_id, user_id, "form", raw, key, None, channel, external=True)
            self.received(inbound)
            await ack()
            self.hand_off(inbound, client, context)
            return
        outcome = await self.turn(
            client,
            team_id,
            user_id,
            form=values,
            form_id=form_id,
            event_id=turns.view_key(view, values),
        )
        errors = {name: why[:150] for name, why in outcome.form_errors.items() if name in values}
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        if not outcome.duplicate:
            await self.tell_others(team_id, outcome, {})
            await self.publish_shares(client, team_id, outcome)
            await self.after(client, team_id, user_id, outcome)


class _NoteTenant(AsyncMiddleware):
    """`SlackFrontend.note_tenant` as a middleware class: bolt calls it with the request
    as is, where a middleware function costs an argument injection on every request (on
    the ack's path, bench/slack_ack.py)."""

    def __init__(self, front: SlackFrontend) -> None:
        self.front = front

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # noqa: A002
    ) -> BoltResponse | None:
        return await self.front.note_tenant(req.context, req.body, next)


def dm_answer(body: dict[str, Any], bot_user_id: str | None) -> Inbound | None:
    """A rep's typed line in the bot's DM as a turn; None for channels, bots, edits, our own."""
    event = body.get("event") or {}
    user_id = event.get("user")
    team_id = body.get("team_id") or event.get("team") or ""
    if (
        event.get("channel_type") != "im"
        or (event.get("subtype") and event.get("subtype") not in ANSWER_SUBTYPES)
        or event.get("bot_id")
        or not user_id
        or not isinstance(user_id, str)
        or user_id == bot_user_id
        or not team_id
    ):
        return None
    key = f"slack:ev:{body['event_id']}" if body.get("event_id") else None
    raw = {"text": str(event.get("text") or ""), "user_team": str(event.get("user_team") or "")}
    files = event.get("files")
    if event.get("subtype") == "file_share" or files:
        raw["files"] = str(len(files) if isinstance(files, list) else 1)
    thread = event.get("thread_ts")
    if isinstance(thread, str) and thread:
        raw["ts"] = str(event.get("ts") or "")  # where a replay looks for our answer from
    return Inbound(
        team_id,
        user_id,
        "message",
        raw,
        key,
        channel=event.get("channel"),
        thread=thread if isinstance(thread, str) and thread else None,
    )


def _renamed(text: str, rename: dict[str, str]) -> str:
    for old, new in rename.items():
        text = text.replace(old, new)
    return text


def _rewrite(msg: Message, replace: dict[str, str]) -> Message:
    """Turn plain ids the engine echoed (a digest channel) into Slack links."""

    def fix(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: (fix(v) if k != "value" else v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [fix(v) for v in obj]
        if isinstance(obj, str):
            for old, new in replace.items():
                obj = obj.replace(old, new)
        return obj

    return Message(msg.text, fix(msg.blocks))
