"""A terminal review where the rep types the way reps do (issue 11): history before the step,
two steps in one answer, and a bare date. The plan must hold exactly the steps meant."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import T0
from tests.expected_dates import coming_weekday, local_today, shown, typed
from tests.handlers.test_console import ZONE, dealcoach


def test_history_then_step_and_two_steps_store_exactly_the_steps_meant(tmp_path: Path) -> None:
    today = local_today(T0, ZONE)
    friday = coming_weekday(today, 4)
    approval, signature, decision = (today + dt.timedelta(days=n) for n in (10, 20, 70))
    bare = today + dt.timedelta(days=15)
    lines = [
        "Globex - platform deal",
        typed(decision),
        "Renewal of their analytics platform, budget is tight.",
        "We had a budget meeting with their finance team on Monday, anyway Raj needs to send "
        f"the finance approval by {typed(approval)}",
        f"I send the revised SOW by Friday and then their GC signs it by {typed(signature)}",
        typed(bare),  # a bare date: the coach asks what happens then
        "that's all",
        "skip",
        "looks good",
    ]
    db = tmp_path / "coach.db"
    run = dealcoach("chat", "--user", "alice", db=db, now=T0, stdin="\n".join(lines) + "\n")
    out = run.stdout
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in out + run.stderr
    assert (
        f"Added to the plan: Customer: Raj needs to send the finance approval, "
        f"due {shown(approval, today)}" in out
    )
    assert "Added 2 steps to the plan:" in out
    assert f"• Us (alice): I send the revised SOW, due {shown(friday, today)}" in out
    assert f"• Customer: Their GC signs it, due {shown(signature, today)}" in out
    assert f"What happens on {shown(bare, today)}, and who does it?" in out
    context = next(line for line in out.splitlines() if "Context:" in line)
    assert "We had a budget meeting with their finance team on Monday" in context  # kept

    plan = dealcoach("plan", "--user", "alice", "globex", db=db, now=T0).stdout
    step_lines = [line for line in plan.splitlines() if " · due " in line]
    assert len(step_lines) == 3, plan  # the bare date added nothing
    assert not any("budget meeting" in line for line in step_lines)  # history stays out
    assert "Raj" in plan
