"""A whole deal review through Teams only: typed answers, card buttons, Input.Date, plan card."""

from __future__ import annotations

import datetime as dt
import os

from sqlmodel import Session, select

from storage.db import Database
from storage.models import ConversationRef, Deal, PlanStep, User
from tests.handlers.teams.fake_bot_connector import Call, FakeConnector
from tests.handlers.teams.teams_harness import TENANT, TeamsChat, card_actions, card_texts

WORKSPACE = f"teams:{TENANT}"


def transcript(calls: list[Call]) -> str:
    """What the user saw, one line per message (cards flattened), for the report and failures."""
    lines = []
    for c in calls:
        if c.card:
            buttons = card_actions(c.card)
            body = " | ".join(card_texts(c.card))
            lines.append(f"[card] {body}" + (f"  [{' / '.join(buttons)}]" if buttons else ""))
        else:
            lines.append(c.text.replace("\n\n", " / "))
    return "\n".join(lines)


async def test_full_review_through_teams(chat: TeamsChat, connector: FakeConnector, db: Database):
    seen: list[str] = []
    shown_updates = [0]

    async def step(label: str, calls: list[Call]) -> list[Call]:
        seen.append(f"you ▸ {label}\n{transcript(calls)}")
        updates = connector.updates
        if len(updates) > shown_updates[0]:  # a card answered in place
            seen[-1] += "".join(
                f"\n(the answered card now reads: {card_texts(u.card)[-1]})"
                for u in updates[shown_updates[0] :]
            )
            shown_updates[0] = len(updates)
        return calls

    first = await step("dealreview", await chat.say("dealreview"))
    assert len(first) == 1 and first[0].card is not None
    assert "Which deal shall we review?" in " ".join(card_texts(first[0].card))
    # The bot answers in the same conversation, as a reply to the user's message.
    assert first[0].conversation_id == "a:1chat-aad-dana"
    assert first[0].reply_to is not None

    calls = await step("Acme - renewal", await chat.say("Acme - renewal"))
    assert "✅ New deal: **Acme — renewal**." in calls[0].text  # *emphasis* became **bold**
    decision = calls[-1]
    assert decision.card is not None
    date_input = [b for b in decision.card["body"] if b["type"] == "Input.Date"]
    assert date_input and date_input[0]["id"] == "dc_date"

    # Input.Date: the picked date arrives merged into the submit's value.
    calls = await step(
        "[Use this date: 2027-01-29]",
        await chat.click(decision, "Use this date", dc_date="2027-01-29"),
    )
    assert "Target decision date: **Fri Jan 29, 2027**" in calls[0].text
    # The answered card is replaced by "question ✓ answer", leaving no buttons to click twice.
    [update] = connector.updates
    assert update.path == f"/v3/conversations/a:1chat-aad-dana/activities/{decision.response_id}"
    assert update.card is not None and "actions" not in update.card
    assert card_texts(update.card)[-1] == "✓ Fri Jan 29, 2027"

    calls = await step(
        "They liked the demo", await chat.say("They liked the demo, pricing is open")
    )
    assert "What does **Acme** have to do next" in " ".join(card_texts(calls[-1].card or {}))

    calls = await step(
        "Their CFO signs off the budget by Dec 12",
        await chat.say("Their CFO signs off the budget by Dec 12"),
    )
    day_off = calls[-1]  # a Saturday: said once, with the working days either side as buttons
    assert "Sat Dec 12 is a Saturday — keep it or pick another date?" in " ".join(
        card_texts(day_off.card or {})
    )
    assert card_actions(day_off.card or {})[:3] == ["Keep Sat Dec 12", "Fri Dec 11", "Mon Dec 14"]
    calls = await step("[Fri Dec 11]", await chat.click(day_off, "Fri Dec 11"))
    assert "Added to the plan: **Customer**" in calls[0].text
    assert "due Fri Dec 11" in calls[0].text

    calls = await step(
        "We send the security review by Friday",
        await chat.say("We send the security review by Friday"),
    )
    assert "Added to the plan: **Us**" in calls[0].text
    more = calls[-1]

    calls = await step("[That's all]", await chat.click(more, "That's all"))
    assert card_texts(connector.updates[-1].card)[-1] == "✓ That's all"
    risk = calls[-1]
    assert "no decision" in " ".join(card_texts(risk.card or {}))

    calls = await step(
        "Budget could move to next year", await chat.say("Budget could move to next year")
    )
    plan, confirm = calls[-2], calls[-1]
    plan_text = " ".join(card_texts(plan.card or {}))
    assert "**Acme — renewal**" in plan_text
    assert "Decision Fri Jan 29" in plan_text
    assert "Their CFO signs off the budget" in plan_text
    assert "Risk of no decision: Budget could move to next year" in plan_text
    assert [a["title"] for a in plan.card["body"][3]["items"][1]["actions"]] == [
        "Done",
        "Reschedule",
        "Edit",
        "Drop",
    ]

    calls = await step("[Looks good]", await chat.click(confirm, "Looks good"))
    assert "Plan saved for **Acme — renewal**" in calls[0].text

    # The plan card's per-step buttons work after the review: Done, and Reschedule with a date.
    calls = await step("plan Acme", await chat.say("plan Acme"))
    card = calls[-1]
    updates = len(connector.updates)
    calls = await step("[Done on the first step]", await chat.click(card, "Done"))
    assert len(connector.updates) == updates  # a plan card keeps its buttons
    assert calls[0].text == "✅ Marked done: We send the security review"
    card = calls[-1]
    calls = await step(
        "[Reschedule → Move to 2027-01-15]", await chat.click(card, "Move", due_1="2027-01-15")
    )
    assert any("Moved" in c.text and "Fri Jan 15" in c.text for c in calls)

    # What was stored: the deal, its steps, the user's zone and how to reach them later.
    with Session(db.engine) as s:
        deal = s.exec(select(Deal).where(Deal.workspace_id == WORKSPACE)).one()
        assert (deal.account, deal.name) == ("Acme", "renewal")
        assert deal.decision_date == dt.date(2027, 1, 29)
        assert deal.risk == "Budget could move to next year"
        steps = {p.side: p for p in s.exec(select(PlanStep).where(PlanStep.deal_id == deal.id))}
        assert steps["us"].status == "done"
        assert steps["customer"].original_due == dt.date(2026, 12, 11)  # moved off the Saturday
        assert steps["customer"].due == dt.date(2027, 1, 15) and steps["customer"].slips == 1
        user = s.exec(select(User).where(User.workspace_id == WORKSPACE)).one()
        assert (user.platform_user_id, user.timezone) == ("aad-dana", "America/New_York")
        ref = s.exec(select(ConversationRef)).one()
        assert ref.target == "user:aad-dana"
        assert ref.reference["conversation"]["id"] == "a:1chat-aad-dana"
        assert ref.reference["serviceUrl"] == connector.url
        assert not ref.reference.get("activityId")  # proactive messages start new messages
    assert not connector.unexpected

    out = os.environ.get("TEAMS_TRANSCRIPT")
    if out:
        with open(out, "w") as f:
            f.write("\n\n".join(seen) + "\n")
