"""Reminders, weekly nudges and the manager digest as neutral replies (`Section`s).

Short by design: one Section per thing to act on, each with its own buttons (the values
the dialog already understands: `step:<id>:done`, `step:<id>:reschedule`,
`cmd:review:<deal id>`), and long lists cut with "and N more" instead of a wall of text.
Replies are stored in the outbox as JSON, so what is sent is exactly what was decided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from bot.messages import Choice, Reply, Section, Text, days, fmt_date, side_label
from process.cadence import Digest, Nudge, ReminderItem, StepRef
from process.plan import Step

T = TypeVar("T")

#: At most this many step cards in one reminder; the rest are counted.
MAX_STEP_CARDS = 6
#: At most this many lines per nudge group.
MAX_LINES = 6
#: Reps per digest post: each post is one outbox row, so a failure resends one post at most.
REPS_PER_POST = 5


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def when(d: dt.date, today: dt.date) -> str:
    n = (d - today).days
    if n == 0:
        return "today"
    if n == 1:
        return "tomorrow"
    if n == -1:
        return "yesterday"
    return f"{fmt_date(d, today)} ({days(n)})" if n > 0 else f"{fmt_date(d, today)} ({days(-n)} ago)"


def _who(step: Step) -> str:
    side = side_label(step.side)
    return f"{side} ({step.owner})" if step.owner else side


def step_buttons(step_id: int | None, deal_id: int) -> tuple[Choice, ...]:
    return (
        Choice("Done", f"step:{step_id}:done", "primary"),
        Choice("Reschedule", f"step:{step_id}:reschedule"),
        Choice("Start a review", f"cmd:review:{deal_id}"),
    )


_REASON = {
    "overdue": "Overdue since {due}",
    "due_today": "Due {due}",
    "due_soon": "Due {due}",
}


def reminder(items: list[ReminderItem], today: dt.date) -> list[Reply]:
    """The day's single reminder message: every due item bundled, one card per step."""
    steps = [i for i in items if i.step is not None]
    decisions = [i for i in items if i.step is None]
    n = len(items)
    head = "1 thing needs you today" if n == 1 else f"{n} things need you today"
    out: list[Reply] = [Text(f"*{head}*: plan dates are coming up.", "coach")]
    for i in steps[:MAX_STEP_CARDS]:
        assert i.step is not None
        due = _REASON[i.reason].format(due=when(i.due, today))
        out.append(
            Section(
                title=i.step.description,
                lines=(f"*{i.deal_title}* · {_who(i.step)} · {due}",),
                choices=step_buttons(i.step.id, i.deal_id),
            )
        )
    if len(steps) > MAX_STEP_CARDS:
        out.append(Text(f"…and {len(steps) - MAX_STEP_CARDS} more: type *list* to see them."))
    for i in decisions:
        out.append(
            Section(
                title=f"Decision date {when(i.due, today)}: {i.deal_title}",
                lines=("Customer steps are still open. Is the plan still on track for that date?",),
                choices=(Choice("Start a review", f"cmd:review:{i.deal_id}", "primary"),),
            )
        )
    return out


def _step_line(r: StepRef, today: dt.date) -> str:
    return f"• {r.step.description} · *{r.deal_title}* · {_who(r.step)} · {when(r.step.due or today, today)}"


def _capped(items: Sequence[T], line: Callable[[T], str], what: str) -> tuple[str, ...]:
    """The first MAX_LINES items as lines, then a count (only shown lines are built)."""
    shown = tuple(line(i) for i in items[:MAX_LINES])
    if len(items) <= MAX_LINES:
        return shown
    return (*shown, f"…and {len(items) - MAX_LINES} more {what}")


def nudge(n: Nudge, name: str = "", hour: int = 9) -> list[Reply]:
    """The weekly nudge: four short groups, only those with something in them. `hour` is
    the rep's local hour (0-23), for the greeting."""
    greeting = "Good morning" if hour < 12 else "Good afternoon" if hour < 18 else "Good evening"
    hello = f"{greeting}{', ' + name.split()[0] if name else ''}! Your deals this week:"
    out: list[Reply] = [Text(hello, "coach")]
    if n.overdue:
        out.append(
            Section(
                f"Overdue ({len(n.overdue)})",
                _capped(n.overdue, lambda r: _step_line(r, n.today), "overdue"),
                choices=step_buttons(n.overdue[0].step.id, n.overdue[0].deal_id)[:2]
                if len(n.overdue) == 1
                else (),
                footer="Mark them done or reschedule: type *plan DEAL* to see the buttons."
                if len(n.overdue) > 1
                else None,
            )
        )
    if n.due_this_week:
        out.append(
            Section(
                f"Due this week ({len(n.due_this_week)})",
                _capped(n.due_this_week, lambda r: _step_line(r, n.today), "this week"),
            )
        )
    if n.no_customer_step:
        out.append(
            Section(
                "No next step from the customer",
                _capped(n.no_customer_step, lambda x: f"• {x[1]}", "deals"),
                choices=(
                    Choice("Start a review", f"cmd:review:{n.no_customer_step[0][0]}", "primary"),
                ),
                footer="A deal without a customer step is a deal the customer is not working on.",
            )
        )
    if n.not_reviewed:
        out.append(
            Section(
                "Not reviewed in two weeks",
                _capped(
                    n.not_reviewed,
                    lambda x: (
                        f"• {x[1]} · {days(x[2]) if x[2] is not None else 'never reviewed'}"
                    ),
                    "deals",
                ),
                choices=(Choice("Start a review", "cmd:review", "primary"),),
            )
        )
    return out


def _pct(x: float | None) -> str:
    return "no step answers yet" if x is None else f"{round(100 * x)}% forward-looking"


def digest(d: Digest) -> list[Reply]:
    """The manager digest: a summary Section, then one Section per rep (never one wall)."""
    total = sum(len(r.deals) for r in d.reps)
    done = [c for c in d.changes if c.what == "done"]
    slips = [c for c in d.changes if c.what == "slip"]
    moves = [c for c in d.changes if c.what == "decision_moved"]
    summary = [
        f"{plural(len(d.reps), 'rep')} · {plural(total, 'open deal')} · since {fmt_date(d.since, d.today)}: "
        f"{plural(len(done), 'step')} done, {len(slips)} slipped, "
        f"{plural(len(moves), 'decision date')} moved",
    ]
    for c in moves[:MAX_LINES]:
        why = f" ({c.reason})" if c.reason else ""
        summary.append(
            f"• *{c.deal_title}* decision moved {fmt_date(c.old, d.today)} → {fmt_date(c.new, d.today)}{why}"
        )
    for c in slips[:MAX_LINES]:
        summary.append(
            f"• {c.text} · *{c.deal_title}* slipped {fmt_date(c.old, d.today)} → {fmt_date(c.new, d.today)}"
        )
    hidden = max(0, len(moves) - MAX_LINES) + max(0, len(slips) - MAX_LINES)
    if hidden:
        summary.append(f"…and {hidden} more changes")
    out: list[Reply] = [
        Section(f"Team digest · {d.team} · week of {fmt_date(d.today, d.today)}", tuple(summary))
    ]
    if d.at_risk:
        out.append(
            Section(
                "Most at risk of no decision",
                tuple(
                    f"• *{dd.title}* ({rep}) · decision {fmt_date(dd.decision_date, d.today)} · "
                    f"{dd.health.score}/100: {', '.join(dd.health.reasons[:3])}"
                    for rep, dd in d.at_risk
                ),
            )
        )
    if d.cannot_make:
        out.append(
            Section(
                "Plans that can't make their decision date",
                tuple(f"• *{dd.title}* ({rep}): {dd.cannot_make}" for rep, dd in d.cannot_make[:MAX_LINES]),
            )
        )
    if d.stuck:
        out.append(
            Section(
                "Stuck in a stage for 3+ weeks",
                tuple(
                    f"• *{dd.title}* ({rep}) · {dd.stage}, {dd.stage_days} days"
                    for rep, dd in d.stuck[:MAX_LINES]
                ),
            )
        )
    done_by: dict[int, int] = {}
    for c in done:
        done_by[c.rep_id] = done_by.get(c.rep_id, 0) + 1
    for r in d.reps:
        lines: list[str] = []
        for dd in r.deals:
            nxt = (
                f"next customer step: {dd.next_customer.description} ({fmt_date(dd.next_customer.due, d.today)})"
                if dd.next_customer
                else "no customer step"
            )
            stage = f" · {dd.stage}" if dd.stage else ""
            lines.append(
                f"• *{dd.title}*{stage} · decision {fmt_date(dd.decision_date, d.today)} · "
                f"{dd.health.score}/100 {dd.health.label} · {nxt}"
            )
            detail = list(dd.health.reasons[:3])
            if dd.confirmed:
                detail.append(dd.confirmed)
            if dd.overdue:
                detail.append(
                    "overdue: "
                    + "; ".join(f"{s.description} ({fmt_date(s.due, d.today)})" for s in dd.overdue[:3])
                )
            if detail:
                lines.append("    " + " · ".join(detail))
        if not lines:
            lines.append("No open deals.")
        out.append(
            Section(
                f"{r.rep.name}: {plural(len(r.deals), 'deal')} · {_pct(r.forward_ratio)}",
                tuple(lines),
                footer=f"{plural(done_by.get(r.rep.user_id, 0), 'step')} done since {fmt_date(d.since, d.today)}"
                + (f" · {r.answers} step answers in 4 weeks" if r.answers else ""),
            )
        )
    return out


def digest_posts(d: Digest, reps_per_post: int = REPS_PER_POST) -> list[list[Reply]]:
    """The digest as separate posts: the summary with the first reps, then `reps_per_post`
    reps per post, each saying which part it is. Every rep appears once; nothing is cut."""
    replies = digest(d)
    split = len(replies) - len(d.reps)
    head, per_rep = replies[:split], replies[split:]
    groups = [per_rep[i : i + reps_per_post] for i in range(0, len(per_rep), reps_per_post)]
    groups = groups or [[]]
    posts = [head + groups[0]]
    for n, group in enumerate(groups[1:], start=2):
        first, last = (n - 1) * reps_per_post + 1, (n - 1) * reps_per_post + len(group)
        posts.append(
            [
                Text(
                    f"*Team digest · {d.team}*, part {n} of {len(groups)}: "
                    f"reps {first}-{last} of {len(d.reps)}"
                ),
                *group,
            ]
        )
    return posts


# --- JSON for the outbox --------------------------------------------------------------


def _choice(c: Choice) -> dict[str, str]:
    return {"label": c.label, "value": c.value, "style": c.style}


def to_json(replies: list[Reply]) -> list[dict[str, Any]]:
    """Notices use Text and Section only, so the stored form stays small and stable."""
    out: list[dict[str, Any]] = []
    for r in replies:
        if isinstance(r, Text):
            out.append({"type": "text", "text": r.text, "tone": r.tone})
        elif isinstance(r, Section):
            out.append(
                {
                    "type": "section",
                    "title": r.title,
                    "lines": list(r.lines),
                    "choices": [_choice(c) for c in r.choices],
                    "footer": r.footer,
                }
            )
        else:  # pragma: no cover - a programming error, not input
            raise TypeError(f"notices store Text and Section only, not {type(r).__name__}")
    return out


def from_json(data: list[dict[str, Any]]) -> list[Reply]:
    out: list[Reply] = []
    for r in data:
        if r["type"] == "text":
            out.append(Text(r["text"], r.get("tone", "info")))
        else:
            out.append(
                Section(
                    r["title"],
                    tuple(r.get("lines", ())),
                    tuple(Choice(**c) for c in r.get("choices", ())),
                    r.get("footer"),
                )
            )
    return out
