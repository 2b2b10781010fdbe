"""Issue 15's scripted terminal review: a rep who answers "no idea what they do next" is
offered concrete customer steps from the sales process, picks the first by its number, and
the plan gets a dated customer step."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from process.sales_process import default_process
from process.workback import propose_due
from tests.conftest import T0
from tests.expected_dates import local_today, shown, typed
from tests.handlers.test_console import ZONE, dealcoach


def test_a_stuck_rep_is_offered_process_steps_and_picks_the_first(tmp_path: Path) -> None:
    today = local_today(T0, ZONE)
    decision = today + dt.timedelta(days=90)
    lines = [
        "Acme Corp - 2027 renewal",
        typed(decision),
        "4",  # stage: Security, legal and procurement
        "We demoed last week and they liked it.",
        "no idea what they do next",
        "1",  # the first suggested customer step
        "Dana, their CISO",
        "1",  # the proposed date, worked back from the decision date
    ]
    db = tmp_path / "coach.db"
    run = dealcoach("chat", "--user", "alice", db=db, now=T0, stdin="\n".join(lines) + "\n")
    out = run.stdout
    process = default_process()
    stage = process.stage("security_legal_procurement")
    assert stage is not None
    offered = out.split("you ▸ no idea what they do next", 1)[1].split("you ▸ 1", 1)[0]
    customer = [s.text for s in stage.customer_steps]
    assert sum(text in offered for text in customer) >= 2, offered
    first = stage.customer_steps[0]
    due = propose_due(process, first.lead_days, first.meets, decision, today).due
    assert f"Added to the plan: Customer (Dana, their CISO): {first.text}, due {shown(due, today)}" in out
    plan = dealcoach("plan", "--user", "alice", "acme", "--json", db=db, now=T0)
    record = json.loads(plan.stdout)
    assert record["stage"] == "security_legal_procurement"
    (step,) = record["steps"]
    assert (step["text"], step["side"], step["owner"], step["due"]) == (
        first.text,
        "customer",
        "Dana, their CISO",
        due.isoformat(),
    )
