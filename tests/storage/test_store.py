"""The store on SQLite and PostgreSQL: migrations, aware UTC, whole-question queries, tenancy."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.engine import Coach
from storage import crud
from storage.db import Database, schema_is_current
from storage.models import Deal, DealStageChange, PlanStep, ProcessedEvent
from tests.bot.chat import Chat
from tests.conftest import T0, FakeClock

NOW = T0


def test_migrations_create_every_table_and_reach_head(any_db: Database) -> None:
    tables = set(inspect(any_db.engine).get_table_names())
    assert {"deal", "planstep", "conversation", "outbox", "processedevent", "user"} <= tables
    assert schema_is_current(any_db)


def test_datetimes_come_back_aware_utc(any_db: Database) -> None:
    berlin = dt.datetime(2026, 11, 24, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with any_db.session() as s:
        user = crud.ensure_user(s, "console:t", "u1", berlin)
        uid = user.id
    with any_db.session() as s:
        created = s.get(type(user), uid).created_at  # type: ignore[union-attr]
    assert created.tzinfo is not None and created.utcoffset() == dt.timedelta(0)
    assert created == berlin


def test_naive_datetimes_are_refused(any_db: Database) -> None:
    with pytest.raises(Exception, match="naive"), any_db.session() as s:
        crud.ensure_user(s, "console:t", "u1", dt.datetime(2026, 1, 1))


@pytest.mark.parametrize("n_deals", [3, 30])
def test_plans_for_many_deals_take_a_constant_number_of_queries(
    any_db: Database, n_deals: int
) -> None:
    with any_db.session() as s:
        user = crud.ensure_user(s, "console:t", "rep", NOW)
        for i in range(n_deals):
            deal = crud.create_deal(s, user, f"Account {i}", "", NOW)
            for j in range(3):
                crud.add_step(s, deal, f"step {j}", "customer", dt.date(2026, 12, 1 + j), NOW)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with any_db.session() as s:
        user = crud.ensure_user(s, "console:t", "rep", NOW)
        deals = crud.open_deals(s, user)
        event.listen(any_db.engine, "before_cursor_execute", count)
        try:
            plans = crud.plans_for(s, deals, dt.UTC)
        finally:
            event.remove(any_db.engine, "before_cursor_execute", count)
    assert len(plans) == n_deals and all(len(p.steps) == 3 for p, _ in plans.values())
    # steps, decision moves and which deals were shared: never one per deal
    assert len(statements) == 3, statements


def test_tenancy_a_user_only_finds_their_own_deals(any_db: Database) -> None:
    with any_db.session() as s:
        alice = crud.ensure_user(s, "slack:T1", "alice", NOW)
        eve = crud.ensure_user(s, "slack:T2", "alice", NOW)  # same user id, other workspace
        deal = crud.create_deal(s, alice, "Acme", "renewal", NOW)
        step = crud.add_step(s, deal, "sign", "customer", None, NOW)
        assert crud.find_deal(s, eve, "acme") == []
        assert crud.get_deal(s, eve, deal.id or 0) is None
        assert crud.get_step(s, eve, step.id or 0) is None
        assert [d.id for d in crud.find_deal(s, alice, "acme")] == [deal.id]


def test_the_same_deal_twice_is_refused_by_the_database(any_db: Database) -> None:
    with pytest.raises(IntegrityError), any_db.session() as s:
        user = crud.ensure_user(s, "console:t", "rep", NOW)
        crud.create_deal(s, user, "Acme", "renewal", NOW)
        crud.create_deal(s, user, "Acme", "renewal", NOW)


def test_an_event_key_is_claimed_once(any_db: Database) -> None:
    with any_db.session() as s:
        assert crud.claim_event(s, "slack:Ev1", NOW)
        assert not crud.claim_event(s, "slack:Ev1", NOW)
    with any_db.session() as s:
        assert not crud.claim_event(s, "slack:Ev1", NOW)
        assert s.get(ProcessedEvent, "slack:Ev1") is not None


def test_a_whole_review_on_each_database(any_db: Database, clock: FakeClock) -> None:
    chat = Chat(Coach(any_db, clock=clock))
    chat.command("review", "Acme - renewal")
    chat.say("Dec 18")
    chat.say("We demoed last week.")
    chat.say("Their CFO needs to sign off on the budget by Dec 4.")
    chat.say("We'll send the SOC 2 report by Wednesday.")
    chat.say("that's all")
    chat.click("risk:skip")
    assert "Plan saved" in chat.click("summary:confirm")
    with any_db.session() as s:
        steps = s.exec(select(PlanStep).order_by(PlanStep.id)).all()
        deal = s.exec(select(Deal)).one()
    assert [(x.side, x.due) for x in steps] == [
        ("customer", dt.date(2026, 12, 4)),
        ("us", dt.date(2026, 11, 25)),
    ]
    assert deal.last_reviewed_at == clock.now


def test_a_failed_turn_saves_nothing_and_says_so(any_db: Database, clock: FakeClock) -> None:
    """A database error mid-turn rolls the whole turn back; the user is told to resend."""
    coach = Coach(any_db, clock=clock)
    chat = Chat(coach)
    chat.command("review", "Acme - renewal")
    chat.say("Dec 18")
    fail = {"on": True}

    def explode(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if fail["on"] and statement.lstrip().upper().startswith("INSERT INTO PLANSTEP"):
            raise RuntimeError("disk on fire")

    event.listen(any_db.engine, "before_cursor_execute", explode)
    try:
        chat.say("ok")
        out = chat.say("Their CFO needs to sign off on the budget by Dec 4.")
    finally:
        event.remove(any_db.engine, "before_cursor_execute", explode)
    assert "didn't save that answer" in out
    with any_db.session() as s:
        assert s.exec(select(PlanStep)).all() == []
    # The question is still open: answering again works.
    chat.say("Their CFO needs to sign off on the budget by Dec 4.")
    assert chat.stage == "us_next"


def test_old_event_keys_are_pruned_recent_ones_kept(any_db: Database) -> None:
    with any_db.session() as s:
        crud.claim_event(s, "old", NOW - dt.timedelta(days=8))
        crud.claim_event(s, "recent", NOW - dt.timedelta(days=1))
    with any_db.session() as s:
        assert crud.prune_events(s, NOW) == 1
    with any_db.session() as s:
        assert s.get(ProcessedEvent, "old") is None and s.get(ProcessedEvent, "recent") is not None


def test_stage_changes_and_a_workspace_process_are_stored(any_db: Database) -> None:
    with any_db.session() as s:
        user = crud.ensure_user(s, "console:t", "u1", NOW)
        deal = crud.create_deal(s, user, "Acme", "", NOW)
        crud.set_stage(s, deal, "problem_agreed", NOW, "first set")
        crud.set_stage(s, deal, "problem_agreed", NOW + dt.timedelta(days=1))  # no change
        crud.set_stage(s, deal, "solution_validated", NOW + dt.timedelta(days=2), "demo done")
        crud.save_workspace_process(s, "console:t", "Mine", "name: Mine\n", NOW)
        deal_id = deal.id or 0
    with any_db.session() as s:
        since = crud.stage_since_for(s, [deal_id])
        assert since == {deal_id: NOW + dt.timedelta(days=2)}
        assert since[deal_id].tzinfo is not None
        changes = s.exec(select(DealStageChange).order_by(DealStageChange.id)).all()
        assert [(c.old_stage, c.new_stage) for c in changes] == [
            (None, "problem_agreed"),
            ("problem_agreed", "solution_validated"),
        ]
        assert crud.workspace_process_text(s, "console:t") == "name: Mine\n"
        assert crud.workspace_process_text(s, "console:other") is None
