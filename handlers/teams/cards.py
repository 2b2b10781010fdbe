"""Neutral replies -> Bot Framework activities: Markdown text and Adaptive Cards (v1.4).

Buttons are `Action.Submit` carrying `{"value": "<choice value>"}`; Teams posts that
back as a message activity whose `value` is the data merged with the card's inputs, and
`submitted_value` / `submitted_form` turn it back into what the engine understands.
Nothing here does I/O: it is the Teams twin of `handlers/console.ConsoleRenderer`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity, Attachment
from botbuilder.schema.teams import FileConsentCard, FileInfoCard, FileUploadInfo

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
from handlers.teams import budget

CARD_VERSION = "1.4"
MAX_BUTTONS = 6  # Teams shows at most six actions on a card; more become a drop-down
DATE_INPUT = "dc_date"
CHOICE_INPUT = "dc_choice"

_EMPHASIS = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_TONE = {"warning": "⚠️ ", "error": "❌ ", "success": "✅ ", "coach": "👉 ", "info": ""}
_STYLE = {"primary": "positive", "danger": "destructive"}
_HEALTH_COLOR = {"healthy": "Good", "at risk": "Warning", "off track": "Attention"}


def markdown(text: str) -> str:
    """The engine's `*word*` emphasis as Teams Markdown bold (`**word**`), made safe."""
    return _EMPHASIS.sub(r"**\1**", safe(text))


def safe(text: str) -> str:
    """Plain text that cannot become a link in Teams Markdown: `[label](url)` is broken by
    an invisible zero-width space between `]` and `(`, the only place a link forms.

    Applied once where text is emitted (every TextBlock and every text message). HTML is
    not rendered in Adaptive Cards; text messages also get `text_entities` below.
    """
    return text.replace("](", "]\u200b(")


def text_entities(text: str) -> str:
    """`&` and `<` as entities in a text message, so no `<at>` mention or HTML tag forms."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _block(text: str, **kw: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": markdown(text), "wrap": True, **kw}


def _lines(text: str, **kw: Any) -> list[dict[str, Any]]:
    """One TextBlock per line: Teams drops single newlines inside a TextBlock."""
    return [
        _block(line, spacing="None", **kw) if i else _block(line, **kw)
        for i, line in enumerate(text.split("\n"))
    ]


def submit(choice: Choice) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "Action.Submit",
        "title": choice.label[:80],
        "data": {"value": choice.value},
    }
    if choice.style in _STYLE:
        action["style"] = _STYLE[choice.style]
    return action


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Activity:
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        content["actions"] = actions
    return MessageFactory.attachment(CardFactory.adaptive_card(content))


# --- one function per reply kind -----------------------------------------------------


def text_message(texts: list[Text]) -> Activity:
    """Consecutive statements as one Markdown message (blank lines: Teams needs them)."""
    parts = [_TONE.get(t.tone, "") + t.text for t in texts]
    body = "\n\n".join(line for part in parts for line in part.split("\n"))
    activity = MessageFactory.text(text_entities(markdown(body)))
    activity.text_format = "markdown"
    return activity


def choices_body(choices: tuple[Choice, ...]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Buttons while they fit; a compact drop-down with an OK button when there are many."""
    if len(choices) <= MAX_BUTTONS:
        return [], [submit(c) for c in choices]
    pick = {
        "type": "Input.ChoiceSet",
        "id": CHOICE_INPUT,
        "style": "compact",
        "value": choices[0].value,
        "choices": [{"title": c.label, "value": c.value} for c in choices],
    }
    ok = {"type": "Action.Submit", "title": "OK", "data": {"choice_field": CHOICE_INPUT}}
    return [pick], [ok]


def question_card(q: Question) -> Activity:
    body: list[dict[str, Any]] = []
    if q.progress:
        body.append(_block(q.progress, size="Small", isSubtle=True))
    body += _lines(q.text, weight="Bolder")
    if q.hint:
        body.append(_block(q.hint, size="Small", isSubtle=True, spacing="Small"))
    extra, actions = choices_body(q.choices)
    body += extra
    if q.date_input:
        date: dict[str, Any] = {"type": "Input.Date", "id": DATE_INPUT, "label": "Or pick a date"}
        if q.initial_date:
            date["value"] = q.initial_date.isoformat()
        body.append(date)
        actions.append(
            {
                "type": "Action.Submit",
                "title": "Use this date",
                "data": {"value": "date", "date_field": DATE_INPUT},
            }
        )
    # Each submit carries the question and its own label, so once answered the card can be
    # replaced by "question ✓ answer": no stale buttons left to click twice.
    labels = {c.value: c.label for c in q.choices}
    for action in actions:
        data = action["data"]
        data["question"] = q.text[:400]
        if "choice_field" in data:
            data["labels"] = labels
        elif "date_field" not in data:
            data["label"] = action["title"]
    return card(body, actions)


def answered_card(data: dict[str, Any]) -> Activity | None:
    """What a question card becomes once answered (None for cards that stay, like plans)."""
    question = data.get("question")
    if not isinstance(question, str):
        return None
    answer = data.get("label")
    if data.get("choice_field"):
        answer = (data.get("labels") or {}).get(str(data.get(str(data["choice_field"]))))
    elif data.get("date_field"):
        picked = str(data.get(str(data["date_field"])) or "")[:10]
        # The card does not know the rep's today: the year is shown, never guessed.
        answer = fmt_date(dt.date.fromisoformat(picked), None) if _ISO.match(picked) else None
    if not answer:
        return None
    return card(
        _lines(question, isSubtle=True) + [_block(f"✓ {answer}", weight="Bolder", color="Good")]
    )


def _step_line(s: StepView, today: dt.date | None) -> str:
    flag = f" · {', '.join(f.upper() if f == 'overdue' else f for f in s.flags)}" if s.flags else ""
    number = f"#{s.number} " if s.number else ""
    return f"{number}*{s.who}*{s.owner_note}: {s.description} · due {fmt_date(s.due, today)}{flag}"


def _step_actions(s: StepView) -> list[dict[str, Any]]:
    """Done / Drop submit at once; Reschedule opens a date picker under the step."""
    actions: list[dict[str, Any]] = []
    for choice in s.actions:
        if choice.value.endswith(":reschedule"):
            picker: dict[str, Any] = {
                "type": "Input.Date",
                "id": f"due_{s.id}",
                "label": "New date",
            }
            if s.due:
                picker["value"] = s.due.isoformat()
            actions.append(
                {
                    "type": "Action.ShowCard",
                    "title": choice.label,
                    "card": {
                        "type": "AdaptiveCard",
                        "body": [picker],
                        "actions": [
                            {
                                "type": "Action.Submit",
                                "title": "Move",
                                "data": {"value": choice.value, "date_field": f"due_{s.id}"},
                            }
                        ],
                    },
                }
            )
        else:
            actions.append(submit(choice))
    return actions[:MAX_BUTTONS]


def plan_card(p: PlanCard) -> Activity:
    h = p.health
    when = (
        f"Decision {fmt_date(p.decision_date, p.today)} ({days(p.days_left)})"
        if p.decision_date and p.days_left is not None
        else "No decision date yet"
    )
    if p.stage:
        when += f" · Stage: {p.stage}"
    body: list[dict[str, Any]] = [
        _block(f"*{p.title}*", size="Medium"),
        {
            "type": "ColumnSet",
            "columns": [
                {"type": "Column", "width": "stretch", "items": [_block(when, spacing="None")]},
                {
                    "type": "Column",
                    "width": "auto",
                    "items": [
                        _block(
                            f"Health {h.score}/100 {h.label}",
                            color=_HEALTH_COLOR.get(h.label, "Default"),
                            spacing="None",
                        )
                    ],
                },
            ],
        },
    ]
    if p.context:
        body.append(_block(f"Context: {p.context}", isSubtle=True))
    if not p.steps:
        body.append(_block("No steps yet."))
    for s in p.steps:
        items: list[dict[str, Any]] = [_block(_step_line(s, p.today))]
        actions = _step_actions(s)
        if actions:
            items.append({"type": "ActionSet", "actions": actions})
        body.append({"type": "Container", "separator": True, "items": items})
    if p.risk:
        body.append(_block(f"Risk of no decision: {p.risk}", separator=True))
    if p.confirmed:
        body.append(_block(p.confirmed))
    if p.gaps:
        body.append(_block(f"Gaps: {', '.join(p.gaps)}", color="Warning"))
    else:
        body.append(_block(NO_GAPS))
    return card(body, [submit(c) for c in p.actions[:MAX_BUTTONS]] or None)


def deal_list_card(lst: DealList) -> Activity:
    if not lst.deals:
        return text_message([Text("You have no open deals yet. Type *dealreview* to add one.")])
    body: list[dict[str, Any]] = [_block(f"*{lst.title}*", size="Medium")]
    for d in lst.deals:
        items = [
            _block(f"*{d.title}* · decision {fmt_date(d.decision_date, d.today)}"),
            _block(
                f"{d.health.score}/100 {d.health.label} · {d.next_note}{d.week_note}{d.confirmed_note}",
                spacing="None",
                color=_HEALTH_COLOR.get(d.health.label, "Default"),
            ),
            {
                "type": "ActionSet",
                "actions": [
                    submit(Choice("Plan", f"cmd:plan:{d.title}")),
                    submit(Choice("Review", f"review:{d.deal_id}")),
                ],
            },
        ]
        body.append({"type": "Container", "separator": True, "items": items})
    return card(body)


def _form_input(f: FormField) -> dict[str, Any]:
    field_id = f"form_{f.name}"
    base: dict[str, Any] = {"id": field_id, "label": f.label, "isRequired": not f.optional}
    if f.options:
        base |= {
            "type": "Input.ChoiceSet",
            "style": "compact",
            "choices": [{"title": c.label, "value": c.value} for c in f.options],
        }
    elif f.kind == "date":
        base["type"] = "Input.Date"
    elif f.kind == "time":
        base["type"] = "Input.Time"
    else:
        base |= {"type": "Input.Text", "placeholder": f.hint or ""}
    if f.initial:
        base["value"] = f.initial
    return base


def form_card(form: Form) -> Activity:
    body: list[dict[str, Any]] = [_block(f"*{form.title}*", size="Medium")]
    for f in form.fields:
        body.append(_form_input(f))
        if f.hint and not f.options and f.kind != "text" and f.kind != "timezone":
            body.append(_block(f.hint, size="Small", isSubtle=True, spacing="None"))
    data = {"form_id": form.form_id, "fields": [f.name for f in form.fields]}
    return card(body, [{"type": "Action.Submit", "title": form.submit_label, "data": data}])


def section_card(s: Section) -> Activity:
    body: list[dict[str, Any]] = [_block(f"*{s.title}*", size="Medium")]
    body += [_block(line, spacing="Small") for line in s.lines]
    if s.footer:
        body.append(_block(s.footer, size="Small", isSubtle=True))
    extra, actions = choices_body(s.choices)
    return card(body + extra, actions)


def shared_card(replies: tuple[Reply, ...]) -> Activity:
    """A shared plan (bot/share.py) as ONE card, so it can be updated in place: each
    Section's title, lines and buttons (an ActionSet per customer step) one after another."""
    body: list[dict[str, Any]] = []
    for r in replies:
        if isinstance(r, Section):
            body.append(
                _block(
                    f"*{r.title}*", size="Medium" if not body else "Default", separator=bool(body)
                )
            )
            body += [_block(line, spacing="Small") for line in r.lines]
            if r.choices:
                body.append({"type": "ActionSet", "actions": [submit(c) for c in r.choices]})
            if r.footer:
                body.append(_block(r.footer, size="Small", isSubtle=True))
        elif isinstance(r, Text):
            body.append(_block(r.text))
    return card(body)


# --- files (the plan exports) ------------------------------------------------------------
#
# Microsoft, "Send and receive files using bot" (learn.microsoft.com/microsoftteams/platform/
# bots/how-to/bots-filesv4): a bot sends a file only in a personal chat, and only with the
# user's consent. It sends a FileConsentCard attachment (name, description, sizeInBytes,
# acceptContext, declineContext); the user's answer comes back as an `invoke` activity named
# `fileConsent/invoke` whose value has `action` (accept | decline), our `context`, and on
# accept `uploadInfo` (name, uploadUrl, contentUrl, uniqueId, fileType). The bot PUTs the
# bytes to `uploadUrl` and sends a FileInfoCard (contentUrl, name, uniqueId, fileType) so the
# file shows in the chat. The app manifest needs `supportsFiles: true` (package.py). In a
# channel or group chat there is no consent flow: the plan goes as text.

FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
#: The file rides in the consent card's acceptContext (so what is uploaded is exactly what
#: the user agreed to, with the size the card showed); beyond this it goes as text instead,
#: keeping the card well under the message size limit (budget.MAX_UTF16).
MAX_CONSENT_FILE = 24 * 1024
NO_FILES_HERE = (
    "Files can only be sent in a 1:1 chat with me, so here is the plan as text to copy. "
    "For the calendar file (.ics), press *Export* on the plan in our 1:1 chat."
)
TOO_BIG_FOR_A_FILE = (
    "This plan is too long to send as a file here, so here it is as text to copy. "
    "The calendar file (.ics): `dealcoach plan DEAL --format ics`."
)


def file_consent(f: File) -> Activity:
    """The consent card for one export: Teams asks the user before the bot uploads it."""
    card = FileConsentCard(
        description=f.title or f.filename,
        size_in_bytes=len(f.content),
        accept_context={"filename": f.filename, "content": f.content.decode()},
        decline_context={"filename": f.filename},
    )
    attachment = Attachment(content_type=FILE_CONSENT, name=f.filename, content=card.serialize())
    return MessageFactory.attachment(attachment)


def file_info(upload: FileUploadInfo) -> Activity:
    """The uploaded file as a card in the chat (it opens from the user's OneDrive)."""
    content = FileInfoCard(unique_id=upload.unique_id, file_type=upload.file_type)
    attachment = Attachment(
        content_type=FILE_INFO,
        content_url=upload.content_url,
        name=upload.name,
        content=content.serialize(),
    )
    return MessageFactory.attachment(attachment)


def file_as_text(f: File) -> list[Activity]:
    """An export where no file can be sent: the Markdown plan as a message (paragraphs, so
    `budget.fit` can split a long plan); the calendar file is left to the 1:1 chat."""
    if not f.filename.endswith(".md"):
        return []
    lines = [line for line in f.content.decode().splitlines() if line.strip()]
    activity = MessageFactory.text(text_entities(safe("\n\n".join(lines))))
    activity.text_format = "markdown"
    return [activity]


def render(replies: list[Reply], files: bool = True) -> list[Activity]:
    """Replies in order; consecutive statements share one message to keep the chat calm.

    Every activity fits Microsoft's message size limit (`budget.fit`): a card too big for
    one message continues in the next, nothing is left out. A `File` is a consent card when
    `files` (a personal chat), else its text with a line saying why (`NO_FILES_HERE`).
    """
    return [part for activity in _render(replies, files) for part in budget.fit(activity)]


def _files(replies: list[Reply], files: bool) -> list[Reply]:
    """Where no file can be sent (or one is too big to carry), say so once, before them."""
    out: list[Reply] = []
    told = False
    for reply in replies:
        as_text = isinstance(reply, File) and (not files or len(reply.content) > MAX_CONSENT_FILE)
        if as_text and not told:
            out.append(Text(NO_FILES_HERE if not files else TOO_BIG_FOR_A_FILE))
            told = True
        out.append(reply)
    return out


def _render(replies: list[Reply], files: bool = True) -> list[Activity]:
    out: list[Activity] = []
    texts: list[Text] = []
    for reply in _files(replies, files):
        if isinstance(reply, Text):
            texts.append(reply)
            continue
        if texts:
            out.append(text_message(texts))
            texts = []
        if isinstance(reply, Question):
            out.append(question_card(reply))
        elif isinstance(reply, PlanCard):
            out.append(plan_card(reply))
        elif isinstance(reply, DealList):
            out.append(deal_list_card(reply))
        elif isinstance(reply, Form):
            out.append(form_card(reply))
        elif isinstance(reply, Section):
            out.append(section_card(reply))
        elif isinstance(reply, File) and files and len(reply.content) <= MAX_CONSENT_FILE:
            out.append(file_consent(reply))
        elif isinstance(reply, File):
            out.extend(file_as_text(reply))
    if texts:
        out.append(text_message(texts))
    return out


# --- what comes back -------------------------------------------------------------------

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def submitted_value(data: dict[str, Any]) -> str | None:
    """The choice value a card submit stands for, or None when a needed input was empty.

    A date submit appends the picked date (`date` -> `date:2026-12-12`,
    `step:7:reschedule` -> `step:7:reschedule:2026-12-12`); a reschedule without a date
    falls back to the plain value, so the coach asks for one.
    """
    if data.get("choice_field"):
        picked = data.get(str(data["choice_field"]))
        return str(picked) if picked else None
    value = data.get("value")
    if not isinstance(value, str) or not value:
        return None
    field = data.get("date_field")
    if field:
        picked = str(data.get(str(field)) or "")[:10]
        if _ISO.match(picked):
            return f"{value}:{picked}"
        return value if value.startswith("step:") else None
    return value


def submitted_form(data: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
    """A form card's id and inputs as the engine's `Turn.form_id` and `Turn.form`.

    None if it isn't a form submit. The id is a request, not a proof: the engine checks the
    acting user's right to the step or deal it names.
    """
    form_id = data.get("form_id")
    if not form_id or not isinstance(form_id, str):
        return None
    names = data.get("fields") or []
    return form_id[:300], {str(n): str(data.get(f"form_{n}") or "") for n in names}
