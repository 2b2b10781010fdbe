"""Slack text in, plain text out: decoded once, here, before the engine sees it.

Slack escapes `&`, `<` and `>` as `&amp;`, `&lt;`, `&gt;` and writes mentions and links as
`<@U…|name>`, `<#C…|name>`, `<!channel>`, `<!subteam^S…|@team>`, `<https://…|label>`
(https://api.slack.com/reference/surfaces/formatting#retrieving-messages). The engine and
storage hold plain text: a mention becomes the person's name, a channel its `#name`, a
broadcast a harmless `@channel`, a link "label (url)". Rendering escapes it again
(render.escape), so nothing a user typed can come back out as a live mention or link.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<([^<>]*)>")
_USER = re.compile(r"^@([UW][A-Z0-9]+)(?:\|(.*))?$")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def user_ids(text: str) -> list[str]:
    """The ids of the people mentioned (`<@U…>`), in order, each once."""
    seen: list[str] = []
    for m in _TOKEN.finditer(text or ""):
        u = _USER.match(m.group(1))
        if u and u.group(1) not in seen:
            seen.append(u.group(1))
    return seen


def unescape(text: str) -> str:
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def _token(body: str, names: dict[str, str]) -> str:
    target, _, label = body.partition("|")
    label = unescape(label)
    user = _USER.match(body)
    if user:
        return names.get(user.group(1)) or label or user.group(1)
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!"):
        word = target[1:].split("^", 1)[0]
        if word in ("channel", "here", "everyone"):
            return f"@{word}"
        return label or f"@{word}"
    url = unescape(target)
    if not label or label == url or url == f"mailto:{label}":
        return label or url
    return f"{label} ({url})"


def decode(text: str, names: dict[str, str] | None = None) -> str:
    """Slack's message text as plain text; `names` maps user ids to display names.

    Plain text that Slack escaped comes back exactly: decode(escape(t)) == t.
    """
    names = names or {}
    out, last = [], 0
    for m in _TOKEN.finditer(text or ""):
        out.append(unescape(text[last : m.start()]))
        out.append(_token(m.group(1), names))
        last = m.end()
    out.append(unescape((text or "")[last:]))
    return "".join(out)
