"""The inbox journal: inbound turns written down before they are acknowledged.

Slack does not resend what we acknowledged, so a server killed between the ack and the
answer (`kill -9`, an OOM kill, a crashed host process) used to leave the user without one.
A front end writes each turn here before it acks, and marks it answered once the replies
are out; at startup `pending()` gives back what a killed process left, and the turn's
idempotency key makes replaying it take effect once.

Between the two, a front end that posts replies Slack can look up again writes a third
line: the reply key it is about to post under (`posting`). A replay that finds one asks
Slack whether that reply is already there before answering (handlers/slack/app.py), which
closes the window "posted, then killed before the mark".

Why a local append-only file and not a table: the record sits on the ack's path, and an
`os.write` of one line takes microseconds, while a SQLite write waits for the turns
holding the database's write lock (bench/slack_ack.py). A line written is safe from the
death of the process (it is in the kernel's page cache); it is not fsynced, so a power cut
of the whole machine can lose the last lines. Each replica keeps its own journal
(`INBOX_PATH`); put it on storage that survives a restart.

Compaction while serving: `compact` rewrites the journal to what is still unanswered and
swaps the file in with `os.replace`. Several processes append to it (the web process, the
Slack turn workers), so every append holds a shared `flock` on `<journal>.lock` and
reopens the journal if it was swapped meanwhile; the compaction holds the exclusive lock
only to copy the lines appended while it worked and to swap (the long part, reading and
rewriting, runs unlocked). A process following the journal (`Follower`) sees the swap by
its inode and reads the new file from the start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: How long the mark of an answered turn outlives it in a compacted journal (counted from
#: when the turn was received): Slack retries an event at most 3 times within about 5
#: minutes, and a retry written down after the mark is recognised as answered by it.
KEEP_ANSWERED = dt.timedelta(minutes=15)


@dataclasses.dataclass
class Pending:
    """A turn received and not answered yet.

    `replies`: the reply keys its answer began posting under, oldest first (empty: no reply
    was known to have left). `at`: when it was received (ISO 8601), if recorded.
    """

    key: str
    turn: dict[str, Any]
    at: str | None = None
    replies: list[str] = dataclasses.field(default_factory=list)


def fold(entries: list[dict[str, Any]]) -> tuple[list[Pending], dict[str, str | None]]:
    """The journal's lines, in order, as (the turns still unanswered, oldest first; answered
    key -> when it was received, None if unknown).

    A key once answered stays answered: a platform's retry of it, written down after the
    answer, is a duplicate the engine ignores, not a turn to replay.
    """
    received: dict[str, Pending] = {}
    answered: dict[str, str | None] = {}
    for entry in entries:
        key = entry.get("key")
        if not isinstance(key, str):
            continue
        if entry.get("done"):
            answered.setdefault(key, entry.get("at"))
        elif "posting" in entry:
            if key in received:
                received[key].replies.append(str(entry["posting"]))
        elif "turn" in entry and key not in received:
            received[key] = Pending(key, entry["turn"], entry.get("at"))
    for key, pending in received.items():
        if key in answered and answered[key] is None:
            answered[key] = pending.at
    unanswered = [p for key, p in received.items() if key not in answered]
    return unanswered, answered


def parse(data: bytes, path: Path) -> list[dict[str, Any]]:
    """JSON lines; a torn line (a process killed mid-write) is skipped."""
    entries = []
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            log.warning("inbox %s: skipped a torn line", path)
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


class Inbox:
    """Append-only JSON lines: {"key", "at", "turn"} when received, {"key", "posting"}
    before a reply under that reply key is posted, {"key", "done"} when answered."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # this process's appends and swaps, one at a time
        self._compacting = threading.Lock()
        # The lock file outlives every swap of the journal, so all processes share it.
        self._lockfd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._fd = self._open()

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def received(self, key: str, turn: dict[str, Any], now: dt.datetime) -> None:
        """Write down an inbound turn (JSON-serialisable) under its idempotency key."""
        self._append({"key": key, "at": now.isoformat(), "turn": turn})

    def posting(self, key: str, reply_key: str) -> None:
        """Write down, before the first part leaves, that turn `key`'s answer is being
        posted tagged with `reply_key` (so a replay looks for it before answering)."""
        self._append({"key": key, "posting": reply_key})

    def answered(self, key: str) -> None:
        self._append({"key": key, "done": True})

    def pending(self, prefix: str = "") -> list[Pending]:
        """Turns received and never answered, oldest first; `prefix`: only keys that start
        with it (each platform replays its own)."""
        with open(self.path, "rb") as f:
            unanswered, _ = fold(parse(f.read(), self.path))
        return [p for p in unanswered if p.key.startswith(prefix)]

    def unanswered(self, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        """(key, turn) of every turn `pending` gives."""
        return [(p.key, p.turn) for p in self.pending(prefix)]

    def follower(self) -> Follower:
        """A reader of this journal as it grows (and is compacted), from its start."""
        return Follower(self.path)

    def size(self) -> int:
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    def compact(self, now: dt.datetime | None = None) -> tuple[int, int]:
        """Rewrite the journal to what is still unanswered; returns (bytes before, after).

        Safe while other processes append and follow (see the module's docstring). With
        `now`, the marks of turns received within KEEP_ANSWERED before it are kept, so a
        late retry of one is not taken for a new turn; without, every answered turn goes.
        """
        with self._compacting:
            with open(self.path, "rb") as f:
                inode = os.fstat(f.fileno()).st_ino
                head = f.read()
            head_end = head.rfind(b"\n") + 1
            unanswered, answered = fold(parse(head[:head_end], self.path))
            tmp = Path(f"{self.path}.tmp")
            with open(tmp, "wb") as out:
                for line in _kept(unanswered, answered, now):
                    out.write(line)
                with self._exclusive():
                    if os.stat(self.path).st_ino != inode:
                        # swapped by another compactor meanwhile: its copy stands
                        tmp.unlink()
                        return len(head), self.size()
                    with open(self.path, "rb") as f:
                        f.seek(head_end)
                        tail = f.read()  # appended while we worked: copied as written
                    # Writers hold the shared lock while they write, so an unfinished
                    # last line now is one whose writer was killed: it goes.
                    tail = tail[: tail.rfind(b"\n") + 1]
                    out.write(tail)
                    out.flush()
                    os.replace(tmp, self.path)
                    os.close(self._fd)
                    self._fd = self._open()
                    after = out.tell()
        return head_end + len(tail), after

    def close(self) -> None:
        os.close(self._fd)
        os.close(self._lockfd)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        with self._lock:
            fcntl.flock(self._lockfd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lockfd, fcntl.LOCK_UN)

    def _append(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode()
        with self._lock:
            # Shared: appends from every process go on together; only a swap waits.
            fcntl.flock(self._lockfd, fcntl.LOCK_SH)
            try:
                if os.fstat(self._fd).st_nlink == 0:  # compacted by another process
                    os.close(self._fd)
                    self._fd = self._open()
                os.write(self._fd, line)  # one write with O_APPEND: lines never interleave
            finally:
                fcntl.flock(self._lockfd, fcntl.LOCK_UN)


def _kept(
    unanswered: list[Pending], answered: dict[str, str | None], now: dt.datetime | None
) -> Iterator[bytes]:
    """The lines a compacted journal starts with: recent answered marks, then each
    unanswered turn with the replies it began."""
    if now is not None:
        since = now - KEEP_ANSWERED
        for key, at in answered.items():
            with contextlib.suppress(ValueError, TypeError):
                if at is not None and dt.datetime.fromisoformat(at) >= since:
                    yield _line({"key": key, "done": True, "at": at})
    for p in unanswered:
        yield _line({"key": p.key, "at": p.at, "turn": p.turn})
        for reply in p.replies:
            yield _line({"key": p.key, "posting": reply})


def _line(entry: dict[str, Any]) -> bytes:
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode()


class Follower:
    """Reads a journal as other processes append to it, across compactions, and gives each
    turn to answer once (for a reader in another process: the Slack turn worker,
    handlers/slack/worker.py)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None
        self.offset = 0
        #: compactions seen (the journal swapped under this reader)
        self.swaps = 0
        #: turns given out whose answered mark this reader has not read yet
        self.begun: set[str] = set()

    def turns(self) -> list[tuple[Pending, bool]]:
        """The turns to answer that this reader has not given out yet, oldest first, each
        with whether it is a replay: on the first call, everything a killed process left
        unanswered (all replays); then each turn as it is written, and after a compaction
        whatever in the new journal was neither given out nor answered (a replay if its
        answer had begun, `Pending.replies`). A platform's retry of a turn being answered
        is not given out again."""
        first = self._file is None
        entries, swapped = self.read()
        if first or swapped:
            left, _ = fold(entries)
            self.begun.intersection_update(p.key for p in left)
            out = [(p, first or bool(p.replies)) for p in left if p.key not in self.begun]
        else:
            out = []
            for entry in entries:
                key = entry.get("key")
                if not isinstance(key, str):
                    continue
                if entry.get("done"):
                    self.begun.discard(key)
                elif "turn" in entry and key not in self.begun:
                    out.append((Pending(key, entry["turn"], entry.get("at")), False))
                    self.begun.add(key)
        self.begun.update(p.key for p, _ in out)
        return out

    def read(self) -> tuple[list[dict[str, Any]], bool]:
        """(the whole lines written since the last read, whether the journal was compacted
        since). After a compaction the lines are the whole new journal: everything still
        unanswered, what was appended meanwhile, and the recent answered marks. A line still
        being written is left for the next read."""
        swapped = False
        if self._file is None:
            self._file = open(self.path, "rb")  # noqa: SIM115 (kept open between reads)
        else:
            try:
                current = os.stat(self.path)
            except FileNotFoundError:
                return [], False
            if current.st_ino != os.fstat(self._file.fileno()).st_ino:
                self._file.close()
                self._file = open(self.path, "rb")  # noqa: SIM115
                self.offset = 0
                self.swaps += 1
                swapped = True
            elif current.st_size <= self.offset:
                return [], False
        self._file.seek(self.offset)
        data = self._file.read()
        end = data.rfind(b"\n") + 1
        self.offset += end
        return parse(data[:end], self.path), swapped

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
