"""Shared fixtures: a migrated database (SQLite always, PostgreSQL when it answers), a clock,
and the date sweep.

Time is an input: no test reads today's date. Most tests fix the reference instant `T0`;
tests whose expectations are *derived* from the instant take the `instant` fixture instead
and run at every instant of `SWEEP` (year rollover, quarter end, leap day, daylight-saving
changes, a Friday, a Sunday): the instants that broke the product before.

PostgreSQL tests get a schema of their own per test (search_path), so they can run beside
any other use of the `test` database and leave nothing behind.
"""

from __future__ import annotations

import datetime as dt
import os
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


def _utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[misc]


#: Instants chosen to break date logic (issue 9). Times are UTC; the comments say what a rep in
#: New York (the sweep tests' zone) or Berlin sees.
SWEEP: dict[str, dt.datetime] = {
    "reference-tue": T0,
    # Dec 31 18:30 in New York, already Jan 1 in Berlin: the year rolls over mid-review.
    "year-end-evening": _utc(2026, 12, 31, 23, 30),
    # Wed Mar 31: the last day of a quarter ("End of quarter" is today).
    "quarter-end": _utc(2027, 3, 31, 16, 0),
    # Tue Feb 29 of a leap year: "in a year", "end of month", Feb 29 + 1 week.
    "leap-day": _utc(2028, 2, 29, 14, 0),
    # Sun Mar 14 03:30 EDT: New York has just sprung forward (02:00-03:00 never happened).
    "us-dst-start": _utc(2027, 3, 14, 7, 30),
    # Sun Oct 31 02:30: Berlin falls back from summer time (02:00-03:00 happens twice).
    "eu-dst-end": _utc(2027, 10, 31, 1, 30),
    # Fri Dec 4: "by Friday" said on a Friday.
    "friday": _utc(2026, 12, 4, 17, 0),
    # Sun Nov 29 23:30 in New York (Mon in UTC): the week turns over between zones.
    "sunday-night": _utc(2026, 11, 30, 4, 30),
}
#: More instants from the environment, e.g. DEALCOACH_SWEEP="2027-06-30T23:59Z,2029-01-01T00:00Z".
for _text in filter(None, os.environ.get("DEALCOACH_SWEEP", "").split(",")):
    _moment = dt.datetime.fromisoformat(_text.strip().replace("Z", "+00:00"))
    SWEEP[_text.strip()] = (
        _moment if _moment.tzinfo else _moment.replace(tzinfo=dt.UTC)
    ).astimezone(dt.UTC)


def pytest_configure(config: pytest.Config) -> None:
    """DEALCOACH_SYSTEM_CLOCK=ISO moves this test run's system clock there (time-machine,
    ticking): the proof that no test and no product code reads the real date. libfaketime
    would move subprocesses too, but breaks Python 3.11's sleeps (EINVAL from
    clock_nanosleep); subprocess tests pass `--now`, so they never read the system date."""
    moment = os.environ.get("DEALCOACH_SYSTEM_CLOCK")
    if moment:
        import time_machine

        traveller = time_machine.travel(dt.datetime.fromisoformat(moment), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


@pytest.fixture(params=list(SWEEP.values()), ids=list(SWEEP))
def instant(request: pytest.FixtureRequest) -> dt.datetime:
    """Each sweep instant in turn (aware UTC): derive every expected date from it."""
    return request.param


@pytest.fixture
def sweep_clock(instant: dt.datetime) -> FakeClock:
    return FakeClock(instant)


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
