"""Fitting rendered blocks into messages Slack accepts, without dropping anything.

Slack refuses a message with more than 50 blocks, a section or context text over 3,000
characters (`invalid_blocks`), or blocks holding more than roughly 12,000 characters of
text in all (`msg_blocks_too_long`, undocumented; measured 13,172-13,297 in
slackapi/bolt-js#2509). Sources: docs.slack.dev/reference/block-kit/blocks and the block
reference pages. `pack` splits long texts at line breaks into several blocks and one turn's
blocks into several messages at block boundaries (a step keeps its buttons), and repeats
the reply's header with "(continued)" so a reader of the second message knows what it is.
Nothing is clipped: what does not fit goes into the next message, and the message before
says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Block = dict[str, Any]

#: Blocks per message: Slack allows 50; two are kept for the "continued" note and header.
MAX_BLOCKS = 48
#: Characters in one section or context text (Slack: 3,000).
MAX_TEXT = 3000
#: Characters of text in one message's blocks: under Slack's ~12,000 with room to spare.
MAX_MESSAGE_TEXT = 11_000
CONTINUED_BELOW = "_Continued in the next message._"


@dataclass
class Message:
    """One chat.postMessage: fallback `text` (notifications, screen readers) and blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def text_size(obj: Any) -> int:
    """Characters in every text object under `obj` (what msg_blocks_too_long counts)."""
    if isinstance(obj, list):
        return sum(text_size(v) for v in obj)
    if not isinstance(obj, dict):
        return 0
    return sum(
        len(v) if k == "text" and isinstance(v, str) else text_size(v) for k, v in obj.items()
    )


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line breaks, else at spaces."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                out.append(current)
                current = ""
            out.append(line[:cut])
            line = line[cut:].lstrip(" ")
        if current and len(current) + 1 + len(line) > limit:
            out.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current or not out:
        out.append(current)
    return out


def _split_block(block: Block) -> list[Block]:
    """A section or single-element context whose text is too long, as several blocks."""
    kind = block.get("type")
    if kind == "section" and len(block.get("text", {}).get("text", "")) > MAX_TEXT:
        text = block["text"]
        return [{**block, "text": {**text, "text": part}} for part in chunks(text["text"])]
    if kind == "context" and len(block.get("elements") or []) == 1:
        element = block["elements"][0]
        if len(element.get("text", "")) > MAX_TEXT:
            return [
                {**block, "elements": [{**element, "text": part}]}
                for part in chunks(element["text"])
            ]
    return [block]


def units(blocks: list[Block]) -> list[list[Block]]:
    """Blocks in groups that stay in one message: an actions block stays with the block
    before it (a step and its Done/Drop buttons); long texts become several groups."""
    out: list[list[Block]] = []
    for block in blocks:
        if block.get("type") == "actions" and out:
            out[-1].append(block)
        else:
            out += [[part] for part in _split_block(block)]
    return out


def _continued(first: Block) -> Block | None:
    if first.get("type") != "header":
        return None
    title = first["text"]["text"]
    suffix = " (continued)"
    return {**first, "text": {**first["text"], "text": title[: 150 - len(suffix)] + suffix}}


def pack(replies: list[tuple[str, list[Block]]]) -> list[Message]:
    """Each reply's (fallback text, blocks) packed into as few messages as fit Slack's limits."""
    out: list[Message] = []
    current = Message("")
    size = 0
    for fallback, blocks in replies:
        if not blocks:
            continue
        again = _continued(blocks[0])
        for n, unit in enumerate(units(blocks)):
            unit_size = text_size(unit)
            full = len(current.blocks) + len(unit) > MAX_BLOCKS or (
                size + unit_size > MAX_MESSAGE_TEXT
            )
            if current.blocks and full:
                if n:  # mid-reply: say the rest follows, and repeat its header there
                    current.blocks.append(_note(CONTINUED_BELOW))
                out.append(current)
                current, size = Message(fallback), 0
                if n and again is not None:
                    current.blocks.append(again)
                    size += text_size(again)
            current.blocks.extend(unit)
            size += unit_size
            current.text = current.text or fallback
    if current.blocks:
        out.append(current)
    return out


def halves(msg: Message) -> list[Message]:
    """A message Slack still found too long, as two (for `msg_blocks_too_long`: split, retry)."""
    if len(msg.blocks) < 2:
        return [msg]
    mid = len(msg.blocks) // 2
    if msg.blocks[mid].get("type") == "actions" and mid + 1 < len(msg.blocks):
        mid += 1  # keep a step's buttons with the step
    return [Message(msg.text, msg.blocks[:mid]), Message(msg.text, msg.blocks[mid:])]


def _note(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
