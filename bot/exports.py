"""A plan for buyers outside chat (issue 16): Markdown to paste into an email, iCalendar to
import. Both are built from `views.deal_records` and use only what both sides may see: the
decision date and the steps (who, what, owner, due, confirmed by). Never health, risk or
review context.

iCalendar: one all-day VEVENT for the decision date and one per open dated step, with UIDs
derived from the deal (account, name) and the step's number, so importing the file again
updates the events instead of duplicating them (RFC 5545: the UID names the event).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from icalendar import Calendar, Event

from bot.messages import fmt_date

#: A fixed namespace: the same deal and step give the same UID on every export.
UID_NAMESPACE = uuid.UUID("6f1d3c1e-9a55-4d0e-bd0a-3c1f4e4b2a16")


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def _title(record: dict[str, Any]) -> str:
    return f"{record['account']} — {record['name']}" if record["name"] else record["account"]


def plan_markdown(record: dict[str, Any], today: dt.date) -> str:
    """The customer-facing plan as Markdown: decision date, their steps, ours, what is done."""
    decision = _date(record["decision_date"])
    lines = [f"# Our plan together: {_title(record)}", ""]
    lines.append(
        f"**Decision date:** {fmt_date(decision, today)}"
        if decision
        else "**Decision date:** to agree"
    )
    for side, heading in (("customer", f"{record['account']}'s steps"), ("us", "Our steps")):
        lines += ["", f"## {heading}", ""]
        steps = [
            s
            for s in record["steps"]
            if (s["side"] == side or (side == "us" and s["side"] is None))
            and s["status"] != "dropped"
        ]
        if not steps:
            lines.append("- none yet")
        for s in steps:
            due = _date(s["due"])
            when = f"by {fmt_date(due, today)}" if due else "date to agree"
            owner = f" ({s['owner']})" if s["owner"] and s["owner"] not in s["text"] else ""
            mark = "x" if s["status"] == "done" else " "
            note = f" — confirmed by {s['confirmed_by']}" if s.get("confirmed_by") else ""
            lines.append(f"- [{mark}] {s['text']}{owner}, {when}{note}")
    return "\n".join(lines) + "\n"


def plan_ics(record: dict[str, Any], now: dt.datetime) -> bytes:
    """The decision date and each open dated step as all-day events (stable UIDs)."""
    cal = Calendar()
    cal.add("prodid", "-//dealcoach//mutual action plan//EN")
    cal.add("version", "2.0")
    key = f"{record['account']}\x1f{record['name']}"
    decision = _date(record["decision_date"])
    if decision:
        cal.add_component(
            _event(f"{key}\x1fdecision", f"Decision: {_title(record)}", decision, now)
        )
    for s in record["steps"]:
        due = _date(s["due"])
        if due is None or s["status"] != "open":
            continue
        who = record["account"] if s["side"] == "customer" else "Us"
        cal.add_component(
            _event(f"{key}\x1fstep\x1f{s['number']}", f"{who}: {s['text']}", due, now)
        )
    return cal.to_ical()


def _event(key: str, summary: str, day: dt.date, now: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"{uuid.uuid5(UID_NAMESPACE, key)}@dealcoach")
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("dtstamp", now.astimezone(dt.UTC))
    return event
