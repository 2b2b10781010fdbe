"""The inbox journal: what was received and never answered survives, in order, once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

from storage.inbox import Inbox
from tests.conftest import T0

ROOT = Path(__file__).resolve().parents[2]


def test_unanswered_turns_survive_compaction_and_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "inbox"
    inbox = Inbox(path)
    inbox.received("a", {"text": "first"}, T0)
    inbox.received("b", {"text": "second"}, T0)
    inbox.answered("a")
    inbox.answered("c")  # a retry answered before its duplicate was written down...
    inbox.received("c", {"text": "retry"}, T0)  # ...stays answered
    inbox.received("b", {"text": "second, retried"}, T0)
    with open(path, "a") as f:
        f.write('{"key": "d", "tu')  # killed mid-write
    assert inbox.unanswered() == [("b", {"text": "second"})]
    inbox.compact()
    inbox.close()
    again = Inbox(path)
    assert again.unanswered() == [("b", {"text": "second"})]
    assert len(path.read_text().splitlines()) == 1
    again.answered("b")
    assert again.unanswered() == []


def test_a_late_retry_of_an_answered_turn_stays_answered_after_compaction(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    inbox.received("a", {"text": "first"}, T0)
    inbox.answered("a")
    inbox.compact(T0 + dt.timedelta(minutes=5))  # Slack still retries: the mark stays
    inbox.received("a", {"text": "first, retried"}, T0 + dt.timedelta(minutes=5))
    assert inbox.pending() == []
    inbox.compact(T0 + dt.timedelta(minutes=20))  # long after: mark and retry both go
    assert inbox.path.read_bytes() == b""
    inbox.close()


def test_a_reply_begun_is_kept_with_its_turn(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    inbox.received("a", {"text": "first"}, T0)
    inbox.posting("a", "turn:x:1")
    inbox.compact(T0)
    inbox.posting("a", "turn:x:2")
    assert [(p.key, p.replies) for p in inbox.pending()] == [("a", ["turn:x:1", "turn:x:2"])]
    inbox.close()


WRITER = """
import datetime as dt, sys
from pathlib import Path
from storage.inbox import Inbox
inbox = Inbox(Path(sys.argv[1]))
t0 = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)
compactions = 0
for i in range(int(sys.argv[2])):
    inbox.received(f"k{i}", {"i": i, "pad": "x" * 200}, t0)
    if i % 40 == 39:
        inbox.compact(t0 + dt.timedelta(hours=1))  # past KEEP_ANSWERED: answered marks go
        compactions += 1
print(compactions)
"""


def test_compaction_while_another_process_appends_and_this_one_follows(tmp_path: Path) -> None:
    """The web process's role (a subprocess: appends every turn, compacts every 40) against
    a turn worker's (here: follows, marks each turn begun and answered, leaves every 7th
    unanswered): no turn is lost, none given out twice, no mark lost in a swap."""
    path = tmp_path / "inbox"
    n = 600
    Inbox(path).close()
    worker = Inbox(path)
    follower = worker.follower()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(n)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    given: list[str] = []
    while True:
        done = writer.poll() is not None  # read once more after the writer ended
        for pending, replay in follower.turns():
            assert not replay or pending.replies, pending
            given.append(pending.key)
            worker.posting(pending.key, f"reply:{pending.key}")
            if int(pending.key[1:]) % 7:
                worker.answered(pending.key)
        if done:
            break
        time.sleep(0.001)
    assert writer.stdout is not None
    compactions = int(writer.stdout.read())
    assert compactions == n // 40
    assert follower.swaps > 0, "the follower never saw a compaction"
    assert sorted(given) == sorted(f"k{i}" for i in range(n))  # each once
    left = Inbox(path).pending()
    assert [p.key for p in left] == [f"k{i}" for i in range(n) if i % 7 == 0]
    assert all(p.replies == [f"reply:{p.key}"] for p in left)
