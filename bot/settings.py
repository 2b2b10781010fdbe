"""A user's own settings (time zone, weekly nudge, holiday pause): the form and its checks."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.messages import Choice, Form, FormField
from process.dates import parse_date_answer
from process.playbook import fmt_date
from storage.models import User

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def settings_form(user: User) -> Form:
    return Form(
        form_id="settings",
        title="Your dealcoach settings",
        fields=(
            FormField(
                "timezone",
                "Time zone",
                "timezone",
                user.timezone_override or "",
                hint=f"Leave empty to use your profile's ({user.timezone or 'not set'}).",
            ),
            FormField(
                "nudge_weekday",
                "Weekly nudge day",
                "weekday",
                str(user.nudge_weekday if user.nudge_weekday is not None else 0),
                options=tuple(Choice(d, str(i)) for i, d in enumerate(WEEKDAYS[:5])),
            ),
            FormField("nudge_time", "Weekly nudge time", "time", user.nudge_time or "09:00"),
            FormField(
                "paused_until",
                "Pause reminders until",
                "date",
                user.paused_until.isoformat() if user.paused_until else None,
                hint="For holidays: no reminders or nudges until this date.",
            ),
        ),
    )


def apply_settings(user: User, form: dict[str, str], today: dt.date) -> dict[str, str]:
    """Apply the valid fields; return {field: what is wrong and how to fix it} for the rest."""
    errors: dict[str, str] = {}
    tz = (form.get("timezone") or "").strip()
    if tz:
        try:
            ZoneInfo(tz)
            user.timezone_override = tz
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = (
                f"“{tz}” is not a time zone I know; use a name like Europe/Berlin or America/New_York."
            )
    elif "timezone" in form:
        user.timezone_override = None
    day = (form.get("nudge_weekday") or "").strip()
    if day:
        idx = (
            int(day)
            if day.isdigit()
            else next(
                (i for i, d in enumerate(WEEKDAYS) if d.lower().startswith(day.lower()[:3])), None
            )
        )
        if idx is None or not 0 <= idx <= 4:
            errors["nudge_weekday"] = "The nudge day must be a weekday, Monday to Friday."
        else:
            user.nudge_weekday = idx
    hhmm = (form.get("nudge_time") or "").strip()
    if hhmm:
        m = _HHMM.fullmatch(hhmm)
        if m:
            user.nudge_time = f"{int(m.group(1)):02d}:{m.group(2)}"
        else:
            errors["nudge_time"] = "The nudge time must look like 09:00 (24-hour)."
    pause = (form.get("paused_until") or "").strip()
    if pause:
        d = parse_date_answer(pause, today)
        if d is None:
            errors["paused_until"] = f"I couldn't read “{pause}” as a date from today on."
        else:
            user.paused_until = d
    elif "paused_until" in form:
        user.paused_until = None
    return errors


def describe(user: User, fallback_zone: str, today: dt.date) -> str:
    day = WEEKDAYS[user.nudge_weekday if user.nudge_weekday is not None else 0]
    paused = f"; paused until {fmt_date(user.paused_until, today)}" if user.paused_until else ""
    return (
        f"weekly nudge on {day}s at {user.nudge_time or '09:00'} "
        f"({user.zone or fallback_zone}){paused}"
    )
