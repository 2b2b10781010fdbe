"""Neutral replies as Block Kit: messages, the settings modal, the App Home tab.

One turn's replies become as few messages as possible, so the rep is not spammed; what does
not fit Slack's limits (blocks per message, text per block and per message) continues in the
next message, never clipped (see `budget.py`). Every interactive element's
`action_id` starts with "dc:" and carries the engine's own value, so a click maps straight
back to `Turn.value` (see `turns.py`).
"""

from __future__ import annotations

import datetime as dt

from bot.messages import (
    Choice,
    DealList,
    File,
    Form,
    FormField,
    PlanCard,
    Question,
    Reply,
    Section,
    StepView,
    Text,
    days,
    fmt_date,
)
from handlers.slack.budget import Block, Message, pack

#: The App Home tab holds at most 100 blocks (docs.slack.dev/reference/block-kit/blocks).
MAX_HOME_BLOCKS = 100
SETTINGS_CALLBACK = "dc:settings"
FORM_CALLBACK = "dc:form"
_TONE = {
    "warning": ":warning: ",
    "error": ":x: ",
    "success": ":white_check_mark: ",
    "coach": ":point_right: ",
    "info": "",
}
_HEALTH = {"healthy": ":large_green_circle:", "at risk": ":large_yellow_circle:"}


def escape(text: str) -> str:
    """Slack's three control characters; everything else (the `*emphasis*`) passes as is.

    Applied once to every piece of text that Slack reads as mrkdwn (section and context
    text, and a message's fallback `text`), so nothing stored can come back out as a
    mention, a broadcast (`<!channel>`) or a link: text is decoded once on the way in
    (handlers/slack/text.py) and escaped once here.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str) -> str:
    """Text for a plain_text field (headers, labels, modal titles): no emphasis marks.

    Slack does not parse mentions or links in plain_text, so it is not escaped.
    """
    return text.replace("*", "")


def mrkdwn(text: str) -> Block:
    """A section; a text over Slack's 3,000 characters is split by `budget.pack`, not cut."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": plain(text)[:150] or "-"}}


def button(choice: Choice, action_id: str) -> Block:
    b: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": choice.label[:75] or "-", "emoji": True},
        "value": choice.value[:2000],
    }
    if choice.style != "default":
        b["style"] = choice.style
    return b


def datepicker(
    action_id: str, initial: dt.date | None = None, placeholder: str = "Pick a date"
) -> Block:
    d: Block = {
        "type": "datepicker",
        "action_id": action_id,
        "placeholder": {"type": "plain_text", "text": placeholder},
    }
    if initial:
        d["initial_date"] = initial.isoformat()
    return d


class Renderer:
    """Stateless apart from a counter that keeps block ids unique within one message."""

    def __init__(self) -> None:
        self._n = 0

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def messages(self, replies: list[Reply]) -> list[Message]:
        """One turn's replies as messages within Slack's limits (see `budget.pack`)."""
        return pack(
            [
                (escape(fallback(reply)[:300]), self.blocks(reply))
                for reply in replies
                if not isinstance(reply, Form | File)  # forms: a modal; files: uploaded (app.py)
            ]
        )

    def blocks(self, reply: Reply) -> list[Block]:
        if isinstance(reply, Text):
            return [mrkdwn(_TONE.get(reply.tone, "") + escape(reply.text))]
        if isinstance(reply, Question):
            return self.question(reply)
        if isinstance(reply, PlanCard):
            return self.plan(reply)
        if isinstance(reply, DealList):
            return deal_list(reply)
        if isinstance(reply, Section):
            return self.section(reply)
        return []

    def question(self, q: Question) -> list[Block]:
        blocks = [mrkdwn(escape(q.text))]
        notes = [n for n in (q.progress, escape(q.hint or "")) if n]
        if notes:
            blocks.append(context(" · ".join(notes)))
        elements = [button(c, f"dc:choice:{i}") for i, c in enumerate(q.choices[:24])]
        if q.date_input:
            elements.append(datepicker("dc:date", q.initial_date))
        if elements:
            blocks.append({"type": "actions", "block_id": self._id("q"), "elements": elements})
        return blocks

    def plan(self, card: PlanCard) -> list[Block]:
        h = card.health
        when = (
            f"Decision *{fmt_date(card.decision_date, card.today)}* ({days(card.days_left)})"
            if card.decision_date and card.days_left is not None
            else "*No decision date yet*"
        )
        dot = _HEALTH.get(h.label, ":red_circle:")
        blocks: list[Block] = [
            header(f"Plan: {card.title}"),
            mrkdwn(f"{when} · {dot} health {h.score}/100, {h.label}"),
        ]
        if card.stage:
            blocks.append(context(f"Stage: {escape(card.stage)}"))
        if card.context:
            blocks.append(context(f"Context: {escape(card.context)}"))
        if not card.steps:
            blocks.append(mrkdwn("_No steps yet._"))
        for s in card.steps:
            blocks.append(mrkdwn(step_line(s, card.today)))
            actions = self.step_actions(s)
            if actions:
                blocks.append(actions)
        notes = [escape(card.confirmed)] if card.confirmed else []
        if card.risk:
            notes.append(f"Risk of no decision: {escape(card.risk)}")
        notes.append(
            f"Gaps: {escape(', '.join(card.gaps))}"
            if card.gaps
            else "No gaps: every step has an owner and a date, and the plan reaches the decision."
        )
        blocks.append(context("\n".join(notes)))
        if card.actions:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": self._id(f"deal:{card.deal_id}:"),
                    "elements": [
                        button(c, f"dc:deal:{card.deal_id}:{i}")
                        for i, c in enumerate(card.actions[:5])
                    ],
                }
            )
        return blocks

    def step_actions(self, s: StepView) -> Block | None:
        """Done / Drop as buttons, Reschedule as a date picker: one click, no extra question."""
        if not s.actions:
            return None
        elements: list[Block] = []
        for c in s.actions:
            if c.value.endswith(":reschedule"):
                elements.append(datepicker(f"dc:step:{s.id}:reschedule", None, "Reschedule"))
            else:
                elements.append(button(c, f"dc:step:{s.id}:{c.value.rsplit(':', 1)[-1]}"))
        # The block id names the step, so the update after a click can say what happened to it.
        return {"type": "actions", "block_id": self._id(f"step:{s.id}:"), "elements": elements}

    def section(self, sec: Section) -> list[Block]:
        blocks: list[Block] = [header(sec.title)]
        if sec.lines:
            blocks.append(mrkdwn("\n".join(escape(line) for line in sec.lines)))
        if sec.choices:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": self._id("s"),
                    "elements": [
                        button(c, f"dc:choice:{i}") for i, c in enumerate(sec.choices[:24])
                    ],
                }
            )
        if sec.footer:
            blocks.append(context(escape(sec.footer)))
        return blocks


def step_line(s: StepView, today: dt.date | None) -> str:
    flags = [":rotating_light: overdue" if f == "overdue" else f for f in s.flags]
    flag = f"  _{', '.join(flags)}_" if flags else ""
    text = escape(s.description)
    if s.status != "open":
        text = f"~{text}~"
    number = f"#{s.number} " if s.number else ""
    return f"{number}*{s.who}*{escape(s.owner_note)}: {text} · due {fmt_date(s.due, today)}{flag}"


def deal_list(lst: DealList) -> list[Block]:
    if not lst.deals:
        return [mrkdwn("You have no open deals yet. Start a review to add one.")]
    blocks: list[Block] = [header(lst.title)]
    for d in lst.deals:
        dot = _HEALTH.get(d.health.label, ":red_circle:")
        lines = [
            f"*{escape(d.title)}* · decision {fmt_date(d.decision_date, d.today)} · {dot} {d.health.score}/100 {d.health.label}",
            escape(d.next_note[0].upper() + d.next_note[1:]) + d.week_note + d.confirmed_note,
        ]
        if d.health.reasons:
            lines.append(f"_{escape(', '.join(d.health.reasons))}_")
        blocks.append(mrkdwn("\n".join(lines)))
    return blocks


def fallback(reply: Reply) -> str:
    if isinstance(reply, Text | Question):
        return plain(reply.text)
    if isinstance(reply, PlanCard):
        return f"Plan: {reply.title}"
    if isinstance(reply, DealList):
        return reply.title
    if isinstance(reply, Section):
        return reply.title
    if isinstance(reply, Form):
        return reply.title
    return "dealcoach"


def chosen(blocks: list[Block], block_id: str, note: str) -> list[Block]:
    """The message after a click: the clicked actions block becomes a note, so it can't be
    clicked again, and every other block stays as it was."""
    out = []
    for b in blocks:
        if b.get("block_id") == block_id and b.get("type") == "actions":
            out.append(context(note))
        else:
            out.append(b)
    return out


def open_form_button(form: Form) -> list[Block]:
    """When there is no trigger to open a modal with (a typed "settings"), offer a button."""
    return [
        {
            "type": "actions",
            "block_id": "open-form",
            "elements": [
                button(
                    Choice(f"Open {form.title.lower()}", form.open_value, "primary"),
                    "dc:choice:0",
                )
            ],
        }
    ]


# --- modal ----------------------------------------------------------------------------


def _field_element(f: FormField) -> Block:
    aid = f"f:{f.name}"
    if f.kind == "date":
        return datepicker(aid, dt.date.fromisoformat(f.initial) if f.initial else None)
    if f.kind == "time":
        el: Block = {"type": "timepicker", "action_id": aid}
        if f.initial:
            el["initial_time"] = f.initial
        return el
    if f.options:
        opts = [
            {"text": {"type": "plain_text", "text": c.label[:75]}, "value": c.value}
            for c in f.options[:100]
        ]
        el = {"type": "static_select", "action_id": aid, "options": opts}
        initial = next((o for o in opts if o["value"] == f.initial), None)
        if initial:
            el["initial_option"] = initial
        return el
    el = {"type": "plain_text_input", "action_id": aid}
    if f.initial:
        el["initial_value"] = f.initial
    if f.kind == "timezone":
        el["placeholder"] = {"type": "plain_text", "text": "e.g. Europe/Berlin"}
    return el


def form_view(form: Form) -> Block:
    """A `Form` as a modal; the input block ids are the field names (for response errors)."""
    blocks = []
    for f in form.fields:
        block: Block = {
            "type": "input",
            "block_id": f.name,
            "optional": f.optional,
            "label": {"type": "plain_text", "text": f.label[:2000]},
            "element": _field_element(f),
        }
        if f.hint:
            block["hint"] = {"type": "plain_text", "text": plain(f.hint)[:2000]}
        blocks.append(block)
    return {
        "type": "modal",
        # The settings modal keeps its own callback; every other form comes back through
        # FORM_CALLBACK, and private_metadata says which one (the engine re-checks it).
        "callback_id": SETTINGS_CALLBACK if form.form_id == "settings" else FORM_CALLBACK,
        "private_metadata": form.form_id,
        "title": {"type": "plain_text", "text": plain(form.title)[:24]},
        "submit": {"type": "plain_text", "text": form.submit_label[:24]},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


# --- App Home -------------------------------------------------------------------------


def home_view(lst: DealList, in_review: bool = False, team: DealList | None = None) -> Block:
    """App Home: the user's own deals, and for a manager their team's deals below them."""
    start = Choice(
        "Continue your review" if in_review else "Start a review", "cmd:review", "primary"
    )
    blocks: list[Block] = [
        header("dealcoach"),
        mrkdwn(
            "Every deal review ends in a plan both sides can follow: what the customer does "
            "next, what we do, and by when."
        ),
        {
            "type": "actions",
            "block_id": "home",
            "elements": [
                button(start, "dc:home:review"),
                button(Choice("Settings", "cmd:settings"), "dc:home:settings"),
            ],
        },
        {"type": "divider"},
    ]
    own = deal_list(lst)
    theirs: list[Block] = []
    if team is not None:
        theirs = [{"type": "divider"}] + (deal_list(team) if team.deals else [header(team.title)])
    room = MAX_HOME_BLOCKS - len(blocks)
    # Every deal still counts: a list that does not fit says how many are not shown and where
    # they are; the team's list keeps at least half of the room when both are long.
    own_room = room - min(len(theirs), room // 2)
    blocks.extend(_fit(own, len(lst.deals), own_room, "type *list* in our DM"))
    if team is not None:
        blocks.extend(
            _fit(theirs, len(team.deals) + 1, MAX_HOME_BLOCKS - len(blocks), "type *deals --team*")
        )
    return {"type": "home", "blocks": blocks}


HOME_AWAY = (
    ":warning: I can't reach my database right now, so I can't show your deals. "
    "Nothing you saved is lost: open this tab again in a minute."
)


def home_away_view() -> Block:
    """App Home while the database is away: say so, instead of an empty or stale tab."""
    return {"type": "home", "blocks": [header("dealcoach"), mrkdwn(HOME_AWAY)]}


def _fit(listed: list[Block], units: int, room: int, where: str) -> list[Block]:
    """`listed` (a header then one block per deal) cut to `room` blocks, saying what is left."""
    if len(listed) <= room:
        return listed
    shown = max(room - 1, 1)
    hidden = units - (shown - 1)
    return listed[:shown] + [context(f"…and {hidden} more deals: {where} to see them all.")]
