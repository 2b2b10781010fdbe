"""Rendering and reading cards, and command words, in process (botbuilder's TestAdapter)."""

from __future__ import annotations

import datetime as dt

from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity

from bot.engine import Coach
from bot.messages import Choice, Form, FormField, Question, Text
from bot.references import References
from handlers.teams import cards
from handlers.teams.bot import TeamsBot, text_turn
from storage.db import Database


def test_emphasis_becomes_teams_bold_and_nothing_else_changes() -> None:
    assert cards.markdown("*Acme*'s plan, *review* [deal]") == "**Acme**'s plan, **review** [deal]"
    assert cards.markdown("2 * 3 * 4 and **already bold**") == "2 * 3 * 4 and **already bold**"


def test_consecutive_statements_share_one_message() -> None:
    activities = cards.render([Text("one", "success"), Text("two\nthree"), Question("Q?")])
    assert [a.text for a in activities[:1]] == ["✅ one\n\ntwo\n\nthree"]
    assert activities[1].attachments[0].content_type == "application/vnd.microsoft.card.adaptive"


def test_many_choices_become_a_drop_down_and_come_back_as_the_picked_value() -> None:
    q = Question("Which deal?", tuple(Choice(f"Deal {i}", f"deal:{i}") for i in range(9)))
    content = cards.render([q])[0].attachments[0].content
    [pick] = [b for b in content["body"] if b["type"] == "Input.ChoiceSet"]
    assert len(pick["choices"]) == 9 and len(content["actions"]) == 1
    data = {**content["actions"][0]["data"], pick["id"]: "deal:7"}
    assert cards.submitted_value(data) == "deal:7"


def test_submitted_values() -> None:
    assert cards.submitted_value({"value": "side:us"}) == "side:us"
    assert (
        cards.submitted_value({"value": "date", "date_field": "d", "d": "2027-01-29"})
        == "date:2027-01-29"
    )
    assert cards.submitted_value({"value": "date", "date_field": "d", "d": ""}) is None
    # Some clients send a date-time; only the date counts.
    assert (
        cards.submitted_value({"value": "date", "date_field": "d", "d": "2027-01-29T00:00:00Z"})
        == "date:2027-01-29"
    )
    reschedule = {"value": "step:4:reschedule", "date_field": "due_4"}
    assert (
        cards.submitted_value({**reschedule, "due_4": "2027-01-08"})
        == "step:4:reschedule:2027-01-08"
    )
    assert cards.submitted_value(reschedule) == "step:4:reschedule"  # the coach asks for a date
    assert cards.submitted_value({"something": "else"}) is None


def test_date_question_offers_a_date_picker_with_its_initial_date() -> None:
    q = Question("New date?", date_input=True, initial_date=dt.date(2026, 12, 4))
    content = cards.render([q])[0].attachments[0].content
    [picker] = [b for b in content["body"] if b["type"] == "Input.Date"]
    assert picker["value"] == "2026-12-04"


def test_settings_form_round_trip() -> None:
    form = Form(
        "settings",
        "Your settings",
        (
            FormField("timezone", "Time zone", "timezone", "Europe/Berlin"),
            FormField("nudge_weekday", "Day", "weekday", "0", options=(Choice("Monday", "0"),)),
            FormField("nudge_time", "Time", "time", "09:00"),
            FormField("paused_until", "Pause until", "date"),
        ),
    )
    content = cards.render([form])[0].attachments[0].content
    types = {b["id"]: b["type"] for b in content["body"] if "id" in b}
    assert types == {
        "form_timezone": "Input.Text",
        "form_nudge_weekday": "Input.ChoiceSet",
        "form_nudge_time": "Input.Time",
        "form_paused_until": "Input.Date",
    }
    submitted = {
        **content["actions"][0]["data"],
        "form_timezone": "Asia/Tokyo",
        "form_nudge_time": "08:30",
    }
    assert cards.submitted_form(submitted) == (
        "settings",
        {
            "timezone": "Asia/Tokyo",
            "nudge_weekday": "",
            "nudge_time": "08:30",
            "paused_until": "",
        },
    )
    assert cards.submitted_form({"value": "x"}) is None


def test_command_words() -> None:
    assert text_turn("dealreview") == {"command": "review"}
    assert text_turn("dealreview Acme renewal") == {"command": "review", "args": "Acme renewal"}
    assert text_turn("dealreview plan Acme") == {"command": "plan", "args": "Acme"}
    assert text_turn("settings") == {"command": "settings"}
    # An answer that starts with a command word stays an answer.
    assert text_turn("plan a demo with their IT lead") == {"text": "plan a demo with their IT lead"}


async def test_settings_through_the_test_adapter(db: Database, coach: Coach, clock) -> None:  # type: ignore[no-untyped-def]
    bot = TeamsBot(coach, References(db, clock=clock))
    adapter = TestAdapter(bot.on_turn)
    await adapter.receive_activity("settings")
    form = adapter.get_next_activity().attachments[0].content
    data = form["actions"][0]["data"]
    submit = Activity(
        type="message",
        value={**data, "form_timezone": "Asia/Tokyo", "form_nudge_time": "08:30"},
        reply_to_id="card-1",
    )
    await adapter.receive_activity(submit)
    saved = adapter.get_next_activity().text
    assert saved.startswith("✅ Settings saved: weekly nudge on Mondays at 08:30 (Asia/Tokyo)")
    # Pressing Save again on the same card with the same values is one change, not two.
    submit.id = None
    await adapter.receive_activity(submit)
    assert adapter.get_next_activity() is None


async def test_mid_review_menu_commands_are_commands(db: Database, coach: Coach, clock) -> None:  # type: ignore[no-untyped-def]
    adapter = TestAdapter(TeamsBot(coach, References(db, clock=clock)).on_turn)
    await adapter.receive_activity("dealreview")
    adapter.activity_buffer.clear()
    await adapter.receive_activity("list")
    first = adapter.get_next_activity()
    assert first.text == "You have no open deals yet. Type **dealreview** to add one."
    # ...and the review question is asked again, not answered with "list".
    again = adapter.get_next_activity().attachments[0].content
    assert "Which deal shall we review?" in str(again)


def test_an_answered_question_card_shows_the_answer_and_no_buttons() -> None:
    many = Question("Which deal?", tuple(Choice(f"Deal {i}", f"deal:{i}") for i in range(9)))
    content = cards.render([many])[0].attachments[0].content
    data = {**content["actions"][0]["data"], cards.CHOICE_INPUT: "deal:7"}
    done = cards.answered_card(data).attachments[0].content
    assert [b["text"] for b in done["body"]] == ["Which deal?", "✓ Deal 7"]
    assert "actions" not in done
    dated = cards.render([Question("New date?", date_input=True)])[0].attachments[0].content
    data = {**dated["actions"][0]["data"], cards.DATE_INPUT: "2027-03-05"}
    assert cards.answered_card(data).attachments[0].content["body"][-1]["text"] == "✓ Fri Mar 5, 2027"
    # Plan-card buttons carry no question: the card keeps its buttons.
    assert cards.answered_card({"value": "step:3:done"}) is None


def test_deal_list_buttons_open_the_plan_or_a_review() -> None:
    from bot.messages import DealLine, DealList
    from process.plan import Health

    line = DealLine(4, "Acme — renewal", dt.date(2027, 1, 29), Health(90, "healthy"), None, None)
    content = cards.render([DealList((line,))])[0].attachments[0].content
    values = [a["data"]["value"] for a in content["body"][1]["items"][2]["actions"]]
    assert values == ["cmd:plan:Acme — renewal", "review:4"]
