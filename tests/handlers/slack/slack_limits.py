"""The published Block Kit limits the fake Slack holds our messages and modals to.

Sources: docs.slack.dev "Modal views" (title, submit and close at most 24 characters, at
most 100 blocks, private_metadata 3000, callback_id 255), "Blocks" (at most 50 blocks in a
message; actions blocks at most 25 elements; block_id 255), "Block elements" (button text
75, value 2000, action_id 255, accessibility_label 75; static_select at most 100 options of text 75 and value
150), "Text object" (section text 3000, header 150), "Context block" (at most 10
elements). Slack answers a breach with `invalid_blocks` (messages) or `invalid_arguments`
(views); so does the fake.

Message size: chat.postMessage truncates `text` past 40,000 characters (`msg_too_long`),
and Slack answers `msg_blocks_too_long`, undocumented, when one message's blocks hold more
than roughly 12,000 characters of text (slackapi/bolt-js#2509 measured 13,172-13,297; we
take 12,000, the figure issue 13 measured against).
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
ACCESSIBILITY_LABEL = 75
BLOCKS_TEXT = 12_000


def _text(obj: Any) -> str:
    return (obj or {}).get("text", "") if isinstance(obj, dict) else ""


def _element_error(el: dict[str, Any]) -> str | None:
    if len(str(el.get("action_id", ""))) > 255:
        return "action_id longer than 255"
    if el.get("type") == "button":
        if len(_text(el.get("text"))) > 75:
            return "button text longer than 75"
        if len(str(el.get("value", ""))) > 2000:
            return "button value longer than 2000"
        if (
            "accessibility_label" in el
            and not 1 <= len(str(el["accessibility_label"])) <= ACCESSIBILITY_LABEL
        ):
            return "button accessibility_label not 1-75 characters"
    if el.get("type") == "static_select":
        options = el.get("options") or []
        if not options or len(options) > 100:
            return "static_select needs 1-100 options"
        for o in options:
            if len(_text(o.get("text"))) > 75 or len(str(o.get("value", ""))) > 150:
                return "option text over 75 or value over 150"
    return None


def blocks_error(blocks: list[dict[str, Any]], most: int) -> str | None:
    """What breaks the limits in `blocks`, or None."""
    if len(blocks) > most:
        return f"{len(blocks)} blocks, more than {most}"
    for b in blocks:
        if len(str(b.get("block_id", ""))) > 255:
            return "block_id longer than 255"
        kind = b.get("type")
        if kind == "section" and len(_text(b.get("text"))) > 3000:
            return "section text longer than 3000"
        if kind == "header" and len(_text(b.get("text"))) > 150:
            return "header text longer than 150"
        if kind == "context":
            elements = b.get("elements") or []
            if not elements or len(elements) > 10:
                return "context block needs 1-10 elements"
            if any(len(str(e.get("text", ""))) > 3000 for e in elements):
                return "context text longer than 3000"
        if kind == "actions":
            elements = b.get("elements") or []
            if not elements or len(elements) > 25:
                return "actions block needs 1-25 elements"
            for el in elements:
                if error := _element_error(el):
                    return error
        if kind == "input":
            if len(_text(b.get("label"))) > 2000:
                return "input label longer than 2000"
            if error := _element_error(b.get("element") or {}):
                return error
    return None


def view_error(view: dict[str, Any]) -> str | None:
    """What breaks the modal (or Home tab) limits in `view`, or None."""
    if view.get("type") == "modal":
        for key in ("title", "submit", "close"):
            if len(_text(view.get(key))) > 24:
                return f"{key} longer than 24"
        if not _text(view.get("title")):
            return "a modal needs a title"
        if any(b.get("type") == "input" for b in view.get("blocks") or []) and not view.get(
            "submit"
        ):
            return "a modal with inputs needs submit"
    if len(str(view.get("private_metadata", ""))) > 3000:
        return "private_metadata longer than 3000"
    if len(str(view.get("callback_id", ""))) > 255:
        return "callback_id longer than 255"
    return blocks_error(view.get("blocks") or [], VIEW_BLOCKS)


def blocks_text(obj: Any) -> int:
    """Characters in every text object under `obj`, as msg_blocks_too_long counts them."""
    if isinstance(obj, list):
        return sum(blocks_text(v) for v in obj)
    if not isinstance(obj, dict):
        return 0
    total = 0
    for key, value in obj.items():
        total += len(value) if key == "text" and isinstance(value, str) else blocks_text(value)
    return total


def message_error(args: dict[str, Any]) -> tuple[str, str] | None:
    """(Slack's error code, what breaks) for a chat.postMessage / chat.update, or None."""
    blocks = args.get("blocks") or []
    if breach := blocks_error(blocks, MESSAGE_BLOCKS):
        return "invalid_blocks", breach
    if (n := blocks_text(blocks)) > BLOCKS_TEXT:
        return "msg_blocks_too_long", f"{n} characters of block text, more than {BLOCKS_TEXT}"
    if len(str(args.get("text") or "")) > MESSAGE_TEXT:
        return "msg_too_long", f"text longer than {MESSAGE_TEXT}"
    if not blocks and not args.get("text"):
        return "no_text", "neither text nor blocks"
    return None
