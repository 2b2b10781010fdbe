"""`dealcoach chat` as a user runs it: a subprocess, stdin lines in, the transcript out."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import invoked_as
from bot.messages import Choice
from handlers.console import pick
from process.workdays import day_off
from tests.conftest import T0
from tests.expected_dates import coming_weekday, local_today, shown, typed

ROOT = Path(__file__).resolve().parents[2]

#: The zone the scripted rep lives in; every expected date is this zone's calendar.
ZONE = "America/New_York"


def script(today: dt.date) -> list[str]:
    """A whole review whose dates are typed relative to `today`, so it fits any instant.

    Maria's date is questioned when it falls on a weekend or a US public holiday (the rep's
    zone is New York): then the script keeps it."""
    maria = today + dt.timedelta(days=15)
    return [
        "Acme Corp - 2027 renewal",
        typed(today + dt.timedelta(days=70)),  # the decision date, well after every step
        "We had a great demo with their team last Thursday and they loved the reporting module.",
        "Last week I met with the CFO and walked her through the ROI model.",
        "They were really impressed with the pilot results.",
        "Their security team has to finish the vendor risk assessment by Friday.",
        "I'll send the SOC 2 report",
        "1",  # the first quick choice: this (coming) Friday
        "Maria will present the business case to their steering committee on "
        + typed(maria)
        + ".",
        *(["keep"] if day_off(maria, "US") else []),
        "that's all",
        "Their CTO might push the project to next year.",
        "looks good",
    ]


def env() -> dict[str, str]:
    return {**os.environ, "TZ": ZONE}


def dealcoach(
    *args: str, db: Path, now: dt.datetime, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--db", f"sqlite:///{db}", "--now", now.isoformat(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(),
        cwd=ROOT,
    )


def test_scripted_review_end_to_end(tmp_path: Path, instant: dt.datetime) -> None:
    today = local_today(instant, ZONE)
    friday = coming_weekday(today, 4)
    decision = today + dt.timedelta(days=70)
    db = tmp_path / "coach.db"
    run = dealcoach(
        "chat", "--user", "alice", db=db, now=instant, stdin="\n".join(script(today)) + "\n"
    )
    out = run.stdout
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in out + run.stderr
    assert "you ▸ Acme Corp - 2027 renewal" in out  # answers are echoed: a readable transcript
    assert f"Target decision date: {shown(decision, today)} (in 70 days)" in out
    assert "kept it as context" in out and "already happened" in out
    assert f"Added to the plan: Customer: Their security team has to finish the vendor risk assessment, due {shown(friday, today)}" in out
    assert f"Added to the plan: Us (alice): I'll send the SOC 2 report, due {shown(friday, today)}" in out
    maria = today + dt.timedelta(days=15)
    assert f"due {shown(maria, today)}" in out
    assert "is after the decision date" not in out
    assert "Plan saved for Acme Corp — 2027 renewal" in out
    plan = dealcoach("plan", "--user", "alice", "acme", db=db, now=instant)
    assert "Acme Corp — 2027 renewal" in plan.stdout and "health" in plan.stdout
    assert f"decision {shown(decision, today)} (70 days)" in plan.stdout
    assert "Maria" in plan.stdout
    deals = dealcoach("deals", "--user", "alice", db=db, now=instant)
    assert "next customer step" in deals.stdout
    other = dealcoach("deals", "--user", "bob", db=db, now=instant)
    assert "no open deals" in other.stdout  # bob does not see alice's deals


def start_chat(
    db: Path, lines: list[str], until: str, now: dt.datetime = T0
) -> subprocess.Popen[str]:
    """`dealcoach chat` running on a pipe, fed `lines`, read until `until` was printed.

    SIGINT is reset to its default in the child: a suite run as a background job inherits
    it as ignored, and then Python never raises KeyboardInterrupt for Ctrl-C.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--db", f"sqlite:///{db}", "--now", now.isoformat()]
        + ["chat", "--user", "alice"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        cwd=ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write("".join(line + "\n" for line in lines))
    proc.stdin.flush()
    seen = ""
    deadline = time.monotonic() + 30
    while until not in seen and time.monotonic() < deadline:
        seen += proc.stdout.readline()
    assert until in seen, seen
    return proc


def test_killed_mid_review_resumes_where_it_was(tmp_path: Path, instant: dt.datetime) -> None:
    lines = script(local_today(instant, ZONE))
    db = tmp_path / "coach.db"
    proc = start_chat(db, lines[:3], until="What does Acme Corp have to do next", now=instant)
    proc.send_signal(signal.SIGKILL)  # no chance to clean up
    proc.wait(timeout=10)
    rest = dealcoach(
        "chat", "--user", "alice", db=db, now=instant, stdin="\n".join(lines[5:]) + "\n"
    )
    assert "Picking up where we left off" in rest.stdout
    assert "What does Acme Corp have to do next" in rest.stdout.split("Picking up")[1]
    assert "Plan saved" in rest.stdout


def test_ctrl_c_stops_cleanly_and_keeps_answers(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    proc = start_chat(db, ["Acme Corp - 2027 renewal"], until="When must")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert "Every answer so far is saved" in out and "Traceback" not in err
    resumed = dealcoach("chat", "--user", "alice", db=db, now=T0, stdin="")
    assert "When must Acme Corp make their decision" in resumed.stdout


def test_eof_with_no_input_says_goodbye(tmp_path: Path) -> None:
    run = dealcoach("chat", db=tmp_path / "c.db", now=T0, stdin="")
    assert run.returncode == 0 and "Which deal shall we review?" in run.stdout


@pytest.mark.parametrize(
    ("line", "expected"), [("2", "b"), ("Second", "b"), ("second.", "b"), ("3", None), ("x", None)]
)
def test_numbers_and_labels_pick_choices(line: str, expected: str | None) -> None:
    assert pick(line, (Choice("First", "a"), Choice("Second", "b"))) == expected


def test_goodbye_repeats_the_command_that_was_run(tmp_path: Path) -> None:
    """Resuming needs the same --db and --user, so the hint gives the whole command back."""
    db = tmp_path / "my reviews.db"
    run = dealcoach("chat", "--user", "alice", db=db, now=T0, stdin="Acme Corp - 2027 renewal\n")
    expected = (
        f"`dealcoach --db 'sqlite:///{db}' --now {T0.isoformat()} chat --user alice` "
        "to pick up where you left off"
    )
    assert expected in run.stdout, run.stdout


@pytest.mark.parametrize(
    ("argv0", "expected"),
    [
        (".venv/bin/dealcoach", ".venv/bin/dealcoach"),  # `make chat`
        ("/proj/.venv/bin/dealcoach", ".venv/bin/dealcoach"),  # inside the cwd: relative
        ("/elsewhere/bin/dealcoach", "/elsewhere/bin/dealcoach"),
        ("/proj/app.py", "dealcoach"),  # python -m app
        ("dealcoach", "dealcoach"),
    ],
)
def test_the_resume_hint_names_the_program_as_it_was_run(argv0: str, expected: str) -> None:
    assert invoked_as(argv0, Path("/proj")) == expected


def test_goodbye_after_cancel_says_what_to_run(tmp_path: Path) -> None:
    """`make chat` runs .venv/bin/dealcoach, not on PATH: the hints give that path back; after
    `cancel` the goodbye says what to run, as "type review" no longer can."""
    script = Path(sys.executable).parent / "dealcoach"
    cwd = script.parents[2]  # the directory holding .venv
    db = tmp_path / "c.db"
    run = subprocess.run(
        [str(script), "--db", f"sqlite:///{db}", "--now", T0.isoformat(), "chat"],
        input="Acme Corp - 2027 renewal\ncancel\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env(),
        cwd=cwd,
    )
    program = str(script.relative_to(cwd))
    assert "Stopped the review" in run.stdout, run.stdout + run.stderr
    expected = f"Bye. To review a deal again, run `{program} --db sqlite:///{db} --now"
    assert expected in run.stdout, run.stdout


def test_make_clean_keeps_the_reviews(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "Makefile").write_text((root / "Makefile").read_text())
    (tmp_path / "dealcoach.db").write_text("every review so far")
    (tmp_path / ".venv").mkdir()
    run = subprocess.run(["make", "clean"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert not (tmp_path / ".venv").exists()
    assert (tmp_path / "dealcoach.db").read_text() == "every review so far"
