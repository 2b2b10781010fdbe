"""Command-line defects a fresh tester found (round 2): a plain path for --db, the nudge's
greeting by the rep's local time, an overdue step listed once, counts in the singular, and
a half-typed last line not sent."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from storage.db import Database
from tests.handlers.test_schedule import dealcoach, seeded  # noqa: F401 - the seeded fixture
from tests.schedule_seed import add_deal, add_rep, set_digest

DEALCOACH = str(Path(sys.executable).parent / "dealcoach")
MON_1405_NEW_YORK = "2026-11-30T14:05:00-05:00"


def test_the_nudge_greets_by_local_time_and_lists_an_overdue_step_once(seeded) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _db, _ = seeded
    run = dealcoach(url, "run-due", "--now", MON_1405_NEW_YORK)
    assert run.returncode == 0, run.stderr
    bob = run.stdout.split("── DM to bob", 1)[1].split("\n", 1)[1].split("\n──", 1)[0]
    assert "Good afternoon, Bob!" in bob and "Good morning" not in bob, bob
    assert bob.count("Security review") == 1, bob


def test_dry_run_counts_read_in_the_singular(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    db = Database(url)
    db.migrate()
    t = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)
    ana = add_rep(db, "Ana", "Europe/Berlin", t)
    add_deal(
        db, ana, "Acme", dt.date(2026, 12, 18), [("Send pricing", "us", dt.date(2026, 12, 9))], t
    )
    mia = add_rep(db, "Mia", "Europe/Berlin", t)
    set_digest(db, mia, "#sales-leads", "Europe/Berlin", members=[ana])
    db.dispose()
    run = dealcoach(url, "run-due", "--now", "2026-11-30T15:10:00+01:00", "--dry-run")
    assert run.returncode == 0, run.stderr
    assert "1 rep, 1 deal" in run.stdout, run.stdout


def chat(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DEALCOACH, "chat", "--now", "2026-11-24T10:00", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_db_takes_a_plain_path_and_a_half_typed_line_is_not_sent(tmp_path: Path) -> None:
    path = tmp_path / "t1.db"
    run = chat("--db", str(path), stdin="Zed - x\nMar 3")
    assert run.returncode == 0, run.stderr
    assert "not a database URL" not in run.stderr and path.exists()
    assert "“Mar 3” was not sent" in run.stdout, run.stdout
    db = Database(f"sqlite:///{path}")
    try:
        from sqlmodel import select

        from storage.models import Deal

        with db.session() as s:
            deal = s.exec(select(Deal)).one()
        assert deal.decision_date is None
    finally:
        db.dispose()
