"""Teams: `digest here` needs a team owner (from the roster) or the digest's manager; a
crafted card value changes nothing; `team add` with @mentions; mentions are decoded."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from storage.db import Database
from storage.models import ConversationRef, PlanStep, Team, User
from tests.handlers.teams.fake_bot_connector import FakeConnector
from tests.handlers.teams.teams_harness import BOT_ID, TENANT, Server, TeamsChat

CHANNEL = "19:abc123@thread.tacv2"


def in_channel(server: Server, connector: FakeConnector, aad: str, name: str) -> TeamsChat:
    return TeamsChat(
        server,
        connector,
        aad=aad,
        name=name,
        conversation={
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": f"{CHANNEL};messageid=1732460000000",
        },
    )


def mentioning(text: str, *people: tuple[str, str]) -> dict[str, Any]:
    """`text` with `<at>` tags: the bot first, then each (aad, name) in `people`."""
    entities = [
        {
            "type": "mention",
            "text": "<at>dealcoach</at>",
            "mentioned": {"id": BOT_ID, "name": "dealcoach"},
        }
    ]
    tags = []
    for aad, name in people:
        tags.append(f"<at>{name}</at>")
        entities.append(
            {
                "type": "mention",
                "text": f"<at>{name}</at>",
                "mentioned": {"id": f"29:{aad}", "name": name},
            }
        )
    return {"text": f"<at>dealcoach</at> {text} {' '.join(tags)}".strip(), "entities": entities}


def teams(db: Database) -> list[Team]:
    with Session(db.engine) as s:
        return list(s.exec(select(Team)))


async def test_digest_here_from_someone_who_does_not_own_the_team_changes_nothing(
    server: Server, connector: FakeConnector, db: Database
) -> None:
    connector.member("aad-rex", "Rex Rep", role="user")
    rex = in_channel(server, connector, "aad-rex", "Rex Rep")
    calls = await rex.exchange(rex.activity(**mentioning("digest here")))
    assert "Only a workspace admin or owner" in calls[0].text and "Nothing changed" in calls[0].text
    assert teams(db) == []
    with Session(db.engine) as s:
        assert s.exec(select(ConversationRef)).all() == []  # no way in for a later digest


async def test_a_crafted_card_value_cannot_set_a_digest(chat: TeamsChat, db: Database) -> None:
    await chat.say("help")
    calls = await chat.exchange(chat.activity(value={"value": f"cmd:digest:channel:{CHANNEL}"}))
    assert any("Nothing changed" in c.text for c in calls)
    assert teams(db) == []


async def test_an_owner_sets_it_then_adds_reps_by_mention_and_a_rep_cannot_move_it(
    server: Server, connector: FakeConnector, db: Database
) -> None:
    connector.member("aad-maria", "Maria Manager", role="owner")
    connector.member("aad-dana", "Dana Rep", role="user")
    maria = in_channel(server, connector, "aad-maria", "Maria Manager")
    calls = await maria.exchange(maria.activity(**mentioning("digest here")))
    assert "will go to this channel" in calls[0].text
    calls = await maria.exchange(maria.activity(**mentioning("team add", ("aad-dana", "Dana Rep"))))
    assert "In the team Maria Manager: Dana Rep" in calls[-1].text
    assert "<at>" not in calls[-1].text
    team_id = teams(db)[0].id
    with Session(db.engine) as s:
        dana = s.exec(select(User).where(User.platform_user_id == "aad-dana")).one()
    assert dana.team_id == team_id and dana.display_name == "Dana Rep"
    dana_chat = in_channel(server, connector, "aad-dana", "Dana Rep")
    calls = await dana_chat.exchange(dana_chat.activity(**mentioning("digest off")))
    assert "Nothing changed" in calls[0].text
    assert teams(db)[0].digest_channel == f"channel:{CHANNEL}"


async def test_a_colleague_mentioned_in_a_review_owns_our_step_shown_by_name(
    chat: TeamsChat, connector: FakeConnector, db: Database
) -> None:
    await chat.say("dealreview")
    calls = await chat.say("Acme - renewal")
    await chat.click(calls[-1], "Use this date", dc_date="2027-01-29")
    await chat.say("They liked the demo")
    tag = "<at>Priya Shah</at>"
    calls = await chat.exchange(
        chat.activity(
            text=f"{tag} sends the security pack by Dec 4",
            entities=[
                {
                    "type": "mention",
                    "text": tag,
                    "mentioned": {"id": "29:aad-priya", "name": "Priya Shah"},
                }
            ],
        )
    )
    shown = " ".join(c.text for c in calls)
    assert "<at>" not in shown and "Priya Shah" in shown
    with Session(db.engine) as s:
        step = s.exec(select(PlanStep)).one()
    assert (step.side, step.owner) == ("us", "Priya Shah")
    assert step.description.startswith("Priya Shah sends the security pack")
