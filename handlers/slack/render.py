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
    NO_GAPS,
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
from handlers.slack.budget import CONTINUED_BELOW, Block, Message, pack

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


def header(text: str, block_id: str | None = None) -> Block:
    block: Block = {
        "type": "header",
        "text": {"type": "plain_text", "text": plain(text)[:150] or "-"},
    }
    if block_id:
        block["block_id"] = block_id
    return block


#: Characters in a button's `accessibility_label` (Slack: at most 75).
MAX_ACCESSIBILITY_LABEL = 75


def spoken(label: str, subject: str) -> str:
    """What a screen reader says for a button that repeats in its message ("Done" once per
    step): the label and what it acts on, within Slack's 75 characters."""
    text = " ".join(f"{label}: {plain(subject)}".split())
    if len(text) <= MAX_ACCESSIBILITY_LABEL:
        return text
    return text[: MAX_ACCESSIBILITY_LABEL - 1].rstrip() + "…"


def button(choice: Choice, action_id: str, subject: str | None = None) -> Block:
    """A button; `subject` (a step, a reminder's title) names what it acts on for screen
    readers, for buttons whose label repeats in one message (Done, Drop, Reschedule)."""
    b: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": choice.label[:75] or "-", "emoji": True},
        "value": choice.value[:2000],
    }
    if subject:
        b["accessibility_label"] = spoken(choice.label, subject)
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
            # The block id names the deal: a click on this card can update it in place.
            header(f"Plan: {card.title}", plan_block_id(card.deal_id)),
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
            else NO_GAPS
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
                # "#3" first: the description may not fit in the label's 75 characters
                subject = f"#{s.number} {s.description}" if s.number else s.description
                elements.append(button(c, f"dc:step:{s.id}:{c.value.rsplit(':', 1)[-1]}", subject))
        # The block id names the step, so the update after a click can say what happened to it.
        return {"type": "actions", "block_id": self._id(f"step:{s.id}:"), "elements": elements}

    def section(self, sec: Section) -> list[Block]:
        blocks: list[Block] = [header(sec.title)]
        if sec.lines:
            blocks.append(mrkdwn("\n".join(escape(line) for line in sec.lines)))
        if sec.choices:
            # What the buttons act on: the one item listed ("Overdue (1)": that step), else
            # the title (a reminder's title is its step).
            single = len(sec.lines) == 1 and sec.lines[0].startswith("• ")
            subject = sec.lines[0][2:].split(" · ")[0] if single else sec.title
            blocks.append(
                {
                    "type": "actions",
                    "block_id": self._id("s"),
                    "elements": [
                        button(c, f"dc:choice:{i}", subject) for i, c in enumerate(sec.choices[:24])
                    ],
                }
            )
        if sec.footer:
            blocks.append(context(escape(sec.footer)))
        return blocks


def plan_block_id(deal_id: int) -> str:
    """The block id of a plan card's header: which deal the card shows."""
    return f"plan:{deal_id}"


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


def answered_card(
    blocks: list[Block], block_id: str, note: str, replies: list[Reply], step_id: int
) -> tuple[Message, list[Reply]] | None:
    """The card a step button was on, updated after the step changed, and the replies still
    to post; None when the replies hold no plan with that step (the card is then retired
    the usual way, `chosen`).

    A plan card of that deal that fits one message becomes the new plan, under what the
    coach said ("Marked done: …"). Any other card (a reminder, a nudge, one part of a plan
    too long for one message) keeps its blocks: the clicked buttons become what the coach
    said, with the plan's Undo beside it. Either way the plan is not posted again.
    """
    card = next(
        (r for r in replies if isinstance(r, PlanCard) and any(s.id == step_id for s in r.steps)),
        None,
    )
    if card is None:
        return None
    said = [r for r in replies if isinstance(r, Text)]
    rest = [r for r in replies if r is not card and not isinstance(r, Text)]
    whole = not any(
        CONTINUED_BELOW in _block_text(b) or _block_text(b).endswith("(continued)") for b in blocks
    )
    if whole and any(b.get("block_id") == plan_block_id(card.deal_id) for b in blocks):
        messages = Renderer().messages([*said, card])
        if len(messages) == 1:
            return messages[0], rest
    words = " ".join(_TONE.get(t.tone, "") + escape(t.text) for t in said) or note
    out: list[Block] = []
    for b in blocks:
        if b.get("block_id") != block_id and _acts_on(b, step_id):
            out.append(context(words))  # the same step's buttons elsewhere on the card
            continue
        if b.get("block_id") == block_id and b.get("type") == "actions":
            out.append(context(words))
            undo = next((c for c in card.actions if c.value == "cmd:undo"), None)
            if undo is not None:
                out.append(
                    {
                        "type": "actions",
                        "block_id": f"undo:{step_id}",
                        "elements": [button(undo, "dc:undo")],
                    }
                )
        else:
            out.append(b)
    return Message(fallback(card), out), rest


def _acts_on(block: Block, step_id: int) -> bool:
    """Whether an actions block holds a button for step `step_id` (Done, Reschedule)."""
    return block.get("type") == "actions" and any(
        str(e.get("value", "")).startswith(f"step:{step_id}:") for e in block.get("elements") or []
    )


def _block_text(block: Block) -> str:
    text = block.get("text")
    if isinstance(text, dict):
        return str(text.get("text", ""))
    return " ".join(
        str(e.get("text", "")) for e in block.get("elements") or [] if isinstance(e, dict)
    )


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
