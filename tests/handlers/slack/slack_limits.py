"""Slack's published message limits, as the fake Slack enforces them.

Sources (read 2026-11): docs.slack.dev/reference/block-kit/blocks ("up to 50 blocks in each
message, and 100 blocks in modals or Home tabs"), the block reference pages (a section's
text and a text object at most 3,000 characters, a header's 150, a context at most 10
elements, an actions block at most 25, a button's text 75 and value 2,000), chat.postMessage
(`text` truncated past 40,000 characters, `msg_too_long`), and the undocumented
`msg_blocks_too_long` that Slack answers when the blocks of one message hold more than
roughly 12,000 characters of text (slackapi/bolt-js#2509 measured 13,172-13,297; we take
12,000, the figure our issue measured against).
"""

from __future__ import annotations

from typing import Any

MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_MESSAGE_TEXT = 40_000
MAX_BLOCKS_TEXT = 12_000


def _texts(obj: Any) -> list[str]:
    """Every `text` string of every text object under `obj`."""
    if isinstance(obj, list):
        return [t for item in obj for t in _texts(item)]
    if not isinstance(obj, dict):
        return []
    out: list[str] = []
    for key, value in obj.items():
        if key == "text" and isinstance(value, str):
            out.append(value)
        else:
            out += _texts(value)
    return out


def block_errors(blocks: list[dict[str, Any]], max_blocks: int = MAX_BLOCKS_MESSAGE) -> list[str]:
    """What Slack's `invalid_blocks` would complain about; empty when the blocks are fine."""
    errors = []
    if len(blocks) > max_blocks:
        errors.append(f"must be less than {max_blocks + 1} items [json-pointer:/blocks]")
    for i, b in enumerate(blocks):
        kind = b.get("type")
        text = (b.get("text") or {}).get("text", "")
        if kind == "section" and len(text) > MAX_SECTION_TEXT:
            errors.append(f"section text {len(text)} > {MAX_SECTION_TEXT} [/blocks/{i}/text]")
        if kind == "header" and len(text) > MAX_HEADER_TEXT:
            errors.append(f"header text {len(text)} > {MAX_HEADER_TEXT} [/blocks/{i}/text]")
        if kind == "context":
            elements = b.get("elements") or []
            if len(elements) > MAX_CONTEXT_ELEMENTS:
                errors.append(f"context has {len(elements)} elements [/blocks/{i}]")
            for e in elements:
                if len(e.get("text", "")) > MAX_SECTION_TEXT:
                    errors.append(f"context text > {MAX_SECTION_TEXT} [/blocks/{i}]")
        if kind == "actions":
            elements = b.get("elements") or []
            if len(elements) > MAX_ACTIONS_ELEMENTS:
                errors.append(f"actions has {len(elements)} elements [/blocks/{i}]")
            for e in elements:
                if e.get("type") != "button":
                    continue
                if len(e["text"]["text"]) > MAX_BUTTON_TEXT:
                    errors.append(f"button text > {MAX_BUTTON_TEXT} [/blocks/{i}]")
                if len(e.get("value", "")) > MAX_BUTTON_VALUE:
                    errors.append(f"button value > {MAX_BUTTON_VALUE} [/blocks/{i}]")
    return errors


def message_error(args: dict[str, Any]) -> str | None:
    """The error code chat.postMessage / chat.update would answer, or None if Slack takes it."""
    blocks = args.get("blocks") or []
    if block_errors(blocks):
        return "invalid_blocks"
    if sum(len(t) for t in _texts(blocks)) > MAX_BLOCKS_TEXT:
        return "msg_blocks_too_long"
    if len(str(args.get("text") or "")) > MAX_MESSAGE_TEXT:
        return "msg_too_long"
    if not blocks and not args.get("text"):
        return "no_text"
    return None


def blocks_text(blocks: list[dict[str, Any]]) -> int:
    """Characters of text in `blocks`, the way `msg_blocks_too_long` counts them."""
    return sum(len(t) for t in _texts(blocks))
