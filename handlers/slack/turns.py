"""Slack payloads as neutral turn parts: the command, the clicked value, the idempotency key.

Pure functions over the JSON bolt hands us, so the mapping is easy to read and to test.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from typing import Any

from bot.review import COMMANDS
from handlers.slack.render import escape

Payload = dict[str, Any]
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")
_NAMED_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)\|([^>]*)>")
_BARE_CHANNEL = re.compile(r"^[CG][A-Z0-9]{6,}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def workspace_id(team_id: str) -> str:
    return f"slack:{team_id}"


def parse_command(text: str) -> tuple[str, str]:
    """`/dealreview [sub] [args]` -> (command, args).

    A known subcommand runs; a single word that looks like a mistyped one ("halp") is passed
    on as an unknown command, so the engine answers with help; anything else names a deal.
    """
    text = " ".join((text or "").split())
    if not text:
        return "review", ""
    first, _, rest = text.partition(" ")
    word = first.lower()
    if word in COMMANDS:
        return word, rest
    if word == "deals":
        return "list", rest
    if not rest and difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.6):
        return word, ""
    return "review", text


def digest_channel(args: str) -> str | None:
    """The channel id from Slack's escaped `<#C123|name>` (or a bare id); None if neither."""
    m = _CHANNEL.search(args or "")
    if m:
        return m.group(1)
    bare = (args or "").strip()
    return bare if _BARE_CHANNEL.match(bare) else None


def channel_names(args: str) -> dict[str, str]:
    """Channel id -> "#name" for every `<#C…|name>` in the args (for messages to others)."""
    return {m.group(1): f"#{m.group(2)}" for m in _NAMED_CHANNEL.finditer(args or "") if m.group(2)}


def from_outside(body: Payload, team_id: str) -> bool:
    """Slack Connect: the acting user's own workspace (`user.team_id`) is not the one the
    app is installed in (`team.id`), so they are the customer's people (bot/share.py)."""
    user_team = (body.get("user") or {}).get("team_id")
    return bool(user_team) and user_team != team_id


def action_value(action: Payload) -> str | None:
    """The engine value a click carries: a button's value or a picked date."""
    aid = str(action.get("action_id", ""))
    if action.get("type") == "datepicker":
        picked = action.get("selected_date")
        if not isinstance(picked, str) or not _DATE.match(picked):
            return None
        step = re.fullmatch(r"dc:step:(\d+):reschedule", aid)
        return f"step:{step.group(1)}:reschedule:{picked}" if step else f"date:{picked}"
    value = action.get("value")
    return value if isinstance(value, str) and value else None


_STEP_CHANGE = re.compile(r"step:(\d+):(?:done|drop|reschedule:\d{4}-\d{2}-\d{2})")


def step_change(value: str) -> int | None:
    """The step a click closes or moves (Done, Drop, a picked Reschedule date), else None."""
    m = _STEP_CHANGE.fullmatch(value)
    return int(m.group(1)) if m else None


def action_key(body: Payload, action: Payload) -> str:
    """Idempotency key of a click: who, which message (or view), which block.

    Keyed by block rather than by button, so two different buttons of the same question
    (a double click that lands on its neighbour) take effect once too.
    """
    user = (body.get("user") or {}).get("id", "?")
    container = body.get("container") or {}
    where = container.get("message_ts") or (body.get("view") or {}).get("hash") or "?"
    block = action.get("block_id") or action.get("action_id") or "?"
    if block in ("home", "open-form"):
        block = f"{block}:{action.get('value')}"
    return f"slack:act:{user}:{where}:{block}"


def view_key(view: Payload, values: dict[str, str]) -> str:
    """A submitted modal: its id and hash plus the values, so a corrected resubmission counts."""
    digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
    return f"slack:view:{view.get('id', '?')}:{view.get('hash', '?')}:{digest}"


def form_values(view: Payload) -> dict[str, str]:
    """Modal state -> {field name: text}; empty inputs come back as "" (meaning "clear")."""
    out: dict[str, str] = {}
    state = ((view.get("state") or {}).get("values")) or {}
    for block_id, actions in state.items():
        if not isinstance(actions, dict):
            continue
        for el in actions.values():
            if not isinstance(el, dict):
                continue
            kind = el.get("type")
            if kind == "datepicker":
                val = el.get("selected_date")
            elif kind == "timepicker":
                val = el.get("selected_time")
            elif kind == "static_select":
                val = (el.get("selected_option") or {}).get("value")
            else:
                val = el.get("value")
            out[str(block_id)] = val if isinstance(val, str) else ""
    return out


def chosen_note(action: Payload, value: str) -> str:
    """What the question becomes after a click, e.g. "You chose *Done*"."""
    if action.get("type") == "datepicker":
        picked = value.rsplit(":", 1)[-1]
        if value.startswith("step:"):
            return f":calendar: Rescheduled to *{picked}*"
        return f":calendar: You picked *{picked}*"
    label = escape(((action.get("text") or {}).get("text")) or value)
    if value.startswith("step:") and value.endswith(":done"):
        return ":white_check_mark: Marked *done*"
    if value.startswith("step:") and value.endswith(":drop"):
        return ":wastebasket: *Dropped*"
    return f"You chose *{label}*"
