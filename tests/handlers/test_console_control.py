"""Issue 10's scripted terminal review: `list` at the deal question makes no deal, `undo`
takes back a wrong step, `close` -> Won with a reason, and `plan DEAL --json` shows exactly
the steps meant. The console runs in-process on a fixed clock (Tue 2026-11-24)."""

from __future__ import annotations

import json

import pytest

from app import main
from tests.handlers.conftest import RunConsole

SCRIPT = [
    "list",
    "Acme Corp - 2027 renewal",
    "Dec 18",
    "Demo went well.",
    "Their CFO signs the order form by Dec 11",
    "Their security team finishes the vendor risk assessment by Friday",
    "skip",  # who on their side owns it
    "undo",
    "I'll send the SOC 2 report by Dec 4",
    "that's all",
    "skip",
    "looks good",
    "close Acme",
    "1",
    "Security review went smoothly",
]


def test_scripted_terminal_review_undo_close_and_plan_json(
    console_review: RunConsole, capsys: pytest.CaptureFixture[str]
) -> None:
    run = console_review(SCRIPT)
    url, transcript = run.url, run.transcript
    assert "You have no open deals yet" in transcript  # `list` was the command
    assert "Undone: step “Their security team finishes the vendor risk assessment”" in transcript
    assert "Closed Acme Corp — 2027 renewal: Won (Security review went smoothly)" in transcript
    assert "Traceback" not in transcript

    assert main(["plan", "Acme", "--json", "--db", url, "--user", "alice"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["account"], record["name"], record["status"]) == (
        "Acme Corp",
        "2027 renewal",
        "won",
    )
    assert record["decision_date"] == "2026-12-18"
    assert [
        (s["number"], s["text"], s["side"], s["due"], s["status"]) for s in record["steps"]
    ] == [
        (1, "Their CFO signs the order form", "customer", "2026-12-11", "open"),
        (2, "I'll send the SOC 2 report", "us", "2026-12-04", "open"),
    ]

    # Options before or after the command mean the same.
    assert main(["--db", url, "--user", "alice", "deals", "--json"]) == 0
    before = capsys.readouterr().out
    assert main(["deals", "--json", "--db", url, "--user", "alice"]) == 0
    assert capsys.readouterr().out == before and json.loads(before) == []  # closed: not listed

    assert main(["plan", "Globex", "--json", "--db", url, "--user", "alice"]) == 1
    assert "No deal of yours matches “Globex”" in capsys.readouterr().err
