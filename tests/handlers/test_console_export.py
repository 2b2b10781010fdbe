"""`plan DEAL --format md|ics` (issue 16): the customer-facing exports from the terminal.

The .ics is read back with the icalendar parser; its dates must be the plan's (read from
`plan --json`, not typed in here), and a re-export after a change keeps every UID."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

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


#: A review whose no-decision answer adds the coach's de-risking step (#4, worded for the
#: rep), with an undated step (#3) between.
COACHED = [
    "Acme Corp - 2027 renewal",
    "Jan 29",
    "Pilot went fine, champion nervous about budget.",
    "Their CFO signs the order form by Dec 11",
    "I'll send the SOC 2 report by Dec 4",
    "Their legal team will review our MSA",
    "no date yet",
    "that's all",
    "Not enough information",
    "yes",
    "Dec 8",
    "looks good",
]
COACHING = ("two facts", "stop adding more", "still need to decide")


def vevents(path: Path) -> dict[str, Any]:
    return {str(e["UID"]): e for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}


def test_exports_by_date_in_customer_words_with_stable_uids(
    console_review: RunConsole,
    tmp_path: Path,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = ""

    def chat(*lines: str) -> str:
        nonlocal url
        done = console_review(list(lines))
        url = done.url
        return done.transcript

    def run(*args: str) -> str:
        assert main([*args, "--db", url, "--user", "alice", "--now", clock().isoformat()]) == 0
        return capsys.readouterr().out

    said = chat(*COACHED)
    assert "Send the two facts they still need to decide" in said  # the rep reads the coaching
    record = json.loads(run("plan", "Acme", "--json"))
    by_text = {s["text"]: s for s in record["steps"]}
    coach_step = by_text["Send the two facts they still need to decide, and stop adding more"]
    assert coach_step["shared_text"] == "Send you the facts you still need for your decision"

    md = run("plan", "Acme", "--format", "md")
    for internal in (*COACHING, record["risk"], "Pilot went fine", "health"):
        assert internal not in md, internal
    steps = [line for line in md.splitlines() if line.startswith("- [")]
    # by due date: Dec 4 (ours), Dec 8 (the coach's step, in customer words), Dec 11
    # (theirs), then the undated one; not by number (#1 CFO, #2 SOC 2, #3 legal, #4 coach)
    assert [line.split(":** ")[1].split(",")[0].split(" (")[0] for line in steps] == [
        "We'll send the SOC 2 report",
        "Send you the facts you still need for your decision",
        "Their CFO signs the order form",
        "Their legal team will review our MSA",
    ]
    assert steps[-1].endswith("date to agree")
    assert md.index("Decision date") < md.index(steps[0])

    ics = tmp_path / "plan.ics"
    run("plan", "Acme", "--format", "ics", "-o", str(ics))
    first = vevents(ics)
    summaries = " ".join(str(e["SUMMARY"]) for e in first.values())
    assert "Us: Send you the facts you still need for your decision" in summaries
    for internal in COACHING:
        assert internal not in ics.read_text()
    uid_of = {str(e["SUMMARY"]): uid for uid, e in first.items()}
    soc2 = uid_of["Us: We'll send the SOC 2 report"]
    cfo = uid_of["Acme Corp: Their CFO signs the order form"]
    facts = uid_of["Us: Send you the facts you still need for your decision"]
    assert str(first[cfo]["STATUS"]) == "TENTATIVE"  # not confirmed by the buyer yet
    assert all(int(e.get("SEQUENCE", 0)) == 0 for e in first.values())

    # a day later: the SOC 2 step is renamed and moved, the CFO step dropped, the coach's
    # step done; the same file re-imported must update those events, not add or keep stale
    clock.advance(days=1)
    chat(
        "edit #2 text Send the SOC 2 report and the pen test summary",
        "edit #2 due Dec 7",
        "drop #1 their CFO signs through procurement instead",
        "done #4",
    )
    run("plan", "Acme", "--format", "ics", "-o", str(ics))
    second = vevents(ics)
    assert set(second) == set(first)  # same UIDs: nothing duplicated
    assert str(second[soc2]["SUMMARY"]) == "Us: Send the SOC 2 report and the pen test summary"
    assert second[soc2].decoded("DTSTART") == dt.date(2026, 12, 7)
    assert str(second[cfo]["STATUS"]) == "CANCELLED"
    assert str(second[facts]["SUMMARY"]).startswith("Done: ")
    for uid in (soc2, cfo, facts):
        assert int(second[uid]["SEQUENCE"]) > int(first[uid].get("SEQUENCE", 0)), uid
        assert second[uid].decoded("LAST-MODIFIED") == clock()
    decision = next(u for u, e in second.items() if str(e["SUMMARY"]).startswith("Decision"))
    assert int(second[decision]["SEQUENCE"]) == int(first[decision]["SEQUENCE"])

    md = run("plan", "Acme", "--format", "md")
    assert "Their CFO signs the order form" not in md  # dropped: not in the customer's plan
    assert "- [x] **Us:** Send you the facts you still need for your decision" in md


def test_a_reworded_coach_step_shows_the_reps_words_and_undo_brings_back_the_customer_ones(
    console_review: RunConsole, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ""

    def chat(*lines: str) -> None:
        nonlocal url
        url = console_review(list(lines)).url

    def md() -> str:
        argv = ["plan", "Acme", "--format", "md", "--db", url, "--user", "alice"]
        assert main([*argv, "--now", clock().isoformat()]) == 0
        return capsys.readouterr().out

    chat(*COACHED)
    assert "Send you the facts you still need for your decision" in md()
    chat("edit #4 text Send the pricing sheet and the reference call notes")
    now = md()
    assert "Send the pricing sheet and the reference call notes" in now
    assert "Send you the facts" not in now
    chat("undo")
    now = md()
    assert "Send you the facts you still need for your decision" in now
    assert not any(internal in now for internal in COACHING)


def test_our_steps_read_we_to_the_buyer_and_theirs_drops_our_rep_as_owner(
    clock: FakeClock, capsys: pytest.CaptureFixture[str], console_review: RunConsole
) -> None:
    """A buyer reads "I" as themselves: our first person becomes "We" in both exports (the
    owner kept in brackets), and moving our step to their side drops our rep as its owner."""
    url = console_review(SCRIPT).url
    base = ["--db", url, "--user", "alice", "--now", clock().isoformat()]
    assert main(["plan", "Acme", "--json", *base]) == 0
    record = json.loads(capsys.readouterr().out)
    soc2 = next(s for s in record["steps"] if "SOC 2" in s["text"])
    assert soc2["text"].startswith("I'll") and soc2["owner"] == "alice"

    assert main(["plan", "Acme", "--format", "md", *base]) == 0
    md = capsys.readouterr().out
    assert "**Us:** We'll send the SOC 2 report (alice)" in md, md
    assert "I'll" not in md
    assert main(["plan", "Acme", "--format", "ics", *base]) == 0
    ics = capsys.readouterr().out.replace("\r\n ", "")
    assert "SUMMARY:Us: We'll send the SOC 2 report" in ics and "I'll" not in ics

    console_review([f"edit #{soc2['number']} theirs"])
    assert main(["plan", "Acme", "--json", *base]) == 0
    moved = next(s for s in json.loads(capsys.readouterr().out)["steps"] if s["id"] == soc2["id"])
    assert moved["side"] == "customer" and moved["owner"] is None


@pytest.mark.parametrize(
    ("said", "reads"),
    [
        ("I send the quote", "We send the quote"),
        ("I'll call Ann", "We'll call Ann"),
        ("Me to send the deck", "We send the deck"),
        ("I'm booking the room", "We're booking the room"),
        ("Ivan sends the deck", "Ivan sends the deck"),
    ],
)
def test_the_shared_card_words_our_steps_as_we(said: str, reads: str) -> None:
    from bot.share import customer_text
    from storage.models import PlanStep

    ours = PlanStep(deal_id=1, number=1, description=said, side="us", owner="root")
    assert customer_text(ours) == reads
    theirs = PlanStep(deal_id=1, number=2, description=said, side="customer")
    assert customer_text(theirs) == said
