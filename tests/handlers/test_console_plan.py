"""`dealcoach plan` outside chat, as a user runs it (subprocess, --now): what it says and
its exit code when no deal or several deals match, and that the deal it shows is the one
`drop #2` means in the next `dealcoach chat`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.handlers.test_console import dealcoach

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


def make_deals(db: Path) -> None:
    """Alice's "Acme — renewal" and "Acme — expansion", each with two steps."""
    for deal, first, second in (
        ("Acme - renewal", "They sign the order form by Dec 11", "I'll send the quote"),
        ("Acme - expansion", "They name the pilot team by Dec 9", "I'll book the kickoff"),
    ):
        lines = [deal, "Jan 29", "Demo went well.", first, second, "1", "that's all", "1", "looks good"]
        run = dealcoach(
            "chat", "--user", "alice", deal, db=db, now=NOW, stdin="\n".join(lines[1:]) + "\n"
        )
        assert run.returncode == 0, run.stderr


def test_plan_no_or_several_matches_exit_1_on_both_paths(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    make_deals(db)
    several = dealcoach("plan", "--user", "alice", "--json", "Acme", db=db, now=NOW)
    assert several.returncode == 1 and several.stdout == ""
    assert (
        "Several deals match “Acme”: Acme — renewal, Acme — expansion. Name one." in several.stderr
        or "Several deals match “Acme”: Acme — expansion, Acme — renewal. Name one."
        in several.stderr
    )
    assert dealcoach("plan", "--user", "alice", "Acme", db=db, now=NOW).returncode == 1
    none = dealcoach("plan", "--user", "alice", "Globex", db=db, now=NOW)
    assert none.returncode == 1 and "`dealcoach chat`" in none.stdout
    assert "Type *review*" not in none.stdout and "Type review" not in none.stdout
    none_json = dealcoach("plan", "--user", "alice", "--json", "Globex", db=db, now=NOW)
    assert none_json.returncode == 1
    one = dealcoach("plan", "--user", "alice", "Acme - renewal", db=db, now=NOW)
    assert one.returncode == 0 and "Acme — renewal" in one.stdout


def test_plan_on_the_command_line_is_what_the_next_chat_means(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    make_deals(db)  # the expansion was reviewed last
    assert dealcoach("plan", "--user", "alice", "Acme - renewal", db=db, now=NOW).returncode == 0
    chat = dealcoach("chat", "--user", "alice", db=db, now=NOW, stdin="drop #2 why\n")
    assert "Acme — renewal #2 I'll send the quote: dropped (why)" in chat.stdout, chat.stdout
    plan = dealcoach("plan", "--user", "alice", "Acme - expansion", db=db, now=NOW)
    assert "I'll book the kickoff" in plan.stdout  # still open on the other deal


def test_plan_card_says_one_day(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    make_deals(db)
    later = dt.datetime(2027, 1, 28, 15, 0, tzinfo=dt.UTC)  # the day before the decision
    plan = dealcoach("plan", "--user", "alice", "Acme - renewal", db=db, now=later)
    assert "(1 day)" in plan.stdout and "(1 days)" not in plan.stdout
