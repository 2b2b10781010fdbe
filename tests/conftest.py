"""Shared fixtures: a migrated database (SQLite always, PostgreSQL when it answers), a clock.

PostgreSQL tests get a schema of their own per test (search_path), so they can run beside
any other use of the `test` database and leave nothing behind.
"""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bot.engine import Coach
from storage.db import Database

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_URL = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test"
PG_SKIP = (
    f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} (user postgres, database test); "
    "start it to run the PostgreSQL half of the storage tests"
)


def postgres_up() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


class FakeClock:
    """The injectable clock: tests move time instead of sleeping."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


#: Tuesday 2026-11-24, 15:00 UTC: the reference "today" of the coaching dev set.
T0 = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


def make_pg_database() -> tuple[Database, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        f"host={PG_HOST} port={PG_PORT} user=postgres dbname=test", autocommit=True
    ) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    return Database(f"{PG_URL}?options=-csearch_path%3D{schema}"), schema


def drop_pg_schema(schema: str) -> None:
    with psycopg.connect(
        f"host={PG_HOST} port={PG_PORT} user=postgres dbname=test", autocommit=True
    ) as c:
        c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database on each backend; the PostgreSQL run skips (saying why) if it is down."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'test.db'}")
        db.migrate()
        yield db
        db.dispose()
        return
    if not postgres_up():
        pytest.skip(PG_SKIP)
    db, schema = make_pg_database()
    try:
        db.migrate()
        yield db
    finally:
        db.dispose()
        drop_pg_schema(schema)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite file: the embedded default, for tests that are not about storage."""
    database = Database(f"sqlite:///{tmp_path / 'test.db'}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def coach(db: Database, clock: FakeClock) -> Coach:
    return Coach(db, clock=clock, default_timezone="America/New_York")
