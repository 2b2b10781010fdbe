"""`plan DEAL --format md|ics` (issue 16): the customer-facing exports from the terminal.

The .ics is read back with the icalendar parser; its dates must be the plan's (read from
`plan --json`, not typed in here), and a re-export after a change keeps every UID."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from icalendar import Calendar

from app import main
from tests.conftest import FakeClock
from tests.handlers.conftest import RunConsole

SCRIPT = [
    "Acme Corp - 2027 renewal",
    "Jan 29",
    "Pilot went fine, champion nervous about budget.",
    "Their CFO signs the order form by Dec 11",
    "I'll send the SOC 2 report by Dec 4",
    "that's all",
    "CFO may freeze the budget",
    "looks good",
]


def events(path: Path) -> dict[str, tuple[str, dt.date]]:
    cal = Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]): (str(e["SUMMARY"]), e.decoded("DTSTART")) for e in cal.walk("VEVENT")}


def test_markdown_and_ics_exports(
    tmp_path: Path,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    console_review: RunConsole,
) -> None:
    url = console_review(SCRIPT).url
    now = clock().isoformat()
    base = ["--db", url, "--user", "alice", "--now", now]

    assert main(["plan", "Acme", "--json", *base]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["risk"]  # there is an internal note to keep out

    assert main(["plan", "Acme", "--format", "md", *base]) == 0
    md = capsys.readouterr().out
    assert "Our plan together: Acme Corp — 2027 renewal" in md
    assert "Their CFO signs the order form" in md and "SOC 2 report" in md
    for internal in (record["risk"], "Pilot went fine", "health", str(record["health"]["score"])):
        assert internal not in md

    ics = tmp_path / "plan.ics"
    assert main(["plan", "Acme", "--format", "ics", "-o", str(ics), *base]) == 0
    first = events(ics)
    wanted = {dt.date.fromisoformat(record["decision_date"])} | {
        dt.date.fromisoformat(s["due"]) for s in record["steps"] if s["due"]
    }
    assert {day for _, day in first.values()} == wanted
    assert len(first) == 1 + len([s for s in record["steps"] if s["due"]])
    decision = [uid for uid, (summary, _) in first.items() if summary.startswith("Decision")]
    assert first[decision[0]][1] == dt.date.fromisoformat(record["decision_date"])

    # the rep moves the SOC 2 step a week: same UIDs, that event's new date
    soc2 = next(s for s in record["steps"] if "SOC 2" in s["text"])
    later = dt.date.fromisoformat(soc2["due"]) + dt.timedelta(days=7)
    console_review([f"edit #{soc2['number']} due {later:%b %-d}"])  # the same store
    assert main(["plan", "Acme", "--format", "ics", "-o", str(ics), *base]) == 0
    second = events(ics)
    assert set(second) == set(first)
    moved = [uid for uid in first if first[uid][1] != second[uid][1]]
    assert len(moved) == 1 and second[moved[0]][1] == later

    assert main(["plan", "Globex", "--format", "ics", *base]) == 1
    assert "no deal of yours matches" in capsys.readouterr().err
