"""Edit, undo and close through Slack only: the plan card's Edit and Close deal buttons open
modals, their submissions change the plan, and a stranger's submission changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from sqlmodel import select

from storage.models import Deal, PlanStep
from tests.handlers.slack.slack_fake import TEAM, Harness, button
from tests.handlers.slack.test_slack_review import blocks_text, click, last_post, say


def steps(h: Harness) -> dict[int | None, PlanStep]:
    return {s.number: s for s in h.db.run(lambda s: list(s.exec(select(PlanStep))))}


def deal(h: Harness) -> Deal:
    return h.db.run(lambda s: s.exec(select(Deal)).one())


def submission(view: dict[str, Any], values: dict[str, Any], user: str = "U1") -> dict[str, Any]:
    """A view_submission for the opened modal `view`, with `values` as Slack sends them."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A1",
        "view": {
            "id": "V9",
            "hash": "h9",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    }


def text_input(name: str, value: str) -> dict[str, Any]:
    return {name: {f"f:{name}": {"type": "plain_text_input", "value": value}}}


def select_input(name: str, value: str | None) -> dict[str, Any]:
    picked = {"value": value} if value else None
    return {name: {f"f:{name}": {"type": "static_select", "selected_option": picked}}}


def date_input(name: str, value: str | None) -> dict[str, Any]:
    return {name: {f"f:{name}": {"type": "datepicker", "selected_date": value}}}


async def plan_card(h: Harness) -> dict[str, Any]:
    assert h.slack
    n = len(h.fake.to("chat.postMessage"))
    await h.slack.command("plan Acme")
    await h.fake.wait_for("chat.postMessage", n + 1)
    return last_post(h.fake)


async def review(h: Harness) -> None:
    assert h.slack
    await h.slack.command("Acme - renewal")
    (q,) = await h.fake.wait_for("chat.postMessage")
    await say(h, "Jan 29")
    await say(h, "Pilot went fine.")
    await say(h, "Their CFO signs off the budget by Dec 11")
    q = await say(h, "We send the security review by Dec 4")
    q = await click(h, q, button("That's all"))
    q = await click(h, q, button("Skip"))
    await click(h, q, button("Looks good"))


async def test_edit_undo_and_close_by_buttons_in_slack(h: Harness) -> None:
    assert h.slack
    await review(h)
    card = await plan_card(h)
    assert "#1 *Customer*" in blocks_text(card) and "#2 *Us*" in blocks_text(card)
    first = steps(h)[1]

    # Edit on step #1 opens a modal with the step's fields; the card keeps its buttons.
    updates = len(h.fake.to("chat.update"))
    resp = await h.slack.click(card, lambda el: el.get("action_id") == f"dc:step:{first.id}:edit")
    assert resp.status == 200
    (opened,) = await h.fake.wait_for("views.open")
    view = opened["view"]
    assert (view["callback_id"], view["private_metadata"]) == ("dc:form", f"step:{first.id}")
    assert view["title"]["text"] == "Edit step #1"
    assert [b["block_id"] for b in view["blocks"]] == [
        "description",
        "side",
        "owner",
        "due",
        "drop_reason",
    ]
    assert len(h.fake.to("chat.update")) == updates and not h.fake.rejected

    fields = {
        **text_input("description", "Their CFO signs off the budget"),
        **select_input("side", "customer"),
        **text_input("owner", first.owner or ""),
        **date_input("due", "2026-12-15"),
        **text_input("drop_reason", ""),
    }
    # Someone else submitting a modal naming this step changes nothing.
    n = len(h.fake.to("chat.postMessage"))
    stranger = await h.slack.interactive(
        submission(view, {**fields, **text_input("description", "hijacked")}, user="U2")
    )
    assert stranger.status == 200
    await h.fake.wait_for("chat.postMessage", n + 1)
    told = last_post(h.fake)
    assert told["channel"] == "DU2" and "can't find that step" in blocks_text(told)
    assert steps(h)[1].description == "Their CFO signs off the budget"

    # A field the engine rejects is shown in the modal, next to the field.
    bad = await h.slack.interactive(submission(view, {**fields, **text_input("description", "")}))
    assert (await bad.json())["errors"] == {
        "description": "A step needs a few words saying what happens."
    }
    n = len(h.fake.to("chat.postMessage"))
    good = await h.slack.interactive(submission(view, fields))
    assert good.status == 200
    await h.fake.wait_for("chat.postMessage", n + 1)
    assert "#1 Their CFO signs off the budget: due Tue Dec 15, slip 1." in blocks_text(
        last_post(h.fake)
    )
    assert (steps(h)[1].due, steps(h)[1].slips) == (dt.date(2026, 12, 15), 1)

    # The card that follows a change carries Undo: one click takes the edit back.
    changed = last_post(h.fake)
    out = await click(h, changed, button("Undo"))
    assert "Undone: the change to step #1" in blocks_text(out)
    assert (steps(h)[1].due, steps(h)[1].slips) == (dt.date(2026, 12, 11), 0)
    assert "You chose *Undo*" in blocks_text(h.fake.to("chat.update")[-1])  # one click only

    # Close deal opens its modal; Won with a reason closes it.
    card = await plan_card(h)
    await h.slack.click(card, button("Close deal"))
    (_, closing) = await h.fake.wait_for("views.open", 2)
    view = closing["view"]
    assert view["private_metadata"] == f"close:{deal(h).id}" and not h.fake.rejected
    missing = await h.slack.interactive(submission(view, select_input("outcome", None)))
    assert (await missing.json())["errors"] == {"outcome": "Pick Won, Lost or No decision."}
    n = len(h.fake.to("chat.postMessage"))
    await h.slack.interactive(
        submission(
            view, {**select_input("outcome", "won"), **text_input("reason", "Security won it")}
        )
    )
    await h.fake.wait_for("chat.postMessage", n + 1)
    assert "Closed *Acme — renewal*: Won (Security won it)" in blocks_text(last_post(h.fake))
    assert (deal(h).status, deal(h).close_reason) == ("won", "Security won it")
    closed_card = last_post(h.fake)
    assert "dc:step:" not in blocks_text(closed_card)  # a closed deal's steps take no clicks
    reopened = await click(h, closed_card, button("Undo"))
    assert "Acme — renewal is open again" in blocks_text(reopened) and deal(h).status == "open"
    assert json.dumps(h.fake.rejected) == "[]"
    out = os.environ.get("SLACK_TRANSCRIPT")
    if out:  # what the rep saw, for a report
        with open(out, "w") as f:
            f.write("\n".join(h.fake.posted_texts()) + "\n")
