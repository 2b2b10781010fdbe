"""The inbox journal: inbound turns written down before they are acknowledged.

Slack does not resend what we acknowledged, so a server killed between the ack and the
answer (`kill -9`, an OOM kill, a crashed host process) used to leave the user without one.
A front end writes each turn here before it acks, and marks it answered once the replies
are out; at startup `unanswered()` gives back what a killed process left, and the turn's
idempotency key makes replaying it take effect once.

Why a local append-only file and not a table: the record sits on the ack's path, and an
`os.write` of one line takes microseconds with no lock, while a SQLite write waits for
the turns holding the database's write lock (bench/slack_ack.py). A line written is
safe from the death of the process (it is in the kernel's page cache); it is not fsynced,
so a power cut of the whole machine can lose the last lines. Each replica keeps its own
journal (`INBOX_PATH`); put it on storage that survives a restart.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class Inbox:
    """Append-only JSON lines: {"key", "at", "turn"} when received, {"key", "done"} when answered."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def received(self, key: str, turn: dict[str, Any], now: dt.datetime) -> None:
        """Write down an inbound turn (JSON-serialisable) under its idempotency key."""
        self._append({"key": key, "at": now.isoformat(), "turn": turn})

    def answered(self, key: str) -> None:
        self._append({"key": key, "done": True})

    def unanswered(self, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        """Turns received and never answered, oldest first; a torn last line is skipped.
        `prefix`: only keys that start with it (each platform replays its own)."""
        return [(k, t) for k, t in self._unanswered() if k.startswith(prefix)]

    def _unanswered(self) -> list[tuple[str, dict[str, Any]]]:
        """Turns received and never answered, oldest first.

        A key once answered stays answered: a platform's retry of it, written down after
        the answer, is a duplicate the engine ignores, not a turn to replay.
        """
        received: dict[str, dict[str, Any]] = {}
        done: set[str] = set()
        with self._lock, open(self.path, encoding="utf-8") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    log.warning("inbox %s: skipped a torn line", self.path)
                    continue
                if entry.get("done"):
                    done.add(entry["key"])
                else:
                    received.setdefault(entry["key"], entry["turn"])
        return [(key, turn) for key, turn in received.items() if key not in done]

    def read(self, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """The whole lines written from byte `offset` on, and the offset after the last one.

        For a reader in another process following the journal (the Slack turn worker,
        handlers/slack/worker.py): a line still being written is left for the next read.
        """
        with open(self.path, "rb") as f:
            f.seek(offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        entries = []
        for line in data[:end].splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                log.warning("inbox %s: skipped a torn line", self.path)
        return entries, offset + end

    def compact(self) -> None:
        """Rewrite the journal with only what is still unanswered (at startup, before serving)."""
        keep = self._unanswered()
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            for key, turn in keep:
                f.write(json.dumps({"key": key, "turn": turn}) + "\n")
        with self._lock:
            os.replace(tmp, self.path)
            os.close(self._fd)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def close(self) -> None:
        os.close(self._fd)

    def _append(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode()
        with self._lock:
            os.write(self._fd, line)  # one write with O_APPEND: lines never interleave
