"""The sales process through Teams: the suggested steps are card buttons (Action.Submit from
the neutral Choices), and picking one puts a dated customer step in the plan."""

from __future__ import annotations

from sqlmodel import select

from storage.db import Database
from storage.models import PlanStep
from tests.handlers.teams.teams_harness import TeamsChat, card_actions, card_texts


async def test_a_stuck_rep_picks_a_suggested_step_on_a_card(chat: TeamsChat, db: Database):
    await chat.say("dealreview")
    await chat.say("Acme - renewal")
    stage = (await chat.say("Mar 31"))[-1]
    assert "buying journey" in " ".join(card_texts(stage.card))
    await chat.click(stage, "Security, legal and procurement")
    await chat.say("They liked the demo")
    offer = (await chat.say("I don't know"))[-1]
    actions = card_actions(offer.card)
    offered = [a for a in actions if a != "None of these"]
    assert 2 <= len(offered) <= 4 and offered[0].startswith("Send us their security questionnaire")
    owner = (await chat.click(offer, offered[0]))[-1]
    assert "Who on their side owns this?" in " ".join(card_texts(owner.card))
    due = (await chat.say("Sam, their CISO"))[-1]
    proposed = next(a for a in card_actions(due.card) if a.startswith("Proposed"))
    calls = await chat.click(due, proposed)
    assert "Added to the plan: **Customer**" in calls[0].text
    with db.session() as s:
        step = s.exec(select(PlanStep)).one()
    assert (step.side, step.owner) == ("customer", "Sam, their CISO") and step.due is not None
