"""The sales process through Slack: the stage and the steps offered to a stuck rep are
buttons (from the neutral Choices), and picking one puts a dated customer step in the plan."""

from __future__ import annotations

from tests.handlers.slack.slack_fake import Harness, button
from tests.handlers.slack.test_slack_review import blocks_text, click, say, steps


def buttons(msg: dict) -> list[str]:  # type: ignore[type-arg]
    return [
        el["text"]["text"]
        for b in msg.get("blocks") or []
        if b.get("type") == "actions"
        for el in b["elements"]
        if el["type"] == "button"
    ]


async def test_a_stuck_rep_picks_a_suggested_step_by_button(h: Harness) -> None:
    assert h.slack
    await h.slack.command("")
    await h.fake.wait_for("chat.postMessage")
    await say(h, "Acme Corp - 2027 renewal")
    q = await say(h, "Mar 31")
    assert "buying journey" in blocks_text(q)
    q = await click(h, q, button("Security, legal and procurement"))
    assert "Stage: *Security, legal and procurement*" in blocks_text(q)
    q = await say(h, "They liked the demo.")
    q = await say(h, "no idea what they do next")
    offered = [b for b in buttons(q) if b != "None of these"]
    assert 2 <= len(offered) <= 4
    assert offered[0].startswith("Send us their security questionnaire")
    assert all(len(b) <= 75 for b in buttons(q))  # Slack's button text limit
    q = await click(h, q, button(offered[0]))
    assert "Who on their side owns this?" in blocks_text(q)
    q = await say(h, "Sam, their CISO")
    assert "start by" in blocks_text(q) or "even starting today" in blocks_text(q)
    proposed = next(b for b in buttons(q) if b.startswith("Proposed"))
    q = await click(h, q, button(proposed))
    assert "Added to the plan: *Customer*" in blocks_text(q)
    (step,) = steps(h)
    assert step.side == "customer" and step.owner == "Sam, their CISO" and step.due is not None
    assert step.description == "Send us their security questionnaire"


async def test_who_owns_it_and_a_holiday_are_buttons_in_slack(h: Harness) -> None:
    """Tester's defects 4 and 5 on Slack: the day-off question and "Who on their side owns
    this?" come with buttons (from the neutral Choices), and Skip moves on."""
    assert h.slack
    await h.slack.command("")
    await h.fake.wait_for("chat.postMessage")
    await say(h, "Acme Corp - 2027 renewal")
    q = await say(h, "Mar 31")
    q = await click(h, q, button("Not sure"))
    q = await say(h, "They liked the demo.")
    q = await say(h, "They send the PO by Dec 25")
    assert "Fri Dec 25 is Christmas Day — keep it or pick another date?" in blocks_text(q)
    assert buttons(q) == ["Keep Fri Dec 25", "Thu Dec 24", "Mon Dec 28"]
    q = await click(h, q, button("Thu Dec 24"))
    assert "“They send the PO”. Who on their side owns this?" in blocks_text(q)
    assert buttons(q) == ["Skip"]
    q = await click(h, q, button("Skip"))
    assert "Added to the plan: *Customer*: They send the PO, due Thu Dec 24" in blocks_text(q)
    (step,) = steps(h)
    assert (step.owner, step.due.isoformat() if step.due else None) == (None, "2026-12-24")
