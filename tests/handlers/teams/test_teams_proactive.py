"""Auth on and off, connector retries, installs, `digest here`, and proactive delivery."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.engine import Coach
from bot.messages import Choice, Section
from handlers.teams import DELIVERY
from storage.db import Database
from storage.models import ConversationRef, Team, User
from tests.handlers.teams.fake_bot_connector import FakeConnector
from tests.handlers.teams.teams_harness import BOT_ID, TENANT, Server, TeamsChat

WORKSPACE = f"teams:{TENANT}"
APP_ID = "0f6a3b8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
CHANNEL = "19:abc123@thread.tacv2"


# --- auth ---------------------------------------------------------------------------------


async def test_with_an_app_id_a_request_without_a_token_gets_401(
    db: Database, coach: Coach, connector: FakeConnector
):
    server = await Server(db, coach, app_id=APP_ID).start()
    try:
        chat = TeamsChat(server, connector)
        assert await chat.post(chat.activity(text="dealreview")) == 401
        assert (
            await chat.post(chat.activity(text="help"), {"Authorization": "Basic Zm9vOmJhcg=="})
            == 401
        )
    finally:
        await server.stop()
    assert connector.calls == []
    with Session(db.engine) as s:
        assert s.exec(select(User)).all() == []  # nothing reached the coach


async def test_without_an_app_id_auth_is_off_and_replies_carry_no_token(
    chat: TeamsChat, connector: FakeConnector
):
    calls = await chat.say("help")
    assert chat.last_status in (200, 201)
    assert "**dealcoach** turns each deal review" in calls[0].text
    assert "Authorization" not in calls[0].headers


async def test_without_app_id_or_emulator_flag_teams_is_not_mounted(
    db: Database, coach: Coach, connector: FakeConnector
):
    from config import Settings
    from handlers.web import build_app

    app = build_app(Settings(_env_file=None, database_url=str(db.url)), db, coach)  # type: ignore[call-arg]
    assert "/api/messages" not in {r.resource.canonical for r in app.router.routes() if r.resource}


# --- retries ------------------------------------------------------------------------------


async def test_a_throttled_reply_is_retried(chat: TeamsChat, connector: FakeConnector):
    connector.fail_next(429, {"Retry-After": "0"})
    calls = await chat.say("help")
    assert [c.status for c in connector.calls] == [429, 200]
    assert connector.calls[0].body["text"] == connector.calls[1].body["text"]
    assert "turns each deal review" in calls[0].text


async def test_a_server_error_is_retried(chat: TeamsChat, connector: FakeConnector):
    connector.fail_next(502, {"Retry-After": "0"})
    await chat.say("help")
    assert [c.status for c in connector.calls] == [502, 200]


# --- installs and channels -----------------------------------------------------------------


async def test_install_in_personal_scope_stores_the_reference_and_greets_once(
    chat: TeamsChat, connector: FakeConnector, db: Database
):
    update = chat.activity(type="conversationUpdate", membersAdded=[{"id": BOT_ID}])
    update.pop("localTimezone")
    calls = await chat.exchange(update)
    assert len(calls) == 1 and calls[0].text.startswith("Hi, I'm **dealcoach**")
    assert (
        await chat.exchange(chat.activity(type="conversationUpdate", membersAdded=[{"id": BOT_ID}]))
        == []
    )
    with Session(db.engine) as s:
        ref = s.exec(select(ConversationRef)).one()
    assert (ref.workspace_id, ref.target) == (WORKSPACE, "user:aad-dana")
    assert ref.reference["user"]["aadObjectId"] == "aad-dana"


def channel_chat(server: Server, connector: FakeConnector) -> TeamsChat:
    return TeamsChat(
        server,
        connector,
        aad="aad-maria",
        name="Maria Manager",
        conversation={
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": f"{CHANNEL};messageid=1732460000000",
        },
    )


def mention(text: str) -> dict:  # type: ignore[type-arg]
    return {
        "text": f"<at>dealcoach</at> {text}",
        "entities": [
            {
                "type": "mention",
                "text": "<at>dealcoach</at>",
                "mentioned": {"id": BOT_ID, "name": "dealcoach"},
            }
        ],
    }


async def test_digest_here_in_a_channel_then_a_digest_arrives_there(
    server: Server, connector: FakeConnector, db: Database
):
    manager = channel_chat(server, connector)
    connector.member("aad-maria", "Maria Manager", role="owner")  # owns the team
    calls = await manager.exchange(manager.activity(**mention("digest here")))
    assert calls[0].text.startswith(
        "✅ The weekly deal digest will go to this channel on Mondays at 10:00"
    )
    with Session(db.engine) as s:
        team = s.exec(select(Team)).one()
        assert team.digest_channel == f"channel:{CHANNEL}"
        targets = {r.target for r in s.exec(select(ConversationRef))}
    assert targets == {f"channel:{CHANNEL}"}  # a channel message is no way to DM the manager

    delivery = server.app[DELIVERY]
    sent_id = await delivery.to_channel(
        WORKSPACE, f"channel:{CHANNEL}", [Section("Weekly deal digest", ("*Acme*: on track",))]
    )
    post = connector.sent[-1]
    assert post.path == f"/v3/conversations/{CHANNEL}/activities"  # a new post, not a thread reply
    assert post.response_id == sent_id
    assert post.card and post.card["body"][0]["text"] == "**Weekly deal digest**"


async def test_other_channel_messages_get_a_hint_not_a_review(
    server: Server, connector: FakeConnector, db: Database
):
    manager = channel_chat(server, connector)
    calls = await manager.exchange(manager.activity(**mention("dealreview")))
    assert "1:1 chat" in calls[0].text
    with Session(db.engine) as s:
        assert s.exec(select(User)).all() == []


# --- proactive delivery to a user ------------------------------------------------------------


async def test_a_reminder_reaches_the_user_through_the_stored_reference(
    chat: TeamsChat, connector: FakeConnector, server: Server
):
    await chat.say("help")  # first contact: the bot remembers how to reach Dana
    connector.clear()
    delivery = server.app[DELIVERY]
    section = Section(
        "Due Friday: Acme — renewal",
        ("*Us*: We send the security review",),
        (Choice("Done", "step:1:done", "primary"), Choice("Reschedule", "step:1:reschedule")),
    )
    message_id = await delivery.to_user(WORKSPACE, "aad-dana", [section])
    [post] = connector.calls
    assert post.path == "/v3/conversations/a:1chat-aad-dana/activities"
    assert message_id == post.response_id
    assert [a["data"]["value"] for a in post.card["actions"]] == [
        "step:1:done",
        "step:1:reschedule",
    ]


async def test_delivery_errors_are_sorted_into_retry_later_and_give_up(
    chat: TeamsChat, connector: FakeConnector, server: Server
):
    delivery = server.app[DELIVERY]
    with pytest.raises(PermanentDeliveryError, match="not talked to the bot"):
        await delivery.to_user(WORKSPACE, "aad-nobody", [Section("x")])
    await chat.say("help")
    connector.fail_next(403)  # the user uninstalled the app
    with pytest.raises(PermanentDeliveryError, match="HTTP 403"):
        await delivery.to_user(WORKSPACE, "aad-dana", [Section("x")])
    for _ in range(4):
        connector.fail_next(429, {"Retry-After": "0"})
    with pytest.raises(TransientDeliveryError) as err:
        await delivery.to_user(WORKSPACE, "aad-dana", [Section("x")])
    assert err.value.retry_after == 0
    connector.fail_next(429, {"Retry-After": "0"})
    assert await delivery.to_user(WORKSPACE, "aad-dana", [Section("x")])


async def test_installation_update_greets_once_like_a_members_added(
    chat: TeamsChat, connector: FakeConnector
):
    install = chat.activity(type="installationUpdate", action="add")
    calls = await chat.exchange(install)
    assert len(calls) == 1 and "Type **dealreview** to start" in calls[0].text
    members = chat.activity(type="conversationUpdate", membersAdded=[{"id": BOT_ID}])
    assert await chat.exchange(members) == []  # the same install announced twice: one hello


def test_single_tenant_without_tenant_id_stops_with_a_clear_message(db: Database) -> None:
    from config import Settings
    from handlers.teams.adapter import build_adapter

    base = {"_env_file": None, "database_url": str(db.url), "microsoft_app_id": APP_ID}
    single = Settings(**base, microsoft_app_type="SingleTenant", microsoft_app_password="s")  # type: ignore[arg-type]
    with pytest.raises(SystemExit, match="needs MicrosoftAppTenantId"):
        build_adapter(single)
    ok = Settings(
        **base,
        microsoft_app_type="SingleTenant",
        microsoft_app_password="s",
        microsoft_app_tenant_id=TENANT,
    )  # type: ignore[arg-type]
    assert build_adapter(ok) is not None


async def test_a_request_that_is_not_an_activity_gets_a_4xx(
    chat: TeamsChat, connector: FakeConnector
):
    import aiohttp

    async with aiohttp.ClientSession() as http:
        url = f"{chat.server.url}/api/messages"
        async with http.post(url, data="hello", headers={"Content-Type": "text/plain"}) as resp:
            assert resp.status == 415
        async with http.post(
            url, data="{not json", headers={"Content-Type": "application/json"}
        ) as resp:
            assert resp.status == 400
    assert connector.calls == []
