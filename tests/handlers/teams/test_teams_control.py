"""Edit, undo and close through Teams only: the plan card's Edit button answers with an edit
card, its Save changes the step, `undo` takes it back, Close deal closes it, and another
user's submit of the same card changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from storage.db import Database
from storage.models import Deal, PlanStep
from tests.handlers.teams.fake_bot_connector import Call, FakeConnector
from tests.handlers.teams.teams_harness import TeamsChat, card_actions, card_texts


def steps(db: Database) -> dict[int | None, PlanStep]:
    with Session(db.engine) as s:
        return {p.number: p for p in s.exec(select(PlanStep))}


def the_deal(db: Database) -> Deal:
    with Session(db.engine) as s:
        return s.exec(select(Deal)).one()


def texts(calls: list[Call]) -> str:
    return " / ".join([c.text for c in calls] + [t for c in calls for t in card_texts(c.card)])


async def review(chat: TeamsChat) -> None:
    await chat.say("dealreview Acme - renewal")
    await chat.say("Jan 29")
    await chat.say("Pilot went fine.")
    await chat.say("Their CFO signs off the budget by Dec 11")
    await chat.say("We send the security review by Dec 4")
    await chat.say("that's all")
    await chat.say("skip")
    await chat.say("looks good")


async def test_edit_undo_and_close_by_cards_in_teams(
    chat: TeamsChat, connector: FakeConnector, db: Database
) -> None:
    await review(chat)
    (card,) = [c for c in await chat.say("plan Acme") if c.card]
    assert "#1 **Customer**" in " ".join(card_texts(card.card))
    assert card_actions(card.card)[-2:] == ["Close deal", "Export"]

    # Edit on the first row (our step #2, the earliest) answers with an edit card holding the step's fields.
    calls = await chat.click(card, "Edit")
    (edit,) = [c for c in calls if c.card]
    assert card_texts(edit.card)[0] == "**Edit step #2**"
    inputs = {b["id"]: b for b in edit.card["body"] if b["type"].startswith("Input.")}
    assert list(inputs) == [
        "form_description",
        "form_side",
        "form_owner",
        "form_due",
        "form_drop_reason",
    ]
    assert inputs["form_due"]["value"] == "2026-12-04"
    typed = {k: v.get("value", "") for k, v in inputs.items()}

    # Another user submitting that same card (its data names the step) changes nothing.
    mallory = TeamsChat(chat.server, connector, aad="aad-mallory", name="Mallory")
    calls = await mallory.exchange(
        mallory.submit_activity(edit, "Save", **{**typed, "form_description": "hijacked"})
    )
    assert "can't find that step" in texts(calls)
    assert steps(db)[2].description == "We send the security review"

    calls = await chat.click(edit, "Save", **{**typed, "form_due": "2026-12-15"})
    assert "#2 We send the security review: due Tue Dec 15, slip 1." in texts(calls)
    assert (steps(db)[2].due, steps(db)[2].slips) == (dt.date(2026, 12, 15), 1)

    (changed,) = [c for c in calls if c.card]  # the plan again, with Undo
    calls = await chat.click(changed, "Undo")
    assert "Undone: the change to step #2" in texts(calls)
    assert (steps(db)[2].due, steps(db)[2].slips) == (dt.date(2026, 12, 4), 0)

    # A button is a request, not a proof: another user's click on it is refused.
    calls = await mallory.click(card, "Close deal")
    assert "isn't one of your open deals" in texts(calls) and the_deal(db).status == "open"

    # Close deal answers with a card: outcome and reason.
    calls = await chat.click(card, "Close deal")
    (closing,) = [c for c in calls if c.card]
    calls = await chat.click(
        closing, "Close deal", form_outcome="won", form_reason="Security won it"
    )
    assert "Closed **Acme — renewal**: Won (Security won it)" in texts(calls)
    deal = the_deal(db)
    assert (deal.status, deal.close_reason) == ("won", "Security won it")
    (closed,) = [c for c in calls if c.card]
    calls = await chat.click(closed, "Undo")
    assert "Acme — renewal is open again" in texts(calls) and the_deal(db).status == "open"
    assert not connector.unexpected and all(c.status != 413 for c in connector.calls)
