"""Keeping every Teams message under Microsoft's size limit, by splitting, never clipping.

Microsoft: "The bot message size limit is 100 KB ... the message itself (text, image links,
etc.), @-mentions, and reactions encoded as UTF-16 ... it's recommended to ensure that the
size of the message itself is within 80 KB"; beyond the limit the connector answers 413
`MessageSizeTooBig` (learn.microsoft.com/microsoftteams/platform/bots/how-to/
format-your-bot-messages). UTF-16 is two bytes per character for Latin text (four for an
emoji), so a card of 40 KB of UTF-8 JSON is already 80 KB as Microsoft counts it.

`fit` measures an activity the way Microsoft does and, when it is over `MAX_UTF16`, splits
an Adaptive Card's body into several cards (the title repeated with "(continued)", the
card-level buttons on the last one) or a text message at paragraph breaks.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from botbuilder.schema import Activity

from handlers.teams.connector import activity_json

#: Bytes of UTF-16 per message: Microsoft's recommended 80 KB, under the 100 KB limit.
MAX_UTF16 = 80 * 1024
CONTINUED_BELOW = "Continued in the next message."
ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def utf16_size(obj: Any) -> int:
    """Bytes of `obj` as JSON in UTF-16 (the count Microsoft applies to a message).

    Counted with JSON's ASCII escapes (an em dash as six characters), as the SDK sends it:
    never less than Microsoft's count of the decoded text. That JSON is ASCII, two bytes
    a character in UTF-16, so the count needs no encoding.
    """
    return 2 * len(json.dumps(obj))


def size(activity: Activity) -> int:
    """`utf16_size` of the activity's JSON, as the connector gets it (`activity_json`)."""
    return utf16_size(activity_json(activity))


def fit(activity: Activity, limit: int = MAX_UTF16) -> list[Activity]:
    """`activity` as one or more activities of at most `limit` bytes of UTF-16 each."""
    if size(activity) <= limit:
        return [activity]
    card = _card(activity)
    if card is not None and len(card.get("body") or []) > 1:
        return [a for part in _split_card(activity, card, limit) for a in fit(part, limit)]
    if activity.text and "\n\n" in activity.text:
        return [a for part in _split_text(activity, limit) for a in fit(part, limit)]
    return [activity]  # one element too big on its own: the connector will say so


def halves(activity: Activity) -> list[Activity]:
    """An activity the connector refused as too big (413), as two (empty when it cannot)."""
    card = _card(activity)
    if card is not None and len(card.get("body") or []) > 1:
        return _split_card(activity, card, size(activity) // 2)
    if activity.text and "\n\n" in activity.text:
        return _split_text(activity, len(activity.text.encode("utf-16-le")) // 2)
    return []


def _card(activity: Activity) -> dict[str, Any] | None:
    for attachment in activity.attachments or []:
        if attachment.content_type == ADAPTIVE and isinstance(attachment.content, dict):
            return attachment.content
    return None


def _with_card(activity: Activity, content: dict[str, Any]) -> Activity:
    part = copy.copy(activity)
    attachment = copy.copy(activity.attachments[0])
    attachment.content = content
    part.attachments = [attachment]
    return part


def _split_card(activity: Activity, card: dict[str, Any], limit: int) -> list[Activity]:
    """Body elements packed greedily into cards; a Container (a step, a deal) stays whole."""
    body: list[dict[str, Any]] = card["body"]
    title = body[0] if body[0].get("type") == "TextBlock" else None
    again = {**title, "text": f"{title['text']} (continued)"} if title is not None else None
    note = {"type": "TextBlock", "text": CONTINUED_BELOW, "isSubtle": True, "wrap": True}
    frame = {k: v for k, v in card.items() if k not in ("body", "actions")}
    overhead = size(_with_card(activity, {**frame, "body": []})) + utf16_size(note)
    overhead += utf16_size(card.get("actions") or []) + (utf16_size(again) if again else 0)
    pages: list[list[dict[str, Any]]] = [[]]
    used = 0
    for element in body:
        cost = utf16_size(element) + 2
        if pages[-1] and used + cost + overhead > limit:
            pages.append([again] if again is not None else [])
            used = utf16_size(again) if again is not None else 0
        pages[-1].append(element)
        used += cost
    out = []
    for i, page in enumerate(pages):
        content: dict[str, Any] = {**frame, "body": page}
        if i < len(pages) - 1:
            content["body"] = [*page, note]
        elif card.get("actions"):
            content["actions"] = card["actions"]
        out.append(_with_card(activity, content))
    return out


def _split_text(activity: Activity, limit: int) -> list[Activity]:
    pieces: list[str] = [""]
    for paragraph in activity.text.split("\n\n"):
        joined = f"{pieces[-1]}\n\n{paragraph}" if pieces[-1] else paragraph
        if pieces[-1] and len(joined.encode("utf-16-le")) > limit - 2048:
            pieces.append(paragraph)
        else:
            pieces[-1] = joined
    out = []
    for piece in pieces:
        part = copy.copy(activity)
        part.text = piece
        out.append(part)
    return out
