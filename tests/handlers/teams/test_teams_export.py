"""The plan card's Export button in Teams (issue 16), end to end through the fake Bot
Framework connector: in the 1:1 chat each export is offered with a file consent card; the
rep's accept brings a `fileConsent/invoke` whose upload URL gets the bytes (the fake holds
Graph's rules: no Authorization header, a matching Content-Range, the consented size, a
size limit) and a file info card follows; a decline gets a polite line. In a group chat,
where Teams has no file consent, the plan comes as text and the bot says so."""

from __future__ import annotations

import json
from typing import Any

from bot.engine import Coach
from bot.exports import plan_ics, plan_markdown
from bot.messages import File, UserRef
from handlers.teams import cards
from tests.conftest import FakeClock
from tests.handlers.teams.fake_bot_connector import (
    MAX_MESSAGE_UTF16,
    Call,
    FakeConnector,
    utf16_size,
)
from tests.handlers.teams.teams_harness import TENANT, Server, TeamsChat

CONTEXT = "Pilot went fine, champion is nervous about budget."
CONSENT = "application/vnd.microsoft.teams.card.file.consent"
INFO = "application/vnd.microsoft.teams.card.file.info"


async def review(chat: TeamsChat) -> None:
    for line in (
        "dealreview Acme - renewal",
        "Jan 29",
        CONTEXT,
        "Their CFO signs off the budget by Dec 11",
        "We send the security review by Dec 4",
        "that's all",
        "skip",
        "looks good",
    ):
        await chat.say(line)


def consent_cards(calls: list[Call]) -> dict[str, dict[str, Any]]:
    """File name -> the consent attachment, from what the bot sent."""
    return {
        att["name"]: att
        for c in calls
        for att in c.body.get("attachments") or []
        if att.get("contentType") == CONSENT
    }


def accept(connector: FakeConnector, att: dict[str, Any]) -> dict[str, Any]:
    """What Teams sends when the user presses Allow on a consent card."""
    name = att["name"]
    return {
        "type": "fileUpload",
        "action": "accept",
        "context": att["content"]["acceptContext"],
        "uploadInfo": {
            "name": name,
            "uploadUrl": connector.upload_url(name),
            "contentUrl": f"https://contoso-my.sharepoint.com/personal/dana/Documents/{name}",
            "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
            "fileType": name.rsplit(".", 1)[1],
        },
    }


async def export(chat: TeamsChat) -> list[Call]:
    (card,) = [c for c in await chat.say("plan Acme") if c.card]
    return await chat.click(card, "Export")


async def test_export_asks_consent_then_uploads_and_shows_the_file(
    chat: TeamsChat, connector: FakeConnector, coach: Coach, clock: FakeClock
) -> None:
    await review(chat)
    offered = consent_cards(await export(chat))
    assert sorted(offered) == ["Acme-renewal.ics", "Acme-renewal.md"]
    (record,) = coach.deal_records(UserRef(f"teams:{TENANT}", "aad-dana"), "Acme")
    md = plan_markdown(record, clock().date()).encode()
    assert offered["Acme-renewal.md"]["content"]["sizeInBytes"] == len(md)

    status, sent = await chat.invoke(
        "fileConsent/invoke", accept(connector, offered["Acme-renewal.md"])
    )
    assert status == 200
    assert connector.uploads["Acme-renewal.md"] == md
    assert b"Their CFO signs off the budget" in md and CONTEXT.encode() not in md
    (info,) = [a for c in sent for a in c.body.get("attachments") or []]
    assert info["contentType"] == INFO and info["name"] == "Acme-renewal.md"
    assert info["contentUrl"].endswith("/Documents/Acme-renewal.md")
    assert info["content"] == {"uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D", "fileType": "md"}
    (upload,) = [c for c in connector.calls if c.path.startswith("/upload/")]
    assert "Authorization" not in upload.headers and upload.status == 201

    ics = offered["Acme-renewal.ics"]
    status, sent = await chat.invoke(
        "fileConsent/invoke",
        {"type": "fileUpload", "action": "decline", "context": ics["content"]["declineContext"]},
    )
    assert status == 200
    assert "won't send Acme-renewal.ics" in " ".join(c.text for c in sent)
    assert "Acme-renewal.ics" not in connector.uploads
    assert plan_ics(record, clock()).startswith(b"BEGIN:VCALENDAR")


async def test_an_upload_refused_for_its_size_is_said_and_no_file_is_shown(
    chat: TeamsChat, connector: FakeConnector
) -> None:
    await review(chat)
    offered = consent_cards(await export(chat))
    connector.max_upload = 100  # the plan is bigger than this upload URL takes
    status, sent = await chat.invoke(
        "fileConsent/invoke", accept(connector, offered["Acme-renewal.md"])
    )
    assert status == 200
    said = " ".join(c.text for c in sent)
    assert "couldn't put Acme-renewal.md in your OneDrive" in said and "413" in said
    assert connector.uploads == {}
    assert not [
        a for c in sent for a in c.body.get("attachments") or [] if a["contentType"] == INFO
    ]


async def test_export_in_a_group_chat_sends_the_plan_as_text(
    server: Server, chat: TeamsChat, connector: FakeConnector
) -> None:
    await review(chat)
    (card,) = [c for c in await chat.say("plan Acme") if c.card]
    connector.member("aad-dana", "Dana Rep")
    group = TeamsChat(
        server,
        connector,
        conversation={"conversationType": "groupChat", "tenantId": TENANT, "id": "19:g@thread.v2"},
    )
    sent = await group.exchange(group.submit_activity(card, "Export"))
    assert consent_cards(sent) == {}  # no file consent outside a personal chat
    said = "\n".join(c.text for c in sent)
    assert "only be sent in a 1:1 chat" in said
    assert "Our plan together: Acme — renewal" in said and "Their CFO signs off the budget" in said
    assert CONTEXT not in said
    assert all(c.conversation_id == "19:g@thread.v2" for c in sent)


def test_a_long_plan_sent_as_text_is_split_under_the_size_limit_nothing_cut() -> None:
    """No file consent (a group chat), or a plan too long for a consent card: the Markdown
    goes as text messages, each under Microsoft's size limit, every step in one of them."""
    steps = [f"- [ ] **Us:** step {n} " + "details " * 60 + f"end-{n}" for n in range(200)]
    md = ("# Our plan together: Acme\n\n" + "\n".join(steps) + "\n").encode()
    for files in (False, True):
        sent = cards.render([File("Acme.md", md, "Acme")], files=files)
        assert len(sent) > 2
        assert all(utf16_size(json.dumps(a.serialize())) <= MAX_MESSAGE_UTF16 for a in sent)
        text = "\n".join(a.text or "" for a in sent)
        assert all(f"end-{n}" in text for n in range(200))
        assert ("1:1 chat" in sent[0].text) is (not files)
        assert not [a for a in sent if a.attachments]
