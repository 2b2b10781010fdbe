"""Slack text decoded once on the way in, stored plain, escaped once on the way out,
through the real endpoints: `&amp;` is "&", a `<@U…>` is a colleague (their step is ours,
owned by them, shown by name), and a `<!channel>` typed into a deal name never reaches
Slack as a live broadcast, neither in blocks nor in the fallback text."""

from __future__ import annotations

import json

from sqlmodel import select

from storage.models import Deal, PlanStep
from tests.handlers.slack.slack_fake import Harness, datepicker
from tests.handlers.slack.test_slack_review import blocks_text, click, say


async def start(h: Harness, deal: str) -> None:
    assert h.slack
    await h.slack.command("")
    (q,) = await h.fake.wait_for("chat.postMessage")
    q = await say(h, deal)
    q = await click(h, q, datepicker, selected_date="2027-01-29")
    await say(h, "They liked the demo.")


async def test_entities_and_mentions_are_decoded_once(h: Harness) -> None:
    h.fake.person("U0DANA", "Dana Rep")
    await start(h, "AT&amp;T - renewal")
    q = await say(h, "Their R&amp;D lead signs off by Dec 11")
    assert "Added to the plan: *Customer*" in blocks_text(q)
    q = await say(h, "<@U0DANA> sends the security pack by Dec 4")
    assert "Dana Rep" in blocks_text(q) and "U0DANA" not in blocks_text(q)
    deal = h.db.run(lambda s: s.exec(select(Deal)).one())
    assert deal.account == "AT&T"
    rows = h.db.run(lambda s: list(s.exec(select(PlanStep).order_by(PlanStep.id))))
    assert [(r.side, r.owner) for r in rows] == [
        ("customer", None),  # a role alone is no owner (issue 11); the decoded text is below
        ("us", "Dana Rep"),
    ]
    assert rows[0].description.startswith("Their R&D lead signs off")
    shown = json.dumps([p.get("blocks") for p in h.fake.to("chat.postMessage")])
    assert "AT&amp;T" in shown and "AT&amp;amp;T" not in shown


async def test_a_broadcast_in_a_deal_name_never_goes_out_live(h: Harness) -> None:
    await start(h, "<!channel> Evil &lt;!here&gt; - deal")
    for post in h.fake.to("chat.postMessage"):
        for s in [post.get("text", ""), json.dumps(post.get("blocks"))]:
            assert "<!channel>" not in s and "<!here>" not in s, s
    deal = h.db.run(lambda s: s.exec(select(Deal)).one())
    assert deal.account == "@channel Evil <!here>"  # stored plain, as the rep typed it
