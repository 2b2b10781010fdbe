"""Text in, text out, property-based: whatever a user typed, every renderer shows it as text.

Random text (biased towards markup: Slack's `<!channel>`, `<@U…>`, `&amp;`, Teams' `<at>`,
Markdown links, ANSI escapes, bidi overrides) goes into every user-text slot of every
reply kind. Slack: no `<`/`>` reaches any mrkdwn field or the fallback `text`, and the
text decodes back to exactly what was stored (escaped once, not twice). Teams: no `<at>`
or HTML in text messages, no Markdown link in any TextBlock. Terminal: no control
character, escape sequence or bidi override.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.messages import (
    Choice,
    DealLine,
    DealList,
    PlanCard,
    Question,
    Reply,
    Section,
    StepView,
    Text,
)
from handlers.console import ConsoleRenderer
from handlers.schedule import render_text
from handlers.slack import text as slack_text
from handlers.slack import turns
from handlers.slack.render import Renderer, escape, home_view
from handlers.teams import cards
from process.plan import Health
from tests.handlers.teams.teams_harness import card_texts

MARKUP = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0EVIL>",
    "<#C0EVIL|x>",
    "<https://evil.example|click>",
    "&amp;",
    "&lt;",
    "&",
    "<",
    ">",
    "<at>Boss</at>",
    "[click](https://evil.example)",
    "**bold**",
    "_it_",
    "\x1b]0;pwned\x07",
    "\x1b[31m",
    "\u202e",
    "\x9b",
    "\r",
    "AT&T",
    "R&amp;D",
]
user_text = st.lists(
    st.one_of(st.sampled_from(MARKUP), st.text(min_size=1, max_size=6)), min_size=1, max_size=6
).map("".join)


def replies_with(t: str) -> list[Reply]:
    health = Health(40, "at risk", (t,))
    step = StepView(7, t, "customer", t, dt.date(2026, 12, 4), "open", slips=1)
    return [
        Text(t),
        Text(f"Stopped the review of {t}.", "warning"),
        Question(t, choices=(Choice(t, "cmd:list"),), hint=t),
        PlanCard(1, t, dt.date(2026, 12, 18), 24, health, (step,), context=t, risk=t, gaps=(t,)),
        DealList((DealLine(1, t, None, health, t, dt.date(2026, 12, 4)),), title=t),
        Section(t, (t, f"*{t}*: 2 deals"), footer=t),
    ]


def mrkdwn_texts(obj: Any) -> list[str]:
    """Every string Slack parses as mrkdwn in a block tree (plain_text is never parsed)."""
    if isinstance(obj, list):
        return [s for o in obj for s in mrkdwn_texts(o)]
    if not isinstance(obj, dict):
        return []
    own = [obj["text"]] if obj.get("type") == "mrkdwn" else []
    return own + [s for v in obj.values() for s in mrkdwn_texts(v)]


@settings(max_examples=150, deadline=None)
@given(user_text)
def test_slack_no_live_markup_from_user_text_and_escaped_exactly_once(t: str) -> None:
    for msg in Renderer().messages(replies_with(t)):
        for s in [msg.text, *mrkdwn_texts(msg.blocks)]:
            assert "<" not in s and ">" not in s, s
    home = home_view(DealList((DealLine(1, t, None, Health(1, "off track"), t, None),)))
    for s in mrkdwn_texts(home["blocks"]):
        assert "<" not in s and ">" not in s, s
    # exactly once: the statement's block decodes back to what was stored
    (first,) = Renderer().messages([Text(t)])
    assert slack_text.decode(first.blocks[0]["text"]["text"]) == t[:2900] or len(escape(t)) > 2900


@settings(max_examples=150, deadline=None)
@given(user_text)
def test_slack_decoding_is_the_inverse_of_slacks_escaping(t: str) -> None:
    assert slack_text.decode(escape(t)) == t


@settings(max_examples=100, deadline=None)
@given(user_text)
def test_teams_no_mention_html_or_link_from_user_text(t: str) -> None:
    for activity in cards.render(replies_with(t)):
        if activity.text:
            assert "<" not in activity.text  # no <at>, no HTML tag in a text message
            assert "](" not in activity.text
        for att in activity.attachments or []:
            for s in card_texts(att.content):
                assert "](" not in s, s  # no Markdown link can form


@settings(max_examples=100, deadline=None)
@given(user_text)
def test_terminal_shows_no_control_characters(t: str) -> None:
    renderer = ConsoleRenderer()
    shown = "\n".join(renderer.render(r) for r in replies_with(t)[:5])
    shown += render_text(replies_with(t))
    bad = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    assert not bad.search(shown), repr(shown)


def test_the_issue_examples() -> None:
    """ "AT&T" stored plain, shown `AT&amp;T` once; "R&amp;D" is not cut at its `;`."""
    assert slack_text.decode("AT&amp;T") == "AT&T"
    (msg,) = Renderer().messages([Text("AT&T")])
    assert msg.blocks[0]["text"]["text"] == "AT&amp;T" and msg.text == "AT&amp;T"
    assert slack_text.decode("Their R&amp;D lead signs off by Dec 11") == (
        "Their R&D lead signs off by Dec 11"
    )
    names = {"U0DANA": "Dana Rep"}
    assert slack_text.decode("<@U0DANA> sends it, <!channel> <https://x.io|docs>", names) == (
        "Dana Rep sends it, @channel docs (https://x.io)"
    )
    (msg,) = Renderer().messages([Text("<!channel> deal")])
    assert msg.text == "&lt;!channel&gt; deal"


@settings(max_examples=50, deadline=None)
@given(user_text)
def test_slack_the_note_after_a_click_escapes_the_buttons_label(t: str) -> None:
    """A click payload's label is Slack's plain text, maybe crafted: shown escaped."""
    note = turns.chosen_note({"type": "button", "text": {"type": "plain_text", "text": t}}, "x")
    assert "<" not in note and ">" not in note
