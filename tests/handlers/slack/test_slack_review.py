"""A whole review held through Slack only: what reached Slack, and what was stored."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlmodel import select

from storage.models import Deal, PlanStep, User
from tests.handlers.slack.slack_fake import FakeSlack, Harness, button, datepicker


def last_post(fake: FakeSlack) -> dict[str, Any]:
    return fake.to("chat.postMessage")[-1]


def blocks_text(msg: dict[str, Any]) -> str:
    return json.dumps(msg.get("blocks") or [], ensure_ascii=False)


async def say(h: Harness, text: str) -> dict[str, Any]:
    """The rep types in the DM; returns the bot's answer."""
    assert h.slack
    n = len(h.fake.to("chat.postMessage"))
    await h.slack.dm(text)
    await h.fake.wait_for("chat.postMessage", n + 1)
    return last_post(h.fake)


async def click(h: Harness, msg: dict[str, Any], pick: Any, **kw: Any) -> dict[str, Any]:
    assert h.slack
    n = len(h.fake.to("chat.postMessage"))
    resp = await h.slack.click(msg, pick, **kw)
    assert resp.status == 200
    await h.fake.wait_for("chat.postMessage", n + 1)
    return last_post(h.fake)


def deals(h: Harness) -> list[Deal]:
    return h.db.run(lambda s: list(s.exec(select(Deal))))


def steps(h: Harness) -> list[PlanStep]:
    return h.db.run(lambda s: list(s.exec(select(PlanStep).order_by(PlanStep.id))))


async def test_full_review_through_slack(h_any: Harness) -> None:
    h = h_any
    assert h.slack
    await h.slack.command("")
    (q,) = await h.fake.wait_for("chat.postMessage")
    assert "Which deal shall we review" in blocks_text(q)
    q = await say(h, "Acme Corp - 2027 renewal")
    assert "New deal: *Acme Corp — 2027 renewal*" in blocks_text(q)
    assert "When must *Acme Corp* make their decision" in blocks_text(q)
    # The date comes from the Block Kit date picker.
    q = await click(h, q, datepicker, selected_date="2027-01-29")
    assert "Target decision date: *Fri Jan 29, 2027*" in blocks_text(q)
    upd = h.fake.to("chat.update")[-1]
    assert "You picked *2027-01-29*" in blocks_text(upd)
    q = await say(h, "They liked the demo and want a renewal quote.")
    assert "What does *Acme Corp* have to do next" in blocks_text(q)
    q = await say(h, "Their CFO Dana approves the budget by Dec 11")
    assert "Added to the plan: *Customer*" in blocks_text(q)
    q = await say(h, "We send the security questionnaire answers by Dec 4")
    assert "What else must happen" in blocks_text(q)
    q = await click(h, q, button("That's all"))
    assert "no decision" in blocks_text(q)
    q = await say(h, "Budget freeze")
    assert "Plan: Acme Corp — 2027 renewal" in blocks_text(q)
    assert "Does this plan look right?" in blocks_text(q)
    # Every open step on the card carries Done / Drop and a Reschedule date picker.
    step_blocks = [b for b in q["blocks"] if b.get("block_id", "").startswith("step:")]
    assert len(step_blocks) == 2
    assert [e["type"] for e in step_blocks[0]["elements"]] == [
        "button",
        "datepicker",
        "button",
        "button",
    ]
    q = await click(h, q, button("Looks good"))
    assert "Plan saved for *Acme Corp — 2027 renewal*" in blocks_text(q)
    # App Home was refreshed with the deal once the review finished.
    home = await h.fake.wait_for("views.publish")
    assert home[-1]["user_id"] == "U1"
    assert "Acme Corp — 2027 renewal" in json.dumps(home[-1]["view"], ensure_ascii=False)
    # Stored: the deal with its decision date and risk, and both steps with sides and dates.
    (deal,) = deals(h)
    assert (deal.decision_date, deal.risk) == (dt.date(2027, 1, 29), "Budget freeze")
    assert deal.last_reviewed_at is not None
    assert [(s.side, s.due) for s in steps(h)] == [
        ("customer", dt.date(2026, 12, 11)),
        ("us", dt.date(2026, 12, 4)),
    ]
    # Every message went to the rep's DM.
    assert {p["channel"] for p in h.fake.to("chat.postMessage")} == {"DU1"}
    print("\n".join(h.fake.posted_texts()))


async def test_plan_card_buttons_and_reschedule_picker(h: Harness) -> None:
    assert h.slack
    await h.slack.command("Globex - pilot")
    (q,) = await h.fake.wait_for("chat.postMessage")
    q = await click(h, q, datepicker, selected_date="2027-02-26")
    q = await say(h, "Pilot went fine.")
    q = await say(h, "Their IT lead Sam signs the pilot report by Dec 9")
    q = await say(h, "We send the pricing proposal by Dec 3")
    q = await click(h, q, button("That's all"))
    q = await click(h, q, button("Skip"))
    q = await click(h, q, button("Looks good"))
    n = len(h.fake.to("chat.postMessage"))
    await h.slack.command("plan Globex")
    await h.fake.wait_for("chat.postMessage", n + 1)
    card = last_post(h.fake)
    assert "Plan: Globex — pilot" in blocks_text(card)
    customer, ours = steps(h)
    posts, updates = len(h.fake.to("chat.postMessage")), len(h.fake.to("chat.update"))
    # Reschedule our step with the date picker on its row: one click, no extra question,
    # and the card the picker was on is updated in place (no second card).
    resp = await h.slack.click(
        card,
        lambda el: (
            el["type"] == "datepicker" and el["action_id"] == f"dc:step:{ours.id}:reschedule"
        ),
        selected_date="2026-12-10",
    )
    assert resp.status == 200
    update = (await h.fake.wait_for("chat.update", updates + 1))[-1]
    await h.fake.settle(0.2)
    assert len(h.fake.to("chat.postMessage")) == posts
    assert update["ts"] == card["ts"] and update["channel"] == "DU1"
    assert "Moved “We send the pricing proposal” to Thu Dec 10" in blocks_text(update)
    assert "Plan: Globex — pilot" in blocks_text(update)
    # Both rows keep their buttons; the plan offers Undo.
    for step in (customer, ours):
        assert any(
            b["type"] == "actions" and b["block_id"].startswith(f"step:{step.id}:")
            for b in update["blocks"]
        )
    assert "cmd:undo" in blocks_text(update)
    # Done on the customer's row, on the updated card: updated in place again.
    updated_card = {**card, "blocks": update["blocks"]}
    n = len(h.fake.to("chat.update"))
    await h.slack.click(
        updated_card, lambda el: el.get("action_id") == f"dc:step:{customer.id}:done"
    )
    update = (await h.fake.wait_for("chat.update", n + 1))[-1]
    await h.fake.settle(0.2)
    assert len(h.fake.to("chat.postMessage")) == posts
    assert "Marked done: Their IT lead Sam signs the pilot report" in blocks_text(update)
    assert not any(
        b["type"] == "actions" and b["block_id"].startswith(f"step:{customer.id}:")
        for b in update["blocks"]
    )
    assert h.fake.message("DU1", card["ts"])["blocks"] == update["blocks"]  # what Slack shows
    by_id = {s.id: s for s in steps(h)}
    assert by_id[customer.id].status == "done"
    assert (by_id[ours.id].due, by_id[ours.id].slips) == (dt.date(2026, 12, 10), 1)


async def test_review_resumes_after_a_restart(h_any: Harness) -> None:
    h = h_any
    assert h.slack
    await h.slack.command("Initech - expansion")
    (q,) = await h.fake.wait_for("chat.postMessage")
    q = await click(h, q, datepicker, selected_date="2027-03-31")
    q = await say(h, "Champion moved teams last month.")
    assert "What does *Initech* have to do next" in blocks_text(q)
    await h.restart()  # new app instance, new caches, same database
    q = await say(h, "Their VP Lee books the security review by Dec 15")
    assert "Added to the plan: *Customer*" in blocks_text(q)
    assert "What do *we* do next" in blocks_text(q)
    n = len(h.fake.to("chat.postMessage"))
    await h.slack.command("")
    await h.fake.wait_for("chat.postMessage", n + 1)
    assert "Picking up where we left off" in blocks_text(last_post(h.fake))


async def test_settings_modal_saves_and_shows_field_errors_in_the_modal(h: Harness) -> None:
    assert h.slack
    resp = await h.slack.command("settings")
    assert resp.status == 200
    (opened,) = await h.fake.wait_for("views.open")
    assert opened["trigger_id"].startswith("trig.")
    view = opened["view"]
    assert view["callback_id"] == "dc:settings"
    assert [b["block_id"] for b in view["blocks"]] == [
        "timezone",
        "nudge_weekday",
        "nudge_time",
        "paused_until",
    ]

    def submission(tz: str, time: str) -> dict[str, Any]:
        return {
            "type": "view_submission",
            "team": {"id": "T0TEAM"},
            "user": {"id": "U1", "team_id": "T0TEAM"},
            "api_app_id": "A1",
            "view": {
                "id": "V1",
                "hash": "h1",
                "type": "modal",
                "callback_id": "dc:settings",
                "state": {
                    "values": {
                        "timezone": {"f:timezone": {"type": "plain_text_input", "value": tz}},
                        "nudge_weekday": {
                            "f:nudge_weekday": {
                                "type": "static_select",
                                "selected_option": {"value": "3"},
                            }
                        },
                        "nudge_time": {
                            "f:nudge_time": {"type": "timepicker", "selected_time": time}
                        },
                        "paused_until": {
                            "f:paused_until": {"type": "datepicker", "selected_date": "2026-12-28"}
                        },
                    }
                },
            },
        }

    bad = await h.slack.interactive(submission("Mars/Olympus", "08:30"))
    assert bad.status == 200
    body = await bad.json()
    assert body["response_action"] == "errors"
    assert "Mars/Olympus" in body["errors"]["timezone"]
    good = await h.slack.interactive(submission("Europe/Paris", "08:30"))
    assert good.status == 200
    posts = await h.fake.wait_for("chat.postMessage")
    assert "Settings saved: weekly nudge on Thursdays at 08:30 (Europe/Paris)" in blocks_text(
        posts[-1]
    )
    (user,) = h.db.run(lambda s: list(s.exec(select(User))))
    assert (user.timezone_override, user.nudge_weekday, user.nudge_time, user.paused_until) == (
        "Europe/Paris",
        3,
        "08:30",
        dt.date(2026, 12, 28),
    )
    # The same submission again (a double click on Save) changes nothing and says nothing.
    again = await h.slack.interactive(submission("Europe/Paris", "08:30"))
    assert again.status == 200
    await h.fake.settle(0.2)
    assert len(h.fake.to("chat.postMessage")) == 1


async def test_app_home_lists_deals_and_starts_a_review(h: Harness) -> None:
    assert h.slack
    await h.slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"})
    (published,) = await h.fake.wait_for("views.publish")
    view = published["view"]
    assert view["type"] == "home"
    assert "no open deals" in json.dumps(view)
    start = view["blocks"][2]["elements"][0]
    assert start["value"] == "cmd:review"
    payload = {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T0TEAM"},
        "team": {"id": "T0TEAM"},
        "api_app_id": "A1",
        "trigger_id": "trig.home",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "hash": "hh1", "type": "home"},
        "actions": [
            {
                "action_id": start["action_id"],
                "block_id": "home",
                "type": "button",
                "value": "cmd:review",
                "text": start["text"],
            }
        ],
    }
    await h.slack.interactive(payload)
    await h.slack.interactive(payload)  # double click
    posts = await h.fake.wait_for("chat.postMessage")
    await h.fake.settle(0.2)
    assert len(h.fake.to("chat.postMessage")) == 1
    assert posts[0]["channel"] == "DU1"
    assert "Which deal shall we review" in blocks_text(posts[0])
    # Home's Settings button opens the settings modal with the click's trigger.
    settings = view["blocks"][2]["elements"][1]
    assert settings["value"] == "cmd:settings"
    payload["trigger_id"] = "trig.settings"
    payload["actions"] = [
        {
            **payload["actions"][0],
            "action_id": settings["action_id"],
            "value": "cmd:settings",
            "text": settings["text"],
        }
    ]
    (opened,) = await h.fake.wait_for("views.open") if await h.slack.interactive(payload) else []
    assert opened["trigger_id"] == "trig.settings"
    assert opened["view"]["callback_id"] == "dc:settings"


async def test_subcommands_and_unknown_ones(h: Harness) -> None:
    assert h.slack
    h.fake.person("U1", "Ada Admin", is_admin=True)  # only an admin may set up a digest
    await h.slack.command("help")
    await h.fake.wait_for("chat.postMessage", 1)
    assert "*review* [deal]" in blocks_text(last_post(h.fake))
    await h.slack.command("halp")
    await h.fake.wait_for("chat.postMessage", 2)
    assert "I don't know the command “halp”" in blocks_text(last_post(h.fake))
    await h.slack.command("list")
    await h.fake.wait_for("chat.postMessage", 3)
    assert "no open deals" in blocks_text(last_post(h.fake))
    await h.slack.command("digest <#C0SALES|sales-leads>")
    posts = await h.fake.wait_for("chat.postMessage", 5)  # the DM, then a hello in the channel
    assert "The weekly deal digest will go to <#C0SALES>" in blocks_text(posts[3])
    assert posts[4]["channel"] == "C0SALES"
    said = len(h.fake.to("response_url"))  # "On it" for each command typed in a channel
    await h.slack.command("digest sales")
    hint = (await h.fake.wait_for("response_url", said + 2))[-1]
    assert "#" in hint["text"] and hint["response_type"] == "ephemeral"


async def test_typed_settings_offers_a_button_that_opens_the_modal(h: Harness) -> None:
    assert h.slack
    post = await say(h, "settings")
    assert "Open your dealcoach settings" in blocks_text(post)
    assert h.fake.to("views.open") == []  # a typed message carries no trigger for a modal
    await h.slack.click(post, button("Open your dealcoach settings"))
    (opened,) = await h.fake.wait_for("views.open")
    assert opened["view"]["callback_id"] == "dc:settings"
    update = h.fake.to("chat.update")[-1]
    assert not [b for b in update["blocks"] if b["type"] == "actions"]
