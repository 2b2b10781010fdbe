"""A plan shared in a Teams group chat with a guest from the customer (issue 16), end to
end through the fake Bot Framework connector: share, the guest confirms one step and
proposes a date for another, the rep accepts in the 1:1 chat; crafted submits from the
guest change nothing."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from bot.engine import Coach
from bot.messages import UserRef
from storage.db import Database
from storage.models import BuyerAction, PlanStep
from tests.handlers.teams.fake_bot_connector import Call, FakeConnector
from tests.handlers.teams.teams_harness import TENANT, Server, TeamsChat, card_texts, find_action

GROUP = "19:group-acme@thread.v2"
CONTEXT = "Pilot went fine, champion is nervous about budget."


def in_group(server: Server, connector: FakeConnector, aad: str, name: str) -> TeamsChat:
    conversation = {"conversationType": "groupChat", "tenantId": TENANT, "id": GROUP}
    return TeamsChat(server, connector, aad=aad, name=name, conversation=conversation)


async def setup(server: Server, connector: FakeConnector, chat: TeamsChat) -> TeamsChat:
    for line in (
        "dealreview Acme - renewal",
        "Jan 29",
        CONTEXT,
        "Their CFO signs off the budget by Dec 11",
        "We send the security review by Dec 4",
        "Their IT lead Sam runs the pilot sign-off by Dec 9",
        "that's all",
        "skip",
        "looks good",
    ):
        await chat.say(line)
    connector.member("aad-dana", "Dana Rep")
    connector.member("aad-maria", "Maria", role="guest", tenant="tenant-acme")
    rep = in_group(server, connector, "aad-dana", "Dana Rep")
    await rep.say("share Acme")
    return in_group(server, connector, "aad-maria", "Maria")


def steps(db: Database) -> dict[str, PlanStep]:
    with Session(db.engine) as s:
        return {p.description: p for p in s.exec(select(PlanStep))}


def shared_versions(connector: FakeConnector) -> list[Call]:
    return [
        c
        for c in connector.calls
        if c.status == 200
        and c.conversation_id == GROUP
        and c.card
        and any("Our plan together" in t for t in card_texts(c.card))
    ]


def action_for(card: dict[str, Any], title: str, step_id: int) -> dict[str, Any]:
    stack: list[Any] = [card]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            data = node.get("data") or {}
            if node.get("title") == title and str(data.get("value", "")).split(":")[2:3] == [
                str(step_id)
            ]:
                return data
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise AssertionError(f"no {title} for step {step_id}")


async def test_share_confirm_propose_accept_in_teams(
    server: Server, connector: FakeConnector, chat: TeamsChat, db: Database, coach: Coach
) -> None:
    maria = await setup(server, connector, chat)
    (post,) = [c for c in shared_versions(connector) if c.method == "POST"]
    text = " / ".join(card_texts(post.card))
    assert "Their CFO signs off the budget" in text and "We send the security review" in text
    assert "0 of 2 customer steps confirmed by Acme" in text
    for internal in (CONTEXT, "health", "Gaps", "/100"):
        assert internal not in text

    rows = steps(db)
    cfo = next(s for d, s in rows.items() if "CFO" in d)
    pilot = next(s for d, s in rows.items() if "pilot" in d)
    card = post.card
    assert card is not None
    await maria.exchange(
        maria.activity(value=action_for(card, "Confirm", cfo.id or 0), replyToId=post.response_id)
    )
    latest = shared_versions(connector)[-1]
    assert latest.method == "PUT" and latest.reply_to == post.response_id
    assert "1 of 2 customer steps confirmed by Acme" in " / ".join(card_texts(latest.card))

    sent = await maria.exchange(
        maria.activity(
            value=action_for(card, "Propose another date", pilot.id or 0),
            replyToId=post.response_id,
        )
    )
    form = next(c for c in sent if c.card and "form_id" in str(c.card))
    submit = dict(find_action(form.card or {}, "Propose").get("data") or {})
    await maria.exchange(maria.activity(value={**submit, "form_due": "2026-12-16"}))
    assert steps(db)[pilot.description].due == pilot.due  # a proposal, not a change

    dm = [c for c in connector.sent if c.conversation_id == "a:1chat-aad-dana"]
    proposal = next(c for c in reversed(dm) if c.card and "proposes" in str(c.card))
    await chat.click(proposal, "Accept")
    (record,) = coach.deal_records(UserRef(f"teams:{TENANT}", "aad-dana"), "Acme")
    by_text = {s["text"]: s for s in record["steps"]}
    assert by_text[cfo.description]["confirmed_by"] == "Maria"
    assert by_text[pilot.description]["due"] == "2026-12-16"
    assert record["decision_date"] == "2027-01-29"
    assert len([c for c in shared_versions(connector) if c.method == "POST"]) == 1
    assert "Wed Dec 16" in " / ".join(card_texts(shared_versions(connector)[-1].card))
    for version in shared_versions(connector):
        assert CONTEXT not in str(version.card) and "/100" not in str(version.card)


async def test_crafted_guest_submits_are_refused_in_teams(
    server: Server, connector: FakeConnector, chat: TeamsChat, db: Database
) -> None:
    maria = await setup(server, connector, chat)
    post = shared_versions(connector)[0]
    rows = steps(db)
    before = {d: (s.status, s.due, s.confirmed_by) for d, s in rows.items()}
    ours = next(s for d, s in rows.items() if d.startswith("We send"))
    cfo = next(s for d, s in rows.items() if "CFO" in d)
    sid = action_for(post.card or {}, "Confirm", cfo.id or 0)["value"].split(":")[1]
    for value in (
        f"buyer:{sid}:{ours.id}:done",
        f"buyer:{int(sid) + 5}:{cfo.id}:confirm",
        f"step:{cfo.id}:done",
        "cmd:list",
        "cmd:plan:Acme",
    ):
        sent = await maria.exchange(maria.activity(value={"value": value}))
        assert "Nothing changed" in " ".join(c.text for c in sent), value
    for typed in ("plan Acme", "list", "digest here", "share Acme"):
        sent = await maria.say(typed)
        said = " ".join(c.text for c in sent)
        assert "Nothing changed" in said and "CFO" not in said, typed
    after = {d: (s.status, s.due, s.confirmed_by) for d, s in steps(db).items()}
    assert after == before
    with Session(db.engine) as s:
        assert list(s.exec(select(BuyerAction))) == []
