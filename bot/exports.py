"""A plan for buyers outside chat (issue 16): Markdown to paste into an email, iCalendar to
import. Both are built from `views.deal_records` and use only what both sides may see: the
decision date and the steps (who, what, owner, due, confirmed by), each step in its
customer-facing wording (`customer_text`). Never health, risk, review context, or the
coaching wording of a step the coach proposed.

Markdown: the decision date, then one timeline of both sides' steps by due date (undated
ones last, then by step number), done ones ticked, dropped ones left out.

iCalendar (RFC 5545): one all-day VEVENT for the decision date and one per dated step that
is open, done or dropped. The UID is derived from the workspace, the deal's id and the
step's id, never from words or dates, so importing the file again after a step was renamed
or moved updates that event instead of adding a second one (RFC 5545 3.8.4.7). A change
raises SEQUENCE (the step's `revision`, the decision date's number of moves) and
LAST-MODIFIED, which is how a calendar knows the newer copy wins (3.8.7.4). A dropped step
stays in the file with STATUS:CANCELLED, so the re-import removes or strikes it instead of
leaving a stale event; a done one stays with its summary starting "Done:" (VEVENT has no
COMPLETED status; that one is for VTODO, 3.8.1.11).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from icalendar import Calendar, Event

from bot.messages import fmt_date

#: A fixed namespace: the same deal and step give the same UID on every export.
UID_NAMESPACE = uuid.UUID("6f1d3c1e-9a55-4d0e-bd0a-3c1f4e4b2a16")
DONE_PREFIX = "Done: "


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def _title(record: dict[str, Any]) -> str:
    return f"{record['account']} — {record['name']}" if record["name"] else record["account"]


#: A rep's leading first person and what a buyer should read instead ("I" would be the buyer).
_FIRST_PERSON = re.compile(
    r"^(?:(?P<me>me\s+to)|(?P<im>i'm|i’m|i\s+am)|i(?P<tail>'ll|’ll|'ve|’ve|'d|’d)?)\b\s*",
    re.IGNORECASE,
)


def we_voice(text: str) -> str:
    """Our step in words a buyer reads right: a leading "I" / "Me to" becomes "We"
    ("I send the quote" -> "We send the quote", "I'll call" -> "We'll call",
    "Me to send" -> "We send", "I'm" -> "We're"); anything else is returned unchanged."""
    found = _FIRST_PERSON.match(text)
    if not found:
        return text
    rest = text[found.end() :]
    if found["im"]:
        return f"We're {rest}".rstrip()
    tail = (found["tail"] or "").replace("’", "'")
    return f"We{tail} {rest}".rstrip()


def customer_wording(text: str, side: str | None) -> str:
    """The one customer-facing wording of a step, for every export and the shared card:
    on our side (any side but "customer") the rep's first person becomes "We" (`we_voice`)."""
    return text if side == "customer" else we_voice(text)


def customer_text(step: dict[str, Any]) -> str:
    """A step as the customer reads it: the customer-facing wording of a step the coach
    proposed (`shared_text`), else the step's own words, through `customer_wording`."""
    return customer_wording(str(step.get("shared_text") or step["text"]), step["side"])


def _who(record: dict[str, Any], step: dict[str, Any]) -> str:
    return str(record["account"]) if step["side"] == "customer" else "Us"


def by_date(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Steps by due date, undated ones last, ties by step number."""
    return sorted(steps, key=lambda s: (s["due"] is None, s["due"] or "", s["number"] or 0))


def plan_markdown(record: dict[str, Any], today: dt.date) -> str:
    """The customer-facing plan as Markdown: the decision date, then both sides' steps in
    date order (who does each, by when, confirmed by whom), done ones ticked."""
    decision = _date(record["decision_date"])
    lines = [f"# Our plan together: {_title(record)}", ""]
    lines.append(
        f"**Decision date:** {fmt_date(decision, today)}"
        if decision
        else "**Decision date:** to agree"
    )
    lines += ["", "## Steps, by date", ""]
    steps = by_date([s for s in record["steps"] if s["status"] != "dropped"])
    if not steps:
        lines.append("- none yet")
    for s in steps:
        due = _date(s["due"])
        text = customer_text(s)
        when = f"by {fmt_date(due, today)}" if due else "date to agree"
        owner = f" ({s['owner']})" if s["owner"] and s["owner"] not in text else ""
        mark = "x" if s["status"] == "done" else " "
        note = f" — confirmed by {s['confirmed_by']}" if s.get("confirmed_by") else ""
        lines.append(f"- [{mark}] **{_who(record, s)}:** {text}{owner}, {when}{note}")
    return "\n".join(lines) + "\n"


def uid(record: dict[str, Any], what: str) -> str:
    """The event's UID: from the workspace, the deal id and `what` ("decision" or a step's
    id), so neither renaming nor moving changes it."""
    key = f"{record['workspace_id']}\x1f{record['id']}\x1f{what}"
    return f"{uuid.uuid5(UID_NAMESPACE, key)}@dealcoach"


def plan_ics(record: dict[str, Any], now: dt.datetime) -> bytes:
    """The decision date and each dated step as all-day events (see the module docstring:
    stable UIDs, SEQUENCE/LAST-MODIFIED, done and dropped steps kept with their status)."""
    cal = Calendar()
    cal.add("prodid", "-//dealcoach//mutual action plan//EN")
    cal.add("version", "2.0")
    decision = _date(record["decision_date"])
    if decision:
        event = _event(uid(record, "decision"), f"Decision: {_title(record)}", decision, now)
        event.add("sequence", int(record.get("decision_moves") or 0))
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    for s in record["steps"]:
        due = _date(s["due"])
        if due is None:
            continue
        summary = f"{_who(record, s)}: {customer_text(s)}"
        if s["status"] == "done":
            summary = DONE_PREFIX + summary
        event = _event(uid(record, f"step:{s['id']}"), summary, due, now)
        event.add("sequence", int(s.get("revision") or 0))
        if s.get("changed_at"):
            event.add("last-modified", dt.datetime.fromisoformat(s["changed_at"]))
        if s["status"] == "dropped":
            status = "CANCELLED"
        elif s["side"] == "customer" and not s.get("confirmed_by") and s["status"] == "open":
            status = "TENTATIVE"  # the seller's assumption until the buyer confirms it
        else:
            status = "CONFIRMED"
        event.add("status", status)
        cal.add_component(event)
    return cal.to_ical()


def _event(ident: str, summary: str, day: dt.date, now: dt.datetime) -> Event:
    event = Event()
    event.add("uid", ident)
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("dtstamp", now.astimezone(dt.UTC))
    return event
