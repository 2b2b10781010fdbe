"""The manager digest with the sales process: each deal's stage, deals stuck in a stage for
3+ weeks, and plans that can no longer make their decision date, through `digest --preview`
as a real process (and a workspace's own process changing the check there)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from process.sales_process import default_text
from storage import crud
from storage.db import Database
from storage.models import Deal
from tests.handlers.test_schedule import dealcoach, seeded  # noqa: F401  (fixture)
from tests.schedule_seed import WS

NOW = "2026-11-30T10:00:00+01:00"


def set_stage(db: Database, deal_id: int, stage: str, at: dt.datetime) -> None:
    def work(s: Session) -> None:
        deal = s.get(Deal, deal_id)
        assert deal is not None
        crud.set_stage(s, deal, stage, at, "first set")

    db.run(work)


def test_digest_shows_stage_stuck_deals_and_plans_that_cannot_make_their_date(seeded) -> None:  # noqa: F811
    url, db, ids = seeded
    acme = db.run(lambda s: crud.find_deal(s, s.get(crud.User, ids["ana"]), "Acme")[0].id)
    set_stage(db, acme, "security_legal_procurement", dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC))
    run = dealcoach(url, "digest", "--preview", "--now", NOW)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Acme · Security, legal and procurement · decision" in out
    assert "Plans that can't make their decision date" in out
    assert "Acme (Ana): Security review (15 days), Legal (10 days)" in out
    assert "after your date Fri Dec 18" in out
    assert "Stuck in a stage for 3+ weeks" in out
    assert "Acme (Ana) · Security, legal and procurement, 28 days" in out


def test_a_workspace_process_changes_the_check_there(seeded) -> None:  # noqa: F811
    url, db, ids = seeded
    acme = db.run(lambda s: crud.find_deal(s, s.get(crud.User, ids["ana"]), "Acme")[0].id)
    set_stage(db, acme, "security_legal_procurement", dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC))
    quick = (
        default_text()
        .replace("lead_days: 15\n        match: [security", "lead_days: 1\n        match: [security")
        .replace("lead_days: 10\n        match: [legal", "lead_days: 1\n        match: [legal")
    )

    def load(s: Session) -> None:
        crud.save_workspace_process(s, WS, "Quick", quick, dt.datetime(2026, 11, 25, tzinfo=dt.UTC))

    db.run(load)
    out = dealcoach(url, "digest", "--preview", "--now", NOW).stdout
    assert "Plans that can't make their decision date" not in out
    assert "Stuck in a stage" not in out  # 5 days in it
