"""A TCP proxy on loopback in front of PostgreSQL that a test can cut and restore.

Stopping the machine's PostgreSQL would take it away from every other test run sharing
it; pointing one server at this proxy and cutting it takes the database away from that
server only. `cut()` refuses new connections and drops the open ones (as a stopped or
restarted PostgreSQL does); `restore()` listens again on the same port.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from storage.db import Database
from tests.conftest import PG_HOST, PG_PORT, drop_pg_schema


class PgProxy:
    """Forward 127.0.0.1:<port> to PostgreSQL, byte for byte, one thread pair per connection."""

    def __init__(self, target: tuple[str, int] = (PG_HOST, PG_PORT)) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> PgProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        """PostgreSQL goes away: connecting is refused and open connections drop."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def restore(self) -> None:
        """PostgreSQL is back, at the same address."""
        self.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@contextmanager
def database_behind_proxy() -> Iterator[tuple[Database, PgProxy]]:
    """A migrated PostgreSQL schema of its own, reached only through a fresh proxy."""
    proxy = PgProxy().start()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test")
    with admin.engine.begin() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    admin.dispose()
    db = Database(
        f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test"
        f"?options=-csearch_path%3D{schema}"
    )
    try:
        db.migrate()
        yield db, proxy
    finally:
        proxy.cut()
        db.dispose()
        drop_pg_schema(schema)
