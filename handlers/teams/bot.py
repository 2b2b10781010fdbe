"""The Teams activity handler: activities in, neutral `Turn`s to the coach, cards out.

Everything about the review lives in the engine; this class only knows Teams: who is
speaking (tenant, AAD object id, `localTimezone`), what a card submit means, where to
remember a conversation for later, and that the engine is synchronous (so it runs in a
worker thread while the event loop keeps serving other chats).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import replace
from typing import Any

import aiohttp
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ChannelAccount, ConversationReference, Mention
from botbuilder.schema.teams import FileConsentCardResponse, FileUploadInfo
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from bot.delivery import DeliveryError
from bot.engine import Coach
from bot.messages import Mention as Colleague
from bot.messages import Outcome, Reply, Text, Turn, UserRef
from bot.references import References
from handlers.teams import cards
from handlers.teams.retry import RetryPolicy, send_activities, with_retry

log = logging.getLogger(__name__)

PLATFORM = "teams"
#: What the manifest's command menu sends, and the words that mean the same.
MENU = {
    "dealreview": "review",
    "review": "review",
    "list": "list",
    "plan": "plan",
    "help": "help",
    "settings": "settings",
    "cancel": "cancel",
    "undo": "undo",
    "back": "back",
}
#: Commands that take words after them in a 1:1 chat ("team add @Dana", "digest off").
WITH_ARGS = ("team", "digest")
WELCOME = (
    "Hi, I'm *dealcoach*. I run short deal reviews (about 3 minutes) that end in a plan: "
    "what the customer does next, what we do to help, and by when.\n"
    "Type *dealreview* to start, or *help* to see everything I do."
)
TEAM_WELCOME = (
    "Hi, I'm *dealcoach*. Reps review their deals with me in a 1:1 chat. "
    "Managers: type *digest here* (mentioning me) to get the weekly team digest in this channel."
)
CHANNEL_HINT = (
    "I run deal reviews in a 1:1 chat: open a chat with me and type *dealreview*. "
    "Here in the channel, a manager can type *digest here* to get the weekly digest in it."
)
PICK_DATE = "Pick a date in the box first, then press *Use this date*."
#: turn_state key: this activity is replayed at startup (received before a kill, never
#: answered), so a turn that had already taken effect answers with where things stand
REPLAY = "dealcoach.replay"


def workspace_of(activity: Activity) -> str:
    """`teams:<tenant id>`; the Emulator sends no tenant, so it gets `teams:local`."""
    tenant = activity.conversation.tenant_id if activity.conversation else None
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    return f"{PLATFORM}:{tenant or 'local'}"


def user_of(activity: Activity) -> UserRef:
    sender: ChannelAccount = activity.from_property
    return UserRef(
        workspace_id=workspace_of(activity),
        user_id=sender.aad_object_id or sender.id,
        display_name=sender.name or "",
        timezone=activity.local_timezone or None,
    )


def is_personal(activity: Activity) -> bool:
    kind = activity.conversation.conversation_type if activity.conversation else None
    return kind in (None, "", "personal")


def channel_id(activity: Activity) -> str:
    """A channel's conversation id without the `;messageid=` of the thread we were called in."""
    return activity.conversation.id.split(";", 1)[0]


def reference_of(activity: Activity, conversation_id: str | None = None) -> dict[str, Any]:
    """A ConversationReference that starts a new message (not a reply to this one)."""
    ref: ConversationReference = TurnContext.get_conversation_reference(activity)
    ref.activity_id = None
    if conversation_id:
        ref.conversation.id = conversation_id
    return ref.serialize()


def text_turn(text: str) -> dict[str, str]:
    """Typed text as Turn fields: command-menu words become commands, the rest is an answer.

    Only a bare command word ("list") or a `dealreview ...` line counts as a command, so an
    answer that merely starts with one ("plan a demo with IT") stays an answer.
    """
    first, _, rest = text.strip().partition(" ")
    word, rest = first.lower().strip("/"), rest.strip()
    if word == "dealreview" and rest:
        sub, _, args = rest.partition(" ")
        name = "digest" if sub.lower() == "digest" else MENU.get(sub.lower())
        if name and sub.lower() != "dealreview":
            return {"command": name, "args": args.strip()}
        return {"command": "review", "args": rest}
    if word in MENU and not rest:
        return {"command": MENU[word]}
    if word in WITH_ARGS:
        return {"command": word, "args": rest}
    return {"text": text.strip()}


#: Button values that only show something (a deal's plan, the list, help, the export) or
#: (re)start a review, which resumes where it stands: answered on every click, however old
#: the card. Every other value changes something (Done, Drop, Reschedule, an answer).
READ_ONLY = ("cmd:plan", "cmd:list", "cmd:help", "cmd:review", "review:", "export:")


def read_only(value: Any) -> bool:
    """Whether a submitted value only shows something (see READ_ONLY)."""
    return isinstance(value, str) and value.startswith(READ_ONLY)


def submit_key(user: UserRef, activity: Activity, what: Any) -> str:
    """The idempotency key of a card submit.

    A state-changing submit (Done, Drop, Reschedule, an answer, a form) is keyed by the
    card it came from (`replyToId`) and what it carries, so a double click or a second
    click on an old card takes effect once. Teams message ids are unique only within a
    conversation, so the conversation id is part of the key: the same id and value in
    another chat is another card. A read-only button (`READ_ONLY`: Plan, Review) is keyed
    by the activity itself, so each click is answered and only a redelivery of the same
    activity is recognised as one.
    """
    conversation = activity.conversation.id if activity.conversation else ""
    card = activity.id if read_only(what) else activity.reply_to_id or activity.id
    raw = json.dumps(
        [user.workspace_id, user.user_id, conversation, card, what],
        sort_keys=True,
        default=str,
    )
    return f"{PLATFORM}:submit:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


class UploadError(Exception):
    """The upload URL refused the file (HTTP status and the first of its answer)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}" if detail else f"HTTP {status}")
        self.status = status


def _upload_transient(exc: BaseException) -> bool:
    if isinstance(exc, UploadError):
        return exc.status == 429 or exc.status >= 500
    return isinstance(exc, aiohttp.ClientError | TimeoutError)


def _renamed(text: str, rename: dict[str, str]) -> str:
    for old, new in rename.items():
        text = text.replace(old, new)
    return text


class TeamsBot(ActivityHandler):
    """Turns Teams activities into coach turns and sends the rendered replies back."""

    def __init__(
        self, coach: Coach, references: References, retry: RetryPolicy | None = None
    ) -> None:
        self.coach = coach
        self.references = references
        self.retry = retry or RetryPolicy()
        #: How notices reach other people (set by `handlers.teams.mount`).
        self.delivery: Any = None

    # --- inbound ------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        user = user_of(activity)
        if is_personal(activity):
            await self.remember(user.workspace_id, f"user:{user.user_id}", reference_of(activity))
        data = activity.value if isinstance(activity.value, dict) else None
        if data is not None:
            await self.on_submit(turn_context, user, data)
            return
        text = (TurnContext.remove_recipient_mention(activity) or "").strip()
        text, mentions = await self.colleagues(turn_context, text)
        text = " ".join(text.split())
        if not is_personal(activity):
            await self.on_channel_text(turn_context, user, text, mentions)
            return
        fields = text_turn(text)
        await self.run(
            turn_context,
            Turn(user=user, event_id=f"{PLATFORM}:{activity.id}", mentions=mentions, **fields),
        )

    async def colleagues(self, ctx: TurnContext, text: str) -> tuple[str, tuple[Colleague, ...]]:
        """Every `<at>Name</at>` but the bot's becomes the name; each is a colleague.

        The person's AAD object id (our user id) comes from the roster when the
        conversation has one, else from the mention itself.
        """
        found: list[Colleague] = []
        bot_id = ctx.activity.recipient.id if ctx.activity.recipient else None
        for entity in TurnContext.get_mentions(ctx.activity):
            data = {**(getattr(entity, "additional_properties", None) or {}), **entity.serialize()}
            mention = Mention().deserialize(data)
            who = mention.mentioned
            if who is None or who.id == bot_id:
                continue
            tag = mention.text or f"<at>{who.name}</at>"
            name = tag.removeprefix("<at>").removesuffix("</at>") or who.name or ""
            text = text.replace(tag, name)
            aad = getattr(who, "aad_object_id", None)
            if not aad:
                try:
                    aad = (await TeamsInfo.get_member(ctx, who.id)).aad_object_id
                except Exception as exc:  # no roster in this conversation: the mention's id
                    log.info("Teams: no roster entry for %s: %s", who.id, exc)
            found.append(Colleague(aad or who.id, who.name or name))
        return text, tuple(found)

    async def is_team_owner(self, ctx: TurnContext) -> bool:
        """Whether the speaker owns the team this channel belongs to (roster `userRole`)."""
        try:
            member = await TeamsInfo.get_member(ctx, ctx.activity.from_property.id)
        except Exception as exc:
            log.warning("Teams: roster lookup failed, treating as not an owner: %s", exc)
            return False
        return str(getattr(member, "user_role", "") or "").lower() == "owner"

    async def on_submit(self, ctx: TurnContext, user: UserRef, data: dict[str, Any]) -> None:
        """An Action.Submit: a choice button, a date picker, or a form (settings, edit, close).

        In a channel or group chat the speaker may be a guest or external user (a buyer on
        a shared plan): the roster says, and their turn is marked `external`.
        """
        where: dict[str, Any] = {}
        if not is_personal(ctx.activity):
            where = {"channel": channel_id(ctx.activity), "external": await self.is_external(ctx)}
        submitted = cards.submitted_form(data)
        if submitted is not None:
            form_id, form = submitted
            turn = Turn(
                user=user,
                form=form,
                form_id=form_id,
                event_id=submit_key(user, ctx.activity, {"form_id": form_id, **form}),
                **where,
            )
            await self.run(ctx, turn)
            return
        value = cards.submitted_value(data)
        if value is None:
            await self.send(ctx, [Text(PICK_DATE, "warning")])
            return
        turn = Turn(user=user, value=value, event_id=submit_key(user, ctx.activity, value), **where)
        # a click on a shared plan leaves the card: the plan's own update replaces it
        answered = None if value.startswith("buyer:") else cards.answered_card(data)
        await self.run(ctx, turn, answered=answered)

    async def is_external(self, ctx: TurnContext, unknown: bool = True) -> bool:
        """A guest (roster `userRole`) or someone from another tenant. Someone the roster
        does not know is `unknown`: external for a click (a buyer can do the least), while
        typed channel commands keep the engine's own checks."""
        try:
            member = await TeamsInfo.get_member(ctx, ctx.activity.from_property.id)
        except Exception as exc:
            log.warning("Teams: roster lookup failed (external: %s): %s", unknown, exc)
            return unknown
        tenant = workspace_of(ctx.activity).split(":", 1)[1]
        theirs = getattr(member, "tenant_id", None) or tenant
        return str(getattr(member, "user_role", "") or "").lower() == "guest" or theirs != tenant

    async def on_channel_text(
        self, ctx: TurnContext, user: UserRef, text: str, mentions: tuple[Colleague, ...] = ()
    ) -> None:
        """In a team channel or group chat only `digest here|off` and `team …` mean something.

        The speaker's role in the team comes from the roster (an owner may put their own
        team's digest here); the engine decides, so a refusal changes nothing.
        """
        words = text.lower().strip(" .!").removeprefix("dealreview ").split()
        event = f"{PLATFORM}:{ctx.activity.id}"
        external = await self.is_external(ctx, unknown=words[:1] == ["share"])
        if words[:1] == ["share"] or external:
            # `share DEAL` (a rep), or anything a guest/external user asks of us (refused)
            channel = channel_id(ctx.activity)
            await self.remember(
                user.workspace_id, f"channel:{channel}", reference_of(ctx.activity, channel)
            )
            plain = text.strip(" .!").removeprefix("dealreview ").split(" ", 1)
            turn = Turn(
                user=user,
                command=plain[0].lower() if plain[0] else "help",
                args=plain[1] if len(plain) > 1 else "",
                event_id=event,
                channel=channel,
                external=external,
            )
            await self.run(ctx, turn)
            return
        if words[:1] == ["team"]:  # team, team add @Dana, team remove @Dana
            args = " ".join(words[1:])
            await self.run(
                ctx, Turn(user=user, command="team", args=args, event_id=event, mentions=mentions)
            )
            return
        if words[:2] not in (["digest", "here"], ["digest", "off"], ["digest", "stop"]):
            await self.send(ctx, [Text(CHANNEL_HINT)])
            return
        channel = channel_id(ctx.activity)
        target = f"channel:{channel}"
        if words[1] != "here":
            turn = Turn(user=user, command="digest", args="off", event_id=event, mentions=mentions)
            await self.run(ctx, turn)
            return
        owner = await self.is_team_owner(ctx)
        turn = Turn(
            user=user,
            command="digest",
            args=target,
            event_id=event,
            mentions=mentions,
            channel_owner=owner,
        )
        outcome = await self.run(ctx, turn, rename={target: "this channel"})
        if outcome is not None and outcome.digest_channel:
            await self.remember(user.workspace_id, target, reference_of(ctx.activity, channel))

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Installed: remember how to reach the installer (personal) and say hello once."""
        activity = turn_context.activity
        bot_added = any(m.id == activity.recipient.id for m in members_added)
        if not activity.from_property:
            return
        user = user_of(activity)
        if is_personal(activity):
            new = await self.remember(
                user.workspace_id, f"user:{user.user_id}", reference_of(activity)
            )
            if new:
                await self.send(turn_context, [Text(WELCOME)])
        elif bot_added:
            channel = channel_id(activity)
            new = await self.remember(
                user.workspace_id, f"channel:{channel}", reference_of(activity, channel)
            )
            if new:
                await self.send(turn_context, [Text(TEAM_WELCOME)])

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """Newer Teams clients announce an install this way too: same handling, same one greeting."""
        await self.on_members_added_activity([turn_context.activity.recipient], turn_context)

    # --- the coach and the connector -----------------------------------------------------

    async def remember(self, workspace_id: str, target: str, reference: dict[str, Any]) -> bool:
        return await asyncio.to_thread(self.references.remember, workspace_id, target, reference)

    async def run(
        self,
        ctx: TurnContext,
        turn: Turn,
        rename: dict[str, str] | None = None,
        answered: Activity | None = None,
    ) -> Outcome | None:
        outcome: Outcome = await asyncio.to_thread(self.coach.handle, turn)
        if outcome.duplicate and ctx.turn_state.get(REPLAY) and not turn.external:
            # saved before the kill, its replies never left: say where the review stands
            again = Turn(user=turn.user, command="review", event_id=f"{turn.event_id}:replayed")
            outcome = await asyncio.to_thread(self.coach.handle, again)
            answered = None
        if outcome.duplicate:
            log.info("Teams: duplicate %s ignored", turn.event_id)
            return None
        if answered is not None and ctx.activity.reply_to_id:
            await self.replace_card(ctx, ctx.activity.reply_to_id, answered)
        replies = outcome.replies
        for old, new in (rename or {}).items():
            replies = [
                replace(r, text=r.text.replace(old, new)) if isinstance(r, Text) else r
                for r in replies
            ]
        await self.send(ctx, replies)
        await self.tell_others(turn.user.workspace_id, outcome, rename or {})
        await self.publish_shares(turn.user.workspace_id, outcome)
        return outcome

    async def publish_shares(self, workspace_id: str, outcome: Outcome) -> None:
        """Post or update in place the shared plans this turn changed (bot/share.py)."""
        for post in outcome.shares:
            if self.delivery is None:
                return
            try:
                sent = await self.delivery.shared_plan(
                    workspace_id, post.channel, post.message_id, post.replies
                )
            except DeliveryError as exc:
                log.warning("Teams: shared plan %s not posted: %s", post.share_id, exc)
                continue
            if sent:
                await asyncio.to_thread(
                    self.coach.shared_posted, post.share_id, sent, post.rendered
                )

    async def tell_others(
        self, workspace_id: str, outcome: Outcome, rename: dict[str, str]
    ) -> None:
        """The outcome's notices, through the stored 1:1 references; failures only log."""
        if not outcome.notices or self.delivery is None:
            return
        others = {old: "a Teams channel" for old in rename}
        for notice in outcome.notices:
            replies = [
                replace(r, text=_renamed(r.text, others)) if isinstance(r, Text) else r
                for r in notice.replies
            ]
            try:
                await self.delivery.to_user(workspace_id, notice.user_id, replies)
            except DeliveryError as exc:
                log.warning("Teams: notice to %s failed: %s", notice.user_id, exc)

    async def replace_card(self, ctx: TurnContext, activity_id: str, card: Activity) -> None:
        """Swap an answered question card for its answer; cosmetic, so failures only log."""
        card.id = activity_id
        try:
            await with_retry(lambda: ctx.update_activity(card), self.retry, "update")
        except Exception:
            log.warning("Teams: could not update answered card %s", activity_id, exc_info=True)

    async def send(self, ctx: TurnContext, replies: list[Reply]) -> list[str]:
        """Send each rendered reply in order, retrying throttling and server errors. A file
        (a plan export) is offered with a consent card in a personal chat, and sent as text
        elsewhere, where Teams has no file consent (cards.py)."""
        activities = cards.render(replies, files=is_personal(ctx.activity))
        return await send_activities(ctx.send_activity, activities, self.retry, "send")

    # --- files: the user's answer to a consent card (cards.file_consent) --------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """`fileConsent/invoke`: the user accepted (upload, then show the file) or declined
        a plan export; every other invoke is the SDK's."""
        if turn_context.activity.name != "fileConsent/invoke":
            return await super().on_invoke_activity(turn_context)
        answer = FileConsentCardResponse().deserialize(turn_context.activity.value or {})
        context = answer.context if isinstance(answer.context, dict) else {}
        name = str(context.get("filename") or "the file")
        if answer.action == "decline":
            await self.send(
                turn_context,
                [
                    Text(
                        f"OK, I won't send {name}. The *Export* button on the plan is there "
                        "whenever you want it."
                    )
                ],
            )
        elif answer.action == "accept" and answer.upload_info and "content" in context:
            await self.deliver_file(turn_context, answer.upload_info, name, context["content"])
        else:
            await self.send(
                turn_context,
                [
                    Text(
                        f"I couldn't send {name}: Teams gave me no "
                        "place to put it. Press *Export* again.",
                        "warning",
                    )
                ],
            )
        return InvokeResponse(status=200)

    async def deliver_file(
        self, ctx: TurnContext, upload: FileUploadInfo, name: str, content: str
    ) -> None:
        """PUT the file to the upload URL Teams gave (the user's OneDrive), then show it.

        One request for the whole file (ours are a few KB; OneDrive takes up to 60 MiB per
        request) with Content-Length and Content-Range, and no Authorization header: the
        URL itself is the credential (Microsoft Graph, "Upload large files with an upload
        session"). 429/5xx and connection errors are tried again; a refusal is said.
        """
        data = content.encode()
        headers = {
            "Content-Length": str(len(data)),
            "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}",
        }
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_upload_transient),
                stop=stop_after_attempt(self.retry.attempts),
                wait=self.retry.wait,
                reraise=True,
            ):
                with attempt:
                    async with (
                        aiohttp.ClientSession() as http,
                        http.put(str(upload.upload_url), data=data, headers=headers) as resp,
                    ):
                        if resp.status >= 400:
                            raise UploadError(resp.status, (await resp.text())[:300])
        except (UploadError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("Teams: upload of %s failed: %s", name, exc)
            await self.send(
                ctx,
                [
                    Text(
                        f"I couldn't put {name} in your OneDrive ({exc}). Nothing was sent; "
                        "press *Export* to try again.",
                        "warning",
                    )
                ],
            )
            return
        await send_activities(ctx.send_activity, [cards.file_info(upload)], self.retry, "send")
