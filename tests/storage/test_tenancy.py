"""A workspace's data can be purged for good, and names and zones of real length are stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import select

from app import main
from storage import crud, tenancy
from storage.db import Database
from storage.models import PlanStep, User, Workspace
from tests.conftest import T0


def seed(db: Database, workspace: str) -> None:
    def work(s):  # type: ignore[no-untyped-def]
        rep = crud.ensure_user(s, workspace, "U1", T0, "Dana", "America/New_York")
        deal = crud.create_deal(s, rep, "Acme", "renewal", T0)
        crud.set_decision_date(s, deal, dt.date(2026, 12, 18), T0)
        crud.add_step(s, deal, "Their CFO signs", "customer", dt.date(2026, 12, 4), T0)

    db.run(work)


def test_purge_deletes_one_workspace_and_leaves_the_others(any_db: Database) -> None:
    seed(any_db, "slack:T1")
    seed(any_db, "slack:T2")
    counted = any_db.run(lambda s: tenancy.purge(s, "slack:T1", dry_run=True))
    assert counted["user"] == 1 and counted["planstep"] == 1 and counted["workspace"] == 1
    assert any_db.run(lambda s: len(s.exec(select(User)).all())) == 2  # a dry run deletes nothing
    assert any_db.run(lambda s: tenancy.purge(s, "slack:T1")) == counted
    left = any_db.run(lambda s: {u.workspace_id for u in s.exec(select(User))})
    assert left == {"slack:T2"}
    assert any_db.run(lambda s: len(s.exec(select(PlanStep)).all())) == 1
    assert any_db.run(lambda s: s.get(Workspace, "slack:T1")) is None


def test_long_display_names_and_time_zones_are_stored(any_db: Database) -> None:
    name = "N" * 256  # Teams and Slack display names reach 256 characters
    zone = "America/Argentina/ComodRivadavia/" + "x" * 80  # longer than the old 64
    any_db.run(lambda s: crud.ensure_user(s, "teams:t", "aad-1", T0, name, zone))
    user = any_db.run(lambda s: s.exec(select(User)).one())
    assert (user.display_name, user.timezone) == (name, zone)


def test_purge_command_dry_run_then_for_good(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'p.db'}"
    db = Database(url)
    db.migrate()
    seed(db, "slack:T1")
    assert main(["--db", url, "purge", "--workspace", "slack:T1", "--dry-run"]) == 0
    assert "would delete" in capsys.readouterr().out
    assert main(["--db", url, "purge", "--workspace", "slack:T1"]) == 0
    assert "slack:T1: deleted" in capsys.readouterr().out
    assert main(["--db", url, "purge", "--workspace", "slack:T1"]) == 1
    assert main(["--db", url, "purge", "--workspace", "T1"]) == 2
