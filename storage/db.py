"""The database handle: engine, sessions, migrations, and a retry for a database that blinks."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session, create_engine
from tenacity import (
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"
BACKENDS = ("sqlite", "postgresql")
#: seconds to wait for PostgreSQL to accept a connection; without it an unreachable host
#: (a firewall that drops packets) hangs a command or a user's turn for minutes.
CONNECT_TIMEOUT = 5
EXAMPLES = "e.g. sqlite:///path/to/dealcoach.db or postgresql://user:password@host:5432/dbname"


class DatabaseSettingError(RuntimeError):
    """DATABASE_URL (or --db) names no database dealcoach can use or reach; str() is one line
    for the operator saying what is wrong and what to do."""


class DatabaseAway(RuntimeError):
    """The database could not be reached for a request (a dropped connection, a stopped
    server, an unreadable SQLite file): a handler tells the person to try again in a
    minute. Raised where a library would otherwise swallow or hide the driver's error."""


def reachable(exc: BaseException) -> bool:
    """False when `exc` says the database is away (not a bug in the query)."""
    return not _is_transient(exc)


def normalise_url(url: str) -> str:
    """Accept the `postgresql://` URLs people paste and use the psycopg 3 driver for them;
    a plain file path (`/tmp/t1.db`, `./coach.sqlite`) is that SQLite file."""
    if "://" not in url and (
        "/" in url or url.endswith((".db", ".sqlite", ".sqlite3"))
    ):
        url = "sqlite:///" + url
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _is_transient(exc: BaseException) -> bool:
    """A dropped connection or a locked SQLite file is worth another try; a bug is not."""
    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


class Database:
    """One engine per process, built by `app.py`; everything else receives it."""

    def __init__(self, url: str, echo: bool = False) -> None:
        """Raises DatabaseSettingError for a URL that is not SQLite or PostgreSQL."""
        self.url = normalise_url(url)
        try:
            backend = make_url(self.url).get_backend_name()
        except ArgumentError as exc:
            raise DatabaseSettingError(
                f"DATABASE_URL (or --db) {url!r} is not a database URL ({EXAMPLES})."
            ) from exc
        if backend not in BACKENDS:
            raise DatabaseSettingError(
                f"DATABASE_URL names a {backend} database; dealcoach runs on SQLite or "
                f"PostgreSQL ({EXAMPLES})."
            )
        self.is_sqlite = backend == "sqlite"
        kwargs: dict[str, object] = {"echo": echo, "pool_pre_ping": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        else:
            kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def run(self, work: Callable[[Session], T], attempts: int = 4) -> T:
        """Run `work` in one transaction, retried from scratch if the database blinks."""
        retrying = retry(
            retry=retry_if_exception(_is_transient),
            stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=0.1, max=2),
            reraise=True,
            before_sleep=lambda rs: log.warning(
                "database unavailable, retrying (attempt %s): %s",
                rs.attempt_number,
                rs.outcome.exception() if rs.outcome else "",
            ),
        )

        def once() -> T:
            with self.session() as session:
                return work(session)

        return retrying(once)()

    def check(self) -> None:
        """Open one connection; raises DatabaseSettingError (saying what to do) if it fails."""
        try:
            with self.engine.connect():
                pass
        except OperationalError as exc:
            raise DatabaseSettingError(self.explain(exc)) from exc

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` with Alembic (the only way tables are created)."""
        cfg = alembic_config(self.url)
        with self.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def shown_url(self) -> str:
        """The URL as it is safe to print (password hidden)."""
        return self.engine.url.render_as_string(hide_password=True)

    def explain(self, exc: OperationalError) -> str:
        """One line for an operator: why this database cannot be opened or reached, what to do."""
        reason = _first_line(exc.orig if exc.orig is not None else exc)
        if self.is_sqlite:
            path = Path(self.engine.url.database or "")
            folder = path.parent
            if not folder.is_dir():
                reason = f"the folder {folder} does not exist"
                todo = f"Create it (mkdir -p {folder})"
            elif not os.access(folder, os.W_OK) or "readonly" in reason or "unable to open" in reason:
                reason = f"{reason} (is the folder {folder} writable?)"
                todo = "Make the folder writable"
            else:
                todo = "Check the file"
            return (
                f"Cannot open the SQLite database {path}: {reason}. "
                f"{todo}, or point --db / DATABASE_URL at another file."
            )
        url = self.engine.url
        return (
            f"Cannot reach the PostgreSQL database {url.database!r} at "
            f"{url.host or 'localhost'}:{url.port or 5432}: {reason}. Check that the server is "
            f"running and reachable and that DATABASE_URL (or --db) is right: {self.shown_url}"
        )


def _first_line(exc: BaseException) -> str:
    """The driver's reason without its 'connection failed:' prefix or the hint lines after it."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    return text.removeprefix("connection failed: ").rstrip(".")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """Real transactions on SQLite: left to itself, Python's sqlite3 driver starts them lazily
    (a SAVEPOINT then commits on its own), so we take over BEGIN (SQLAlchemy's documented
    pysqlite recipe) and set the pragmas we rely on."""
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def schema_is_current(db: Database) -> bool:
    """True when the database is at the newest migration (PostgreSQL is migrated explicitly)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(db.url))
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(script.get_heads())


def _sqlite_begin(connection: object) -> None:
    """BEGIN IMMEDIATE takes the write lock up front: turns queue behind each other (busy
    timeout) instead of failing when a read transaction later needs to write."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")  # type: ignore[attr-defined]
